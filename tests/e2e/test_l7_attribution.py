"""hostscoped end to end: database queries attributed to the HTTP request that made
them. tests/e2e/app_peer.py serves each request on its own thread and queries a
private PostgreSQL a known number of times before answering: /one makes 1 query,
/many/25 makes 25 (the N+1 shape). The daemon must report, for the app's server-side
routes, exactly those queries per request and their fingerprints, and name the route
on the app's database entries. Oracles: the known counts; the app's own answers
("<n> queries").
"""
import http.client
import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import l7lab as L  # noqa: E402

INTERVAL_MS = 200
SETTLE_S = 3 * INTERVAL_MS / 1000.0 + 0.3
WAIT_S = 30
APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "app_peer.py")
ONE_FP = "SELECT COUNT(*) FROM hs_kv"  # keywords upper-cased by the fingerprint
MANY_FP = "SELECT v FROM hs_kv WHERE id = ?"


def setUpModule():
    L.sweep_stale()


class App:
    def __init__(self, pg):
        self.proc = subprocess.Popen(
            [L.PYTHON, "-u", APP, "--pg-host", "127.0.0.1", "--pg-port", str(pg.port), "--lifetime", "600"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd="/")
        words = self.proc.stdout.readline().split()
        if len(words) != 3 or words[0] != b"ready":
            self.stop()
            raise RuntimeError(f"app_peer did not start: {words} {self.proc.stdout.read()[-1000:]}")
        self.port, self.pid = int(words[1]), int(words[2])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()  # it exits when stdin closes
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def get_many(port, paths):
    """Sends the paths in order on one keep-alive connection; returns the bodies."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    bodies = []
    try:
        for p in paths:
            conn.request("GET", p)
            r = conn.getresponse()
            body = r.read().decode()
            if r.status != 200:
                raise AssertionError(f"{p}: {r.status} {body}")
            bodies.append(body)
    finally:
        conn.close()
    return bodies


class AttributionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = L.Postgres().start()
        try:
            cls.app = App(cls.pg)
            try:
                cls.d = L.start_daemon("attribution", INTERVAL_MS)
            except BaseException:
                cls.app.stop()
                raise
        except BaseException:
            cls.pg.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.d.cleanup()
        finally:
            try:
                cls.app.stop()
            finally:
                cls.pg.stop()

    def setUp(self):
        L.require_l7(self.d, "http")

    def routes(self, want):
        """The app's server-side entries by route, once their counts reach `want`."""
        def fetch():
            return {e["route"]: e for e in L.http_metrics(self.d, pid=self.app.pid, side="server")}
        return L.wait_settled(fetch, lambda rows: all(rows.get(r, {}).get("count", 0) >= n for r, n in want.items()),
                              WAIT_S, SETTLE_S, f"server routes of pid {self.app.pid}: {want}")

    def test_queries_per_request_of_each_route(self):
        n_one, n_many, per_many = 12, 6, 25
        # Two client connections at once: two server threads interleave their requests.
        paths_a = ["/one"] * (n_one // 2) + [f"/many/{per_many}"] * (n_many // 2)
        paths_b = [f"/many/{per_many}"] * (n_many - n_many // 2) + ["/one"] * (n_one - n_one // 2)
        results = {}
        threads = [threading.Thread(target=lambda k, p: results.__setitem__(k, get_many(self.app.port, p)),
                                    args=(k, p)) for k, p in (("a", paths_a), ("b", paths_b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(sorted(results["a"] + results["b"]),
                         sorted(["1 queries\n"] * n_one + [f"{per_many} queries\n"] * n_many))

        rows = self.routes({"/one": n_one, "/many/:id": n_many})
        one, many = rows["/one"], rows["/many/:id"]
        self.assertEqual(one["count"], n_one, one)
        self.assertEqual(many["count"], n_many, many)
        q1, qn = one["queries_per_request"], many["queries_per_request"]
        self.assertEqual((q1["requests"], q1["queries"], q1["p50"], q1["p95"], q1["max"]), (n_one, n_one, 1, 1, 1), q1)
        self.assertEqual((qn["requests"], qn["queries"], qn["p50"], qn["p95"], qn["max"]),
                         (n_many, n_many * per_many, per_many, per_many, per_many), qn)
        self.assertEqual(qn["mean"], float(per_many), qn)
        self.assertEqual([(t["fingerprint"], t["count"], t["per_request"], t["system"]) for t in q1["top"]],
                         [(ONE_FP, n_one, 1.0, "postgresql")], q1)
        self.assertEqual([(t["fingerprint"], t["count"], t["per_request"]) for t in qn["top"]],
                         [(MANY_FP, n_many * per_many, float(per_many))], qn)
        self.assertEqual(qn["other_count"], 0, qn)

        # The app's statements name the route whose requests made them.
        def db_rows():
            return {e["fingerprint"]: e for e in L.db_metrics(self.d, pid=self.app.pid, side="client")}
        db = db_rows()
        self.assertEqual(db[MANY_FP]["count"], n_many * per_many, db[MANY_FP])
        self.assertEqual(db[MANY_FP]["http_routes"]["routes"],
                         [{"method": "GET", "route": "/many/:id", "count": n_many * per_many}], db[MANY_FP])
        self.assertEqual(db[ONE_FP]["http_routes"]["routes"],
                         [{"method": "GET", "route": "/one", "count": n_one}], db[ONE_FP])

        # The aggregated endpoint list carries the same view.
        eps = {e["route"]: e for e in L.http_endpoints(self.d, side="server")["endpoints"]}
        self.assertEqual(eps["/many/:id"]["queries_per_request"]["p50"], per_many, eps["/many/:id"])

    def test_route_without_queries(self):
        get_many(self.app.port, ["/none"] * 5)
        rows = self.routes({"/none": 5})
        q = rows["/none"]["queries_per_request"]
        self.assertEqual((q["requests"], q["queries"], q["p50"], q["max"], q["top"]), (5, 0, 0, 0, []), q)


if __name__ == "__main__":
    unittest.main()
