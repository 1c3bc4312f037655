"""Live configuration, filters, start/stop and restarts of a real hostscoped."""
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hsdaemon import Daemon, Workload, wait_until, our_bpf_programs  # noqa: E402


def count(d, pid, syscall="getppid"):
    status, body = d.get(f"/monitoring/metrics?type=syscall&pid={pid}&syscall={syscall}")
    assert status == 200, body
    return body["metrics"][0]["count"] if body["metrics"] else 0


class ControlTest(unittest.TestCase):
    def setUp(self):
        self.d = Daemon().start()

    def tearDown(self):
        self.d.cleanup()

    def put_config(self, body, expect=200):
        status, resp, _ = self.d.request("PUT", "/api/performance/monitoring/config", body=body)
        self.assertEqual(status, expect, resp)
        return resp

    def test_pid_filter_applies_live_and_clears(self):
        a, b = Workload(getppid=5000), Workload(getppid=5000)
        try:
            cfg = self.put_config({"filters": {"pids": [a.pid]}})
            self.assertEqual(cfg["filters"]["pids"], [a.pid])
            a.round()
            b.round()
            wait_until(lambda: count(self.d, a.pid) >= 5000, what="filtered pid counted")
            # b ran while filtered out; one more interval must still show nothing for it.
            poll_before = self.d.get("/monitoring/status")[1]["engine"]["polls"]
            wait_until(lambda: self.d.get("/monitoring/status")[1]["engine"]["polls"] > poll_before + 1,
                       what="two more polls")
            self.assertEqual(count(self.d, b.pid), 0)
            self.assertEqual(count(self.d, a.pid), 5000)
            self.put_config({"filters": {"pids": []}})
            b.round()
            wait_until(lambda: count(self.d, b.pid) >= 5000, what="b counted after the filter cleared")
            self.assertEqual(count(self.d, b.pid), 5000)
        finally:
            a.close()
            b.close()

    def test_comm_filter(self):
        a, b = Workload(getppid=300, comm="hs_wl_keep"), Workload(getppid=300, comm="hs_wl_drop")
        try:
            self.put_config({"filters": {"comms": ["hs_wl_keep"]}})
            a.round()
            b.round()
            wait_until(lambda: count(self.d, a.pid) >= 300, what="kept comm counted")
            self.assertEqual(count(self.d, b.pid), 0)
        finally:
            a.close()
            b.close()

    def test_cgroup_filter(self):
        with open("/proc/self/mounts") as f:
            root = next(l.split()[1] for l in f if l.split()[2] == "cgroup2")
        name = f"hs-e2e-{os.getpid()}"
        path = os.path.join(root, name)
        os.mkdir(path)
        inside, outside = Workload(getppid=400), Workload(getppid=400)
        try:
            with open(os.path.join(path, "cgroup.procs"), "w") as f:
                f.write(str(inside.pid))
            self.put_config({"filters": {"cgroups": ["/" + name]}})
            inside.round()
            outside.round()
            wait_until(lambda: count(self.d, inside.pid) >= 400, what="process in the cgroup counted")
            self.assertEqual(count(self.d, inside.pid), 400)
            self.assertEqual(count(self.d, outside.pid), 0)
            # Attribution follows the migration once the process is re-read (every 5 s).
            wait_until(lambda: self.d.get(f"/processes?pid={inside.pid}")[1]["processes"][0]["cgroup"]
                       == "/" + name, timeout=15, what="cgroup attribution")
        finally:
            inside.close()
            outside.close()
            os.rmdir(path)

    def test_stop_detaches_and_start_reattaches(self):
        status, st, _ = self.d.request("POST", "/api/performance/monitoring/stop")
        self.assertEqual(status, 200, st)
        self.assertFalse(st["running"])
        self.assertEqual(st["state"], "stopped")
        self.assertEqual(our_bpf_programs(self.d.proc.pid), [])
        w = Workload(getppid=777)
        try:
            w.round()  # while stopped: not captured
            status, st, _ = self.d.request("POST", "/api/performance/monitoring/start")
            self.assertEqual(status, 200, st)
            self.assertTrue(st["running"])
            self.assertTrue(our_bpf_programs(self.d.proc.pid))
            self.assertEqual(count(self.d, w.pid), 0)
            w.round()
            wait_until(lambda: count(self.d, w.pid) >= 777, what="counted after restart")
            self.assertEqual(count(self.d, w.pid), 777)
        finally:
            w.close()

    def test_config_persists_across_restart(self):
        self.put_config({"interval_ms": 500, "exited_retention_s": 120, "filters": {"min_latency_ns": 5}})
        self.assertEqual(self.d.terminate(), 0)
        d2 = Daemon(state_dir=self.d.state_dir).start()
        try:
            status, cfg = d2.get("/monitoring/config")
            self.assertEqual(status, 200)
            self.assertEqual(cfg["interval_ms"], 500)
            self.assertEqual(cfg["exited_retention_s"], 120)
            self.assertEqual(cfg["filters"]["min_latency_ns"], 5)
            # Same tokens after a restart.
            self.assertEqual(d2.admin, self.d.admin)
        finally:
            d2.terminate()

    def test_sigterm_detaches_everything_and_exits_zero(self):
        self.assertTrue(our_bpf_programs(self.d.proc.pid))
        self.assertEqual(self.d.terminate(signal.SIGTERM), 0)
        self.assertIn("syscall probe detached and unloaded", self.d.logs())

    def test_sigint_exits_zero(self):
        self.assertEqual(self.d.terminate(signal.SIGINT), 0)


if __name__ == "__main__":
    unittest.main()
