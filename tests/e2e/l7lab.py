"""Servers and oracles for the L7 (database / HTTP) e2e suites (stdlib only, run as root).

- Postgres: a private PostgreSQL 15 cluster (initdb in a temp dir, owned by the
  `postgres` OS user), listening on 127.0.0.1:<free port> and on a Unix socket in its
  own directory, trust auth, pg_stat_statements preloaded (track = all). Database
  `hsbench` holds hs_kv<tag> (1000 keys) and hs_log<tag>; a test passes a tag unique to
  its process (run_tag()) so that its statements' fingerprints are its own even when
  another copy of the suite runs on the same host. Helpers: psql(), pgss(), pgbench().
- Redis: a private redis-server on 127.0.0.1:<free port> and a Unix socket, no
  persistence. Helpers: cli(), commandstats(), info().
- MariaDB: a private mariadbd (mariadb-install-db in a temp dir, run as the `mysql` OS
  user), on 127.0.0.1:<free port> and a Unix socket in its own directory,
  performance_schema on. Root over the socket, user `hs` (password) over TCP; database
  `hsbench` with hs_kv<tag> and hs_log<tag>. Helpers: sql(), client_proc(), slap()
  (mysqlslap), digests() (events_statements_summary_by_digest).
- HttpServer: tests/e2e/l7_peer.py server (/sleep/<ms>, /items/<id>, /missing, /fail).
- HttpClient: l7_peer.py client, K requests on one keep-alive connection.
- API helpers for the contract of monitoring/metrics?type=database|http,
  database/queries and http/endpoints.

Every server is stopped by the PID it recorded at start (after checking that the PID
still belongs to it) and its directory removed. scripts/services drives the same
classes with a persistent state directory. Traffic stays on loopback / Unix sockets.
"""
import json
import os
import pwd
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.parse

PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))
L7_PEER = os.path.join(HERE, "l7_peer.py")
PG_BIN = os.environ.get("HS_PG_BIN", "/usr/lib/postgresql/15/bin")
PSQL = os.path.join(PG_BIN, "psql")          # not the pg_wrapper in /usr/bin: comm and pid stay put
PGBENCH = os.path.join(PG_BIN, "pgbench")
PG_OS_USER = "postgres"
PG_ROLE = "postgres"
PG_DB = "hsbench"
PG_KEYS = 1000
TMP = os.environ.get("HS_L7_TMP", "/tmp")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv, check=True, timeout=120, **kw):
    r = subprocess.run(argv, capture_output=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} exited {r.returncode}: "
                           f"{r.stderr.decode(errors='replace')[-2000:]}{r.stdout.decode(errors='replace')[-500:]}")
    return r


def communicate(p, timeout):
    """Popen.communicate with a deadline: the child is killed when it passes."""
    try:
        return p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def end_pid(pid, marker, sig=signal.SIGTERM, timeout=30):
    """Ends process `pid` if its command line still contains `marker` (so a recycled
    pid is never hit): `sig` first, SIGKILL after `timeout` seconds. True if gone."""
    if not pid or not pid_alive(pid):
        return True
    if marker not in cmdline(pid):
        return True
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:  # reap it if it is our child
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        if not pid_alive(pid) or marker not in cmdline(pid):
            return True
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    for _ in range(100):
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _live_service(info_path, marker, pid=None):
    """A started service's info.json when the process it names (or `pid`) is alive
    and its command line holds `marker` (its data dir or pidfile); else None."""
    info = _read_json(info_path)
    if not info:
        return None
    pid = pid if pid is not None else info.get("pid")
    if pid and pid_alive(pid) and marker in cmdline(pid):
        return dict(info, pid=pid)
    return None


def _write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)


def _mkbase(kind, base):
    if base:
        return base, False  # created by start()
    return tempfile.mkdtemp(prefix=f"hs-l7-{kind}-{os.getpid()}-", dir=TMP), True


# ---- PostgreSQL -----------------------------------------------------------------------

def run_tag():
    """'_' + this process's pid spelt in letters (no digits: identifiers stay plain words)."""
    return "_" + "".join(chr(ord("a") + int(c)) for c in str(os.getpid()))


