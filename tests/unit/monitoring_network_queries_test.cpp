#include <algorithm>
// The engine's network answers: top-N remote capping with "other", memory
// bounding, filters and order, host totals, Prometheus aggregates, sockets.
#include <gtest/gtest.h>

#include <string>

#include "fake_inspector.h"
#include "monitoring/monitoring_engine.h"
#include "net_test_readings.h"

namespace hs::monitoring {
namespace {

using test::add_bytes;
using test::add_connects;
using test::add_round_trips;
using test::connection;
using test::FakeInspector;
using test::net_reading;

class NetworkQueriesTest : public ::testing::Test {
 protected:
  FakeClock clock;
  FakeInspector inspector;
  EngineSettings settings{.exited_retention_s = 60, .max_exited_processes = 100};

  // Remote 10.0.0.i:80 with i*100 bytes and i round trips of 1 ms.
  static NetReading remote(std::uint32_t tgid, int i) {
    std::string ip = "10.0.0." + std::to_string(i);
    auto r = net_reading(tgid, HS_NET_ROLE_CLIENT, ip.c_str(), 80);
    add_bytes(r, static_cast<std::uint64_t>(i) * 60, static_cast<std::uint64_t>(i) * 40);
    add_round_trips(r, static_cast<std::uint32_t>(i), 1'000'000);
    return r;
  }
};

TEST_F(NetworkQueriesTest, RemotesBeyondTheCapAreMergedIntoOther) {
  inspector.add(1, "fanout");
  settings.max_remotes_per_process = 3;
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<NetReading> v;
  for (int i = 1; i <= 8; ++i) v.push_back(remote(1, i));  // N + 5 remotes
  v[0].key.role = HS_NET_ROLE_SERVER;                     // the quietest is inbound
  eng.ingest_network(v);
  auto e = eng.network_entries({});
  ASSERT_EQ(e.size(), 4u);
  // Sorted by bytes: the merged tail (1500) outweighs every single remote.
  const auto& other = e[0];
  EXPECT_EQ(other.remote, "other");
  EXPECT_EQ(e[1].remote, "10.0.0.8:80");
  EXPECT_EQ(e[2].remote, "10.0.0.7:80");
  EXPECT_EQ(e[3].remote, "10.0.0.6:80");
  EXPECT_EQ(other.direction, "mixed");
  EXPECT_EQ(other.family, "ipv4");
  EXPECT_EQ(other.round_trips, 1u + 2 + 3 + 4 + 5);
  EXPECT_EQ(other.bytes_sent + other.bytes_received, 100u * (1 + 2 + 3 + 4 + 5));
  auto agg = eng.network_by_comm(100);
  ASSERT_EQ(agg.size(), 4u);
  EXPECT_EQ(agg[0].remote, "other");
  EXPECT_EQ(agg[0].direction, "mixed");
  EXPECT_EQ(agg[0].totals.rtt.count(), 15u);  // merged histogram
  EXPECT_EQ(agg[0].totals.rtt.slots()[hs_hist_slot(1'000'000)], 15u);
  // Filters apply after capping, so "other" is addressable.
  EXPECT_EQ(eng.network_entries({.remote = std::string("other")}).size(), 1u);
}

TEST_F(NetworkQueriesTest, QuietRemotesAreFoldedAndTheirKernelEntriesForgotten) {
  inspector.add(2, "crawler");
  settings.max_remotes_per_process = 1;  // holds at most 4 remotes individually
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<NetReading> v;
  for (int i = 1; i <= 10; ++i) v.push_back(remote(2, i));
  auto forget = eng.ingest_network(v);
  // The six quietest (1..6) are folded into "other" and their kernel entries deleted.
  ASSERT_EQ(forget.size(), 6u);
  for (const auto& k : forget) {
    EXPECT_EQ(k.tgid, 2u);
    EXPECT_LE(k.addr[3], 6);
  }
  // The kernel recreates a deleted entry from zero when that remote is used again.
  NetReading again = remote(2, 1);
  again.val = hs_net_val{};
  add_round_trips(again, 1000, 1'000'000);
  again.val.bytes_sent = 1'000'000;  // traffic ranks by bytes first
  std::vector<NetReading> next(v.begin() + 6, v.end());
  next.push_back(again);
  // Five remotes held again: the quietest now (7) is folded and forgotten in turn.
  forget = eng.ingest_network(next);
  ASSERT_EQ(forget.size(), 1u);
  EXPECT_EQ(forget[0].addr[3], 7);
  auto e = eng.network_entries({});
  ASSERT_EQ(e.size(), 2u);
  auto by_remote = [&](const std::string& r) {
    auto it = std::find_if(e.begin(), e.end(), [&](const auto& x) { return x.remote == r; });
    return it == e.end() ? std::uint64_t{0} : it->round_trips;
  };
  EXPECT_EQ(by_remote("10.0.0.1:80"), 1000u);  // back, with only its new traffic
  EXPECT_EQ(by_remote("other"), 55u);          // 1..6 and 7 folded, 8..10 capped
  EXPECT_EQ(eng.network_totals().round_trips, 55u + 1000u);
}

TEST_F(NetworkQueriesTest, ProcessNetworkHoldsAtMostTheBoundAndFoldsTheQuietest) {
  ProcessNetwork net;
  NetTotals interval;
  for (int i = 1; i <= 10; ++i) net.apply(remote(1, i), interval);
  EXPECT_EQ(net.held(), 10u);
  std::vector<hs_net_key> evicted;
  net.bound(4, 1, evicted);
  EXPECT_EQ(net.held(), 4u);
  EXPECT_EQ(evicted.size(), 6u);
  auto c = net.capped(10);  // more than held: only the folded six are "other"
  ASSERT_EQ(c.top.size(), 4u);
  EXPECT_EQ(c.top.back().first->addr[3], 7);
  ASSERT_TRUE(c.other);
  EXPECT_EQ(c.other->round_trips, 21u);
  std::vector<hs_net_key> keys;
  net.append_keys(1, keys);
  EXPECT_EQ(keys.size(), 4u);  // only the held remotes still have kernel entries
  EXPECT_EQ(interval.round_trips, 55u);
}

TEST_F(NetworkQueriesTest, TiesInTrafficAreBrokenByRoundTripsAndConnects) {
  inspector.add(3, "w");
  settings.max_remotes_per_process = 1;
  MonitoringEngine eng(clock, inspector, settings);
  auto quiet = net_reading(3, HS_NET_ROLE_CLIENT, "10.0.0.1", 80);
  auto busy = net_reading(3, HS_NET_ROLE_CLIENT, "10.0.0.2", 80);
  add_round_trips(quiet, 1, 1000);
  add_round_trips(busy, 1, 1000);
  add_connects(busy, 1, 1000);
  std::vector<NetReading> v{quiet, busy};
  eng.ingest_network(v);
  EXPECT_EQ(eng.network_entries({}).at(0).remote, "10.0.0.2:80");
}

TEST_F(NetworkQueriesTest, FiltersLimitAndOrder) {
  inspector.add(4, "api");
  inspector.add(5, "db");
  MonitoringEngine eng(clock, inspector, settings);
  auto out = net_reading(4, HS_NET_ROLE_CLIENT, "10.0.0.5", 5432);
  add_bytes(out, 500, 500);
  auto in = net_reading(5, HS_NET_ROLE_SERVER, "10.0.0.4", 5432);
  add_bytes(in, 500, 500);
  auto small = net_reading(4, HS_NET_ROLE_CLIENT, "10.0.0.6", 6379);
  add_bytes(small, 1, 0);
  std::vector<NetReading> v{small, in, out};
  eng.ingest_network(v);
  auto all = eng.network_entries({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].pid, 4u);  // equal bytes: lower pid first
  EXPECT_EQ(all[1].pid, 5u);
  EXPECT_EQ(all[2].remote, "10.0.0.6:6379");
  EXPECT_EQ(eng.network_entries({.pid = 5u}).size(), 1u);
  EXPECT_EQ(eng.network_entries({.comm = std::string("api")}).size(), 2u);
  EXPECT_EQ(eng.network_entries({.remote = std::string("10.0.0.4:*")}).at(0).pid, 5u);
  EXPECT_EQ(eng.network_entries({.direction = std::string("inbound")}).size(), 1u);
  EXPECT_EQ(eng.network_entries({.direction = std::string("outbound")}).size(), 2u);
  EXPECT_EQ(eng.network_entries({.limit = 1}).size(), 1u);
  EXPECT_TRUE(eng.network_entries({.remote = std::string("10.0.0.9:1")}).empty());
}

TEST_F(NetworkQueriesTest, TotalsSumEverythingAndCountEstablishedSockets) {
  inspector.add(6, "a");
  inspector.add(7, "b");
  MonitoringEngine eng(clock, inspector, settings);
  auto r1 = net_reading(6, HS_NET_ROLE_CLIENT, "10.0.0.1", 80);
  add_connects(r1, 4, 100'000);
  r1.val.connect_failures = 1;
  r1.val.retransmits = 2;
  add_round_trips(r1, 10, 2'000'000);
  auto r2 = net_reading(7, HS_NET_ROLE_SERVER, "10.0.0.2", 80);
  r2.val.resets_received = 3;
  add_bytes(r2, 7, 9);
  add_round_trips(r2, 10, 2'000'000);
  std::vector<NetReading> v{r1, r2};
  eng.ingest_network(v);
  eng.set_connections({connection(6, 1, HS_NET_ROLE_CLIENT, "10.0.0.9", 40000, "10.0.0.1", 80),
                       connection(7, 10, HS_NET_ROLE_SERVER, "0.0.0.0", 80, "0.0.0.0", 0),
                       connection(7, 1, HS_NET_ROLE_SERVER, "10.0.0.9", 80, "10.0.0.2", 51000)});
  clock.advance_ms(2000);
  eng.finish_interval();
  auto t = eng.network_totals();
  EXPECT_EQ(t.connects, 4u);
  EXPECT_EQ(t.connect_failures, 1u);
  EXPECT_EQ(t.retransmits, 2u);
  EXPECT_EQ(t.resets, 3u);
  EXPECT_EQ(t.round_trips, 20u);
  EXPECT_EQ(t.bytes_sent, 7u);
  EXPECT_EQ(t.bytes_received, 9u);
  EXPECT_NEAR(static_cast<double>(t.rtt_p95_ns), 2'000'000.0, 2'000'000 * 0.125);
  EXPECT_EQ(t.connections, 3u);
  EXPECT_EQ(t.established, 2u);
  EXPECT_DOUBLE_EQ(t.connects_per_s, 2.0);
  EXPECT_DOUBLE_EQ(t.round_trips_per_s, 10.0);
}

TEST_F(NetworkQueriesTest, ByCommAggregatesProcessesAndFoldsTheTail) {
  for (std::uint32_t pid = 10; pid <= 13; ++pid) inspector.add(pid, pid < 12 ? "worker" : "c" + std::to_string(pid));
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<NetReading> v;
  for (std::uint32_t pid = 10; pid <= 13; ++pid) {
    auto r = net_reading(pid, HS_NET_ROLE_CLIENT, "10.0.0.1", 80);
    add_bytes(r, pid, 0);
    add_round_trips(r, 1, 1000);
    v.push_back(r);
  }
  eng.ingest_network(v);
  auto all = eng.network_by_comm(100);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].comm, "worker");  // two processes, 10 + 11 bytes
  EXPECT_EQ(all[0].totals.bytes_sent, 21u);
  EXPECT_EQ(all[0].direction, "outbound");
  auto capped = eng.network_by_comm(2);
  ASSERT_EQ(capped.size(), 2u);
  EXPECT_EQ(capped[1].comm, "other");
  EXPECT_EQ(capped[1].remote, "other");
  EXPECT_EQ(capped[1].totals.bytes_sent, 25u);
  EXPECT_EQ(capped[1].totals.rtt.count(), 2u);
}

TEST_F(NetworkQueriesTest, ConnectionsViewFormatsFiltersAndPages) {
  inspector.add(20, "redis-server");
  inspector.add(21, "client");
  MonitoringEngine eng(clock, inspector, settings);
  auto est = connection(21, 1, HS_NET_ROLE_CLIENT, "127.0.0.1", 41000, "127.0.0.1", 6379);
  est.srtt_us = 120;
  est.mdev_us = 30;
  est.total_retrans = 2;
  est.snd_cwnd = 10;
  est.bytes_acked = 1234;
  est.bytes_received = 5678;
  eng.set_connections({connection(20, 10, HS_NET_ROLE_SERVER, "::", 6379, "::", 0), est,
                       connection(20, 1, HS_NET_ROLE_SERVER, "127.0.0.1", 6379, "127.0.0.1", 41000),
                       connection(0, 6, HS_NET_ROLE_UNKNOWN, "::1", 5000, "::1", 443)});
  auto page = eng.connections({});
  EXPECT_EQ(page.total, 4u);
  ASSERT_EQ(page.connections.size(), 4u);
  const ConnectionEntry* client = nullptr;
  for (const auto& c : page.connections)
    if (c.pid == 21) client = &c;
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->comm, "client");
  EXPECT_EQ(client->local, "127.0.0.1:41000");
  EXPECT_EQ(client->remote, "127.0.0.1:6379");
  EXPECT_EQ(client->state, "ESTABLISHED");
  EXPECT_EQ(client->direction, "outbound");
  EXPECT_EQ(client->family, "ipv4");
  EXPECT_EQ(client->srtt_us, 120u);
  EXPECT_EQ(client->rttvar_us, 30u);
  EXPECT_EQ(client->retransmits, 2u);
  EXPECT_EQ(client->cwnd, 10u);
  EXPECT_EQ(client->bytes_acked, 1234u);
  EXPECT_EQ(client->bytes_received, 5678u);

  EXPECT_EQ(eng.connections({.state = std::string("LISTEN")}).connections.at(0).local, "[::]:6379");
  EXPECT_EQ(eng.connections({.state = std::string("TIME_WAIT")}).connections.at(0).remote, "[::1]:443");
  EXPECT_EQ(eng.connections({.state = std::string("bogus")}).total, 0u);
  EXPECT_EQ(eng.connections({.pid = 20u}).total, 2u);
  EXPECT_EQ(eng.connections({.comm = std::string("redis-server")}).total, 2u);
  EXPECT_EQ(eng.connections({.port = 6379}).total, 3u);  // local or remote
  EXPECT_EQ(eng.connections({.port = 443}).total, 1u);
  auto second = eng.connections({.limit = 1, .offset = 1});
  EXPECT_EQ(second.total, 4u);
  ASSERT_EQ(second.connections.size(), 1u);
  EXPECT_EQ(second.connections[0].local, page.connections[1].local);
  EXPECT_TRUE(eng.connections({.offset = 4}).connections.empty());
}

}  // namespace
}  // namespace hs::monitoring
