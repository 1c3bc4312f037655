// MonitoringSnapshot: cumulative MonitoringEngine totals become per-window metrics.
// Counters are deltas per process; percentiles come from histogram deltas, so a
// window's p95 is that window's, not the lifetime's. Fed with synthetic readings.
#include "bottleneck/monitoring_snapshot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "bottleneck/bottleneck_engine.h"
#include "common/syscall_names.h"
#include "fake_inspector.h"
#include "l7_test_readings.h"
#include "net_test_readings.h"

namespace hs::bottleneck {
namespace {

using monitoring::MonitoringEngine;
using protocols::Protocol;
constexpr std::uint64_t kMs = 1'000'000;

std::uint64_t mid(std::uint64_t ns) {
  Histogram h;
  h.add(ns);
  return h.percentile(0.5);
}

// Cumulative reading of (tgid, nr): `fast` calls of 1 ms and `slow` calls of 80 ms so far.
monitoring::SyscallSample fsyncs(std::uint32_t tgid, std::uint32_t fast, std::uint32_t slow) {
  monitoring::SyscallSample s;
  s.tgid = tgid;
  s.nr = *syscall_nr("fsync");
  s.count = fast + slow;
  s.total_ns = fast * kMs + slow * 80 * kMs;
  s.max_ns = slow ? 80 * kMs : kMs;
  s.slots[hs_hist_slot(kMs)] += fast;
  s.slots[hs_hist_slot(80 * kMs)] += slow;
  return s;
}

class SnapshotTest : public ::testing::Test {
 protected:
  SnapshotTest() {
    inspector.add(42, "db-writer");
    inspector.add(43, "db-writer");
    inspector.add(300, "api");
    inspector.add(301, "api");
    inspector.add(400, "client");
  }
  // Closes one engine interval and builds the snapshot of what it ingested.
  MetricsSnapshot window() {
    clock.advance_ms(1000);
    engine.finish_interval();
    return snap.build(engine, clock.now_ms(), 1.0);
  }

