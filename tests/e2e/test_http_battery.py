"""Malformed and hostile requests: each gets the right 4xx JSON error; the daemon stays healthy."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from hsdaemon import API, SharedDaemonTestCase  # noqa: E402


class HttpBatteryTest(SharedDaemonTestCase):

    def tearDown(self):
        status, body, _ = self.d.request("GET", "/healthz", token=None)
        self.assertEqual(status, 200)

    def assertError(self, status, body, want_status, want_code=None):
        self.assertEqual(status, want_status, body)
        self.assertIsInstance(body, dict, body)
        self.assertIn("error", body)
        self.assertIsInstance(body["error"]["message"], str)
        self.assertTrue(body["error"]["message"])
        if want_code:
            self.assertEqual(body["error"]["code"], want_code)

    def test_missing_and_invalid_tokens(self):
        status, body, resp = self.d.request("GET", API + "/monitoring/status", token=None)
        self.assertError(status, body, 401, "unauthorized")
        self.assertTrue(resp.getheader("WWW-Authenticate", "").startswith("Bearer"))
        status, body, _ = self.d.request("GET", API + "/monitoring/status", token="0" * 64)
        self.assertError(status, body, 401, "unauthorized")
        status, body, _ = self.d.request("GET", API + "/monitoring/status", token=None,
                                         headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
        self.assertError(status, body, 401, "unauthorized")

    def test_viewer_reads_but_cannot_mutate(self):
        status, body, _ = self.d.request("GET", API + "/monitoring/config", token="viewer")
        self.assertEqual(status, 200)
        for method, path in (("PUT", "/monitoring/config"), ("POST", "/monitoring/stop"),
                             ("POST", "/monitoring/start")):
            status, body, _ = self.d.request(method, API + path, token="viewer", body={})
            self.assertError(status, body, 403, "forbidden")
        status, st = self.d.get("/monitoring/status")
        self.assertTrue(st["running"])

    def test_unknown_route_and_wrong_method(self):
        status, body, _ = self.d.request("GET", API + "/nope")
        self.assertError(status, body, 404, "not_found")
        status, body, resp = self.d.request("DELETE", API + "/monitoring/config")
        self.assertError(status, body, 405, "method_not_allowed")
        self.assertIn("GET", resp.getheader("Allow"))

    def test_bad_query_parameters(self):
        for q, name in (("type=bogus", "type"), ("limit=abc", "limit"), ("limit=0", "limit"),
                        ("pid=-1", "pid"), ("pid=99999999999", "pid"), ("colour=red", "colour")):
            status, body = self.d.get("/monitoring/metrics?" + q)
            self.assertError(status, body, 400)
            self.assertIn(name, body["error"]["message"], q)
        status, body = self.d.get("/monitoring/series?resolution=5s")
        self.assertError(status, body, 400)

    def test_bad_config_bodies_name_the_field(self):
        cases = [
            (b"{not json", "body"),
            (b"[1,2]", "body"),
            (json.dumps({"interval_ms": "fast"}).encode(), "interval_ms"),
            (json.dumps({"interval_ms": 5}).encode(), "interval_ms"),
            (json.dumps({"interval_ms": 1.5}).encode(), "interval_ms"),
            (json.dumps({"fine_retention_s": -1}).encode(), "fine_retention_s"),
            (json.dumps({"bogus": 1}).encode(), "bogus"),
            (json.dumps({"filters": {"pids": [1, "x"]}}).encode(), "filters.pids[1]"),
            (json.dumps({"filters": {"comms": ["a" * 40]}}).encode(), "filters.comms[0]"),
            (json.dumps({"filters": {"cgroups": ["/no/such/cgroup/hs"]}}).encode(), "filters.cgroups[0]"),
            (json.dumps({"filters": {"nope": True}}).encode(), "filters.nope"),
        ]
        before = self.d.get("/monitoring/config")[1]
        for raw, field in cases:
            status, body, _ = self.d.request("PUT", API + "/monitoring/config", raw_body=raw,
                                             headers={"Content-Type": "application/json"})
            self.assertError(status, body, 400)
            self.assertEqual(body["error"]["field"], field, raw)
            if field != "body":
                self.assertIn(field, body["error"]["message"], raw)
        self.assertEqual(self.d.get("/monitoring/config")[1], before)

    def test_wrong_content_type(self):
        status, body, _ = self.d.request("PUT", API + "/monitoring/config", raw_body=b"interval_ms=5",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertError(status, body, 415, "unsupported_media_type")

    def test_huge_body_is_refused(self):
        big = b'{"interval_ms": 1000, "pad": "' + b"x" * (2 << 20) + b'"}'
        raw = self.d.raw(b"PUT " + API.encode() + b"/monitoring/config HTTP/1.1\r\nHost: x\r\n"
                         b"Authorization: Bearer " + self.d.admin.encode() + b"\r\n"
                         b"Content-Type: application/json\r\nContent-Length: " + str(len(big)).encode() +
                         b"\r\n\r\n" + big)
        self.assertTrue(raw.startswith(b"HTTP/1.1 413"), raw[:200])
        self.assertIn(b'"error"', raw)

    def test_malformed_request_line(self):
        raw = self.d.raw(b"THIS IS NOT HTTP\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 400"), raw[:200])
        self.assertIn(b'"error"', raw)

    def test_oversized_header(self):
        raw = self.d.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 64 * 1024 + b"\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 431"), raw[:200])

    def test_bad_percent_escape_in_target(self):
        raw = self.d.raw(b"GET /api/performance/monitoring/metrics?type=%zz HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 400"), raw[:200])

    def test_path_traversal_is_refused(self):
        raw = self.d.raw(b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(raw.startswith(b"HTTP/1.1 400") or raw.startswith(b"HTTP/1.1 404"), raw[:200])
        self.assertNotIn(b"root:", raw)

    def test_truncated_body_times_out_cleanly(self):
        raw = self.d.raw(b"PUT /api/performance/monitoring/config HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Length: 100\r\n\r\n{\"a\":", read_timeout=30)
        # The read timeout closes the connection; the daemon must still be healthy (tearDown).
        self.assertFalse(raw.startswith(b"HTTP/1.1 2"))


if __name__ == "__main__":
    unittest.main()