class Postgres:
    """A private cluster. `base` is its directory (a fresh temp dir if None); tables
    hs_kv<tag> and hs_log<tag>. ssl=True: `ssl = on` with a self-signed certificate
    (openssl, in the cluster's own directory) for 127.0.0.1; plaintext is still
    accepted, so clients choose with sslmode (disable / require)."""

    def __init__(self, base=None, max_connections=40, tag="", ssl=False):
        self.base, self.own_base = _mkbase("pg", base)
        self.data = os.path.join(self.base, "data")
        self.sockdir = os.path.join(self.base, "sock")
        self.logfile = os.path.join(self.base, "postgres.log")
        self.info_path = os.path.join(self.base, "info.json")
        self.max_connections = max_connections
        self.kv, self.log = f"hs_kv{tag}", f"hs_log{tag}"
        self.ssl = ssl
        self.cert = os.path.join(self.base, "server.crt")
        self.key = os.path.join(self.base, "server.key")
        self.port = None
        self.pid = None

    # -- life cycle
    def running(self):
        info = _live_service(self.info_path, self.data, pid=self._postmaster_pid() or 0)
        if info:
            self.port, self.pid, self.ssl = info["port"], info["pid"], info.get("ssl", False)
        return bool(info)

    def _make_certificate(self, pw):
        """A self-signed certificate for 127.0.0.1 (P-256, 30 days), readable by postgres only."""
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", self.key, "-out", self.cert, "-days", "30", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1"], timeout=60)
        for path in (self.key, self.cert):
            os.chown(path, pw.pw_uid, pw.pw_gid)
            os.chmod(path, 0o600)

    def _postmaster_pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline().strip())
        except (OSError, ValueError):
            return None

    def _as_pg(self, argv, **kw):
        pw = pwd.getpwnam(PG_OS_USER)
        return run(argv, user=pw.pw_uid, group=pw.pw_gid, extra_groups=[], cwd=self.base,
                   env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": self.base}, **kw)

    def start(self):
        if self.running():
            return self
        pw = pwd.getpwnam(PG_OS_USER)
        try:
            os.makedirs(self.sockdir, exist_ok=True)
            for p in (self.base, self.sockdir):
                os.chown(p, pw.pw_uid, pw.pw_gid)
                os.chmod(p, 0o700)
            if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
                shutil.rmtree(self.data, ignore_errors=True)
                self._as_pg([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", PG_ROLE,
                             "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            self.port = free_port()
            if self.ssl:
                self._make_certificate(pw)
            ssl_conf = (f"ssl = on\nssl_cert_file = '{self.cert}'\nssl_key_file = '{self.key}'\n" if self.ssl
                        else "ssl = off\n")
            with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
                f.write("\n# hostscope L7 lab\n"
                        f"port = {self.port}\n"
                        "listen_addresses = '127.0.0.1'\n"
                        f"unix_socket_directories = '{self.sockdir}'\n"
                        f"max_connections = {self.max_connections}\n"
                        "shared_buffers = 64MB\n"
                        + ssl_conf +
                        "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                        "shared_preload_libraries = 'pg_stat_statements'\n"
                        "pg_stat_statements.track = all\n"
                        "pg_stat_statements.max = 5000\n"
                        "log_min_messages = warning\n")
            with open(os.path.join(self.data, "pg_hba.conf"), "w") as f:
                f.write("# hostscope L7 lab: trust on the private socket and loopback only\n"
                        "local all all trust\n"
                        + ("hostssl all all 127.0.0.1/32 trust\n" if self.ssl else "")
                        + "host all all 127.0.0.1/32 trust\n")
            self._as_pg([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l", self.logfile,
                         "-w", "-t", "60", "start"], timeout=90)
            self.pid = self._postmaster_pid()
            _write_json(self.info_path, {"port": self.port, "sockdir": self.sockdir, "pid": self.pid,
                                         "data": self.data, "db": PG_DB, "user": PG_ROLE, "ssl": self.ssl})
            self._wait_ready()
            self._init_db()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = run([os.path.join(PG_BIN, "pg_isready"), "-q", "-h", self.sockdir, "-p", str(self.port)],
                    check=False)
            if r.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"postgres on port {self.port} not ready: {self.log_tail()}")

    def _init_db(self):
        exists = self.psql("SELECT 1 FROM pg_database WHERE datname = 'hsbench'", db="postgres").strip()
        if exists != "1":
            self.psql(f"CREATE DATABASE {PG_DB}", db="postgres")
        self.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        self.psql(f"CREATE TABLE IF NOT EXISTS {self.kv} (id int PRIMARY KEY, v bigint NOT NULL DEFAULT 0);"
                  f"CREATE TABLE IF NOT EXISTS {self.log} (id int NOT NULL, at timestamptz DEFAULT now());"
                  f"INSERT INTO {self.kv} SELECT g, 0 FROM generate_series(1, {PG_KEYS}) g ON CONFLICT DO NOTHING;")

    def stop(self):
        pid = self.pid or self._postmaster_pid()
        if pid:
            end_pid(pid, self.data, sig=signal.SIGINT, timeout=30)  # SIGINT: fast shutdown
        self.pid = None
        shutil.rmtree(self.base, ignore_errors=True)

    def log_tail(self, n=2000):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    # -- clients
    def conn_args(self, tcp=True, db=PG_DB):
        host = "127.0.0.1" if tcp else self.sockdir
        return ["-h", host, "-p", str(self.port), "-U", PG_ROLE, "-d", db]

    def psql(self, sql, db=PG_DB, tcp=False, check=True):
        """Runs `sql` (one or more statements) through psql on the Unix socket; stdout."""
        r = run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"] + self.conn_args(tcp, db)
                + ["-c", sql], check=check)
        return r.stdout.decode()

    def psql_proc(self, sql, tcp=True, sslmode=None):
        """psql -c SQL as a child we know the pid of; -> (pid, returncode, stdout, stderr, seconds).
        sslmode (TCP): libpq's, e.g. "require" (needs ssl=True) or "disable"."""
        t0 = time.monotonic()
        env = dict(os.environ, PGSSLMODE=sslmode) if sslmode else None
        p = subprocess.Popen([PSQL, "-X", "-A", "-t"] + self.conn_args(tcp) + ["-c", sql], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        out, err = communicate(p, 60)
        return p.pid, p.returncode, out.decode(), err.decode(), time.monotonic() - t0

    def pgss_reset(self):
        self.psql("SELECT pg_stat_statements_reset()")

    def pgss(self):
        """[(query text, calls)] from pg_stat_statements (all users, all databases)."""
        out = self.psql("SELECT calls, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements",
                        check=True)
        rows = []
        for line in out.splitlines():
            calls, _, query = line.partition("|")
            if calls.strip().isdigit():
                rows.append((query, int(calls)))
        return rows

    def pgss_calls(self, fingerprint):
        """Sum of calls of the pg_stat_statements entries whose normalised text has this
        canonical fingerprint (pgss keeps apart e.g. the simple and extended forms)."""
        want = canon_sql(fingerprint)
        return sum(calls for q, calls in self.pgss() if canon_sql(q) == want)

    def pgbench(self, script, clients, transactions, mode="simple", tcp=True, threads=None, extra=(), sslmode=None):
        """Runs pgbench -n -f script -M mode -c clients -t transactions -r.
        -> dict(pid, rc, stdout, stderr, latencies_ms {statement text: avg ms},
        latency_avg_ms (per transaction), tps)."""
        path = os.path.join(self.base, f"script-{os.getpid()}-{time.monotonic_ns()}.sql")
        with open(path, "w") as f:
            f.write(script)
        argv = [PGBENCH, "-n", "-r", "-f", path, "-M", mode, "-c", str(clients),
                "-j", str(threads or min(clients, os.cpu_count() or 1)), "-t", str(transactions)]
        argv += self.conn_args(tcp)[:-2] + list(extra) + [PG_DB]
        env = dict(os.environ, PGSSLMODE=sslmode) if sslmode else None
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
        try:
            out, err = communicate(p, 600)
        finally:
            os.unlink(path)
        out, err = out.decode(), err.decode()
        m = re.search(r"latency average = ([0-9.]+) ms", out)
        return {"pid": p.pid, "rc": p.returncode, "stdout": out, "stderr": err,
                "latencies_ms": parse_pgbench_latencies(out), "tps": parse_pgbench_tps(out),
                "latency_avg_ms": float(m.group(1)) if m else None, "argv": argv}


def parse_pgbench_latencies(out):
    """pgbench -r: 'statement latencies in milliseconds[ and failures]:' then lines
    '<avg ms> [<failures>] <command>'. -> {command text: avg ms} (SQL lines only)."""
    lat, on = {}, False
    for line in out.splitlines():
        if line.startswith("statement latencies"):
            on = True
            continue
        if not on:
            continue
        words = line.split()
        if not words:
            continue
        try:
            ms = float(words[0])
        except ValueError:
            on = False
            continue
        rest = words[1:]
        if rest and rest[0].isdigit():
            rest = rest[1:]
        text = " ".join(rest)
        if text and not text.startswith("\\"):
            lat[text] = ms
    return lat


def parse_pgbench_tps(out):
    m = re.search(r"tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)",
                  out)
    if not m:
        m = re.search(r"tps = ([0-9.]+)", out)
    return float(m.group(1)) if m else None


_SQL_PARAM = re.compile(r"\$\d+")
_SQL_COLON = re.compile(r":[a-z_]+\b")
_SQL_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_SQL_STRING = re.compile(r"'(?:[^']|'')*'")


def canon_sql(text):
    """A canonical form to compare fingerprints with pg_stat_statements texts and pgbench
    script lines: $n and :var parameters and literals as ?, whitespace collapsed, no trailing ';',
    upper case (so the fingerprinter's choice of which words are keywords does not matter)."""
    t = _SQL_STRING.sub("?", text)
    t = _SQL_PARAM.sub("?", t)
    t = _SQL_COLON.sub("?", t)
    t = _SQL_NUMBER.sub("?", t)
    t = " ".join(t.split()).strip().rstrip(";").strip()
    return t.upper()


# ---- Redis ----------------------------------------------------------------------------

class Redis:
    def __init__(self, base=None, detach=False):
        self.base, self.own_base = _mkbase("redis", base)
        self.detach = detach
        self.proc = None
        self.pidfile = os.path.join(self.base, "redis.pid")
        self.sock = os.path.join(self.base, "redis.sock")
        self.logfile = os.path.join(self.base, "redis.log")
        self.info_path = os.path.join(self.base, "info.json")
        self.port = None
        self.pid = None

    def _marker(self):
        return f":{self.port}"

    def running(self):
        info = _read_json(self.info_path)
        if not info:
            return False
        self.port, pid = info["port"], info.get("pid")
        if pid and pid_alive(pid) and "redis-server" in cmdline(pid) and self._marker() in cmdline(pid):
            self.pid = pid
            return True
        return False

    def start(self):
        if self.running():
            return self
        try:
            os.makedirs(self.base, exist_ok=True)
            self.port = free_port()
            argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--daemonize", "no", "--pidfile", self.pidfile, "--dir", self.base,
                    "--logfile", self.logfile, "--unixsocket", self.sock, "--unixsocketperm", "700",
                    "--protected-mode", "yes", "--maxclients", "1000"]
            # A child we know the pid of (a test reaps it); detached: its own session.
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=self.detach, cwd=self.base)
            self.pid = self.proc.pid
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"redis-server exited {self.proc.returncode}: {self.log_tail()}")
                if self.cli("PING", check=False).strip() == "PONG":
                    break
                time.sleep(0.05)
            if self.cli("PING").strip() != "PONG":
                raise RuntimeError("redis-server does not answer PING")
            _write_json(self.info_path, {"port": self.port, "pid": self.pid, "unixsocket": self.sock})
        except BaseException:
            self.stop()
            raise
        return self

    def log_tail(self, n=2000):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def stop(self):
        pid = self.pid
        if not pid:
            try:
                with open(self.pidfile) as f:
                    pid = int(f.read().strip())
            except (OSError, ValueError):
                pid = None
        if pid and self.port:
            end_pid(pid, self._marker(), sig=signal.SIGTERM, timeout=20)
        if self.proc:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.pid = None
        shutil.rmtree(self.base, ignore_errors=True)

    def cli(self, *args, unix=False, check=True):
        where = ["-s", self.sock] if unix else ["-h", "127.0.0.1", "-p", str(self.port)]
        r = run(["redis-cli"] + where + [str(a) for a in args], check=check, timeout=30)
        return r.stdout.decode()

    def cli_proc(self, *args, unix=False):
        """redis-cli as a child we know the pid of -> (pid, rc, stdout)."""
        where = ["-s", self.sock] if unix else ["-h", "127.0.0.1", "-p", str(self.port)]
        p = subprocess.Popen(["redis-cli"] + where + [str(a) for a in args], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        out, _ = communicate(p, 30)
        return p.pid, p.returncode, out.decode()

    def info(self, section=""):
        out = self.cli("INFO", section) if section else self.cli("INFO")
        d = {}
        for line in out.splitlines():
            k, sep, v = line.strip().partition(":")
            if sep and not k.startswith("#"):
                d[k] = v
        return d

    def commandstats(self):
        """{command: calls} from INFO commandstats ('config|get' for sub-commands)."""
        out = {}
        for k, v in self.info("commandstats").items():
            if k.startswith("cmdstat_"):
                fields = dict(kv.split("=", 1) for kv in v.split(",") if "=" in kv)
                out[k[len("cmdstat_"):]] = int(fields.get("calls", 0))
        return out

    def error_replies(self):
        return int(self.info("stats").get("total_error_replies", 0))

    def benchmark(self, tests, n, clients, pipeline=1, unix=False, extra=(), timeout=600):
        """redis-benchmark -t tests -n n -c clients -P pipeline --csv [extra]; with `tests`
        a list, that one command instead of -t.
        -> dict(pid, rc, stdout, stderr, rps {TEST: req/s}, p50_ms {TEST: ms}, argv)."""
        where = ["-s", self.sock] if unix else ["-h", "127.0.0.1", "-p", str(self.port)]
        what = [] if isinstance(tests, list) else ["-t", tests]
        command = tests if isinstance(tests, list) else []
        argv = ["redis-benchmark"] + where + what + ["-n", str(n), "-c", str(clients), "-P", str(pipeline),
                                                   "--csv"] + list(extra) + command
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        out, err = communicate(p, timeout)
        out = out.decode()
        rps, p50 = {}, {}
        for line in out.splitlines():
            cols = [c.strip('"') for c in line.strip().split('","')]
            if len(cols) >= 5 and cols[0] != "test":
                try:
                    rps[cols[0]], p50[cols[0]] = float(cols[1]), float(cols[4])
                except ValueError:
                    continue
        return {"pid": p.pid, "rc": p.returncode, "stdout": out, "stderr": err.decode(), "rps": rps,
                "p50_ms": p50, "argv": argv}


# ---- MariaDB --------------------------------------------------------------------------

MARIADBD = os.environ.get("HS_MARIADBD", "/usr/sbin/mariadbd")
MARIADB = "/usr/bin/mariadb"
MARIADB_INSTALL_DB = "/usr/bin/mariadb-install-db"
MYSQLSLAP = "/usr/bin/mysqlslap"       # the name mysqlslap runs under (its comm)
MY_OS_USER = "mysql"
MY_DB = "hsbench"
MY_USER = "hs"                         # TCP account (mysql_native_password)
MY_PASSWORD = "hs-lab-secret"
MY_KEYS = 1000


class MariaDB:
    """A private mariadbd: its own datadir (mariadb-install-db), 127.0.0.1:<free port>
    and a Unix socket in its own directory, performance_schema on, skip-name-resolve,
    no binary log. Root connects over the socket (unix_socket auth); `hs` with a
    password over TCP. Database hsbench holds hs_kv<tag> (1000 keys) and hs_log<tag>.
    Reads no option file (--no-defaults), so a system MariaDB is never touched."""

    def __init__(self, base=None, detach=False, max_connections=100, tag=""):
        self.base, self.own_base = _mkbase("mariadb", base)
        self.detach = detach
        self.data = os.path.join(self.base, "data")
        self.sock = os.path.join(self.base, "mysqld.sock")
        self.pidfile = os.path.join(self.base, "mysqld.pid")
        self.logfile = os.path.join(self.base, "mysqld.log")
        self.info_path = os.path.join(self.base, "info.json")
        self.max_connections = max_connections
        self.kv, self.log = f"hs_kv{tag}", f"hs_log{tag}"
        self.proc = None
        self.port = None
        self.pid = None

    # -- life cycle
    def running(self):
        info = _live_service(self.info_path, self.data)
        if info:
            self.port, self.pid = info["port"], info["pid"]
        return bool(info)

    def start(self):
        if self.running():
            return self
        pw = pwd.getpwnam(MY_OS_USER)
        try:
            os.makedirs(self.base, exist_ok=True)
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
            os.chmod(self.base, 0o750)
            if not os.path.isdir(os.path.join(self.data, "mysql")):
                shutil.rmtree(self.data, ignore_errors=True)
                run([MARIADB_INSTALL_DB, "--no-defaults", f"--user={MY_OS_USER}", f"--datadir={self.data}",
                     "--auth-root-authentication-method=socket", "--skip-test-db", "--skip-name-resolve"],
                    timeout=180, cwd=self.base)
            self.port = free_port()
            argv = [MARIADBD, "--no-defaults", f"--user={MY_OS_USER}", f"--datadir={self.data}",
                    f"--socket={self.sock}", f"--port={self.port}", "--bind-address=127.0.0.1",
                    f"--pid-file={self.pidfile}", f"--log-error={self.logfile}", f"--tmpdir={self.base}",
                    "--skip-name-resolve", "--skip-log-bin", "--skip-ssl",
                    "--performance-schema=ON", "--performance-schema-digests-size=5000",
                    "--performance-schema-consumer-events-statements-current=ON",
                    "--performance-schema-consumer-events-statements-history-long=ON",
                    "--performance-schema-events-statements-history-long-size=20000",
                    f"--max-connections={self.max_connections}", "--max-prepared-stmt-count=100000",
                    "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=0",
                    "--innodb-doublewrite=0"]
            # A child we know the pid of; detached (scripts/services): its own session.
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=self.detach, cwd=self.base)
            self.pid = self.proc.pid
            self._wait_ready()
            _write_json(self.info_path, {"port": self.port, "pid": self.pid, "socket": self.sock,
                                         "data": self.data, "db": MY_DB, "user": MY_USER})
            self._init_db()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited {self.proc.returncode}: {self.log_tail()}")
            r = run([MARIADB, "--no-defaults", f"--socket={self.sock}", "-uroot", "-N", "-B", "-e", "SELECT 1"],
                    check=False, timeout=30)
            if r.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"mariadbd on port {self.port} not ready: {self.log_tail()}")

    def _init_db(self):
        rows = ",".join(f"({i},0)" for i in range(1, MY_KEYS + 1))
        self.sql(f"CREATE DATABASE IF NOT EXISTS {MY_DB};"
                 f"CREATE USER IF NOT EXISTS '{MY_USER}'@'127.0.0.1' IDENTIFIED BY '{MY_PASSWORD}';"
                 f"GRANT ALL ON {MY_DB}.* TO '{MY_USER}'@'127.0.0.1';"
                 f"GRANT SELECT ON performance_schema.* TO '{MY_USER}'@'127.0.0.1';"
                 f"CREATE TABLE IF NOT EXISTS {MY_DB}.{self.kv} (id INT PRIMARY KEY, v BIGINT NOT NULL DEFAULT 0);"
                 f"CREATE TABLE IF NOT EXISTS {MY_DB}.{self.log} (id INT NOT NULL, "
                 "at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);"
                 f"INSERT IGNORE INTO {MY_DB}.{self.kv} VALUES {rows};", db="")

    def stop(self):
        pid = self.pid
        if not pid:
            pid = (_read_json(self.info_path) or {}).get("pid")
        if pid:
            end_pid(pid, self.data, sig=signal.SIGTERM, timeout=60)
        if self.proc:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.pid = None
        shutil.rmtree(self.base, ignore_errors=True)

    def log_tail(self, n=2000):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    # -- clients
    def conn_args(self, tcp=True):
        if tcp:
            return ["-h", "127.0.0.1", "-P", str(self.port), f"-u{MY_USER}", f"-p{MY_PASSWORD}", "--protocol=TCP"]
        return [f"--socket={self.sock}", "-uroot", "--protocol=SOCKET"]

    def sql(self, sql, db=MY_DB, tcp=False, check=True):
        """Runs `sql` through the mariadb client (root over the socket unless tcp); stdout."""
        r = run([MARIADB, "--no-defaults", "-N", "-B"] + self.conn_args(tcp) + ([db] if db else [])
                + ["-e", sql], check=check, timeout=60)
        return r.stdout.decode()

    def client_proc(self, sql, tcp=True, extra=()):
        """mariadb -e SQL as a child we know the pid of -> (pid, returncode, stdout, stderr, seconds)."""
        t0 = time.monotonic()
        p = subprocess.Popen([MARIADB, "--no-defaults", "-N", "-B"] + self.conn_args(tcp) + list(extra)
                             + [MY_DB, "-e", sql],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        out, err = communicate(p, 120)
        return p.pid, p.returncode, out.decode(), err.decode(), time.monotonic() - t0

    def slap(self, queries, concurrency, iterations, tcp=True, timeout=600):
        """mysqlslap: `concurrency` clients each run every statement of `queries` once per
        iteration, on a connection of their own (opened for the run). -> dict(pid, rc,
        stdout, stderr, argv)."""
        argv = [MYSQLSLAP, "--no-defaults"] + self.conn_args(tcp) + [
            f"--create-schema={MY_DB}", "--no-drop", f"--concurrency={concurrency}",
            f"--iterations={iterations}", "--delimiter=;", f"--query={';'.join(queries)}"]
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        out, err = communicate(p, timeout)
        return {"pid": p.pid, "rc": p.returncode, "stdout": out.decode(), "stderr": err.decode(), "argv": argv}

    # -- performance_schema oracle
    def digest_reset(self):
        self.sql("TRUNCATE TABLE performance_schema.events_statements_summary_by_digest", db="")

    def digests(self, source="performance_schema.events_statements_summary_by_digest"):
        """[(digest text, COUNT_STAR, SUM_ERRORS)] of events_statements_summary_by_digest
        (or of another source with those columns)."""
        out = self.sql("SELECT COUNT_STAR, SUM_ERRORS, REPLACE(REPLACE(DIGEST_TEXT, '\\n', ' '), '\\t', ' ') "
                       f"FROM {source} WHERE DIGEST_TEXT IS NOT NULL", db="")
        rows = []
        for line in out.splitlines():
            parts = line.split("\t", 2)
            if len(parts) == 3 and parts[0].isdigit():
                rows.append((parts[2], int(parts[0]), int(parts[1])))
        return rows

    def statement_events(self, name):
        """(COUNT_STAR, SUM_ERRORS) of one event of events_statements_summary_global_by_event_name
        (cumulative): 'statement/com/Execute' counts prepared statement executions, and
        'statement/sql/error' the statements the server could not parse (no digest row)."""
        out = self.sql("SELECT COUNT_STAR, SUM_ERRORS FROM "
                       "performance_schema.events_statements_summary_global_by_event_name "
                       f"WHERE EVENT_NAME = '{name}'", db="").split()
        return (int(out[0]), int(out[1])) if len(out) == 2 else (0, 0)

    def digest_calls(self, fingerprint):
        """COUNT_STAR summed over the digests whose text has this canonical fingerprint."""
        want = canon_mysql(fingerprint)
        return sum(n for text, n, _ in self.digests() if canon_mysql(text) == want)

    # The digest summary adds concurrent statements of one digest without a lock: with
    # a few clients at once it loses some (178 of 200 seen, no error, no lost counter).
    # The long statement history takes each finished statement into its own slot, so
    # it is exact while it has not wrapped (20000 slots, more than any run here).
    HISTORY = ("(SELECT COUNT(*) AS COUNT_STAR, SUM(ERRORS) AS SUM_ERRORS, DIGEST_TEXT "
               "FROM performance_schema.events_statements_history_long GROUP BY DIGEST_TEXT) AS h")

    def history_reset(self):
        self.sql("TRUNCATE TABLE performance_schema.events_statements_history_long", db="")

    def history_calls(self, fingerprint):
        """Finished statements in the long history whose digest has this canonical fingerprint."""
        want = canon_mysql(fingerprint)
        return sum(n for text, n, _ in self.digests(self.HISTORY) if canon_mysql(text) == want)


_MY_PUNCT_SPACE = re.compile(r"\s*([(),])\s*")


def canon_mysql(text):
    """canon_sql for MySQL texts: performance_schema digests quote identifiers with
    backticks and space every token ("( `id` )"); both are dropped on either side."""
    return _MY_PUNCT_SPACE.sub(r"\1", canon_sql(text.replace("`", "")))


# ---- HTTP -----------------------------------------------------------------------------

class HttpServer:
    """l7_peer.py server. As a test child (detach=False) it exits when its stdin closes
    (the test process died) or after `lifetime` seconds; detached (scripts/services) it
    runs until stopped."""

    def __init__(self, base=None, detach=False, lifetime=900):
        self.base, self.own_base = _mkbase("http", base)
        self.pidfile = os.path.join(self.base, "http.pid")
        self.outfile = os.path.join(self.base, "http.out")
        self.info_path = os.path.join(self.base, "info.json")
        self.detach, self.lifetime = detach, lifetime
        self.proc = None
        self.port = None
        self.pid = None

    def running(self):
        info = _live_service(self.info_path, self.pidfile)
        if info:
            self.port, self.pid = info["port"], info["pid"]
        return bool(info)

    def start(self):
        if self.running():
            return self
        try:
            os.makedirs(self.base, exist_ok=True)
            argv = [PYTHON, "-u", L7_PEER, "server", "--host", "127.0.0.1", "--port", "0",
                    "--pidfile", self.pidfile, "--lifetime", str(0 if self.detach else self.lifetime)]
            with open(self.outfile, "wb") as out:
                self.proc = subprocess.Popen(
                    argv, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL if self.detach else subprocess.PIPE,
                    start_new_session=self.detach, cwd="/")
            deadline = time.monotonic() + 15
            words = []
            while time.monotonic() < deadline:
                with open(self.outfile) as f:
                    words = f.readline().split()
                if len(words) == 3 and words[0] == "ready":
                    break
                if self.proc.poll() is not None:
                    raise RuntimeError(f"l7_peer server exited: {open(self.outfile).read()[-1000:]}")
                time.sleep(0.05)
            else:
                raise RuntimeError("l7_peer server did not become ready")
            self.pid, self.port = int(words[1]), int(words[2])
            _write_json(self.info_path, {"port": self.port, "pid": self.pid})
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        pid = self.pid or (self.proc.pid if self.proc else None)
        if pid:
            if self.proc and self.proc.stdin:
                try:
                    self.proc.stdin.close()
                except OSError:
                    pass
            end_pid(pid, self.pidfile, sig=signal.SIGTERM, timeout=10)
        if self.proc:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.pid = None
        shutil.rmtree(self.base, ignore_errors=True)


class HttpClient:
    """l7_peer.py client --hold: K requests on one keep-alive connection; the process
    stays alive (pid known) until close()."""

    def __init__(self, port, path=None, template=None, count=1, new_connection=False):
        argv = [PYTHON, "-u", L7_PEER, "client", "--port", str(port), "--count", str(count), "--hold"]
        argv += ["--path", path] if path else ["--template", template]
        if new_connection:
            argv.append("--new-connection")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline().decode().split()
        if not line or line[0] != "done":
            self.close()
            raise AssertionError(f"l7_peer client {argv[4:]} answered {line!r}")
        self.pid = int(line[1])
        self.median_ns = int(line[2])
        self.statuses = {int(k): int(v) for k, v in (kv.split(":") for kv in line[3].split(",") if ":" in kv)}

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


# ---- stale leftovers -------------------------------------------------------------------

def sweep_stale():
    """Stops servers and removes directories that a killed test process (pid dead) left
    in TMP: hs-l7-<kind>-<pid>-*."""
    try:
        names = os.listdir(TMP)
    except OSError:
        return
    for name in names:
        m = re.match(r"hs-l7-(pg|redis|mariadb|http)-(\d+)-", name)
        if not m or pid_alive(int(m.group(2))):
            continue
        path = os.path.join(TMP, name)
        kind = m.group(1)
        if kind == "pg":
            s = Postgres(base=path)
        elif kind == "mariadb":
            s = MariaDB(base=path)
        elif kind == "redis":
            s = Redis(base=path)
            info = _read_json(s.info_path) or {}
            s.port = info.get("port")
            s.pid = info.get("pid")
        else:
            s = HttpServer(base=path)
            s.pid = (_read_json(s.info_path) or {}).get("pid")
        s.stop()


# ---- daemon ----------------------------------------------------------------------------

def start_daemon(name, interval_ms=200, extra_toml=""):
    """A hostscoped for one suite: its own state dir and a config with `interval_ms`;
    everything is removed again if it does not come up."""
    from hsdaemon import Daemon
    state = tempfile.mkdtemp(prefix=f"hs-e2e-{name}-")
    conf = os.path.join(state, "hostscope.toml")
    with open(conf, "w") as f:
        f.write(f"[monitoring]\ninterval_ms = {interval_ms}\n{extra_toml}")
    d = Daemon(state_dir=state, extra_args=["--config", conf])
    d.own_state = True
    try:
        return d.start()
    except BaseException:
        d.cleanup()
        raise


# ---- daemon API ------------------------------------------------------------------------

class CaptureMissing(AssertionError):
    pass


def _get(d, path, params):
    q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    status, body = d.get(path + (("&" if "?" in path else "?") + q if q else ""))
    assert status == 200, (path, params, status, body)
    return body


def l7_available(d, type_="database"):
    body = _get(d, f"/monitoring/metrics?type={type_}", {})
    return body.get("available", True) is not False, body


def require_l7(d, type_="database"):
    ok, body = l7_available(d, type_)
    if not ok:
        raise CaptureMissing(f"L7 capture not attached: monitoring/metrics?type={type_} answered {body}")


def put_config(d, **settings):
    """PUT monitoring/config with these settings (slow_query_threshold_ms, capture_literals...)."""
    status, body, _ = d.request("PUT", "/api/performance/monitoring/config", body=settings)
    assert status == 200, (settings, status, body)
    return body


def db_metrics(d, **params):
    """monitoring/metrics?type=database with filters; checks the filters were applied."""
    body = _get(d, "/monitoring/metrics?type=database", params)
    if body.get("available", True) is False:
        raise CaptureMissing(f"L7 capture not attached: {body}")
    assert body.get("type") == "database", body
    rows = body["metrics"]
    for r in rows:
        for k in ("pid", "comm", "system", "side"):
            if k in params:
                assert str(r.get(k)) == str(params[k]), f"filter {k}={params[k]} answered {r}"
    return rows


def http_metrics(d, **params):
    body = _get(d, "/monitoring/metrics?type=http", params)
    if body.get("available", True) is False:
        raise CaptureMissing(f"L7 capture not attached: {body}")
    assert body.get("type") == "http", body
    rows = body["metrics"]
    for r in rows:
        for k in ("pid", "side", "method", "route"):
            if k in params:
                assert str(r.get(k)) == str(params[k]), f"filter {k}={params[k]} answered {r}"
    return rows


def db_queries(d, **params):
    return _get(d, "/database/queries", params)


def http_endpoints(d, **params):
    return _get(d, "/http/endpoints", params)


def by_canon_fp(rows):
    """{canon_sql(fingerprint): [rows]}."""
    out = {}
    for r in rows:
        out.setdefault(canon_sql(r.get("fingerprint", "")), []).append(r)
    return out


def prometheus_samples(d):
    """GET /metrics (no token) -> (text, {(name, frozenset(label items)): value})."""
    status, body, _ = d.request("GET", "/metrics", token=None)
    assert status == 200, (status, body[:200])
    text = body.decode()
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        name, _, labels = series.partition("{")
        items = re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels)
        out[(name, frozenset(items))] = float(value)
    return text, out


def sum_field(rows, field="count"):
    return sum(int(r.get(field) or 0) for r in rows)


def wait_settled(fetch, done, timeout, settle_s, what):
    """Polls fetch() until done(value); then waits `settle_s` more and fetches again
    (exact counts must not move after that). Raises with the last value on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fetch()
        if done(last):
            time.sleep(settle_s)
            return fetch()
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


def probe_status(d, name="l7"):
    status, body = d.get("/monitoring/status")
    if status != 200:
        return None
    return next((p for p in body.get("probes", []) if p.get("name") == name), None)


def l7_drops(d):
    """Sum of the l7 probe's drop counters (monitoring/status)."""
    st = probe_status(d) or {}
    return sum(int(v) for v in (st.get("drops") or {}).values())


def median(values):
    return statistics.median(values) if values else None