  FakeClock clock;
  test::FakeInspector inspector;
  MonitoringEngine engine{clock, inspector};
  MonitoringSnapshot snap;
};

TEST_F(SnapshotTest, SyscallCountersAreDeltasAndPercentilesAreTheWindows) {
  std::vector<monitoring::SyscallSample> v{fsyncs(42, 10, 0)};
  engine.ingest_syscalls(v);
  auto w1 = window();
  ASSERT_EQ(w1.syscalls.size(), 1u);
  EXPECT_EQ(w1.syscalls[0].pid, 42u);
  EXPECT_EQ(w1.syscalls[0].comm, "db-writer");
  EXPECT_EQ(w1.syscalls[0].syscall, "fsync");
  EXPECT_EQ(w1.syscalls[0].count, 10u);
  EXPECT_EQ(w1.syscalls[0].total_ns, 10 * kMs);
  EXPECT_EQ(w1.syscalls[0].p95_ns, mid(kMs));

  // 5 slow calls more: lifetime p50 is still 1 ms, the window's is 80 ms.
  v = {fsyncs(42, 10, 5)};
  engine.ingest_syscalls(v);
  auto w2 = window();
  ASSERT_EQ(w2.syscalls.size(), 1u);
  EXPECT_EQ(w2.syscalls[0].count, 5u);
  EXPECT_EQ(w2.syscalls[0].total_ns, 400 * kMs);
  EXPECT_EQ(w2.syscalls[0].p50_ns, mid(80 * kMs));
  EXPECT_EQ(w2.syscalls[0].p95_ns, mid(80 * kMs));
  EXPECT_EQ(w2.syscalls[0].p99_ns, mid(80 * kMs));
  EXPECT_EQ(engine.syscall_entries({})[0].p50_ns, mid(kMs));

  // Nothing new: nothing in the window.
  engine.ingest_syscalls(v);
  EXPECT_TRUE(window().syscalls.empty());
}

TEST_F(SnapshotTest, ProcessesOfOneCommandShareItsWindowPercentiles) {
  std::vector<monitoring::SyscallSample> v{fsyncs(42, 3, 0), fsyncs(43, 0, 1)};
  engine.ingest_syscalls(v);
  auto w = window();
  ASSERT_EQ(w.syscalls.size(), 2u);
  std::sort(w.syscalls.begin(), w.syscalls.end(), [](auto& a, auto& b) { return a.pid < b.pid; });
  EXPECT_EQ(w.syscalls[0].count, 3u);
  EXPECT_EQ(w.syscalls[1].count, 1u);
  // (db-writer, fsync) holds 3 x 1 ms and 1 x 80 ms: p50 1 ms, p95 80 ms, for both.
  for (const auto& s : w.syscalls) {
    EXPECT_EQ(s.p50_ns, mid(kMs));
    EXPECT_EQ(s.p95_ns, mid(80 * kMs));
  }
}

TEST_F(SnapshotTest, HttpWindowCarriesOnlyItsRequests) {
  std::vector<protocols::L7Reading> v;
  for (int i = 0; i < 10; ++i) v.push_back(test::http_reading(300, true, "GET", "/a", 200, 5 * kMs));
  engine.ingest_l7(v);
  auto w1 = window();
  ASSERT_EQ(w1.http.size(), 1u);
  EXPECT_EQ(w1.http[0].count, 10u);
  EXPECT_EQ(w1.http[0].p95_ns, mid(5 * kMs));

  v.clear();
  for (int i = 0; i < 6; ++i) v.push_back(test::http_reading(300, true, "GET", "/a", 200, 300 * kMs));
  v.push_back(test::http_reading(301, true, "GET", "/a", 503, 300 * kMs));
  engine.ingest_l7(v);
  auto w2 = window();
  ASSERT_EQ(w2.http.size(), 2u);
  std::sort(w2.http.begin(), w2.http.end(), [](auto& a, auto& b) { return a.pid < b.pid; });
  EXPECT_EQ(w2.http[0].pid, 300u);
  EXPECT_EQ(w2.http[0].comm, "api");
  EXPECT_EQ(w2.http[0].side, "server");
  EXPECT_EQ(w2.http[0].method, "GET");
  EXPECT_EQ(w2.http[0].route, "/a");
  EXPECT_EQ(w2.http[0].count, 6u);
  EXPECT_EQ(w2.http[0].status_5xx, 0u);
  EXPECT_EQ(w2.http[1].count, 1u);
  EXPECT_EQ(w2.http[1].status_5xx, 1u);
  for (const auto& h : w2.http) EXPECT_EQ(h.p95_ns, mid(300 * kMs));

  // Fed to the bottleneck engine, the window opens "server GET /a" latency (and 5xx: 1 of 7).
  BottleneckEngine bn(clock);
  auto events = bn.evaluate(w2);
  ASSERT_EQ(events.size(), 2u);
  std::sort(events.begin(), events.end(), [](auto& a, auto& b) { return a.bottleneck.kind > b.bottleneck.kind; });
  EXPECT_EQ(events[1].bottleneck.kind, "http_errors");
  const auto& b = events[0].bottleneck;
  EXPECT_EQ(b.kind, "http_latency");
  EXPECT_EQ(b.subject, "server GET /a");
  ASSERT_GE(b.evidence.size(), 2u);
  EXPECT_EQ(b.evidence[0].metric, "p95_ms");
  EXPECT_DOUBLE_EQ(b.evidence[0].value, static_cast<double>(mid(300 * kMs)) / 1e6);
  EXPECT_DOUBLE_EQ(b.evidence[0].threshold, 200);
  EXPECT_DOUBLE_EQ(b.evidence[1].value, 7);
  EXPECT_EQ(b.processes, (std::vector<std::string>{"api[300]", "api[301]"}));
}

TEST_F(SnapshotTest, DatabaseStatementsPerFingerprint) {
  std::vector<protocols::L7Reading> v;
  for (int i = 0; i < 4; ++i) v.push_back(test::db_reading(400, Protocol::postgresql, "SELECT ?", 2 * kMs));
  v.push_back(test::failed(test::db_reading(400, Protocol::postgresql, "SELECT ?", 150 * kMs), "boom"));
  engine.ingest_l7(v);
  auto w1 = window();
  ASSERT_EQ(w1.database.size(), 1u);
  const auto& d = w1.database[0];
  EXPECT_EQ(d.pid, 400u);
  EXPECT_EQ(d.system, "postgresql");
  EXPECT_EQ(d.fingerprint, "SELECT ?");
  EXPECT_EQ(d.fingerprint_id.size(), 16u);
  EXPECT_EQ(d.count, 5u);
  EXPECT_EQ(d.errors, 1u);
  EXPECT_EQ(d.p50_ns, mid(2 * kMs));
  EXPECT_EQ(d.p99_ns, mid(150 * kMs));

  v = {test::db_reading(400, Protocol::postgresql, "SELECT ?", 150 * kMs)};
  engine.ingest_l7(v);
  auto w2 = window();
  ASSERT_EQ(w2.database.size(), 1u);
  EXPECT_EQ(w2.database[0].count, 1u);
  EXPECT_EQ(w2.database[0].errors, 0u);
  EXPECT_EQ(w2.database[0].p50_ns, mid(150 * kMs));
}

// A fold moves an entry's history into "other": the window shows there only what
// happened since the last one, and nothing after.
TEST_F(SnapshotTest, FoldingIntoOtherCountsOnlyNewActivity) {
  monitoring::EngineSettings settings;
  settings.max_fingerprints_per_process = 4;
  settings.max_routes_per_process = 4;
  MonitoringEngine capped{clock, inspector, settings};
  std::vector<protocols::L7Reading> v;
  for (std::string fp : {"SELECT a", "SELECT b", "SELECT c"}) {
    v.push_back(test::failed(test::db_reading(400, Protocol::postgresql, fp, 150 * kMs), "boom"));
    v.push_back(test::http_reading(300, true, "GET", "/" + fp.substr(7), 503, 300 * kMs));
  }
  v.push_back(test::db_reading(400, Protocol::postgresql, "SELECT d", 1 * kMs));  // the least busy
  v.push_back(test::http_reading(300, true, "GET", "/d", 200, 1 * kMs));
  capped.ingest_l7(v);
  auto next_window = [&] {
    clock.advance_ms(1000);
    capped.finish_interval();
    return snap.build(capped, clock.now_ms(), 1.0);
  };
  auto w1 = next_window();
  EXPECT_EQ(w1.database.size(), 4u);
  EXPECT_EQ(w1.http.size(), 4u);

  // d fails once more, then a fifth statement and route fold d into "other".
  v = {test::failed(test::db_reading(400, Protocol::postgresql, "SELECT d", 1 * kMs), "late"),
       test::http_reading(300, true, "GET", "/d", 503, 1 * kMs),
       test::db_reading(400, Protocol::postgresql, "SELECT e", 2 * kMs),
       test::http_reading(300, true, "GET", "/e", 200, 2 * kMs)};
  capped.ingest_l7(v);
  auto w2 = next_window();
  std::map<std::string, DatabaseMetric> db;
  for (const auto& d : w2.database) db[d.fingerprint] = d;
  ASSERT_EQ(db.size(), 2u);
  EXPECT_EQ(db["SELECT e"].count, 1u);
  EXPECT_EQ(db["SELECT e"].errors, 0u);
  EXPECT_EQ(db["SELECT e"].p99_ns, mid(2 * kMs));
  EXPECT_EQ(db["other"].count, 1u);   // d's failure of this window, not its history
  EXPECT_EQ(db["other"].errors, 1u);
  std::map<std::string, HttpMetric> http;
  for (const auto& h : w2.http) http[h.route] = h;
  ASSERT_EQ(http.size(), 2u);
  EXPECT_EQ(http["/e"].count, 1u);
  EXPECT_EQ(http["/e"].status_5xx, 0u);
  EXPECT_EQ(http["other"].count, 1u);
  EXPECT_EQ(http["other"].status_5xx, 1u);

  auto w3 = next_window();  // nothing new: nothing shows, "other" included
  EXPECT_TRUE(w3.database.empty());
  EXPECT_TRUE(w3.http.empty());
  // The cumulative lists have it all: "other" holds d's two operations.
  monitoring::DatabaseQuery q;
  q.fingerprint_id = monitoring::fingerprint_id(Protocol::postgresql, "other");
  auto other = capped.database_entries(q);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].count, 2u);
  EXPECT_EQ(other[0].errors, 1u);
}

