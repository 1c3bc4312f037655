"""Starts a real hostscoped for a test and talks to it over HTTP (stdlib only)."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

HOSTSCOPED = os.environ.get("HOSTSCOPED", "build/daemon/hostscoped")
WORKLOAD = os.environ.get("HS_WORKLOAD", "build/tests/root/hs_syscall_workload")
API = "/api/performance"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0, step=0.05, what="condition"):
    """Polls `predicate` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Daemon:
    def __init__(self, state_dir=None, extra_args=(), interval_ms=None):
        self.own_state = state_dir is None
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="hs-e2e-")
        self.port = free_port()
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_path = os.path.join(self.state_dir, "daemon.log")

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [HOSTSCOPED, "--state-dir", self.state_dir, "--listen", f"127.0.0.1:{self.port}",
             "--log-level", "debug"] + self.extra_args,
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(self._healthy, timeout=20, what="daemon /healthz")
        self.admin = self._read("admin.token")
        self.viewer = self._read("viewer.token")
        return self

    def _read(self, name):
        with open(os.path.join(self.state_dir, name)) as f:
            return f.read().strip()

    def _healthy(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"daemon exited with {self.proc.returncode}: {self.logs()[-2000:]}")
        try:
            status, _, _ = self.request("GET", "/healthz", token=None)
            return status == 200
        except OSError:
            return False

    def logs(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def terminate(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()
        return self.proc.returncode if self.proc else None

    def cleanup(self):
        self.terminate()
        if self.own_state:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def request(self, method, path, body=None, token="admin", headers=None, raw_body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        hdrs = dict(headers or {})
        if token == "admin":
            hdrs["Authorization"] = f"Bearer {self.admin}"
        elif token == "viewer":
            hdrs["Authorization"] = f"Bearer {self.viewer}"
        elif token:
            hdrs["Authorization"] = f"Bearer {token}"
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        payload = resp.read()
        conn.close()
        ctype = resp.getheader("Content-Type", "")
        parsed = json.loads(payload) if ctype.startswith("application/json") and payload else payload
        return resp.status, parsed, resp

    def get(self, path, **kw):
        status, body, _ = self.request("GET", API + path, **kw)
        return status, body

    def raw(self, data, read_timeout=10):
        """Sends raw bytes and returns the raw response (for malformed HTTP)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout) as s:
            s.sendall(data)
            chunks = []
            try:
                while True:
                    c = s.recv(65536)
                    if not c:
                        break
                    chunks.append(c)
                    if b"\r\n\r\n" in b"".join(chunks):
                        head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
                        length = 0
                        for line in head.split(b"\r\n")[1:]:
                            k, _, v = line.partition(b":")
                            if k.strip().lower() == b"content-length":
                                length = int(v.strip())
                        if len(rest) >= length:
                            break
            except socket.timeout:
                pass
            return b"".join(chunks)


class Workload:
    """hs_syscall_workload: exact numbers of getppid / sleeps / failing closes per round."""

    def __init__(self, **args):
        argv = [WORKLOAD] + [f"{k}={v}" for k, v in args.items()]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline().decode().split()
        assert line[0] == "ready", line
        self.pid = int(line[1])

    def round(self):
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().split()
        assert line and line[0] == b"done", line
        return int(line[1]) if len(line) > 1 else 0

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        self.proc.stdout.close()


def our_bpf_programs(pid):
    """Names of loaded hostscope BPF programs that process `pid` holds open.

    The program ids come from the process's fdinfo (bpftool here is built
    without pid iterators); names from bpftool.
    """
    ids = set()
    fddir = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fddir):
        try:
            with open(os.path.join(fddir, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            continue
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, check=True).stdout
    return sorted(p["name"] for p in json.loads(out) if p.get("id") in ids and p.get("name", "").startswith("hs_"))


class SharedDaemonTestCase(unittest.TestCase):
    """One daemon for all the tests of a class, stopped after the last one."""

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon().start()

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
