// The engine's network layer fed synthetic cumulative readings: exact totals,
// slot wrap, kernel entries recreated, probe reloads, exits and retention.
#include <gtest/gtest.h>

#include "common/syscall_names.h"
#include "fake_inspector.h"
#include "monitoring/monitoring_engine.h"
#include "net_test_readings.h"

namespace hs::monitoring {
namespace {

using test::add_bytes;
using test::add_connects;
using test::add_round_trips;
using test::add_srtt;
using test::FakeInspector;
using test::net_reading;

class NetworkEngineTest : public ::testing::Test {
 protected:
  FakeClock clock;
  FakeInspector inspector;
  EngineSettings settings{.interval_ms = 1000, .fine_retention_s = 900, .coarse_retention_s = 86400,
                          .exited_retention_s = 60, .max_exited_processes = 100};

  static std::vector<NetReading> one(const NetReading& r) { return {r}; }
};

TEST_F(NetworkEngineTest, CumulativeReadingsBecomeExactTotalsAndIntervalRates) {
  inspector.add(42, "client");
  MonitoringEngine eng(clock, inspector, settings);
  auto r = net_reading(42, HS_NET_ROLE_CLIENT, "10.0.0.5", 5432);
  add_connects(r, 2, 200'000);
  add_round_trips(r, 100, 50'000);
  add_bytes(r, 1000, 5000);
  r.val.retransmits = 1;
  r.val.resets_sent = 1;
  eng.ingest_network(one(r));
  clock.advance_ms(1000);
  eng.finish_interval();
  add_connects(r, 3, 200'000);
  add_round_trips(r, 300, 50'000);
  r.val.resets_received = 2;
  eng.ingest_network(one(r));
  clock.advance_ms(1000);
  eng.finish_interval();

  auto e = eng.network_entries({});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].pid, 42u);
  EXPECT_EQ(e[0].comm, "client");
  EXPECT_EQ(e[0].remote, "10.0.0.5:5432");
  EXPECT_EQ(e[0].direction, "outbound");
  EXPECT_EQ(e[0].family, "ipv4");
  EXPECT_EQ(e[0].local_port, 0u);
  EXPECT_EQ(e[0].connects, 5u);
  EXPECT_EQ(e[0].round_trips, 400u);
  EXPECT_EQ(e[0].retransmits, 1u);
  EXPECT_EQ(e[0].resets_sent, 1u);
  EXPECT_EQ(e[0].resets_received, 2u);
  EXPECT_EQ(e[0].resets, 3u);
  EXPECT_EQ(e[0].bytes_sent, 1000u);
  EXPECT_EQ(e[0].bytes_received, 5000u);
  EXPECT_EQ(e[0].rtt_max_ns, 50'000u);
  EXPECT_NEAR(static_cast<double>(e[0].rtt_p50_ns), 50'000.0, 50'000 * 0.125);
  EXPECT_NEAR(static_cast<double>(e[0].connect_p50_ns), 200'000.0, 200'000 * 0.125);
  ASSERT_EQ(eng.series().fine().size(), 2u);
  EXPECT_DOUBLE_EQ(eng.series().fine()[0].net_round_trips_per_s, 100.0);
  EXPECT_DOUBLE_EQ(eng.series().fine()[1].net_round_trips_per_s, 300.0);
  EXPECT_DOUBLE_EQ(eng.series().fine()[1].net_connects_per_s, 3.0);
  EXPECT_DOUBLE_EQ(eng.series().fine()[1].net_resets_per_s, 2.0);
  EXPECT_DOUBLE_EQ(eng.series().fine()[0].net_bytes_received_per_s, 5000.0);
  EXPECT_NEAR(static_cast<double>(eng.series().fine()[1].net_rtt_p95_ns), 50'000.0, 50'000 * 0.125);
  EXPECT_EQ(eng.series().fine()[1].net_rtt_p95_ns, eng.series().current_minute().net_rtt_p95_ns);
}

TEST_F(NetworkEngineTest, SlotCountersThatWrapAre32BitDiffed) {
  inspector.add(7, "w");
  MonitoringEngine eng(clock, inspector, settings);
  auto r = net_reading(7, HS_NET_ROLE_CLIENT, "1.1.1.1", 53);
  const std::uint32_t slot = hs_hist_slot(1'000'000);
  r.val.rtt_slots[slot] = 0xFFFFFFF0u;
  r.val.round_trips = 0xFFFFFFF0ull;
  eng.ingest_network(one(r));
  r.val.rtt_slots[slot] = 0x10u;  // wrapped: 0x20 more
  r.val.round_trips += 0x20;
  eng.ingest_network(one(r));
  auto e = eng.network_entries({});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].round_trips, 0xFFFFFFF0ull + 0x20);
  auto agg = eng.network_by_comm(10);
  ASSERT_EQ(agg.size(), 1u);
  EXPECT_EQ(agg[0].totals.rtt.count(), 0xFFFFFFF0ull + 0x20);
}

TEST_F(NetworkEngineTest, KernelEntryDeletedAndRecreatedKeepsCounting) {
  inspector.add(8, "w");
  MonitoringEngine eng(clock, inspector, settings);
  auto r = net_reading(8, HS_NET_ROLE_CLIENT, "1.1.1.1", 80);
  add_round_trips(r, 100, 1000);
  add_bytes(r, 10, 10);
  eng.ingest_network(one(r));
  auto fresh = net_reading(8, HS_NET_ROLE_CLIENT, "1.1.1.1", 80);  // recreated: counts from zero
  add_round_trips(fresh, 30, 1000);
  add_bytes(fresh, 1, 1);
  eng.ingest_network(one(fresh));
  auto e = eng.network_entries({});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].round_trips, 130u);
  EXPECT_EQ(e[0].bytes_sent, 11u);
  EXPECT_EQ(eng.network_by_comm(1).at(0).totals.rtt.count(), 130u);
}

TEST_F(NetworkEngineTest, ProbeReloadRestartsReadingsAndKeepsTotals) {
  inspector.add(9, "w");
  MonitoringEngine eng(clock, inspector, settings);
  auto r = net_reading(9, HS_NET_ROLE_CLIENT, "1.1.1.1", 80);
  add_round_trips(r, 100, 1000);
  eng.ingest_network(one(r));
  eng.network_kernel_reset();
  // The new map already counted more than the old one did: only a reset says so.
  auto after = net_reading(9, HS_NET_ROLE_CLIENT, "1.1.1.1", 80);
  add_round_trips(after, 150, 1000);
  eng.ingest_network(one(after));
  EXPECT_EQ(eng.network_entries({}).at(0).round_trips, 250u);
  EXPECT_EQ(eng.network_totals().round_trips, 250u);
}

TEST_F(NetworkEngineTest, ExitedProcessIsRetainedWithItsKeysReturnedThenEvicted) {
  inspector.add(10, "short");
  inspector.add(11, "long");
  MonitoringEngine eng(clock, inspector, settings);
  auto a = net_reading(10, HS_NET_ROLE_CLIENT, "10.0.0.1", 80);
  auto b = net_reading(10, HS_NET_ROLE_SERVER, "10.0.0.2", 8080);
  auto c = net_reading(11, HS_NET_ROLE_CLIENT, "10.0.0.1", 80);
  for (auto* r : {&a, &b, &c}) add_round_trips(*r, 5, 1000);
  std::vector<NetReading> all{a, b, c};
  EXPECT_TRUE(eng.ingest_network(all).empty());
  EXPECT_EQ(eng.live_processes(), 2u);
  inspector.procs.erase(10);
  clock.advance_ms(1000);
  auto forget = eng.ingest_network(all);
  ASSERT_EQ(forget.size(), 2u);
  for (const auto& k : forget) EXPECT_EQ(k.tgid, 10u);
  EXPECT_NE(forget[0].role, forget[1].role);
  auto e = eng.network_entries({.pid = 10u});
  ASSERT_EQ(e.size(), 2u);
  EXPECT_TRUE(e[0].exited);
  EXPECT_EQ(eng.processes(10u, std::nullopt, 10).at(0).meta.comm, "short");
  clock.advance_ms(61'000);
  std::vector<NetReading> only11{c};
  eng.ingest_network(only11);
  EXPECT_TRUE(eng.network_entries({.pid = 10u}).empty());
  EXPECT_EQ(eng.network_entries({.pid = 11u}).at(0).round_trips, 5u);
}

TEST_F(NetworkEngineTest, ExitSeenBySyscallPollStillFoldsTheLastNetworkReading) {
  inspector.add(12, "both");
  MonitoringEngine eng(clock, inspector, settings);
  const std::uint32_t read_nr = *hs::syscall_nr("read");
  SyscallSample s;
  s.tgid = 12;
  s.nr = read_nr;
  s.count = 4;
  s.slots[hs_hist_slot(1000)] = 4;
  std::vector<SyscallSample> sys{s};
  auto r = net_reading(12, HS_NET_ROLE_CLIENT, "10.0.0.1", 80);
  add_round_trips(r, 5, 1000);
  eng.ingest_syscalls(sys);
  eng.ingest_network(one(r));
  inspector.procs.erase(12);
  sys[0].count = 6;  // the last syscalls before the exit
  sys[0].slots[hs_hist_slot(1000)] = 6;
  add_round_trips(r, 2, 1000);  // and the last round trips
  EXPECT_EQ(eng.ingest_syscalls(sys).size(), 1u);
  auto forget = eng.ingest_network(one(r));
  ASSERT_EQ(forget.size(), 1u);
  EXPECT_EQ(forget[0].tgid, 12u);
  auto procs = eng.processes(12u, std::nullopt, 10);
  ASSERT_EQ(procs.size(), 1u);  // one record, not a second "new" process
  EXPECT_EQ(procs[0].syscalls, 6u);
  EXPECT_EQ(eng.network_entries({.pid = 12u}).at(0).round_trips, 7u);
  EXPECT_EQ(eng.live_processes(), 0u);
}

TEST_F(NetworkEngineTest, ExitSeenByNetworkPollStillFoldsTheLastSyscallReading) {
  inspector.add(13, "both");
  MonitoringEngine eng(clock, inspector, settings);
  SyscallSample s;
  s.tgid = 13;
  s.nr = *hs::syscall_nr("write");
  s.count = 1;
  s.slots[hs_hist_slot(1000)] = 1;
  std::vector<SyscallSample> sys{s};
  auto r = net_reading(13, HS_NET_ROLE_CLIENT, "10.0.0.1", 80);
  add_round_trips(r, 1, 1000);
  eng.ingest_syscalls(sys);
  eng.ingest_network(one(r));
  inspector.procs.erase(13);
  EXPECT_EQ(eng.ingest_network(one(r)).size(), 1u);
  sys[0].count = 9;
  sys[0].slots[hs_hist_slot(1000)] = 9;
  auto forget = eng.ingest_syscalls(sys);
  ASSERT_EQ(forget.size(), 1u);
  auto procs = eng.processes(13u, std::nullopt, 10);
  ASSERT_EQ(procs.size(), 1u);
  EXPECT_EQ(procs[0].syscalls, 9u);
}

TEST_F(NetworkEngineTest, ProcessGoneBeforeInspectionIsOneRecordAcrossProbes) {
  MonitoringEngine eng(clock, inspector, settings);
  eng.set_comm_fallback([](std::uint32_t) { return std::string("blink"); });
  SyscallSample s;
  s.tgid = 77;
  s.nr = *hs::syscall_nr("connect");
  s.count = 1;
  std::vector<SyscallSample> sys{s};
  EXPECT_EQ(eng.ingest_syscalls(sys).size(), 1u);
  auto r = net_reading(77, HS_NET_ROLE_CLIENT, "10.0.0.9", 443);
  r.val.connect_failures = 1;
  EXPECT_EQ(eng.ingest_network(one(r)).size(), 1u);
  auto procs = eng.processes(77u, std::nullopt, 10);
  ASSERT_EQ(procs.size(), 1u);
  EXPECT_EQ(procs[0].meta.comm, "blink");
  auto e = eng.network_entries({.pid = 77u});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].connect_failures, 1u);
  EXPECT_TRUE(e[0].exited);
}

