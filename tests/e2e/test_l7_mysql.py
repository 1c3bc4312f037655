"""hostscoped end to end: MySQL/MariaDB capture (text queries from mysqlslap and the
mariadb client, server-side prepared statements, errors) read back through
monitoring/metrics?type=database and database/queries.

The server is a private mariadbd (tests/e2e/l7lab.py) with performance_schema on,
started before the daemon; every client connects after it, over TCP. The load has
known statement shapes and counts; the oracles are those counts and
performance_schema: events_statements_summary_by_digest (COUNT_STAR, SUM_ERRORS) for
one client at a time, events_statements_history_long for concurrent clients (the
summary loses some of those), each truncated before its run. The client side (the
client's pid) and the server side (mariadbd) are each compared with the oracle,
never their sum.
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import l7lab as L  # noqa: E402

INTERVAL_MS = 200
SETTLE_S = 3 * INTERVAL_MS / 1000.0 + 0.3
WAIT_S = 30
CLIENTS = 4
ITERATIONS = 50            # mysqlslap: each client runs every statement once per iteration
EXPECTED = CLIENTS * ITERATIONS
PREPARED_RUNS = 300
STMT_CLIENT = os.environ.get("HS_MYSQL_STMT_CLIENT", "")

# Table names unique to this run: the server side sums every mariadbd connection, so
# another copy of this suite running at the same time must not share them.
TAG = L.run_tag()
KV, LOG = f"hs_kv{TAG}", f"hs_log{TAG}"
QUERIES = [
    f"SELECT v FROM {KV} WHERE id = 7",
    f"UPDATE {KV} SET v = v + 1 WHERE id = 8",
    f"INSERT INTO {LOG} (id) VALUES (9)",
]
# The fingerprints the contract asks for (literals as ?, keywords upper case).
SHAPES = {
    "select": f"SELECT v FROM {KV} WHERE id = ?",
    "update": f"UPDATE {KV} SET v = v + ? WHERE id = ?",
    "insert": f"INSERT INTO {LOG} (id) VALUES (?)",
}
DB_FIELDS = ("pid", "comm", "system", "side", "remote", "fingerprint", "fingerprint_id", "count", "errors",
             "total_ns", "p50_ns", "p95_ns", "p99_ns", "max_ns", "tls", "sample", "exited")


def setUpModule():
    L.sweep_stale()


def shape_of(text):
    c = L.canon_mysql(text)
    return next((k for k, fp in SHAPES.items() if L.canon_mysql(fp) == c), None)


# ---- the lab alone: the oracles agree with the known numbers --------------------------

class MariaDBLabTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = L.MariaDB(tag=TAG).start()

    @classmethod
    def tearDownClass(cls):
        cls.db.stop()

    def test_mysqlslap_counts_in_performance_schema(self):
        self.db.history_reset()
        r = self.db.slap(QUERIES, CLIENTS, 10)
        self.assertEqual(r["rc"], 0, r["stderr"])
        counts = L.wait_settled(lambda: {k: self.db.history_calls(fp) for k, fp in SHAPES.items()},
                                lambda o: all(n >= CLIENTS * 10 for n in o.values()), WAIT_S, SETTLE_S,
                                "the statement history of the mysqlslap run")
        self.assertEqual(counts, {k: CLIENTS * 10 for k in SHAPES}, self.db.digests(self.db.HISTORY))

    def test_bad_statement_fails(self):
        _, rc, _, err, _ = self.db.client_proc("SELEC 1")
        self.assertNotEqual(rc, 0)
        self.assertIn("1064", err)

    @unittest.skipUnless(STMT_CLIENT, "HS_MYSQL_STMT_CLIENT (built with libmariadb-dev) is not set")
    def test_prepared_statement_client(self):
        out = self.stmt_client(SHAPES["select"], 5)
        self.assertEqual(out.returncode, 0, out.stderr)
        words = out.stdout.split()
        self.assertEqual((words[0], words[2]), ("done", "5"), out.stdout)
        bad = self.stmt_client(f"SELEC ? FROM {KV}", 1)
        self.assertEqual(bad.returncode, 3, bad.stderr)
        self.assertIn("42000", bad.stderr)

    def stmt_client(self, sql, n):
        return subprocess.run([STMT_CLIENT, "127.0.0.1", str(self.db.port), L.MY_USER, L.MY_PASSWORD, L.MY_DB, sql,
                               str(n)], capture_output=True, text=True, timeout=120)

    def test_canonical_fingerprints(self):
        self.assertEqual(L.canon_mysql(f"SELECT `v` FROM `{KV}` WHERE ID = ? "), L.canon_mysql(SHAPES["select"]))
        self.assertEqual(L.canon_mysql(f"INSERT INTO `{LOG}` ( ID ) VALUES (?) "), L.canon_mysql(SHAPES["insert"]))
        self.assertEqual(shape_of(QUERIES[1]), "update")


# ---- the capture -----------------------------------------------------------------------

class MariaDBCaptureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = L.MariaDB(tag=TAG).start()
        try:
            cls.d = L.start_daemon("l7my", INTERVAL_MS)
        except BaseException:
            cls.db.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.d.cleanup()
        finally:
            cls.db.stop()

    def setUp(self):
        L.require_l7(self.d)

    # -- helpers
    def server_rows(self):
        return L.db_metrics(self.d, system="mysql", side="server")

    def server_counts(self, field="count"):
        """{shape: field summed} over every server-side mariadbd entry."""
        out = {k: 0 for k in SHAPES}
        for r in self.server_rows():
            k = shape_of(r["fingerprint"])
            if k:
                out[k] += int(r[field])
        return out

    def client_rows(self, pid):
        return L.db_metrics(self.d, pid=pid, system="mysql", side="client")

    def diagnose(self, extra=""):
        return f"{extra}; l7 probe: {L.probe_status(self.d)}; daemon log tail: {self.d.logs()[-1500:]}"

    def wait_client(self, pid, want, what):
        """Polls pid's client-side entries until every {canon fingerprint: count} in
        `want` is reached (then one settle period) -> {canon fingerprint: [rows]}."""
        def done(rows):
            got = by_canon(rows)
            return all(L.sum_field(got.get(fp, [])) >= n for fp, n in want.items())
        try:
            rows = L.wait_settled(lambda: self.client_rows(pid), done, WAIT_S, SETTLE_S, what)
        except AssertionError as e:
            raise AssertionError(self.diagnose(str(e))) from None
        return by_canon(rows)

    def stmt_client(self, sql, n):
        p = subprocess.Popen([STMT_CLIENT, "127.0.0.1", str(self.db.port), L.MY_USER, L.MY_PASSWORD, L.MY_DB, sql,
                              str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             text=True)
        out, err = L.communicate(p, 300)
        return p.pid, p.returncode, out, err

    # -- tests
    def test_mysqlslap_counts_per_fingerprint(self):
        before = self.server_counts()
        self.db.history_reset()
        r = self.db.slap(QUERIES, CLIENTS, ITERATIONS)
        self.assertEqual(r["rc"], 0, r["stderr"])
        # The server sends a statement's answer before it records the statement: the
        # last ones of the run may show a moment later. (Concurrent clients: the long
        # history, not the digest summary, which loses some; see MariaDB.history_calls.)
        oracle = L.wait_settled(lambda: {k: self.db.history_calls(fp) for k, fp in SHAPES.items()},
                                lambda o: all(n >= EXPECTED for n in o.values()), WAIT_S, SETTLE_S,
                                "performance_schema statement history of the mysqlslap run")
        self.assertEqual(oracle, {k: EXPECTED for k in SHAPES}, f"oracle: {self.db.digests(self.db.HISTORY)}")
        where = f"mysqlslap -c {CLIENTS} -i {ITERATIONS} over 127.0.0.1 (pid {r['pid']})"

        got = self.wait_client(r["pid"], {L.canon_mysql(fp): EXPECTED for fp in SHAPES.values()},
                               f"client-side counts of {where}")
        for name, fp in SHAPES.items():
            entries = got.get(L.canon_mysql(fp), [])
            with self.subTest(side="client", shape=name):
                self.assertEqual(len(entries), 1, f"{where}: one entry per fingerprint expected: {entries}")
                e = entries[0]
                for f in DB_FIELDS:
                    self.assertIn(f, e)
                self.assertEqual(e["fingerprint"], fp, e)
                self.assertEqual(e["count"], EXPECTED, f"{where} {name}: {e}; performance_schema {oracle[name]}")
                self.assertLessEqual(abs(e["count"] - oracle[name]), 0.01 * oracle[name])
                self.assertEqual(e["errors"], 0, e)
                self.assertEqual(e["system"], "mysql", e)
                self.assertEqual(e["comm"], "mysqlslap", e)
                self.assertEqual(e["pid"], r["pid"], e)
                self.assertIs(e["tls"], False, e)
                self.assertIs(e["exited"], True, f"mysqlslap has exited: {e}")
                self.assertEqual(e["remote"], f"127.0.0.1:{self.db.port}", e)
                self.assertTrue(0 < e["p50_ns"] <= e["p95_ns"] <= e["p99_ns"] <= e["max_ns"] * 1.125 + 1, e)
                self.assertLessEqual(e["total_ns"] / e["count"], e["max_ns"], e)

        # server side: mariadbd's entries, new ones for this run, against performance_schema
        def server_done(counts):
            return all(counts[k] - before[k] >= oracle[k] * 0.99 for k in SHAPES)
        try:
            after = L.wait_settled(self.server_counts, server_done, WAIT_S, SETTLE_S, f"server-side counts of {where}")
        except AssertionError as e:
            raise AssertionError(self.diagnose(f"{e}; before: {before}; oracle: {oracle}")) from None
        for name in SHAPES:
            with self.subTest(side="server", shape=name):
                delta = after[name] - before[name]
                self.assertLessEqual(abs(delta - oracle[name]), 0.01 * oracle[name],
                                     f"{where} {name}: server side counted {delta}, performance_schema {oracle[name]}")
        srv = [e for e in self.server_rows() if shape_of(e["fingerprint"])]
        self.assertTrue(srv and all(e["comm"] == "mariadbd" for e in srv), {e["comm"] for e in srv})
        self.assertTrue(all(e["remote"] == "127.0.0.1:*" for e in srv), {e["remote"] for e in srv})

    def test_mariadb_client_script(self):
        """One `mariadb` process runs a script of 40 statements with varying literals:
        12 SELECTs, 8 UPDATEs, 20 INSERTs, each shape counted exactly."""
        script = ([f"SELECT v FROM {KV} WHERE id = {i}" for i in range(1, 13)]
                  + [f"update {KV} set v = v + {i} where id = {i}" for i in range(1, 9)]
                  + [f"INSERT INTO {LOG} (id) VALUES ({100 + i})" for i in range(20)])
        want = {"select": 12, "update": 8, "insert": 20}
        self.db.digest_reset()
        pid, rc, _, err, _ = self.db.client_proc(";\n".join(script) + ";")
        self.assertEqual(rc, 0, err)
        oracle = {k: self.db.digest_calls(fp) for k, fp in SHAPES.items()}
        self.assertEqual(oracle, want, self.db.digests())
        got = self.wait_client(pid, {L.canon_mysql(SHAPES[k]): n for k, n in want.items()}, f"mariadb {pid}")
        for name, n in want.items():
            entries = got.get(L.canon_mysql(SHAPES[name]), [])
            with self.subTest(shape=name):
                self.assertEqual(len(entries), 1, entries)
                self.assertEqual((entries[0]["count"], entries[0]["errors"]), (n, 0), entries[0])
                self.assertEqual(entries[0]["comm"], "mariadb", entries[0])
                self.assertEqual(entries[0]["fingerprint"], SHAPES[name], entries[0])

    @unittest.skipUnless(STMT_CLIENT, "HS_MYSQL_STMT_CLIENT (built with libmariadb-dev) is not set")
    def test_prepared_statements_appear_with_their_text(self):
        L.put_config(self.d, capture_literals=True)
        self.addCleanup(L.put_config, self.d, capture_literals=False)
        sql = f"SELECT v FROM {KV} WHERE id = ?"
        before = self.server_counts()["select"]
        executes0 = self.db.statement_events("statement/com/Execute")[0]
        pid, rc, out, err = self.stmt_client(sql, PREPARED_RUNS)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split(), ["done", str(pid), str(PREPARED_RUNS)])
        oracle = L.wait_settled(lambda: self.db.statement_events("statement/com/Execute")[0] - executes0,
                                lambda n: n >= PREPARED_RUNS, WAIT_S, SETTLE_S,
                                "performance_schema statement/com/Execute")
        self.assertEqual(oracle, PREPARED_RUNS, "performance_schema statement/com/Execute")
        got = self.wait_client(pid, {L.canon_mysql(sql): PREPARED_RUNS}, f"prepared statements of pid {pid}")
        rows = [e for v in got.values() for e in v]
        entries = got.get(L.canon_mysql(sql), [])
        self.assertEqual(len(entries), 1, rows)
        e = entries[0]
        self.assertEqual(e["fingerprint"], sql, e)
        self.assertEqual((e["count"], e["errors"]), (PREPARED_RUNS, 0), e)
        self.assertLessEqual(abs(e["count"] - oracle), 0.01 * oracle)
        self.assertEqual(e["sample"], sql, e)  # the statement's text, as prepared
        self.assertEqual(e["comm"], "hs_mysql_stmt_c", e)
        # the prepare is no run, and no execute went unrecognised
        self.assertEqual([r for r in rows if r is not e], [], rows)
        # mariadbd ran it as often
        def server_done(n):
            return n - before >= PREPARED_RUNS
        after = L.wait_settled(lambda: self.server_counts()["select"], server_done, WAIT_S, SETTLE_S,
                               f"server side of the prepared statements of pid {pid}")
        self.assertEqual(after - before, PREPARED_RUNS)

    def test_bad_statement_counted_as_error(self):
        errors0 = self.db.statement_events("statement/sql/error")[1]
        pid, rc, _, err, _ = self.db.client_proc("SELEC 1")
        self.assertNotEqual(rc, 0)
        self.assertIn("1064", err)
        self.assertEqual(self.db.statement_events("statement/sql/error")[1] - errors0, 1,
                         "performance_schema: one statement/sql/error")
        want = L.canon_mysql("SELEC ?")

        def mine(rows):
            return [e for e in rows if L.canon_mysql(e["fingerprint"]) == want]
        try:
            rows = L.wait_settled(lambda: mine(self.client_rows(pid)), lambda rows: rows and rows[0]["errors"] >= 1,
                                  WAIT_S, SETTLE_S, f"mariadb {pid}: error of SELEC 1")
        except AssertionError as e:
            raise AssertionError(self.diagnose(f"{e}; all of mariadb {pid}: {self.client_rows(pid)}")) from None
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual((rows[0]["count"], rows[0]["errors"]), (1, 1), rows[0])
        srv = L.wait_settled(lambda: mine(self.server_rows()), lambda rows: L.sum_field(rows, "errors") >= 1,
                             WAIT_S, SETTLE_S, "server side of SELEC 1")
        self.assertEqual(L.sum_field(srv, "errors"), 1, srv)
        slow = [s for s in L.db_queries(self.d, system="mysql")["slow"] if s["pid"] == pid]
        self.assertEqual(len(slow), 1, slow)
        self.assertIs(slow[0]["error"], True, slow[0])
        self.assertTrue(slow[0]["error_text"].startswith("42000 (1064): You have an error in your SQL syntax"),
                        slow[0])

    @unittest.skipUnless(STMT_CLIENT, "HS_MYSQL_STMT_CLIENT (built with libmariadb-dev) is not set")
    def test_failed_prepare_counted_as_error(self):
        sql = f"SELEC ? FROM {KV}"
        pid, rc, _, err = self.stmt_client(sql, 1)
        self.assertEqual(rc, 3, err)
        got = self.wait_client(pid, {L.canon_mysql(sql): 1}, f"failed prepare of pid {pid}")
        e = got[L.canon_mysql(sql)][0]
        self.assertEqual((e["count"], e["errors"]), (1, 1), e)

    def test_queries_endpoint_lists_both_sides(self):
        r = self.db.slap(QUERIES[:1], 2, 5)
        self.assertEqual(r["rc"], 0, r["stderr"])
        self.wait_client(r["pid"], {L.canon_mysql(SHAPES["select"]): 10}, "mysqlslap select")
        qs = [q for q in L.db_queries(self.d, system="mysql", limit=100)["queries"]
              if q["fingerprint"] == SHAPES["select"]]
        self.assertEqual(len(qs), 1, qs)
        mine = [p for p in qs[0]["processes"] if p["pid"] == r["pid"]]
        self.assertEqual(len(mine), 1, qs[0]["processes"])
        self.assertEqual((mine[0]["side"], mine[0]["comm"], mine[0]["count"]), ("client", "mysqlslap", 10))
        self.assertTrue(any(p["side"] == "server" and p["comm"] == "mariadbd" for p in qs[0]["processes"]), qs[0])
        self.assertEqual(qs[0]["system"], "mysql")


def by_canon(rows):
    out = {}
    for r in rows:
        out.setdefault(L.canon_mysql(r.get("fingerprint", "")), []).append(r)
    return out


if __name__ == "__main__":
    unittest.main()
