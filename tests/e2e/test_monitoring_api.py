"""hostscoped end to end: real BPF capture read back through the monitoring API."""
import os
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hsdaemon import WORKLOAD, SharedDaemonTestCase, Workload, wait_until  # noqa: E402

N_GETPPID = 100_000
K_SLEEPS = 20
SLEEP_MS = 20


def entry(d, pid, syscall):
    status, body = d.get(f"/monitoring/metrics?type=syscall&pid={pid}&syscall={syscall}")
    assert status == 200, body
    return body["metrics"][0] if body["metrics"] else None


class MonitoringApiTest(SharedDaemonTestCase):

    def test_tokens_are_written_0600(self):
        for name in ("admin.token", "viewer.token"):
            mode = stat.S_IMODE(os.stat(os.path.join(self.d.state_dir, name)).st_mode)
            self.assertEqual(mode, 0o600, name)
        self.assertEqual(len(self.d.admin), 64)

    def test_exact_syscall_counts_and_sleep_percentile(self):
        w = Workload(getppid=N_GETPPID, sleeps=K_SLEEPS, sleep_ms=SLEEP_MS, badclose=7)
        try:
            w.round()
            e = wait_until(lambda: (lambda x: x if x and x["count"] >= N_GETPPID else None)(
                entry(self.d, w.pid, "getppid")), what="getppid entry")
            self.assertEqual(e["count"], N_GETPPID)
            self.assertEqual(e["errors"], 0)
            for field in ("pid", "comm", "syscall", "nr", "count", "errors", "total_ns",
                          "p50_ns", "p95_ns", "p99_ns", "max_ns"):
                self.assertIn(field, e)
            self.assertEqual(e["pid"], w.pid)
            self.assertEqual(e["syscall"], "getppid")
            s = wait_until(lambda: (lambda x: x if x and x["count"] >= K_SLEEPS else None)(
                entry(self.d, w.pid, "clock_nanosleep")), what="clock_nanosleep entry")
            self.assertEqual(s["count"], K_SLEEPS)
            # Each sleep lasts at least 20 ms; the slot holding the median spans <= 25 %
            # of its lower bound and the midpoint is reported: at most 12.5 % off.
            self.assertGreaterEqual(s["p50_ns"], SLEEP_MS * 1e6 * (1 - 0.125))
            self.assertLessEqual(s["p50_ns"], (SLEEP_MS + 3) * 1e6 * 1.125)
            c = wait_until(lambda: entry(self.d, w.pid, "close"), what="close entry")
            self.assertGreaterEqual(c["errors"], 7)
        finally:
            w.close()

    def test_exited_process_keeps_its_totals(self):
        w = Workload(getppid=1234)
        w.round()
        pid = w.pid
        w.close()
        e = wait_until(lambda: (lambda x: x if x and x["exited"] else None)(entry(self.d, pid, "getppid")),
                       what="exited entry")
        self.assertEqual(e["count"], 1234)
        status, body = self.d.get(f"/processes?pid={pid}")
        self.assertEqual(status, 200)
        self.assertTrue(body["processes"][0]["exited"])

    def test_short_lived_process_is_counted_and_named(self):
        # Runs one round and exits within milliseconds: gone before the daemon's next poll.
        r = subprocess.run([WORKLOAD, "getppid=321"], input=b"go\n", capture_output=True, check=True)
        pid = int(r.stdout.split()[1])
        e = wait_until(lambda: entry(self.d, pid, "getppid"), what="short-lived entry")
        self.assertEqual(e["count"], 321)
        self.assertEqual(e["comm"], os.path.basename(WORKLOAD)[:15])
        self.assertTrue(e["exited"])

    def test_system_metrics_contract(self):
        status, body = self.d.get("/monitoring/metrics?type=system")
        self.assertEqual(status, 200)
        m = body["metrics"][0]
        for field in ("cpu_percent", "mem_used_bytes", "mem_total_bytes", "load1", "psi_cpu_some",
                      "psi_mem_some", "psi_io_some", "disk_read_bytes", "disk_write_bytes"):
            self.assertIn(field, m)
        with open("/proc/meminfo") as f:
            total_kb = int(next(l for l in f if l.startswith("MemTotal:")).split()[1])
        self.assertEqual(m["mem_total_bytes"], total_kb * 1024)
        self.assertGreater(m["mem_used_bytes"], 0)
        self.assertEqual(len(m["cores"]), os.cpu_count())

    def test_summary_series_and_status(self):
        wait_until(lambda: len(self.d.get("/monitoring/series?resolution=1s")[1]["points"]) >= 2,
                   what="two series points")
        status, body = self.d.get("/monitoring/summary")
        self.assertEqual(status, 200)
        self.assertGreater(body["syscalls"]["total"], 0)
        self.assertTrue(body["top_processes"])
        self.assertTrue(body["top_syscalls"])
        status, st = self.d.get("/monitoring/status")
        self.assertEqual(st["state"], "running")
        self.assertEqual(st["probes"][0]["name"], "syscalls")
        self.assertEqual(st["probes"][0]["state"], "attached")
        self.assertIn(st["probes"][0]["variant"], ("tp_btf", "raw_tp"))

    def test_uncaptured_layers_say_so(self):
        status, body = self.d.get("/monitoring/metrics?type=frontend")
        self.assertEqual(status, 200)
        self.assertEqual(body["metrics"], [])
        self.assertFalse(body["available"])

    def test_every_probe_is_attached(self):
        status, st = self.d.get("/monitoring/status")
        self.assertEqual(status, 200)
        self.assertEqual({p["name"]: p["state"] for p in st["probes"]},
                         {"syscalls": "attached", "network": "attached", "l7": "attached", "tls": "attached"})
        for layer in ("network", "database", "http"):
            status, body = self.d.get(f"/monitoring/metrics?type={layer}")
            self.assertEqual(status, 200)
            self.assertNotIn("available", body, layer)

    def test_prometheus_metrics_pass_promtool(self):
        status, body, resp = self.d.request("GET", "/metrics", token=None)
        self.assertEqual(status, 200)
        self.assertTrue(resp.getheader("Content-Type").startswith("text/plain; version=0.0.4"))
        text = body.decode()
        self.assertIn("# TYPE hostscope_syscall_duration_seconds histogram", text)
        self.assertIn("hostscope_bpf_dropped_events_total{probe=\"syscalls\",reason=\"map_full\"}", text)
        r = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True)
        # promtool exits 0 when the text parses; lint remarks go to stdout without failing.
        self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode())


if __name__ == "__main__":
    unittest.main()