TEST_F(NetworkEngineTest, NetworkOnlyProcessIsTrackedAndNamed) {
  inspector.add(14, "nginx");
  MonitoringEngine eng(clock, inspector, settings);
  auto r = net_reading(14, HS_NET_ROLE_SERVER, "192.0.2.10", 8080);
  r.val.connects = 3;  // accepted
  add_bytes(r, 300, 100);
  eng.ingest_network(one(r));
  auto p = eng.processes(14u, std::nullopt, 1);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].meta.comm, "nginx");
  auto e = eng.network_entries({});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].remote, "192.0.2.10:*");
  EXPECT_EQ(e[0].direction, "inbound");
  EXPECT_EQ(e[0].local_port, 8080u);
  EXPECT_EQ(e[0].connects, 3u);
}

TEST_F(NetworkEngineTest, PercentilesAndAveragesComeFromSlots) {
  inspector.add(15, "w");
  MonitoringEngine eng(clock, inspector, settings);
  auto r = net_reading(15, HS_NET_ROLE_CLIENT, "2001:db8::1", 443);
  add_round_trips(r, 90, 100'000);     // 100 us
  add_round_trips(r, 10, 10'000'000);  // 10 ms
  add_srtt(r, 99, 200, 50);
  add_srtt(r, 1, 20'000, 5'000);
  add_connects(r, 1, 1'000'000);
  eng.ingest_network(one(r));
  auto e = eng.network_entries({}).at(0);
  EXPECT_EQ(e.remote, "[2001:db8::1]:443");
  EXPECT_EQ(e.family, "ipv6");
  EXPECT_NEAR(static_cast<double>(e.rtt_p50_ns), 100'000.0, 100'000 * 0.125);
  EXPECT_NEAR(static_cast<double>(e.rtt_p95_ns), 10'000'000.0, 10'000'000 * 0.125);
  EXPECT_NEAR(static_cast<double>(e.rtt_p99_ns), 10'000'000.0, 10'000'000 * 0.125);
  EXPECT_EQ(e.rtt_max_ns, 10'000'000u);
  EXPECT_NEAR(static_cast<double>(e.srtt_p50_ns), 200'000.0, 200'000 * 0.125);
  EXPECT_NEAR(static_cast<double>(e.srtt_p99_ns), 200'000.0, 200'000 * 0.125);
  EXPECT_EQ(e.srtt_avg_ns, (99 * 200 + 20'000) * 1000u / 100);
  EXPECT_EQ(e.rttvar_avg_ns, (99 * 50 + 5'000) * 1000u / 100);
  EXPECT_NEAR(static_cast<double>(e.connect_p99_ns), 1'000'000.0, 1'000'000 * 0.125);
}

}  // namespace
}  // namespace hs::monitoring

namespace hs::monitoring {
namespace {

// A process's sockets report after it was retired (their last events come after
// its exit, or its entries were not forgotten yet): the readings join its exited
// record, with its name, and no nameless second record of the same pid appears.
TEST_F(NetworkEngineTest, ReadingsOfAProcessAfterItsRetirementJoinItsExitedRecord) {
  inspector.add(13, "pgbench");
  MonitoringEngine eng(clock, inspector, settings);
  auto r = net_reading(13, HS_NET_ROLE_CLIENT, "10.0.0.1", 5432);
  add_round_trips(r, 5, 1000);
  eng.ingest_network(one(r));
  inspector.procs.erase(13);
  clock.advance_ms(1000);
  add_round_trips(r, 2, 1000);
  EXPECT_EQ(eng.ingest_network(one(r)).size(), 1u);  // retired, its entry forgotten
  ASSERT_EQ(eng.exited_processes(), 1u);
  for (int poll = 0; poll < 3; ++poll) {  // yet the kernel reports it again
    clock.advance_ms(1000);
    add_round_trips(r, 1, 1000);
    EXPECT_EQ(eng.ingest_network(one(r)).size(), 1u) << "its entry is forgotten again";
  }
  EXPECT_EQ(eng.exited_processes(), 1u);
  EXPECT_EQ(eng.live_processes(), 0u);
  auto procs = eng.processes(13u, std::nullopt, 10);
  ASSERT_EQ(procs.size(), 1u);
  EXPECT_EQ(procs[0].meta.comm, "pgbench");
  EXPECT_EQ(eng.network_entries({.pid = 13u}).at(0).round_trips, 10u);
}

}  // namespace
}  // namespace hs::monitoring
