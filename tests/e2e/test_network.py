"""hostscoped end to end: TCP capture (connects, RTT, round trips, retransmits, resets)
read back through monitoring/metrics?type=network and network/connections.

Peers are tests/e2e/net_peer.py processes (known pids, exact traffic); oracles are the
peers' own measurements, `ss -ti` and TCP_INFO (the same kernel fields the daemon
reads) and the nftables drop counters. Traffic stays on loopback and on veth pairs to
network namespaces created (and deleted) here.
"""
import os
import statistics
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import netlab as nl  # noqa: E402
from hsdaemon import Daemon, free_port, wait_until  # noqa: E402

INTERVAL_MS = 200          # daemon sampling period for this suite (default 1000)
SETTLE_S = 3 * INTERVAL_MS / 1000.0 + 0.3
WAIT_S = 20
N_CONNECTS = 20
M_REFUSED = 7
DELAY_MS = 50
ROUNDS = 20
SRTT_ROUNDS = 80
REQ = 32                   # bytes per request and per reply (a line echoed back)

ENTRY_FIELDS = (
    "pid", "comm", "remote", "direction", "local_port", "family", "connects", "connect_failures",
    "connect_p50_ns", "connect_p95_ns", "connect_p99_ns", "srtt_p50_ns", "srtt_p99_ns", "srtt_avg_ns",
    "rttvar_avg_ns", "retransmits", "resets", "resets_sent", "resets_received", "round_trips",
    "rtt_p50_ns", "rtt_p95_ns", "rtt_p99_ns", "rtt_max_ns", "bytes_sent", "bytes_received", "exited")
CONN_FIELDS = ("pid", "comm", "local", "remote", "state", "direction", "srtt_us", "rttvar_us",
               "retransmits", "bytes_acked", "bytes_received", "cwnd")


def ep(ip, port):
    """The API's endpoint spelling: "1.2.3.4:80", "[::1]:80", "[::1]:*"."""
    return f"[{ip}]:{port}" if ":" in str(ip) else f"{ip}:{port}"


def start_daemon():
    state = tempfile.mkdtemp(prefix="hs-e2e-net-")
    conf = os.path.join(state, "hostscope.toml")
    with open(conf, "w") as f:
        f.write(f"[monitoring]\ninterval_ms = {INTERVAL_MS}\n")
    d = Daemon(state_dir=state, extra_args=["--config", conf])
    d.own_state = True
    return d.start()


# ---- API access -------------------------------------------------------------------

def network_metrics(d, **params):
    q = urllib.parse.urlencode(params)
    status, body = d.get("/monitoring/metrics?type=network" + (f"&{q}" if q else ""))
    assert status == 200, (status, body)
    assert body.get("available", True) is not False, \
        f"network capture not attached: {body} (daemon log tail: {d.logs()[-1500:]})"
    assert body["type"] == "network", body
    return body["metrics"]


def entry(d, pid, remote, direction):
    """The one entry of (pid, remote, direction); checks the filters were applied."""
    rows = network_metrics(d, pid=pid, remote=remote, direction=direction)
    for r in rows:
        assert r["pid"] == pid and r["remote"] == remote and r["direction"] == direction, \
            f"filter pid={pid} remote={remote} direction={direction} answered {r}"
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def settled_entry(d, pid, remote, direction, done, what):
    """Waits until done(entry) holds, then one more sampling period, and re-reads:
    exact counts must not move after that."""
    seen = []

    def ready():
        e = entry(d, pid, remote, direction)
        seen[:] = [e]
        return e is not None and done(e)
    try:
        wait_until(ready, timeout=WAIT_S, step=0.1, what=what)
    except AssertionError as err:
        probes = {p["name"]: p.get("drops") for p in d.get("/monitoring/status")[1].get("probes", [])}
        raise AssertionError(f"{err}; last entry of pid {pid} {direction} {remote}: {seen[0] if seen else None}; "
                             f"all of pid {pid}: {network_metrics(d, pid=pid)}; probe drops: {probes}") from None
    time.sleep(SETTLE_S)
    return entry(d, pid, remote, direction)


