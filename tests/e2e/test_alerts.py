"""hostscoped end to end: bottlenecks and alerts from real capture.

A tests/e2e/l7_peer.py HTTP server (known pid) answers /sleep/<ms> after that many
ms; a client of it makes the endpoint slow, which the daemon must turn into a
bottleneck with evidence naming the route and the server process within one
evaluation interval. Rules created through the API deliver alerts to receivers this
test runs on 127.0.0.1: a webhook (body and HMAC checked; one variant fails its first
attempts) and a minimal SMTP sink (socketserver; smtpd is gone from the stdlib).
The lifecycle goes through the API; a SIGKILLed daemon restarted on the same state
dir still has its rules, channels, alerts, statuses and thresholds.
"""
import hashlib
import hmac
import http.server
import json
import os
import signal
import socketserver
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import l7lab as L  # noqa: E402
from hsdaemon import API, Daemon, wait_until  # noqa: E402

INTERVAL_MS = 200
EVAL_MS = 1000
# From the last slow request to the bottleneck: one evaluation interval, plus the capture
# poll that brings the request in and one for timer jitter.
DETECT_S = (EVAL_MS + 2 * INTERVAL_MS) / 1000.0 + 0.5
SLEEP_MS = 300
ROUTES = ("/sleep/:id", f"/sleep/{SLEEP_MS}")
SECRET = "s3cret-key"
CONFIG = f"[monitoring]\ninterval_ms = {INTERVAL_MS}\n[alerts]\nevaluation_interval_ms = {EVAL_MS}\n"


def setUpModule():
    L.sweep_stale()


class Webhook:
    """An HTTP receiver on 127.0.0.1 that records every POST; the first `fail_first`
    answer 500."""

    def __init__(self, fail_first=0):
        self.requests = []
        self.fail_first = fail_first
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    failing = len(outer.requests) <= outer.fail_first
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SmtpSink:
    """The server side of RFC 5321 that a client needs to hand over one message:
    greeting, EHLO/HELO, MAIL, RCPT, DATA (dot-terminated), RSET, NOOP, QUIT."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                envelope = {"from": None, "to": []}
                self.reply("220 sink ESMTP")
                for _ in range(1000):  # commands per connection, bounded
                    line = self.rfile.readline(4096)
                    if not line:
                        return
                    cmd = line.decode(errors="replace").rstrip("\r\n")
                    verb = cmd[:4].upper()
                    if verb == "EHLO":
                        self.reply("250-sink")
                        self.reply("250 8BITMIME")
                    elif verb == "HELO":
                        self.reply("250 sink")
                    elif verb == "MAIL":
                        envelope = {"from": cmd.split(":", 1)[1].strip(), "to": []}
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        envelope["to"].append(cmd.split(":", 1)[1].strip())
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        data = []
                        while True:
                            part = self.rfile.readline(65536)
                            if not part or part in (b".\r\n", b".\n"):
                                break
                            data.append(part[1:] if part.startswith(b"..") else part)
                        with outer.lock:
                            outer.messages.append(dict(envelope, data=b"".join(data).decode(errors="replace")))
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    elif verb in ("RSET", "NOOP"):
                        self.reply("250 OK")
                    else:
                        self.reply("502 not implemented")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self):
        with self.lock:
            return list(self.messages)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def start_daemon(state_dir=None):
    state = state_dir or tempfile.mkdtemp(prefix="hs-e2e-alerts-")
    conf = os.path.join(state, "hostscope.toml")
    with open(conf, "w") as f:
        f.write(CONFIG)
    d = Daemon(state_dir=state, extra_args=["--config", conf])
    d.own_state = state_dir is None
    try:
        return d.start()
    except BaseException:
        d.cleanup()
        raise


def api(d, method, path, body=None, expect=200):
    status, out, _ = d.request(method, API + path, body=body)
    assert status == expect, f"{method} {path} {body!r}: {status} {out!r}"
    return out


def slow_requests(server, count=6):
    """`count` requests of SLEEP_MS to the server on one connection; returns when done."""
    c = L.HttpClient(server.port, path=f"/sleep/{SLEEP_MS}", count=count)
    c.close()
    assert c.statuses == {200: count}, c.statuses
    return time.monotonic()


def http_bottleneck(d, server_pid):
    status, out = d.get("/bottlenecks?layer=http&status=open")
    if status != 200:
        return None
    for b in out["bottlenecks"]:
        if b["kind"] == "http_latency" and any(p.endswith(f"[{server_pid}]") for p in b["processes"]):
            return b
    return None


def slow_rule(name, server_pid, channels):
    """Server-side p95 above 100 ms on the test server's endpoints, raised at once."""
    return {"name": name, "selector": {"layer": "http", "metric": "latency", "process": str(server_pid)},
            "condition": {"type": "percentile", "percentile": 95, "op": ">", "value": 100},
            "for_s": 0, "severity": "high", "channels": channels, "cooldown_s": 0}


class AlertsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = L.HttpServer().start()
        try:
            cls.d = start_daemon()
            # One window may hold only part of a client's requests: count from the first.
            api(cls.d, "PUT", "/bottlenecks/thresholds", {"min_requests": 1})
        except BaseException:
            cls.h.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()
        cls.h.stop()

    def rule(self, body):
        r = api(self.d, "POST", "/alerts/rules", body, expect=201)
        self.addCleanup(lambda: self.d.request("DELETE", f"{API}/alerts/rules/{r['id']}"))
        return r

    def channel(self, body):
        return api(self.d, "POST", "/alerts/channels", body, expect=201)

    def test_a_slow_endpoint_becomes_a_bottleneck_with_evidence(self):
        done = slow_requests(self.h)
        b = wait_until(lambda: http_bottleneck(self.d, self.h.pid), timeout=DETECT_S, step=0.05,
                       what="an http_latency bottleneck")
        self.assertLessEqual(time.monotonic() - done, DETECT_S)
        self.assertIn(b["subject"].split(" ", 2)[2], ROUTES)
        self.assertTrue(b["subject"].startswith("server GET "), b["subject"])
        self.assertEqual(len(b["endpoints"]), 1)
        self.assertIn(b["endpoints"][0].split(" ", 1)[1], ROUTES)
        ev = b["evidence"][0]
        self.assertEqual(ev["metric"], "p95_ms")
        self.assertEqual(ev["threshold"], 200)
        self.assertEqual(ev["unit"], "ms")
        # The slot midpoint of a 300 ms request: within 12.5 %.
        self.assertGreaterEqual(ev["value"], SLEEP_MS * 0.875)
        self.assertLessEqual(ev["value"], SLEEP_MS * 1.5)
        self.assertIn(b["severity"], ("low", "medium", "high", "critical"))
        self.assertEqual(b["status"], "open")
        got = api(self.d, "GET", f"/bottlenecks/{b['id']}")
        self.assertEqual(got["id"], b["id"])
        # Prometheus: the open bottleneck is counted by layer.
        def metrics_count():
            status, body, _ = self.d.request("GET", "/metrics", token=None)
            text = body.decode() if isinstance(body, bytes) else str(body)
            for line in text.splitlines():
                if line.startswith('hostscope_bottlenecks_open{layer="http"} '):
                    return float(line.split()[-1]) >= 1
            return False
        wait_until(metrics_count, timeout=5, what="hostscope_bottlenecks_open{layer=http}")

    def test_b_webhook_delivery_with_hmac(self):
        hook = Webhook()
        self.addCleanup(hook.close)
        ch = self.channel({"name": "hook", "type": "webhook", "url": hook.url, "secret": SECRET})
        self.assertTrue(ch["secret_set"])
        self.assertNotIn("secret", ch)
        rule = self.rule(slow_rule("slow via webhook", self.h.pid, [ch["id"]]))
        slow_requests(self.h)
        reqs = wait_until(hook.received, timeout=DETECT_S + 5, what="a webhook delivery")
        r = reqs[0]
        self.assertEqual(r["path"], "/hook")
        self.assertEqual(r["headers"].get("Content-Type"), "application/json")
        self.assertEqual(r["headers"].get("X-Hostscope-Event"), "raised")
        expected = "sha256=" + hmac.new(SECRET.encode(), r["body"], hashlib.sha256).hexdigest()
        self.assertEqual(r["headers"].get("X-Hostscope-Signature"), expected)
        body = json.loads(r["body"])
        self.assertEqual(body["event"], "raised")
        alert = body["alert"]
        self.assertEqual(alert["rule_id"], rule["id"])
        self.assertEqual(alert["source"], "rule")
        self.assertEqual(alert["severity"], "high")
        self.assertEqual(alert["status"], "active")
        self.assertIn(alert["subject"].split(" ", 2)[2], ROUTES)
        self.assertGreater(alert["value"], 100)
        self.assertEqual(alert["threshold"], 100)
        # The attempt is recorded on the alert.
        def delivered():
            a = api(self.d, "GET", f"/alerts/{alert['id']}")
            return [x for x in a["deliveries"] if x["channel_id"] == ch["id"] and x["ok"]]
        d = wait_until(delivered, timeout=5, what="the delivery on the alert")
        self.assertEqual(d[0]["attempt"], 1)
        self.assertEqual(d[0]["code"], 200)
        listed = api(self.d, "GET", f"/alerts?rule_id={rule['id']}")
        self.assertEqual(listed["total"], 1)
        self.assertEqual(listed["alerts"][0]["id"], alert["id"])

    def test_c_email_to_smtp_sink(self):
        sink = SmtpSink()
        self.addCleanup(sink.close)
        ch = self.channel({"name": "mail", "type": "email",
                           "smtp": {"url": f"smtp://127.0.0.1:{sink.port}", "from": "hostscope@example.org",
                                    "to": ["ops@example.org", "dba@example.org"]}})
        rule = self.rule(slow_rule("slow via mail", self.h.pid, [ch["id"]]))
        slow_requests(self.h)
        msgs = wait_until(sink.received, timeout=DETECT_S + 5, what="a mail in the sink")
        m = msgs[0]
        self.assertEqual(m["from"], "<hostscope@example.org>")
        self.assertEqual(m["to"], ["<ops@example.org>", "<dba@example.org>"])
        text = m["data"]
        self.assertIn("From: hostscope@example.org\r\n", text)
        self.assertIn("To: ops@example.org, dba@example.org\r\n", text)
        self.assertIn("Subject: [hostscope] [HIGH] raised: ", text)
        self.assertIn("\r\nSeverity: high\r\n", text)
        alerts = api(self.d, "GET", f"/alerts?rule_id={rule['id']}")["alerts"]
        self.assertEqual(len(alerts), 1)
        self.assertIn(f"\r\nAlert: {alerts[0]['id']}\r\n", text)
        self.assertIn(f"\r\n{alerts[0]['title']}\r\n", text)

    def test_d_failing_receiver_gets_it_after_retries(self):
        hook = Webhook(fail_first=2)
        self.addCleanup(hook.close)
        ch = self.channel({"name": "flaky", "type": "webhook", "url": hook.url})
        self.rule(slow_rule("slow via flaky webhook", self.h.pid, [ch["id"]]))
        slow_requests(self.h)
        # Backoff 1 s then 2 s: the third attempt succeeds.
        # Only the notifications of the alert being raised: once the slow requests stop,
        # the condition clears and a "resolved" one may follow on the same channel.
        def raised():
            got = [json.loads(r["body"]) for r in hook.received()]
            got = [b for b in got if b["event"] == got[0]["event"]] if got else []
            return got if len(got) >= 3 else None
        bodies = wait_until(raised, timeout=DETECT_S + 10, what="three attempts")[:3]
        self.assertEqual({b["alert"]["id"] for b in bodies}, {bodies[0]["alert"]["id"]})
        alert_id = bodies[0]["alert"]["id"]

        def attempts():
            a = api(self.d, "GET", f"/alerts/{alert_id}")
            mine = [x for x in a["deliveries"] if x["channel_id"] == ch["id"]]
            return mine if len(mine) >= 3 else None
        mine = wait_until(attempts, timeout=5, what="three recorded attempts")
        self.assertEqual([x["attempt"] for x in mine[:3]], [1, 2, 3])
        self.assertEqual([x["ok"] for x in mine[:3]], [False, False, True])
        self.assertEqual([x["code"] for x in mine[:3]], [500, 500, 200])
        self.assertEqual([x["will_retry"] for x in mine[:3]], [True, True, False])
        first = json.loads(hook.received()[0]["body"])["event"]
        same = [r for r in hook.received() if json.loads(r["body"])["event"] == first]
        self.assertEqual(len(same), 3)  # delivered: no fourth attempt of that notification

    def test_e_lifecycle_and_illegal_transitions(self):
        a = api(self.d, "POST", "/alerts", {"title": "Disk almost full", "message": "/var 97 %",
                                            "severity": "medium"}, expect=201)
        self.assertEqual(a["status"], "active")
        ack = api(self.d, "PUT", f"/alerts/{a['id']}/acknowledge", {"user": "ana"})
        self.assertEqual((ack["status"], ack["acknowledged_by"]), ("acknowledged", "ana"))
        res = api(self.d, "PUT", f"/alerts/{a['id']}/resolve", {"notes": "rotated logs"})
        self.assertEqual((res["status"], res["resolution_notes"]), ("resolved", "rotated logs"))
        err = api(self.d, "PUT", f"/alerts/{a['id']}/dismiss", {"reason": "late"}, expect=409)
        self.assertEqual(err["error"]["code"], "conflict")
        self.assertEqual(err["error"]["message"],
                         f"alert {a['id']} is resolved; only an active or acknowledged alert can be dismissed")
        b = api(self.d, "POST", "/alerts", {"title": "Noise", "message": "", "severity": "low"}, expect=201)
        api(self.d, "PUT", f"/alerts/{b['id']}/dismiss", {"reason": "known"})
        err = api(self.d, "PUT", f"/alerts/{b['id']}/resolve", {"notes": "x"}, expect=409)
        self.assertIn("is dismissed", err["error"]["message"])
        api(self.d, "PUT", "/alerts/al-999999/acknowledge", {"user": "ana"}, expect=404)
        bad = api(self.d, "PUT", f"/alerts/{b['id']}/acknowledge", {}, expect=400)
        self.assertTrue(bad["error"]["message"].startswith("user: "), bad)
        status, _ = self.d.get("/alerts", token="viewer")
        self.assertEqual(status, 200)
        status, _, _ = self.d.request("PUT", f"{API}/alerts/{b['id']}/resolve", body={}, token="viewer")
        self.assertEqual(status, 403)

    def test_f_live_push_on_the_event_stream(self):
        import socket
        s = socket.create_connection(("127.0.0.1", self.d.port), timeout=10)
        self.addCleanup(s.close)
        s.sendall((f"GET {API}/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.d.admin}\r\n\r\n")
                  .encode())
        buf = b""
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in buf and time.monotonic() < deadline:
            buf += s.recv(4096)
        if not buf.startswith(b"HTTP/1.1 200"):
            self.skipTest(f"no event stream in this build: {buf[:40]!r}")
        a = api(self.d, "POST", "/alerts", {"title": "pushed", "message": "m", "severity": "high"}, expect=201)
        want = f'"id":"{a["id"]}"'.encode()
        while time.monotonic() < deadline:
            frames = buf.split(b"\n\n")
            for f in frames:
                if b"event: alert\n" in f and want in f:
                    data = json.loads(b"".join(l[6:] for l in f.split(b"\n") if l.startswith(b"data: ")))
                    self.assertEqual(data["event"], "raised")
                    self.assertEqual(data["alert"]["title"], "pushed")
                    return
            buf += s.recv(65536)
        self.fail(f"no alert event for {a['id']} on the stream: {buf[-500:]!r}")