TEST_F(SnapshotTest, NetworkCountersAndSmoothedRtt) {
  auto r = test::net_reading(400, HS_NET_ROLE_CLIENT, "10.0.0.5", 5432);
  test::add_connects(r, 4, 100'000);
  test::add_srtt(r, 10, 1000, 100);  // 1 ms
  r.val.retransmits = 2;
  std::vector<NetReading> v{r};
  engine.ingest_network(v);
  auto w1 = window();
  ASSERT_EQ(w1.network.size(), 1u);
  EXPECT_EQ(w1.network[0].remote, "10.0.0.5:5432");
  EXPECT_EQ(w1.network[0].connects, 4u);
  EXPECT_EQ(w1.network[0].retransmits, 2u);
  EXPECT_EQ(w1.network[0].srtt_p99_ns, mid(kMs));

  test::add_srtt(r, 5, 300'000, 100);  // 300 ms
  r.val.retransmits = 30;
  r.val.connect_failures = 1;
  v = {r};
  engine.ingest_network(v);
  auto w2 = window();
  ASSERT_EQ(w2.network.size(), 1u);
  EXPECT_EQ(w2.network[0].connects, 0u);
  EXPECT_EQ(w2.network[0].connect_failures, 1u);
  EXPECT_EQ(w2.network[0].retransmits, 28u);
  EXPECT_EQ(w2.network[0].srtt_p50_ns, mid(300 * kMs));
  EXPECT_EQ(w2.network[0].srtt_p99_ns, mid(300 * kMs));
}

TEST_F(SnapshotTest, SystemSampleIsPassedThrough) {
  EXPECT_FALSE(window().system.present);
  monitoring::SystemPoint p;
  p.cpu_percent = 95.5;
  p.steal_percent = 12;
  p.iowait_percent = 3;
  p.mem_used_bytes = 900;
  p.mem_total_bytes = 1000;
  p.psi_available = true;
  p.psi_mem_some = 11.5;
  p.psi_io_some = 1.25;
  p.load1 = 4;
  engine.ingest_system(p, {});
  auto w = window();
  EXPECT_TRUE(w.system.present);
  EXPECT_DOUBLE_EQ(w.system.cpu_percent, 95.5);
  EXPECT_DOUBLE_EQ(w.system.steal_percent, 12);
  EXPECT_DOUBLE_EQ(w.system.iowait_percent, 3);
  EXPECT_EQ(w.system.mem_used_bytes, 900u);
  EXPECT_EQ(w.system.mem_total_bytes, 1000u);
  EXPECT_TRUE(w.system.psi_available);
  EXPECT_DOUBLE_EQ(w.system.psi_mem_some, 11.5);
  EXPECT_DOUBLE_EQ(w.system.psi_io_some, 1.25);
  EXPECT_DOUBLE_EQ(w.system.load1, 4);
  EXPECT_EQ(w.ts_ms, clock.now_ms());
  EXPECT_DOUBLE_EQ(w.window_s, 1.0);
}

TEST(SnapshotDeltas, ShrinkingTotalsCountAsZero) {
  EXPECT_EQ(counter_delta({10, 5, 7}, {4, 9}), (MonitoringSnapshot::Counters{6, 0, 7}));
  Histogram cur, prev;
  cur.add(kMs, 3);
  prev.add(kMs, 5);
  prev.add(80 * kMs, 1);
  cur.add(80 * kMs, 4);
  Histogram d = histogram_delta(cur, prev);
  EXPECT_EQ(d.count(), 3u);
  EXPECT_EQ(d.percentile(0.5), mid(80 * kMs));
}

TEST_F(SnapshotTest, ResetForgetsTheBaselines) {
  std::vector<monitoring::SyscallSample> v{fsyncs(42, 10, 0)};
  engine.ingest_syscalls(v);
  window();
  EXPECT_GT(snap.tracked(), 0u);
  snap.reset();
  EXPECT_EQ(snap.tracked(), 0u);
  auto w = snap.build(engine, clock.now_ms(), 1.0);
  ASSERT_EQ(w.syscalls.size(), 1u);
  EXPECT_EQ(w.syscalls[0].count, 10u);
}

}  // namespace
}  // namespace hs::bottleneck
