"""hostscoped end to end: HTTP/1.x capture, server side and client side, read back
through monitoring/metrics?type=http and http/endpoints.

Server and client are tests/e2e/l7_peer.py processes (known pids): the server answers
/sleep/<ms> after that many ms, /items/<id> at once, /missing with 404, /fail with
500; each client sends K requests on one keep-alive connection (or a new connection
per request) and reports its own median and the statuses it got. Oracles: those
numbers and the known sleep.
"""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import l7lab as L  # noqa: E402
import netlab as nl  # noqa: E402

INTERVAL_MS = 200
SETTLE_S = 3 * INTERVAL_MS / 1000.0 + 0.3
WAIT_S = 20
K = 20
SLEEP_MS = 50
HTTP_FIELDS = ("pid", "comm", "side", "method", "route", "count", "status_2xx", "status_3xx", "status_4xx",
               "status_5xx", "errors", "p50_ns", "p95_ns", "p99_ns", "max_ns", "bytes_out", "exited")
ENDPOINT_FIELDS = ("method", "route", "side", "count", "status_2xx", "status_3xx", "status_4xx", "status_5xx",
                   "errors", "p50_ns", "p95_ns", "p99_ns", "max_ns", "bytes_out", "processes")
# Numeric ids are collapsed to :id by the contract; a decoder that keeps short numbers
# would answer /sleep/50: accepted, and the report says which one it was.
SLEEP_ROUTES = ("/sleep/:id", f"/sleep/{SLEEP_MS}")


def start_daemon():
    return L.start_daemon("l7http", INTERVAL_MS)


def setUpModule():
    L.sweep_stale()


class HttpLabTest(unittest.TestCase):
    """The peers alone (no daemon)."""

    @classmethod
    def setUpClass(cls):
        cls.h = L.HttpServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.h.stop()

    def client(self, **kw):
        c = L.HttpClient(self.h.port, **kw)
        self.addCleanup(c.close)
        return c

    def test_routes_and_statuses(self):
        self.assertEqual(self.client(path="/items/7", count=2).statuses, {200: 2})
        self.assertEqual(self.client(template="/items/{uuid}", count=2).statuses, {200: 2})
        self.assertEqual(self.client(path="/missing", count=3, new_connection=True).statuses, {404: 3})
        self.assertEqual(self.client(path="/fail", count=2).statuses, {500: 2})

    def test_sleep_takes_its_time(self):
        c = self.client(path=f"/sleep/{SLEEP_MS}", count=5)
        self.assertEqual(c.statuses, {200: 5})
        self.assertGreaterEqual(c.median_ns, SLEEP_MS * 1_000_000)
        self.assertLess(c.median_ns, SLEEP_MS * 1_000_000 * 1.5)


class HttpCaptureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = L.HttpServer().start()
        try:
            cls.d = start_daemon()
        except BaseException:
            cls.h.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.d.cleanup()
        finally:
            cls.h.stop()

    def setUp(self):
        L.require_l7(self.d, "http")

    def client(self, **kw):
        c = L.HttpClient(self.h.port, **kw)
        self.addCleanup(c.close)
        return c

    def diagnose(self, extra=""):
        return f"{extra}; l7 probe: {L.probe_status(self.d)}; daemon log tail: {self.d.logs()[-1500:]}"

    def rows(self, pid, side, routes, count):
        """The entries of (pid, side) whose route is one of `routes`, once their counts
        sum to `count` (then one more sampling period)."""
        def fetch():
            return [e for e in L.http_metrics(self.d, pid=pid, side=side) if e["route"] in routes]
        try:
            return L.wait_settled(fetch, lambda rows: L.sum_field(rows) >= count, WAIT_S, SETTLE_S,
                                  f"{side} side of pid {pid}: {count} x {routes}")
        except AssertionError as e:
            raise AssertionError(self.diagnose(
                f"{e}; all of pid {pid}: {L.http_metrics(self.d, pid=pid)}")) from None

    def count_now(self, pid, side, routes):
        """What (pid, side) has counted so far for these routes (the server's entries
        are cumulative over the tests of this class), one sampling period after the last
        test's traffic."""
        time.sleep(SETTLE_S)
        return L.sum_field([e for e in L.http_metrics(self.d, pid=pid, side=side) if e["route"] in routes])

    def check_entry(self, e, count, side, comm="python3"):
        for f in HTTP_FIELDS:
            self.assertIn(f, e)
        self.assertEqual(e["count"], count, e)
        self.assertEqual(e["side"], side, e)
        self.assertEqual(e["method"], "GET", e)
        self.assertEqual(e["comm"], comm, e)
        self.assertIs(e["exited"], False, f"the peers are alive while the test reads: {e}")
        self.assertTrue(0 < e["p50_ns"] <= e["p95_ns"] <= e["p99_ns"] <= e["max_ns"] * 1.125 + 1, e)

    def test_sleep_route_keepalive_both_sides(self):
        base = self.count_now(self.h.pid, "server", SLEEP_ROUTES)
        c = self.client(path=f"/sleep/{SLEEP_MS}", count=K)
        self.assertEqual(c.statuses, {200: K})
        lo, hi = nl.reported_range(SLEEP_MS * 1_000_000, max(c.median_ns, SLEEP_MS * 1_000_000))
        for side, pid, n in (("server", self.h.pid, base + K), ("client", c.pid, K)):
            with self.subTest(side=side):
                rows = self.rows(pid, side, SLEEP_ROUTES, n)
                self.assertEqual(len(rows), 1, f"one route for /sleep/{SLEEP_MS}: {rows}")
                e = rows[0]
                self.check_entry(e, n, side)
                self.assertEqual((e["status_2xx"], e["status_4xx"], e["status_5xx"], e["errors"]), (n, 0, 0, 0), e)
                self.assertTrue(lo <= e["p50_ns"] < hi,
                                f"{side} p50 {e['p50_ns']} outside [{lo}, {hi}) (client median {c.median_ns}): {e}")
                self.assertGreaterEqual(e["max_ns"], SLEEP_MS * 1_000_000 * 0.875, e)
        print(f"\n  /sleep/{SLEEP_MS} is reported as route {e['route']!r}", file=sys.stderr)

    def test_item_ids_collapsed(self):
        base = self.count_now(self.h.pid, "server", ("/items/:id",))
        c1 = self.client(template="/items/{i}", count=K)
        c2 = self.client(template="/items/{uuid}", count=5)
        c3 = self.client(template="/items/{hex}", count=5)
        for c, n in ((c1, K), (c2, 5), (c3, 5)):
            self.assertEqual(c.statuses, {200: n})
            rows = self.rows(c.pid, "client", ("/items/:id",), n)
            self.assertEqual(len(rows), 1, rows)
            self.check_entry(rows[0], n, "client")
            self.assertEqual(rows[0]["status_2xx"], n)
            others = [e["route"] for e in L.http_metrics(self.d, pid=c.pid, side="client")]
            self.assertEqual(others, ["/items/:id"], "no uncollapsed /items/<id> routes")
        srv = self.rows(self.h.pid, "server", ("/items/:id",), base + K + 10)
        self.assertEqual(len(srv), 1, srv)
        self.assertEqual(srv[0]["count"], base + K + 10, srv)
        self.assertGreater(srv[0]["bytes_out"], 0, srv)
        uncollapsed = [e for e in L.http_metrics(self.d, pid=self.h.pid, side="server")
                       if e["route"].startswith("/items/") and e["route"] != "/items/:id"]
        self.assertEqual(uncollapsed, [])

    def test_status_classes_and_errors(self):
        base = {r: self.count_now(self.h.pid, "server", (r,)) for r in ("/missing", "/fail")}
        miss = self.client(path="/missing", count=3, new_connection=True)
        fail = self.client(path="/fail", count=2)
        self.assertEqual(miss.statuses, {404: 3})
        self.assertEqual(fail.statuses, {500: 2})
        for side in ("client", "server"):
            with self.subTest(side=side, route="/missing"):
                pid, n = (miss.pid, 3) if side == "client" else (self.h.pid, base["/missing"] + 3)
                rows = self.rows(pid, side, ("/missing",), n)
                self.assertEqual(len(rows), 1, rows)
                self.check_entry(rows[0], n, side)
                self.assertEqual((rows[0]["status_4xx"], rows[0]["status_5xx"], rows[0]["errors"]), (n, 0, 0))
            with self.subTest(side=side, route="/fail"):
                pid, n = (fail.pid, 2) if side == "client" else (self.h.pid, base["/fail"] + 2)
                rows = self.rows(pid, side, ("/fail",), n)
                self.assertEqual(len(rows), 1, rows)
                self.check_entry(rows[0], n, side)
                self.assertEqual((rows[0]["status_2xx"], rows[0]["status_5xx"], rows[0]["errors"]), (0, n, n))

    def test_prometheus_series_count_the_requests(self):
        """/missing and /fail through /metrics, summed over processes (no other suite
        requests these routes): hostscope_http_responses_total by status class and
        hostscope_http_request_duration_seconds move by exactly this test's requests."""
        responses, duration = "hostscope_http_responses_total", "hostscope_http_request_duration_seconds"

        def sample(samples, name, side, route, **extra):
            labels = {"side": side, "method": "GET", "route": route, **extra}
            return samples.get((name, frozenset(labels.items())), 0.0)

        _, before = L.prometheus_samples(self.d)

        def delta(samples, name, side, route, **extra):
            return sample(samples, name, side, route, **extra) - sample(before, name, side, route, **extra)

        miss = self.client(path="/missing", count=3, new_connection=True)
        fail = self.client(path="/fail", count=2)
        self.assertEqual((miss.statuses, fail.statuses), ({404: 3}, {500: 2}))
        sent = {"/missing": ("4xx", 3), "/fail": ("5xx", 2)}

        def scraped(got):
            _, samples = got
            return all(delta(samples, duration + "_count", side, route) >= n
                       for route, (_, n) in sent.items() for side in ("client", "server"))
        try:
            text, after = L.wait_settled(lambda: L.prometheus_samples(self.d), scraped, WAIT_S, SETTLE_S,
                                         "/metrics series of /missing and /fail")
        except AssertionError as e:
            raise AssertionError(self.diagnose(str(e))) from None
        for route, (cls, n) in sent.items():
            for side in ("client", "server"):
                with self.subTest(route=route, side=side):
                    self.assertEqual(delta(after, duration + "_count", side, route), n)
                    self.assertEqual(sample(after, duration + "_bucket", side, route, le="+Inf"),
                                     sample(after, duration + "_count", side, route))
                    for c in ("2xx", "3xx", "4xx", "5xx"):
                        self.assertEqual(delta(after, responses, side, route, code_class=c), n if c == cls else 0, c)
        r = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True)
        self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode())

    def test_filters_method_route(self):
        c = self.client(template="/items/{i}", count=3)
        self.rows(c.pid, "client", ("/items/:id",), 3)
        rows = L.http_metrics(self.d, side="client", method="GET", route="/items/:id")
        self.assertTrue(any(e["pid"] == c.pid and e["count"] == 3 for e in rows), rows)
        self.assertEqual(L.http_metrics(self.d, pid=c.pid, method="POST"), [])

    def test_endpoints_endpoint(self):
        c = self.client(path=f"/sleep/{SLEEP_MS}", count=3)
        rows = self.rows(c.pid, "client", SLEEP_ROUTES, 3)
        route = rows[0]["route"]
        self.rows(self.h.pid, "server", (route,), 3)
        body = L.http_endpoints(self.d)
        self.assertIn("endpoints", body)
        self.assertGreaterEqual(body["total"], len(body["endpoints"]))
        eps = [e for e in body["endpoints"] if e["route"] == route and e["method"] == "GET"]
        sides = {e["side"]: e for e in eps}
        self.assertEqual(set(sides), {"client", "server"}, eps)
        for side, e in sides.items():
            for f in ENDPOINT_FIELDS:
                self.assertIn(f, e)
            pids = {p["pid"] for p in e["processes"]}
            self.assertIn(c.pid if side == "client" else self.h.pid, pids, e)
            self.assertGreaterEqual(e["count"], 3)
            self.assertGreaterEqual(e["p50_ns"], SLEEP_MS * 1_000_000 * 0.875, e)


if __name__ == "__main__":
    unittest.main()