def connections(d, **params):
    q = urllib.parse.urlencode(params)
    status, body = d.get("/network/connections" + (f"?{q}" if q else ""))
    assert status == 200, (status, body)
    assert "connections" in body and "total" in body, body
    return body


def find_conn(d, pid, local, remote):
    for c in connections(d, pid=pid)["connections"]:
        if c["local"] == local and c["remote"] == remote:
            return c
    return None


def rtt_window(client_median_ns):
    """Where rtt_p50 may be reported: the true median lies in [delay, client's median]
    (the server sleeps DELAY_MS between read and write; the client's user-space timing of
    a round contains both sides' kernel-measured intervals). The daemon reports a
    percentile as the midpoint of the slot holding it (a lower bound would do as well):
    for 50 ms, 46137344 when the median falls in [41.9, 50.3) ms, 54525952 in [50.3, 58.7)."""
    return nl.reported_range(DELAY_MS * 1_000_000, max(client_median_ns, DELAY_MS * 1_000_000))


def setUpModule():
    nl.sweep_stale()


# ---- lab self-checks: no daemon involved, they validate the oracles -----------------

class NetLabTest(unittest.TestCase):
    """The lab itself: namespaces, veth, nft drops, ss parsing, the peers' numbers."""

    def test_histogram_slots_match_wire_h(self):
        self.assertEqual(nl.slot_of(3), 3)
        self.assertEqual(nl.slot_lower(nl.slot_of(50_000_000)), 41_943_040)
        self.assertEqual(nl.slot_upper(nl.slot_of(50_000_000)), 50_331_648)
        for v in (4, 5, 7, 8, 1000, 12345, 50_000_000, 2**35 - 1):
            s = nl.slot_of(v)
            self.assertLessEqual(nl.slot_lower(s), v)
            self.assertLess(v, nl.slot_upper(s))
            self.assertLessEqual(nl.slot_upper(s) - nl.slot_lower(s), nl.slot_lower(s) // 4 + 1)

    def test_netns_delay_server_ss_and_nft_drop(self):
        ns = nl.NetNS().create()
        self.addCleanup(ns.destroy)
        srv = nl.Server(host=ns.ns_ip, delay_ms=DELAY_MS, netns=ns.name)
        self.addCleanup(srv.stop)
        cli = nl.Client()
        self.addCleanup(cli.stop)
        self.assertNotEqual(srv.pid, cli.pid)
        local = cli.connect("a", ns.ns_ip, srv.port)
        med, _ = cli.rounds("a", 5, REQ)
        self.assertGreaterEqual(med, DELAY_MS * 1e6)
        # ss sees the socket with its owner, and the same srtt as TCP_INFO.
        s = nl.ss_find(local, (ns.ns_ip, srv.port))
        self.assertIsNotNone(s)
        self.assertEqual(s["state"], "ESTAB")
        self.assertIn(cli.pid, [u[1] for u in s["users"]])
        self.assertEqual(s["info"]["srtt_us"], cli.info("a")["srtt_us"])
        srv_side = nl.ss_find((ns.ns_ip, srv.port), local, netns=ns.name)
        self.assertIn(srv.pid, [u[1] for u in srv_side["users"]])
        # Dropping what reaches the server port makes the client retransmit.
        with nl.NftDrop(srv.port, netns=ns.name) as drop:
            cli.send(f"rounds a 1 {REQ}")
            time.sleep(1.0)
            dropped = drop.dropped()
        cli.expect("done", timeout=30)
        self.assertGreater(dropped, 0)
        info = cli.info("a")
        self.assertGreater(info["total_retrans"], 0)
        self.assertEqual(nl.ss_find(local, (ns.ns_ip, srv.port))["info"]["retrans_total"],
                         info["total_retrans"])
        self.assertEqual(nl.leftover_nft_tables(ns.name), [])

    def test_namespaces_are_removed(self):
        ns = nl.NetNS().create()
        self.assertIn(ns.name, nl.leftover_namespaces())
        ns.destroy()
        self.assertNotIn(ns.name, nl.leftover_namespaces())
        self.assertNotEqual(nl.run(["ip", "link", "show", ns.host_if], check=False).returncode, 0)


# ---- capture tests: one daemon for the class -----------------------------------------

class NetworkCaptureTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.d = start_daemon()

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def server(self, **kw):
        s = nl.Server(**kw)
        self.addCleanup(s.stop)
        return s

    def client(self, **kw):
        c = nl.Client(**kw)
        self.addCleanup(c.stop)
        return c

    def one_shot(self, args, netns=None):
        p, words = nl.one_shot_client(args, netns=netns)
        self.addCleanup(p.stop)
        return p, words

    def netns(self):
        ns = nl.NetNS().create()
        self.addCleanup(ns.destroy)
        return ns

    def test_network_layer_is_available(self):
        status, body = self.d.get("/monitoring/metrics?type=network")
        self.assertEqual(status, 200)
        self.assertNotEqual(body.get("available"), False, "network capture not attached")
        status, st = self.d.get("/monitoring/status")
        names = {p["name"]: p for p in st["probes"]}
        self.assertIn("network", names, st)
        self.assertEqual(names["network"]["state"], "attached", st)

    def _connect_counts(self, host):
        srv = self.server(host=host)
        cli, words = self.one_shot(["--connect", ep(host, srv.port), "--connects", N_CONNECTS])
        self.assertEqual(words[1:], [str(N_CONNECTS), "0"])  # the peer's own count: all succeeded
        remote = ep(host, srv.port)
        e = settled_entry(self.d, cli.pid, remote, "outbound",
                          lambda e: e["connects"] >= N_CONNECTS, f"{N_CONNECTS} connects to {remote}")
        for f in ENTRY_FIELDS:
            self.assertIn(f, e)
        self.assertEqual(e["connects"], N_CONNECTS)
        self.assertEqual(e["connect_failures"], 0)
        self.assertEqual(e["comm"], "python3")
        self.assertFalse(e["exited"])
        # A loopback handshake takes microseconds, not seconds.
        self.assertGreater(e["connect_p50_ns"], 0)
        self.assertLess(e["connect_p99_ns"], 1_000_000_000)
        self.assertLessEqual(e["connect_p50_ns"], e["connect_p99_ns"])
        # Each connection carried one request and its reply.
        self.assertEqual(e["bytes_sent"], N_CONNECTS * REQ)
        self.assertEqual(e["bytes_received"], N_CONNECTS * REQ)
        # Server side: accepted connections, keyed by the peer address and our port.
        s = settled_entry(self.d, srv.pid, ep(host, "*"), "inbound",
                          lambda e: e["connects"] >= N_CONNECTS, f"{N_CONNECTS} accepts on {srv.port}")
        self.assertEqual(s["connects"], N_CONNECTS)
        self.assertEqual(s["local_port"], srv.port)
        self.assertEqual(s["connect_failures"], 0)
        self.assertEqual(s["round_trips"], N_CONNECTS)
        # Nothing in the other direction for either process.
        self.assertIsNone(entry(self.d, cli.pid, ep(host, "*"), "inbound"))
        self.assertEqual([r for r in network_metrics(self.d, pid=srv.pid) if r["direction"] == "outbound"], [])
        return e, s

    def test_connect_counts_ipv4(self):
        e, s = self._connect_counts("127.0.0.1")
        self.assertEqual((e["family"], s["family"]), ("ipv4", "ipv4"))

    def test_connect_counts_ipv6(self):
        e, s = self._connect_counts("::1")
        self.assertTrue(e["remote"].startswith("[::1]:"), e["remote"])
        self.assertEqual((e["family"], s["family"]), ("ipv6", "ipv6"))

    def test_refused_connects_are_failures(self):
        port = free_port()  # bound and closed again: nothing listens there
        cli, words = self.one_shot(["--connect", ep("127.0.0.1", port), "--connects", M_REFUSED])
        self.assertEqual(words[1:], ["0", str(M_REFUSED)])
        e = settled_entry(self.d, cli.pid, ep("127.0.0.1", port), "outbound",
                          lambda e: e["connect_failures"] >= M_REFUSED, f"{M_REFUSED} refused connects")
        self.assertEqual(e["connect_failures"], M_REFUSED)
        self.assertEqual(e["connects"], 0)
        self.assertEqual(e["round_trips"], 0)

    def _round_trips(self, srv_host, netns=None):
        srv = self.server(host=srv_host, delay_ms=DELAY_MS, netns=netns)
        cli = self.client()
        local = cli.connect("a", srv_host, srv.port)
        med, _ = cli.rounds("a", ROUNDS, REQ)
        lo, hi = rtt_window(med)
        remote = ep(srv_host, srv.port)
        e = settled_entry(self.d, cli.pid, remote, "outbound",
                          lambda e: e["round_trips"] >= ROUNDS, f"{ROUNDS} round trips to {remote}")
        self.assertEqual(e["round_trips"], ROUNDS)
        self.assertEqual(e["connects"], 1)
        self.assertTrue(lo <= e["rtt_p50_ns"] < hi,
                        f"client rtt_p50_ns {e['rtt_p50_ns']} not in [{lo}, {hi}) (client median {med} ns)")
        self.assertGreaterEqual(e["rtt_max_ns"], DELAY_MS * 1_000_000)
        self.assertLessEqual(e["rtt_p50_ns"], e["rtt_p95_ns"])
        self.assertLessEqual(e["rtt_p95_ns"], e["rtt_p99_ns"])
        self.assertEqual(e["bytes_sent"], ROUNDS * REQ)
        self.assertEqual(e["bytes_received"], ROUNDS * REQ)
        s = settled_entry(self.d, srv.pid, ep(local[0], "*"), "inbound",
                          lambda e: e["round_trips"] >= ROUNDS, f"{ROUNDS} round trips served")
        self.assertEqual(s["round_trips"], ROUNDS)
        self.assertEqual(s["connects"], 1)
        self.assertEqual(s["local_port"], srv.port)
        self.assertTrue(lo <= s["rtt_p50_ns"] < hi,
                        f"server rtt_p50_ns {s['rtt_p50_ns']} not in [{lo}, {hi}) (client median {med} ns)")
        self.assertEqual(s["bytes_received"], ROUNDS * REQ)
        self.assertEqual(s["bytes_sent"], ROUNDS * REQ)

    def test_round_trips_loopback(self):
        self._round_trips("127.0.0.1")

    def test_round_trips_through_veth(self):
        ns = self.netns()
        self._round_trips(ns.ns_ip, netns=ns.name)

    def test_round_trips_through_veth_ipv6(self):
        ns = self.netns()
        self._round_trips(ns.ns_ip6, netns=ns.name)

    def test_srtt_matches_ss(self):
        ns = self.netns()
        srv = self.server(host=ns.ns_ip, netns=ns.name)
        cli = self.client()
        local = cli.connect("a", ns.ns_ip, srv.port)
        # The probe takes at most one srtt sample per socket every 10 ms: rounds 15 ms
        # apart make every round one sample. The smoothed RTT converges within the first
        # few rounds, so the median of all samples is the converged value.
        _, samples = cli.rounds("a", SRTT_ROUNDS, REQ, pause_ms=15)
        time.sleep(0.5)  # idle from here on: no segment, so srtt no longer changes
        remote = ep(ns.ns_ip, srv.port)
        ss_before = nl.ss_find(local, (ns.ns_ip, srv.port))
        c = wait_until(lambda: find_conn(self.d, cli.pid, ep(*local), remote), timeout=WAIT_S,
                       what=f"connection {ep(*local)} -> {remote}")
        ss_after = nl.ss_find(local, (ns.ns_ip, srv.port))
        self.assertEqual(ss_before["info"]["srtt_us"], ss_after["info"]["srtt_us"], "socket was not idle")
        for f in CONN_FIELDS:
            self.assertIn(f, c)
        info = ss_after["info"]
        self.assertEqual(c["pid"], cli.pid)
        self.assertEqual(c["state"], "ESTABLISHED")
        self.assertEqual(c["direction"], "outbound")
        # The same kernel fields as ss (tcpi_rtt = srtt_us >> 3, tcpi_rttvar = mdev_us >> 2);
        # ss prints milliseconds with three decimals, hence +-1 us.
        self.assertLessEqual(abs(c["srtt_us"] - info["srtt_us"]), 1, f"api {c} ss {info['raw']}")
        self.assertLessEqual(abs(c["rttvar_us"] - info["rttvar_us"]), 1, f"api {c} ss {info['raw']}")
        self.assertEqual(c["bytes_acked"], info["bytes_acked"])
        self.assertEqual(c["bytes_received"], info["bytes_received"])
        self.assertEqual(c["cwnd"], info["cwnd"])
        self.assertEqual(c["retransmits"], info["retrans_total"])
        # The aggregate: tcp_probe samples srtt on each segment the client receives, one
        # reply per round here. Its oracle is TCP_INFO's srtt read by the client after each
        # round (the same kernel value, one segment later). The loopback/veth RTT is a few
        # microseconds and jitters with scheduling, so allow one slot either side.
        e = settled_entry(self.d, cli.pid, remote, "outbound",
                          lambda e: e["round_trips"] >= SRTT_ROUNDS, f"{SRTT_ROUNDS} round trips")
        med_ns = statistics.median(samples) * 1000
        lo, hi = nl.reported_range(med_ns, med_ns, slack_slots=1)
        self.assertTrue(lo <= e["srtt_p50_ns"] < hi,
                        f"srtt_p50_ns {e['srtt_p50_ns']} not in [{lo}, {hi}); client samples "
                        f"median {med_ns} ns, ss now {info['srtt_us']} us")
        self.assertLessEqual(e["srtt_p50_ns"], e["srtt_p99_ns"])
        self.assertTrue(min(samples) * 1000 * 0.75 <= e["srtt_avg_ns"] <= max(samples) * 1000 * 1.25,
                        f"srtt_avg_ns {e['srtt_avg_ns']} outside the samples' range "
                        f"[{min(samples)}, {max(samples)}] us")

    def test_retransmits_under_drop(self):
        ns = self.netns()
        srv = self.server(host=ns.ns_ip, netns=ns.name)
        other = self.server(host="127.0.0.1")
        cli = self.client()
        local = cli.connect("a", ns.ns_ip, srv.port)
        cli.connect("b", "127.0.0.1", other.port)
        cli.rounds("a", 5, REQ)
        cli.rounds("b", 5, REQ)
        time.sleep(0.5)  # every ACK delivered: nothing of the server's is outstanding
        with nl.NftDrop(srv.port, netns=ns.name) as drop:
            cli.send(f"rounds a 3 {REQ}")
            time.sleep(1.5)
            dropped = drop.dropped()
        cli.expect("done", timeout=30)  # the retransmission after the rule went away got through
        cli.rounds("b", 5, REQ)
        time.sleep(0.5)
        ss_cli = nl.ss_find(local, (ns.ns_ip, srv.port))
        ss_srv = nl.ss_find((ns.ns_ip, srv.port), local, netns=ns.name)
        total = ss_cli["info"]["retrans_total"]
        self.assertGreater(total, 0, "the lab did not cause retransmits")
        remote = ep(ns.ns_ip, srv.port)
        e = settled_entry(self.d, cli.pid, remote, "outbound",
                          lambda e: e["retransmits"] >= total,
                          f"{total} retransmits from {ep(*local)} to {remote} (ss: {ss_cli['info']['raw']}, "
                          f"nft dropped {dropped})")
        # One request outstanding at a time, 32 bytes: every retransmission is one segment,
        # so the tracepoint count equals the kernel's total_retrans; each but the last one
        # was dropped by the rule.
        self.assertEqual(e["retransmits"], total, f"ss: {ss_cli['info']['raw']}, nft dropped {dropped}")
        self.assertLessEqual(e["retransmits"], dropped)
        c = find_conn(self.d, cli.pid, ep(*local), remote)
        self.assertIsNotNone(c)
        self.assertEqual(c["retransmits"], total)
        others = [r for r in network_metrics(self.d, pid=cli.pid) if r["remote"] != remote]
        self.assertTrue(others, "the loopback connection's entry is missing")
        for r in others:
            self.assertEqual(r["retransmits"], 0, r)
        s = settled_entry(self.d, srv.pid, ep(local[0], "*"), "inbound",
                          lambda e: e["round_trips"] >= 8, "server entry")
        self.assertEqual(s["retransmits"], ss_srv["info"]["retrans_total"])

    def test_resets_sent_and_received(self):
        srv = self.server(reset=True)
        cli = self.client()
        cli.connect("a", "127.0.0.1", srv.port)
        words = cli.ask(f"rounds a 1 {REQ}", "error")
        self.assertEqual(words[2], "ConnectionResetError")
        remote = ep("127.0.0.1", srv.port)
        e = settled_entry(self.d, cli.pid, remote, "outbound",
                          lambda e: e["resets_received"] >= 1, "reset received")
        s = settled_entry(self.d, srv.pid, ep("127.0.0.1", "*"), "inbound",
                          lambda e: e["resets_sent"] >= 1, "reset sent")
        self.assertEqual((e["resets_received"], e["resets_sent"]), (1, 0))
        self.assertEqual((s["resets_sent"], s["resets_received"]), (1, 0))
        self.assertEqual(e["resets"], 1)
        self.assertEqual(s["resets"], 1)
        self.assertEqual(e["connects"], 1)
        self.assertEqual(s["connects"], 1)

    def test_connections_filters_and_paging(self):
        srv = self.server()
        cli = self.client()
        locals_ = set()
        for i in range(3):
            locals_.add(ep(*cli.connect(str(i), "127.0.0.1", srv.port)))
            cli.rounds(str(i), 1, REQ)  # the server has used each accepted socket
        body = wait_until(lambda: (lambda b: b if b["total"] >= 3 else None)(connections(self.d, pid=cli.pid)),
                          timeout=WAIT_S, what="3 client connections")
        self.assertEqual(body["total"], 3)
        self.assertEqual({c["local"] for c in body["connections"]}, locals_)
        for c in body["connections"]:
            self.assertEqual(c["remote"], ep("127.0.0.1", srv.port))
            self.assertEqual(c["comm"], "python3")
            self.assertEqual(c["pid"], cli.pid)
        page = connections(self.d, pid=cli.pid, limit=1, offset=1)
        self.assertEqual(page["total"], 3)
        self.assertEqual(len(page["connections"]), 1)
        pages = [connections(self.d, pid=cli.pid, limit=1, offset=i)["connections"] for i in range(4)]
        self.assertEqual(sorted(p[0]["local"] for p in pages[:3]), sorted(locals_))
        self.assertEqual(pages[3], [])
        self.assertEqual(connections(self.d, pid=cli.pid, state="ESTABLISHED")["total"], 3)
        self.assertEqual(connections(self.d, pid=cli.pid, state="LISTEN")["total"], 0)
        # By port: every socket answered has that port at one end; the server's three
        # accepted sockets are among them, inbound and owned by the server.
        by_port = connections(self.d, port=srv.port)["connections"]
        for c in by_port:
            self.assertIn(str(srv.port), (c["local"].rsplit(":", 1)[1], c["remote"].rsplit(":", 1)[1]), c)
        accepted = [c for c in by_port if c["pid"] == srv.pid and c["state"] == "ESTABLISHED"]
        self.assertEqual(sorted(c["remote"] for c in accepted), sorted(locals_))
        self.assertTrue(all(c["direction"] == "inbound" for c in accepted), accepted)
        listeners = [c for c in by_port if c["state"] == "LISTEN"]
        self.assertEqual([(c["pid"], c["local"]) for c in listeners], [(srv.pid, ep("127.0.0.1", srv.port))])

    def test_accepted_idle_socket_has_its_owner(self):
        """A connection the server accepted but has not read from or written to yet (it
        waits for the client to speak, like an idle pooled connection): ss -p names the
        server as its owner, and so must the list."""
        srv = self.server()
        cli = self.client()
        local = cli.connect("a", "127.0.0.1", srv.port)
        remote = ep("127.0.0.1", srv.port)
        wait_until(lambda: find_conn(self.d, cli.pid, ep(*local), remote), timeout=WAIT_S,
                   what="client socket listed")
        owners = [u[1] for u in nl.ss_find(("127.0.0.1", srv.port), local)["users"]]
        self.assertEqual(owners, [srv.pid], "ss -p")
        time.sleep(SETTLE_S)
        listed = [c for c in connections(self.d, port=srv.port)["connections"]
                  if c["local"] == remote and c["remote"] == ep(*local)]
        self.assertEqual(len(listed), 1, listed)
        self.assertEqual((listed[0]["pid"], listed[0]["comm"], listed[0]["direction"]),
                         (srv.pid, "python3", "inbound"), listed[0])


class PreexistingConnectionTest(unittest.TestCase):
    """A connection opened before the daemon started: listed with both owners at once,
    and its round trips attributed afterwards."""

    def test_connection_opened_before_the_daemon(self):
        srv = nl.Server()
        self.addCleanup(srv.stop)
        cli = nl.Client()
        self.addCleanup(cli.stop)
        local = cli.connect("a", "127.0.0.1", srv.port)
        cli.rounds("a", 1, REQ)   # the server has read and written: fully set up, then idle
        d = start_daemon()
        self.addCleanup(d.cleanup)
        remote = ep("127.0.0.1", srv.port)
        c = wait_until(lambda: find_conn(d, cli.pid, ep(*local), remote), timeout=WAIT_S,
                       what="pre-existing client socket")
        self.assertEqual(c["state"], "ESTABLISHED")
        self.assertEqual(c["direction"], "outbound")
        sc = wait_until(lambda: find_conn(d, srv.pid, remote, ep(*local)), timeout=WAIT_S,
                        what="pre-existing server socket")
        self.assertEqual(sc["direction"], "inbound")
        ss = nl.ss_find(local, ("127.0.0.1", srv.port))
        self.assertEqual(c["bytes_acked"], ss["info"]["bytes_acked"])
        cli.rounds("a", 5, REQ)
        e = settled_entry(d, cli.pid, remote, "outbound", lambda e: e["round_trips"] >= 5,
                          "5 round trips on the pre-existing connection")
        self.assertEqual(e["round_trips"], 5)
        self.assertEqual(e["pid"], cli.pid)
        self.assertEqual(e["bytes_sent"], 5 * REQ)
        with self.subTest("server side"):
            s = settled_entry(d, srv.pid, ep("127.0.0.1", "*"), "inbound",
                              lambda e: e["round_trips"] >= 5, "5 round trips served")
            self.assertEqual(s["round_trips"], 5)
            self.assertEqual(s["local_port"], srv.port)


if __name__ == "__main__":
    unittest.main()