class RestartTest(unittest.TestCase):
    def test_state_survives_sigkill(self):
        h = L.HttpServer().start()
        self.addCleanup(h.stop)
        d = start_daemon()
        state = d.state_dir
        self.addCleanup(lambda: __import__("shutil").rmtree(state, ignore_errors=True))
        self.addCleanup(d.terminate)
        api(d, "PUT", "/bottlenecks/thresholds", {"min_requests": 1, "db_p95_ms": 80})
        ch = api(d, "POST", "/alerts/channels", {"name": "keep", "type": "webhook",
                                                 "url": "http://127.0.0.1:9/x", "secret": SECRET}, expect=201)
        rule = api(d, "POST", "/alerts/rules", slow_rule("kept", 1, [ch["id"]]), expect=201)
        acked = api(d, "POST", "/alerts", {"title": "kept alert", "message": "m", "severity": "critical"},
                    expect=201)
        api(d, "PUT", f"/alerts/{acked['id']}/acknowledge", {"user": "ana"})
        dismissed = api(d, "POST", "/alerts", {"title": "gone", "message": "m", "severity": "low"}, expect=201)
        api(d, "PUT", f"/alerts/{dismissed['id']}/dismiss", {"reason": "dup"})
        slow_requests(h)
        b = wait_until(lambda: http_bottleneck(d, h.pid), timeout=DETECT_S, what="a bottleneck")
        api(d, "PUT", f"/bottlenecks/{b['id']}/status", {"status": "investigating", "notes": "looking"})

        self.assertEqual(d.terminate(sig=signal.SIGKILL), -signal.SIGKILL)
        d2 = start_daemon(state_dir=state)
        self.addCleanup(d2.terminate)

        t = api(d2, "GET", "/bottlenecks/thresholds")
        self.assertEqual((t["min_requests"], t["db_p95_ms"], t["api_p95_ms"]), (1, 80, 200))
        c = api(d2, "GET", f"/alerts/channels/{ch['id']}")
        self.assertEqual((c["name"], c["url"], c["secret_set"]), ("keep", "http://127.0.0.1:9/x", True))
        r = api(d2, "GET", f"/alerts/rules/{rule['id']}")
        for k in ("name", "selector", "condition", "for_s", "severity", "channels", "cooldown_s"):
            self.assertEqual(r[k], rule[k], k)
        a = api(d2, "GET", f"/alerts/{acked['id']}")
        self.assertEqual((a["status"], a["acknowledged_by"], a["title"]), ("acknowledged", "ana", "kept alert"))
        a = api(d2, "GET", f"/alerts/{dismissed['id']}")
        self.assertEqual((a["status"], a["dismiss_reason"]), ("dismissed", "dup"))
        got = api(d2, "GET", f"/bottlenecks/{b['id']}")
        self.assertEqual((got["status"], got["notes"]), ("investigating", "looking"))
        self.assertEqual(got["evidence"][0]["metric"], "p95_ms")
        # New ids continue after the restored ones.
        n = api(d2, "POST", "/alerts", {"title": "new", "message": "m", "severity": "low"}, expect=201)
        self.assertNotIn(n["id"], (acked["id"], dismissed["id"]))


if __name__ == "__main__":
    unittest.main()
