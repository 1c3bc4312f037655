"""hostscoped end to end: Redis capture (RESP, with and without pipelining, TCP and
Unix socket) read back through monitoring/metrics?type=database and database/queries.

The server is a private redis-server (tests/e2e/l7lab.py); the load is
redis-benchmark -t set,get,incr -n N -c 4 [-P 16], so each command's count is N.
Oracles: N, INFO commandstats (CONFIG RESETSTAT before each run; redis-benchmark
also sends two CONFIG GET at start, which appear as `config|get`), INFO stats
total_error_replies, and redis-benchmark's own p50 latency (--csv). The client side
(redis-benchmark's pid) and the server side (redis-server's pid) are each compared
with the oracle, never their sum.
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import l7lab as L  # noqa: E402

INTERVAL_MS = 200
SETTLE_S = 3 * INTERVAL_MS / 1000.0 + 0.3
WAIT_S = 20
N = 16000                 # a multiple of the pipeline depth: redis-benchmark then sends exactly N
CLIENTS = 4
PIPELINE = 16
COMMANDS = {"SET": "set", "GET": "get", "INCR": "incr"}   # fingerprint -> commandstats name
UNKNOWN = "HSNOSUCHCMD"
DB_FIELDS = ("pid", "comm", "system", "side", "remote", "fingerprint", "fingerprint_id", "count", "errors",
             "replies_unseen", "total_ns", "p50_ns", "p95_ns", "p99_ns", "max_ns", "tls", "sample", "exited")


def start_daemon():
    return L.start_daemon("l7redis", INTERVAL_MS)


def setUpModule():
    L.sweep_stale()


def by_fp(rows):
    out = {}
    for r in rows:
        out.setdefault(r["fingerprint"], []).append(r)
    return out


class RedisLabTest(unittest.TestCase):
    """The oracles alone (no daemon)."""

    @classmethod
    def setUpClass(cls):
        cls.r = L.Redis().start()

    @classmethod
    def tearDownClass(cls):
        cls.r.stop()

    def test_benchmark_counts_in_commandstats(self):
        for pipeline, unix in ((1, False), (PIPELINE, False), (PIPELINE, True)):
            with self.subTest(pipeline=pipeline, unix=unix):
                self.r.cli("CONFIG", "RESETSTAT")
                b = self.r.benchmark("set,get,incr", 1600, CLIENTS, pipeline=pipeline, unix=unix)
                self.assertEqual(b["rc"], 0, b["stderr"])
                cs = self.r.commandstats()
                for name in COMMANDS.values():
                    self.assertEqual(cs.get(name), 1600, cs)
                self.assertEqual(cs.get("config|get"), 2, cs)
                self.assertEqual(set(b["p50_ms"]), set(COMMANDS), b["stdout"])

    def test_unknown_command_is_an_error_reply(self):
        before = self.r.error_replies()
        _, _, out = self.r.cli_proc(UNKNOWN, "a")
        self.assertIn("unknown command", out)
        self.assertEqual(self.r.error_replies(), before + 1)


class RedisCaptureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = L.Redis().start()
        try:
            cls.d = start_daemon()
        except BaseException:
            cls.r.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.d.cleanup()
        finally:
            cls.r.stop()

    def setUp(self):
        L.require_l7(self.d)

    def server_counts(self):
        rows = L.db_metrics(self.d, pid=self.r.pid, system="redis", side="server")
        out = {}
        for e in rows:
            out[e["fingerprint"]] = out.get(e["fingerprint"], 0) + int(e["count"])
        return out, {e["fingerprint"]: e for e in rows}

    def diagnose(self, extra=""):
        return f"{extra}; l7 probe: {L.probe_status(self.d)}; daemon log tail: {self.d.logs()[-1500:]}"

    def run_benchmark(self, pipeline, unix):
        before, _ = self.server_counts()
        self.r.cli("CONFIG", "RESETSTAT")
        b = self.r.benchmark("set,get,incr", N, CLIENTS, pipeline=pipeline, unix=unix)
        self.assertEqual(b["rc"], 0, b["stderr"])
        cs = self.r.commandstats()
        self.assertEqual({k: cs.get(v) for k, v in COMMANDS.items()}, {k: N for k in COMMANDS}, cs)
        where = (f"redis-benchmark -n {N} -c {CLIENTS} -P {pipeline} over "
                 f"{'the Unix socket' if unix else '127.0.0.1'} (pid {b['pid']})")

        def client_rows():
            return L.db_metrics(self.d, pid=b["pid"], system="redis", side="client")

        def done(rows):
            got = by_fp(rows)
            return all(L.sum_field(got.get(fp, [])) >= N for fp in COMMANDS)
        try:
            rows = L.wait_settled(client_rows, done, WAIT_S, SETTLE_S, f"client-side counts of {where}")
        except AssertionError as e:
            raise AssertionError(self.diagnose(f"{e}; commandstats: {cs}")) from None
        got = by_fp(rows)
        remote = f"unix:{self.r.sock}" if unix else f"127.0.0.1:{self.r.port}"
        for fp in COMMANDS:
            with self.subTest(side="client", command=fp):
                entries = got.get(fp, [])
                self.assertEqual(len(entries), 1, entries)
                e = entries[0]
                for f in DB_FIELDS:
                    self.assertIn(f, e)
                self.assertEqual(e["count"], N, f"{where}: {e}; commandstats {cs}")
                self.assertEqual(e["errors"], 0, e)
                # 16 GET replies of "xxx" are 144 bytes, past the 128 kept: 2 unseen per pipeline at least.
                if pipeline == 1:
                    self.assertEqual(e["replies_unseen"], 0, e)
                elif fp == "GET":
                    self.assertGreaterEqual(e["replies_unseen"], 2 * N // pipeline, e)
                    self.assertLessEqual(e["replies_unseen"], N, e)
                self.assertEqual(e["comm"], "redis-benchmark", e)
                self.assertEqual(e["remote"], remote, e)
                self.assertIs(e["tls"], False, e)
                self.assertTrue(0 < e["p50_ns"] <= e["p95_ns"] <= e["p99_ns"] <= e["max_ns"] * 1.125 + 1, e)
                # redis-benchmark's own p50 (write of the request/pipeline -> reply parsed)
                ref = b["p50_ms"][fp] * 1e6
                print(f"\n  {where} {fp}: captured p50 {e['p50_ns'] / 1e3:.0f} us, redis-benchmark p50 "
                      f"{ref / 1e3:.0f} us", file=sys.stderr, end="")
                self.assertLessEqual(e["p50_ns"], 2 * ref + 20_000, f"{where} {fp}: p50 {e['p50_ns']} vs {ref:.0f}")
                self.assertGreaterEqual(e["p50_ns"], ref / 8, f"{where} {fp}: p50 {e['p50_ns']} vs {ref:.0f}")
        with self.subTest(side="client", command="CONFIG GET"):
            # redis-benchmark fetches `save` and `appendonly` before the tests
            self.assertEqual(L.sum_field(got.get("CONFIG GET", [])), cs.get("config|get", 0), sorted(got))

        def server_done(c):
            counts, _ = c
            return all(counts.get(fp, 0) - before.get(fp, 0) >= 0.99 * N for fp in COMMANDS)
        try:
            after, entries = L.wait_settled(self.server_counts, server_done, WAIT_S, SETTLE_S,
                                            f"server-side counts of {where}")
        except AssertionError as e:
            raise AssertionError(self.diagnose(f"{e}; before {before}; commandstats: {cs}")) from None
        for fp, name in COMMANDS.items():
            with self.subTest(side="server", command=fp):
                delta = after.get(fp, 0) - before.get(fp, 0)
                self.assertLessEqual(abs(delta - cs[name]), 0.01 * cs[name],
                                     f"{where}: server side counted {delta} {fp}, commandstats {cs[name]}")
                self.assertEqual(entries[fp]["comm"], "redis-server", entries[fp])
                self.assertEqual(entries[fp]["errors"], 0, entries[fp])
        for fp in COMMANDS:  # one fingerprint, one id, on both sides
            self.assertEqual(got[fp][0]["fingerprint_id"], entries[fp]["fingerprint_id"])
        return b

    def test_benchmark_tcp(self):
        self.run_benchmark(1, unix=False)

    def test_benchmark_tcp_pipelined(self):
        self.run_benchmark(PIPELINE, unix=False)

    def test_benchmark_unix_pipelined(self):
        self.run_benchmark(PIPELINE, unix=True)

    def test_prometheus_series_and_summary_count_a_run(self):
        """One pipelined run of a command no other suite sends, read back through
        /metrics (hostscope_db_query_duration_seconds, summed over processes) and
        monitoring/summary, whose host-wide numbers then move by this run alone."""
        fp, name = "HINCRBY", "hincrby"
        _, before = L.prometheus_samples(self.d)
        status, summary_before = self.d.get("/monitoring/summary")
        self.assertEqual(status, 200, summary_before)
        self.r.cli("CONFIG", "RESETSTAT")
        b = self.r.benchmark([fp, "hs:e2e:prom", "f", "1"], N, CLIENTS, pipeline=PIPELINE)
        self.assertEqual(b["rc"], 0, b["stderr"])
        calls = self.r.commandstats().get(name)
        self.assertEqual(calls, N)
        where = f"redis-benchmark -n {N} -P {PIPELINE} {fp} (pid {b['pid']})"

        def client_rows():
            return [e for e in L.db_metrics(self.d, pid=b["pid"], system="redis", side="client")
                    if e["fingerprint"] == fp]
        rows = L.wait_settled(client_rows, lambda rows: L.sum_field(rows) >= N, WAIT_S, SETTLE_S, where)
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0]["count"], N, rows)
        fid = rows[0]["fingerprint_id"]

        def sample(samples, suffix, side, **extra):
            labels = {"system": "redis", "fingerprint_id": fid, "side": side, **extra}
            return samples.get(("hostscope_db_query_duration_seconds" + suffix, frozenset(labels.items())), 0.0)

        def delta(samples, suffix, side, **extra):
            return sample(samples, suffix, side, **extra) - sample(before, suffix, side, **extra)

        def scraped(got):
            _, samples = got
            return delta(samples, "_count", "client") >= N and delta(samples, "_count", "server") >= 0.99 * calls
        try:
            text, after = L.wait_settled(lambda: L.prometheus_samples(self.d), scraped, WAIT_S, SETTLE_S,
                                         f"/metrics series of {fp} ({fid})")
        except AssertionError as e:
            raise AssertionError(self.diagnose(f"{e}; commandstats {calls}")) from None
        self.assertEqual(delta(after, "_count", "client"), N, where)
        self.assertLessEqual(abs(delta(after, "_count", "server") - calls), 0.01 * calls, where)
        for side in ("client", "server"):
            with self.subTest(side=side):
                self.assertEqual(sample(after, "_bucket", side, le="+Inf"), sample(after, "_count", side))
                errors = after.get(("hostscope_db_query_errors_total",
                                    frozenset({"system": "redis", "fingerprint_id": fid, "side": side}.items())))
                self.assertEqual(errors, 0.0, f"{side} errors of {fp}")
        # The client side's time in seconds is the API's total_ns of that one process.
        self.assertAlmostEqual(delta(after, "_sum", "client"), rows[0]["total_ns"] / 1e9,
                               delta=1e-6 * rows[0]["total_ns"] / 1e9 + 1e-9)
        r = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True)
        self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode())
        # Host-wide KPIs: at least both sides of this run (other suites may add to them).
        status, summary = self.d.get("/monitoring/summary")
        self.assertEqual(status, 200, summary)
        grown = summary["database"]["ops"] - summary_before["database"]["ops"]
        self.assertGreaterEqual(grown, N + 0.99 * calls, summary["database"])

    def test_unknown_command_counted_as_error(self):
        before_err = self.r.error_replies()
        before, _ = self.server_counts()
        pid, _, out = self.r.cli_proc(UNKNOWN, "a")
        self.assertIn("unknown command", out)
        self.assertEqual(self.r.error_replies(), before_err + 1)

        def mine():
            return [e for e in L.db_metrics(self.d, pid=pid, system="redis", side="client")
                    if e["fingerprint"].upper().startswith(UNKNOWN)]
        try:
            rows = L.wait_settled(mine, lambda rows: rows and rows[0]["errors"] >= 1, WAIT_S, SETTLE_S,
                                  f"redis-cli {pid}: error of {UNKNOWN}")
        except AssertionError as e:
            raise AssertionError(self.diagnose(
                f"{e}; all of redis-cli {pid}: {L.db_metrics(self.d, pid=pid)}")) from None
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual((rows[0]["count"], rows[0]["errors"]), (1, 1), rows[0])
        self.assertEqual(rows[0]["fingerprint"], UNKNOWN, rows[0])
        self.assertEqual(rows[0]["comm"], "redis-cli", rows[0])
        after, entries = self.server_counts()
        self.assertEqual(after.get(UNKNOWN, 0) - before.get(UNKNOWN, 0), 1, entries.get(UNKNOWN))
        self.assertGreaterEqual(entries[UNKNOWN]["errors"], 1, entries[UNKNOWN])
        slow = [s for s in L.db_queries(self.d, system="redis")["slow"] if s["pid"] == pid]
        self.assertEqual(len(slow), 1, slow)
        self.assertIs(slow[0]["error"], True, slow[0])
        self.assertIn("unknown command", slow[0]["error_text"], slow[0])

    def test_single_commands_exact(self):
        """One SET and one GET from redis-cli over the Unix socket: one of each, no more."""
        pids = []
        for args in (("SET", "hs:k", "v"), ("GET", "hs:k")):
            pid, rc, out = self.r.cli_proc(*args, unix=True)
            self.assertEqual(rc, 0, out)
            pids.append((pid, args[0]))
        for pid, cmd in pids:
            rows = L.wait_settled(lambda: by_fp(L.db_metrics(self.d, pid=pid, system="redis", side="client")),
                                  lambda g: cmd in g, WAIT_S, SETTLE_S, f"redis-cli {pid} {cmd}")
            self.assertEqual(L.sum_field(rows[cmd]), 1, rows)
            self.assertEqual(rows[cmd][0]["comm"], "redis-cli", rows[cmd])
            self.assertEqual(rows[cmd][0]["remote"], f"unix:{self.r.sock}", rows[cmd])
            self.assertNotIn("hs:k", rows[cmd][0]["sample"], "capture_literals is off by default")

    def test_capture_literals_sample(self):
        L.put_config(self.d, capture_literals=True)
        self.addCleanup(L.put_config, self.d, capture_literals=False)
        pid, rc, out = self.r.cli_proc("SET", "hs:lit", "v42")
        self.assertEqual(rc, 0, out)
        rows = L.wait_settled(lambda: by_fp(L.db_metrics(self.d, pid=pid, system="redis", side="client")),
                              lambda g: "SET" in g, WAIT_S, SETTLE_S, f"redis-cli {pid} SET")
        self.assertEqual(rows["SET"][0]["sample"], "SET hs:lit v42", rows["SET"])

    def test_deep_pipeline_not_silently_lost(self):
        """-P 64: a pipeline longer than the request prefix the kernel keeps. Every
        command is counted, or what is missing shows in the l7 drop counters."""
        n, depth = 6400, 64
        drops0 = L.l7_drops(self.d)
        before, _ = self.server_counts()
        self.r.cli("CONFIG", "RESETSTAT")
        b = self.r.benchmark("set,get", n, CLIENTS, pipeline=depth)
        self.assertEqual(b["rc"], 0, b["stderr"])
        cs = self.r.commandstats()
        self.assertEqual((cs.get("set"), cs.get("get")), (n, n), cs)
        rows = L.wait_settled(lambda: by_fp(L.db_metrics(self.d, pid=b["pid"], system="redis", side="client")),
                              lambda g: "GET" in g and "SET" in g, WAIT_S, 2 * SETTLE_S,
                              f"redis-benchmark -P {depth} client side")
        after, _ = self.server_counts()
        client = {fp: L.sum_field(rows.get(fp, [])) for fp in ("SET", "GET")}
        server = {fp: after.get(fp, 0) - before.get(fp, 0) for fp in ("SET", "GET")}
        missing = sum(n - c for c in client.values()) + sum(n - c for c in server.values())
        dropped = L.l7_drops(self.d) - drops0
        self.assertLessEqual(missing, dropped,
                             f"redis-benchmark -P {depth} -n {n}: commandstats {cs}; captured client {client}, "
                             f"server {server}: {missing} commands missing, l7 drop counters rose by {dropped}")

    def test_disable_and_enable_live(self):
        """l7_enabled=false through PUT monitoring/config detaches the probe (the metrics
        say available:false); true attaches it again and new traffic is counted."""
        L.put_config(self.d, l7_enabled=False)
        self.addCleanup(L.put_config, self.d, l7_enabled=True)
        L.wait_settled(lambda: (L.probe_status(self.d) or {}).get("state"), lambda s: s != "attached", WAIT_S, 0,
                       "l7 probe detached")
        ok, body = L.l7_available(self.d)
        self.assertFalse(ok, body)
        self.assertIs(L.l7_available(self.d, "http")[0], False)
        L.put_config(self.d, l7_enabled=True)
        L.wait_settled(lambda: (L.probe_status(self.d) or {}).get("state"), lambda s: s == "attached", WAIT_S, 0,
                       "l7 probe attached again")
        self.assertTrue(L.l7_available(self.d)[0])
        pid, rc, out = self.r.cli_proc("INCRBY", "hs:n", "5")
        self.assertEqual(rc, 0, out)
        rows = L.wait_settled(lambda: by_fp(L.db_metrics(self.d, pid=pid, system="redis", side="client")),
                              lambda g: "INCRBY" in g, WAIT_S, SETTLE_S, f"redis-cli {pid} INCRBY after re-enable")
        self.assertEqual(L.sum_field(rows["INCRBY"]), 1, rows)

    def test_queries_endpoint(self):
        b = self.run_benchmark(1, unix=False)
        body = L.db_queries(self.d, system="redis", sort="count", limit=50)
        qs = {q["fingerprint"]: q for q in body["queries"]}
        for fp in COMMANDS:
            self.assertIn(fp, qs, sorted(qs))
            self.assertEqual(qs[fp]["system"], "redis")
            mine = [p for p in qs[fp]["processes"] if p["pid"] == b["pid"]]
            self.assertEqual(len(mine), 1, qs[fp]["processes"])
            self.assertEqual((mine[0]["side"], mine[0]["comm"], mine[0]["count"]), ("client", "redis-benchmark", N))
            srv = [p for p in qs[fp]["processes"] if p["pid"] == self.r.pid]
            self.assertEqual(len(srv), 1, qs[fp]["processes"])
            self.assertEqual(srv[0]["side"], "server")
        counts = [q["count"] for q in body["queries"]]
        self.assertEqual(counts, sorted(counts, reverse=True))


if __name__ == "__main__":
    unittest.main()
