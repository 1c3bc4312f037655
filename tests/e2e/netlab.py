"""A small network lab for the e2e suites (stdlib only, run as root).

- NetNS: a network namespace joined to the host by a veth pair, with an IPv4 /30
  from 10.213.0.0/16 and an IPv6 ULA /64 (fd00:213:X::/64), unique per test.
- NftDrop: an nftables table that drops TCP to (or from) a port, in the host or a netns.
- ss_sockets / ss_find: `ss -tinpH` parsed (srtt, rttvar, retransmits, owners).
- Peer / server / client: tests/e2e/net_peer.py as child processes with known pids.
- slot_of / slot_lower / slot_upper: the daemon's log-linear histogram slots (wire.h).

Everything that creates something has a matching teardown that tolerates partial
set-up; tests register it with addCleanup. Traffic stays on loopback or inside the
namespaces created here.
"""
import ipaddress
import itertools
import os
import select
import signal
import subprocess
import time

PYTHON = "/usr/bin/python3"
NET_PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "net_peer.py")
_serial = itertools.count()


def run(argv, netns=None, check=True, input=None, timeout=30):
    if netns:
        argv = ["ip", "netns", "exec", netns] + list(argv)
    r = subprocess.run(argv, input=input, capture_output=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {r.returncode}: {r.stderr.decode(errors='replace')}")
    return r


# ---- namespaces ---------------------------------------------------------------

class NetNS:
    """A netns with a veth pair to the host namespace.

    Host side: host_ip (10.213.X.1/30), host_ip6 (fd00:213:X::1/64);
    namespace side: ns_ip (10.213.X.2), ns_ip6 (fd00:213:X::2), lo up.
    """

    def __init__(self):
        n = next(_serial)
        pid = os.getpid()
        self.name = f"hs-e2e-{pid}-{n}"
        tag = f"{pid % 100000}{n}"
        self.host_if = f"hsh{tag}"[:15]
        self.ns_if = f"hsn{tag}"[:15]
        self.subnet = None
        self.created = False

    def _free_subnet(self):
        used = run(["ip", "-4", "-o", "addr", "show"]).stdout.decode()
        start = (os.getpid() * 7 + next(_serial)) % 256
        for i in range(256):
            x = (start + i) % 256
            if f"10.213.{x}." not in used:
                return x
        raise RuntimeError("no free 10.213.X.0/30 subnet")

    def create(self):
        try:
            self.subnet = x = self._free_subnet()
            self.host_ip, self.ns_ip = f"10.213.{x}.1", f"10.213.{x}.2"
            self.host_ip6, self.ns_ip6 = f"fd00:213:{x:x}::1", f"fd00:213:{x:x}::2"
            run(["ip", "netns", "add", self.name])
            self.created = True
            run(["ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if,
                 "netns", self.name])
            run(["ip", "addr", "add", f"{self.host_ip}/30", "dev", self.host_if])
            run(["ip", "-6", "addr", "add", f"{self.host_ip6}/64", "dev", self.host_if, "nodad"])
            run(["ip", "link", "set", self.host_if, "up"])
            run(["ip", "link", "set", "lo", "up"], netns=self.name)
            run(["ip", "addr", "add", f"{self.ns_ip}/30", "dev", self.ns_if], netns=self.name)
            run(["ip", "-6", "addr", "add", f"{self.ns_ip6}/64", "dev", self.ns_if, "nodad"],
                netns=self.name)
            run(["ip", "link", "set", self.ns_if, "up"], netns=self.name)
            self._wait_reachable()
        except BaseException:
            self.destroy()
            raise
        return self

    def _wait_reachable(self, timeout=10):
        """Both link ends up (veth carrier comes up asynchronously)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = run(["ping", "-c", "1", "-W", "1", self.ns_ip], check=False) if _have("ping") else None
            if r is None:
                state = run(["ip", "-o", "link", "show", self.host_if]).stdout.decode()
                if "LOWER_UP" in state:
                    return
            elif r.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"veth {self.host_if} to {self.name} did not come up")

    def destroy(self):
        # Deleting the namespace deletes the veth end inside it and so the pair.
        if self.created:
            run(["ip", "netns", "del", self.name], check=False)
            self.created = False
        if run(["ip", "link", "show", self.host_if], check=False).returncode == 0:
            run(["ip", "link", "del", self.host_if], check=False)

    def run(self, argv, **kw):
        return run(argv, netns=self.name, **kw)


def _have(prog):
    return any(os.access(os.path.join(d, prog), os.X_OK) for d in os.environ.get("PATH", "/usr/bin:/bin").split(":"))


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale():
    """Deletes namespaces and host nft tables that a test process left behind when it
    was killed (SIGKILL skips cleanups): only names of this lab whose pid is dead."""
    for line in run(["ip", "netns", "list"], check=False).stdout.decode().splitlines():
        name = line.split()[0] if line.split() else ""
        parts = name.split("-")
        if len(parts) == 4 and parts[:2] == ["hs", "e2e"] and parts[2].isdigit() \
                and not _pid_alive(int(parts[2])):
            run(["ip", "netns", "del", name], check=False)
    for word in run(["nft", "list", "tables"], check=False).stdout.decode().split():
        parts = word.split("_")
        if len(parts) == 4 and parts[:2] == ["hs", "e2e"] and parts[2].isdigit() \
                and not _pid_alive(int(parts[2])):
            run(["nft", "delete", "table", "inet", word], check=False)


def leftover_namespaces():
    """Namespaces this process created and did not delete (for cleanup checks)."""
    out = run(["ip", "netns", "list"], check=False).stdout.decode()
    prefix = f"hs-e2e-{os.getpid()}-"
    return [line.split()[0] for line in out.splitlines() if line.startswith(prefix)]


# ---- nftables -------------------------------------------------------------------

class NftDrop:
    """Drops TCP segments to `port` (match="dport") or from it (match="sport").

    hook "input" drops what arrives, "output" what leaves; in `netns` (a name) or in
    the host namespace. The table is private to this object and removed whole.
    """

    def __init__(self, port, netns=None, match="dport", hook="input"):
        self.port, self.netns, self.match, self.hook = port, netns, match, hook
        self.table = f"hs_e2e_{os.getpid()}_{next(_serial)}"
        self.active = False

    def add(self):
        script = (f"table inet {self.table} {{\n"
                  f"  chain c {{ type filter hook {self.hook} priority -300; policy accept;\n"
                  f"    tcp {self.match} {self.port} counter drop\n  }}\n}}\n")
        run(["nft", "-f", "-"], netns=self.netns, input=script.encode())
        self.active = True
        return self

    def dropped(self):
        """Packets the rule has dropped so far."""
        out = run(["nft", "list", "table", "inet", self.table], netns=self.netns).stdout.decode()
        words = out.split()
        return int(words[words.index("packets") + 1])

    def remove(self):
        if self.active:
            run(["nft", "delete", "table", "inet", self.table], netns=self.netns, check=False)
            self.active = False

    def __enter__(self):
        return self.add()

    def __exit__(self, *exc):
        self.remove()


def leftover_nft_tables(netns=None):
    out = run(["nft", "list", "tables"], netns=netns, check=False).stdout.decode()
    prefix = f"hs_e2e_{os.getpid()}_"
    return [w for w in out.split() if w.startswith(prefix)]


# ---- ss ---------------------------------------------------------------------------

def _addr(text):
    """'127.0.0.1:80' / '[::1]:80' / '[::ffff:1.2.3.4]:80' / '*:80' -> (ip, port)."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if "%" in host:
        host = host.split("%")[0]
    if host.startswith("::ffff:") and "." in host:
        host = host[len("::ffff:"):]
    try:
        host = str(ipaddress.ip_address(host))
    except ValueError:
        pass
    return host, int(port) if port.isdigit() else port


def _users(text):
    """users:(("python3",pid=12,fd=3),...) -> [(comm, pid, fd)]."""
    out = []
    for part in text.split("(")[2:] if text.startswith("users:") else []:
        fields = part.strip(")),").split(",")
        try:
            comm = fields[0].strip('"')
            pid = int(next(f for f in fields if f.startswith("pid=")).split("=")[1])
            fd = int(next(f for f in fields if f.startswith("fd=")).split("=")[1].rstrip(")"))
            out.append((comm, pid, fd))
        except (StopIteration, ValueError, IndexError):
            continue
    return out


def _info(tokens):
    info = {}
    for tok in tokens:
        if ":" not in tok:
            continue
        k, _, v = tok.partition(":")
        info[k] = v
    d = {}
    if "rtt" in info:
        srtt, _, rttvar = info["rtt"].partition("/")
        d["srtt_us"] = round(float(srtt) * 1000)
        d["rttvar_us"] = round(float(rttvar) * 1000)
    retrans = info.get("retrans", "0/0")
    out_, _, total = retrans.partition("/")
    d["retrans_out"], d["retrans_total"] = int(out_), int(total or 0)
    for k in ("bytes_acked", "bytes_received", "bytes_sent", "bytes_retrans", "cwnd", "segs_out", "segs_in"):
        if k in info:
            d[k] = int(info[k])
    d["raw"] = info
    return d


def ss_sockets(netns=None, listening=False):
    """TCP sockets as `ss -tinpH` shows them (in `netns` if given)."""
    argv = ["ss", "-tinpH"] + (["-l"] if listening else [])
    lines = run(argv, netns=netns).stdout.decode().splitlines()
    socks, cur = [], None
    for line in lines:
        if not line.strip():
            continue
        if not line[0].isspace():
            words = line.split()
            cur = {"state": words[0], "recv_q": int(words[1]), "send_q": int(words[2]),
                   "local": _addr(words[3]), "peer": _addr(words[4]),
                   "users": _users(" ".join(words[5:])), "info": {}}
            socks.append(cur)
        elif cur is not None:
            cur["info"].update(_info(line.split()))
    return socks


def ss_find(local, peer, netns=None):
    """The socket with this exact (local, peer) pair of (ip, port), or None."""
    local, peer = (_norm(local), _norm(peer))
    for s in ss_sockets(netns):
        if s["local"] == local and s["peer"] == peer:
            return s
    return None


def _norm(ep):
    ip, port = ep
    return str(ipaddress.ip_address(ip)), int(port)


# ---- peers --------------------------------------------------------------------------

class Peer:
    """A net_peer.py child. `pid` is the peer's own pid (ip netns exec execs in place)."""

    def __init__(self, args, netns=None):
        argv = [PYTHON, "-u", NET_PEER] + [str(a) for a in args]
        if netns:
            argv = ["ip", "netns", "exec", netns] + argv
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._buf = b""
        words = self.expect("ready")
        self.pid = int(words[1])
        self.ready = words

    def readline(self, timeout=30):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"peer {self.argv[-4:]}: no output within {timeout}s")
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise AssertionError(f"peer {self.argv} exited ({self.proc.poll()}) before answering")
                self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line.decode()

    def expect(self, first, timeout=30):
        line = self.readline(timeout)
        words = line.split()
        if not words or words[0] != first:
            raise AssertionError(f"peer answered {line!r}, expected {first!r}")
        return words

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def ask(self, line, first, timeout=30):
        self.send(line)
        return self.expect(first, timeout)

    def stop(self, timeout=10):
        """Closes stdin (peers exit on EOF), then SIGTERM / SIGKILL by pid."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.kill(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        return self.proc.returncode


class Server(Peer):
    def __init__(self, host="127.0.0.1", port=0, delay_ms=0, reset=False, netns=None):
        args = ["server", "--host", host, "--port", port, "--delay-ms", delay_ms]
        super().__init__(args + (["--reset"] if reset else []), netns=netns)
        self.host = host
        self.port = int(self.ready[2])


class Client(Peer):
    """Interactive client: connect(id, host, port), rounds(id, n, size), info(id)."""

    def __init__(self, netns=None):
        super().__init__(["client", "--interactive"], netns=netns)

    def connect(self, ident, host, port):
        words = self.ask(f"connect {ident} {host} {port}", "connected")
        return words[2], int(words[3])

    def rounds(self, ident, n, size=32, pause_ms=0, timeout=60):
        """-> (median round trip ns as the client measured it, [srtt us after each round])."""
        words = self.ask(f"rounds {ident} {n} {size} {pause_ms}", "done", timeout)
        return int(words[2]), parse_csv(words[3])

    def info(self, ident):
        w = self.ask(f"info {ident}", "info")
        return {"srtt_us": int(w[2]), "rttvar_us": int(w[3]), "total_retrans": int(w[4])}

    def close_conn(self, ident):
        self.ask(f"close {ident}", "closed")


def parse_csv(text):
    return [] if text == "-" else [int(v) for v in text.split(",")]


def one_shot_client(args, netns=None, timeout=120):
    """Runs `client ... --hold`; returns (Peer, words of its `done` line)."""
    p = Peer(["client"] + list(args) + ["--hold"], netns=netns)
    return p, p.expect("done", timeout)


# ---- histogram slots (bpf/include/hostscope/wire.h) ---------------------------------

SUB_BITS = 2
SUBS = 1 << SUB_BITS
MAX_POW = 36
SLOTS = (MAX_POW - 1) * SUBS


def slot_of(v):
    v = int(v)
    if v < SUBS:
        return max(v, 0)
    k = v.bit_length() - 1
    if k >= MAX_POW:
        return SLOTS - 1
    return (k - SUB_BITS + 1) * SUBS + ((v >> (k - SUB_BITS)) & (SUBS - 1))


def slot_lower(slot):
    if slot < SUBS:
        return slot
    k = slot // SUBS + SUB_BITS - 1
    sub = slot % SUBS
    return (SUBS + sub) << (k - SUB_BITS)


def slot_upper(slot):
    return slot_lower(slot + 1) if slot + 1 < SLOTS else slot_lower(slot) * 2


def reported_range(true_lo, true_hi, slack_slots=0):
    """[lo, hi) a percentile may be reported in when the true value lies in [true_lo, true_hi]:
    anywhere inside the slots holding those values (a slot's lower bound or its midpoint),
    widened by `slack_slots` slots on each side."""
    lo_slot = max(slot_of(true_lo) - slack_slots, 0)
    hi_slot = min(slot_of(true_hi) + slack_slots, SLOTS - 1)
    return slot_lower(lo_slot), slot_upper(hi_slot)
