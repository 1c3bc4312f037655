"""hostscoped end to end: TLS plaintext through the libssl uprobes.

- PostgreSQL with ssl = on (l7lab.Postgres(ssl=True)): pgbench and psql with
  sslmode=require. Client side (pgbench/psql) and server side (the backends) must
  count each statement exactly once, marked tls, with its text.
- HTTPS (tests/e2e/l7_peer.py serving through Python's ssl module): the server and
  one client were running before the daemon started; curl starts after it. Every
  request is counted on both sides, exactly.
Oracles: the known numbers of statements and requests.
"""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import l7lab as L  # noqa: E402

INTERVAL_MS = 200
SETTLE_S = 3 * INTERVAL_MS / 1000.0 + 0.3
WAIT_S = 30
CLIENTS, TRANSACTIONS = 2, 100
EXPECTED = CLIENTS * TRANSACTIONS
TAG = L.run_tag()
KV = f"hs_kv{TAG}"
SCRIPT = f"""\\set id random(1, 1000)
SELECT v FROM {KV} WHERE id = :id;
UPDATE {KV} SET v = v + 1 WHERE id = :id;
"""
SHAPES = {"select": f"SELECT v FROM {KV} WHERE id = ?", "update": f"UPDATE {KV} SET v = v + ? WHERE id = ?"}
K = 12
# A client started before the daemon: imports ssl at once, waits for a line on stdin,
# then sends its requests over one TLS connection and prints the statuses.
EARLY_CLIENT = r"""
import http.client, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
print("ready", flush=True)
port, n = sys.stdin.readline().split()
c = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=30)
codes = []
for i in range(int(n)):
    c.request("GET", f"/items/{i + 1}"); r = c.getresponse(); r.read(); codes.append(r.status)
print("done", " ".join(map(str, codes)), flush=True)
sys.stdin.readline()
"""


def setUpModule():
    L.sweep_stale()


class TlsCaptureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.procs = []
        cls.pg = L.Postgres(ssl=True, tag=TAG).start()
        try:
            cls.https = cls.start_https((cls.pg.cert, cls.pg.key))
            cls.early = subprocess.Popen([L.PYTHON, "-c", EARLY_CLIENT], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)
            cls.procs.append(cls.early)
            assert cls.early.stdout.readline().strip() == "ready"
            cls.d = L.start_daemon("l7tls", INTERVAL_MS)
        except BaseException:
            cls.stop_children()
            raise

    @classmethod
    def start_https(cls, cert):
        p = subprocess.Popen([L.PYTHON, "-u", L.L7_PEER, "server", "--host", "127.0.0.1", "--port", "0",
                              "--lifetime", "600", "--tls-cert", cert[0], "--tls-key", cert[1]],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        cls.procs.append(p)
        words = p.stdout.readline().split()
        assert len(words) == 3 and words[0] == "ready", words
        return {"pid": int(words[1]), "port": int(words[2])}

    @classmethod
    def stop_children(cls):
        for p in cls.procs:
            if p.poll() is None:
                p.stdin.close()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        cls.pg.stop()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.d.cleanup()
        finally:
            cls.stop_children()

    def setUp(self):
        st = L.probe_status(self.d, "tls")
        if not st or st.get("state") != "attached":
            self.fail(f"tls probe not attached: {st}")

    def wait_counts(self, fetch, want, what):
        def done(got):
            return all(got.get(k, 0) >= n for k, n in want.items())
        try:
            return L.wait_settled(fetch, done, WAIT_S, SETTLE_S, what)
        except AssertionError as e:
            raise AssertionError(f"{e}; tls probe: {L.probe_status(self.d, 'tls')}; "
                                 f"daemon log: {self.d.logs()[-1500:]}") from None

    def test_pgbench_sslmode_require_counted_once_per_side(self):
        r = self.pg.pgbench(SCRIPT, CLIENTS, TRANSACTIONS, tcp=True, sslmode="require")
        self.assertEqual(r["rc"], 0, r["stderr"])
        canon = {L.canon_sql(fp): k for k, fp in SHAPES.items()}

        def client():
            rows = L.db_metrics(self.d, pid=r["pid"], side="client")
            return {canon[L.canon_sql(e["fingerprint"])]: e for e in rows if L.canon_sql(e["fingerprint"]) in canon}
        got = self.wait_counts(lambda: {k: e["count"] for k, e in client().items()},
                               {k: EXPECTED for k in SHAPES}, "pgbench over TLS, client side")
        self.assertEqual(got, {k: EXPECTED for k in SHAPES})
        for k, e in client().items():
            self.assertIs(e["tls"], True, e)
            self.assertEqual(e["remote"], f"127.0.0.1:{self.pg.port}", e)
            self.assertEqual(e["errors"], 0, e)

        def server():
            out = {}
            for e in L.db_metrics(self.d, system="postgresql", side="server"):
                k = canon.get(L.canon_sql(e["fingerprint"]))
                if k:
                    out[k] = out.get(k, 0) + e["count"]
                    self.assertIs(e["tls"], True, e)
            return out
        self.assertEqual(self.wait_counts(server, {k: EXPECTED for k in SHAPES}, "pgbench over TLS, server side"),
                         {k: EXPECTED for k in SHAPES})

    def test_psql_sslmode_require_text_captured(self):
        sql = "SELECT n FROM generate_series(1, 3) n WHERE n > 1"
        p = subprocess.run([L.PSQL, f"host=127.0.0.1 port={self.pg.port} user={L.PG_ROLE} dbname={L.PG_DB} "
                                    "sslmode=require", "-X", "-A", "-t", "-c", sql, "-c", "SHOW ssl"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split(), ["2", "3", "on"])
        fp = "SELECT n FROM generate_series(?, ?) n WHERE n > ?"

        def rows():
            return [e for e in L.db_metrics(self.d, comm="psql", side="client")
                    if L.canon_sql(e["fingerprint"]) == L.canon_sql(fp)]
        got = self.wait_counts(lambda: {"q": L.sum_field(rows())}, {"q": 1}, "psql over TLS")
        self.assertEqual(got, {"q": 1})
        e = rows()[0]
        self.assertIs(e["tls"], True, e)
        self.assertEqual(e["sample"], fp, e)

    def test_https_server_and_clients_before_and_after_the_daemon(self):
        port = self.https["port"]
        urls = [f"https://127.0.0.1:{port}/items/{i}" for i in range(1, K + 1)]
        args = [a for u in urls for a in ("-o", "/dev/null", u)]  # one -o per URL
        curl = subprocess.run(["curl", "--http1.1", "-k", "-s", "-w", "%{http_code}\n", *args],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(curl.stdout.split(), ["200"] * K, curl.stderr)
        self.early.stdin.write(f"{port} {K}\n")
        self.early.stdin.flush()
        self.assertEqual(self.early.stdout.readline().split(), ["done"] + ["200"] * K)

        def count(**params):
            return L.sum_field([e for e in L.http_metrics(self.d, **params) if e["route"] == "/items/:id"])
        got = self.wait_counts(
            lambda: {"server": count(pid=self.https["pid"], side="server"), "curl": count(comm="curl", side="client"),
                     "early": count(pid=self.early.pid, side="client")},
            {"server": 2 * K, "curl": K, "early": K}, "HTTPS requests")
        self.assertEqual(got, {"server": 2 * K, "curl": K, "early": K})


if __name__ == "__main__":
    unittest.main()
