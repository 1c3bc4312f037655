#include "monitoring/monitoring_engine.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/syscall_names.h"
#include "fake_inspector.h"

namespace hs::monitoring {
namespace {

using test::FakeInspector;

SyscallSample sample(std::uint32_t tgid, std::uint32_t nr, std::uint64_t count, std::uint64_t each_ns,
                     std::uint64_t errors = 0) {
  SyscallSample s;
  s.tgid = tgid;
  s.nr = nr;
  s.count = count;
  s.errors = errors;
  s.total_ns = count * each_ns;
  s.max_ns = each_ns;
  s.slots[hs_hist_slot(each_ns)] = static_cast<std::uint32_t>(count);
  return s;
}

const std::uint32_t kGetppid = *hs::syscall_nr("getppid");
const std::uint32_t kRead = *hs::syscall_nr("read");

class MonitoringEngineTest : public ::testing::Test {
 protected:
  FakeClock clock;
  FakeInspector inspector;
  EngineSettings settings{.interval_ms = 1000, .fine_retention_s = 900, .coarse_retention_s = 86400,
                          .exited_retention_s = 60, .max_exited_processes = 100};
};

TEST_F(MonitoringEngineTest, CumulativeReadingsBecomeExactTotalsAndDeltas) {
  inspector.add(42, "worker");
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<SyscallSample> s1{sample(42, kGetppid, 1000, 300)};
  eng.ingest_syscalls(s1);
  clock.advance_ms(1000);
  eng.finish_interval();
  std::vector<SyscallSample> s2{sample(42, kGetppid, 3000, 300)};
  eng.ingest_syscalls(s2);
  clock.advance_ms(1000);
  eng.finish_interval();

  auto entries = eng.syscall_entries({});
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].pid, 42u);
  EXPECT_EQ(entries[0].comm, "worker");
  EXPECT_EQ(entries[0].syscall, "getppid");
  EXPECT_EQ(entries[0].count, 3000u);
  EXPECT_EQ(entries[0].total_ns, 900'000u);
  EXPECT_NEAR(static_cast<double>(entries[0].p50_ns), 300.0, 300 * 0.125);
  ASSERT_EQ(eng.series().fine().size(), 2u);
  EXPECT_DOUBLE_EQ(eng.series().fine()[0].syscalls_per_s, 1000.0);
  EXPECT_DOUBLE_EQ(eng.series().fine()[1].syscalls_per_s, 2000.0);
}

TEST_F(MonitoringEngineTest, SlotCountersThatWrapAre32BitDiffed) {
  inspector.add(7, "w");
  MonitoringEngine eng(clock, inspector, settings);
  auto s = sample(7, kRead, 10, 1000);
  s.slots[hs_hist_slot(1000)] = 0xFFFFFFF0u;
  s.count = 0xFFFFFFF0ull;
  std::vector<SyscallSample> v{s};
  eng.ingest_syscalls(v);
  v[0].slots[hs_hist_slot(1000)] = 0x10u;  // wrapped: 0x20 more events
  v[0].count = 0xFFFFFFF0ull + 0x20;
  eng.ingest_syscalls(v);
  auto e = eng.syscall_entries({});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].count, 0xFFFFFFF0ull + 0x20);
  auto top = eng.top_syscalls(10);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].hist.count(), 0xFFFFFFF0ull + 0x20);
}

TEST_F(MonitoringEngineTest, ExitedProcessKeepsTotalsForRetentionThenGoes) {
  inspector.add(10, "short");
  inspector.add(11, "long");
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<SyscallSample> v{sample(10, kRead, 5, 1000), sample(11, kRead, 7, 1000)};
  EXPECT_TRUE(eng.ingest_syscalls(v).empty());
  inspector.procs.erase(10);
  clock.advance_ms(1000);
  auto forget = eng.ingest_syscalls(v);
  ASSERT_EQ(forget.size(), 1u);
  EXPECT_EQ(forget[0].tgid, 10u);
  EXPECT_EQ(forget[0].nr, kRead);
  auto e = eng.syscall_entries({.pid = 10u});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_TRUE(e[0].exited);
  EXPECT_EQ(e[0].count, 5u);
  clock.advance_ms(61'000);
  std::vector<SyscallSample> only11{sample(11, kRead, 7, 1000)};
  eng.ingest_syscalls(only11);
  EXPECT_TRUE(eng.syscall_entries({.pid = 10u}).empty());
  EXPECT_EQ(eng.syscall_entries({.pid = 11u}).at(0).count, 7u);
}

// Exited processes are kept within a memory budget too: past it the oldest go,
// however recent. Each holds ≈ 2 KB per syscall number it used.
TEST_F(MonitoringEngineTest, ExitedProcessesStayWithinTheirMemoryBudget) {
  ProcessRecord shape;  // what each exited process below holds
  shape.meta.comm = "p100";
  shape.syscalls[kRead];
  shape.syscalls[kGetppid];
  const std::size_t each = held_bytes_of(shape);
  EXPECT_GT(each, 2 * sizeof(Histogram));
  settings.max_exited_bytes = 3 * each + each / 2;
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<SyscallSample> v;
  for (std::uint32_t pid = 100; pid < 110; ++pid) {
    inspector.add(pid, "p" + std::to_string(pid));
    v.push_back(sample(pid, kRead, 5, 1000));
    v.push_back(sample(pid, kGetppid, 3, 500));
  }
  eng.ingest_syscalls(v);
  EXPECT_EQ(eng.exited_processes(), 0u);
  for (std::uint32_t pid = 100; pid < 110; ++pid) {
    inspector.procs.erase(pid);
    clock.advance_ms(1000);
    eng.ingest_syscalls({});
  }
  EXPECT_EQ(eng.exited_processes(), 3u);
  EXPECT_EQ(eng.counters().exited_evicted, 7u);
  EXPECT_TRUE(eng.syscall_entries({.pid = 106u}).empty());
  for (std::uint32_t pid = 107; pid < 110; ++pid) {
    auto e = eng.syscall_entries({.pid = pid});
    ASSERT_EQ(e.size(), 2u) << pid;
    EXPECT_TRUE(e[0].exited);
  }
}

TEST_F(MonitoringEngineTest, PidReuseStartsANewProcessRecord) {
  inspector.add(20, "old", 100);
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<SyscallSample> v{sample(20, kRead, 50, 1000)};
  eng.ingest_syscalls(v);
  inspector.add(20, "new", 200);  // same pid, different start time
  auto forget = eng.ingest_syscalls(v);
  EXPECT_EQ(forget.size(), 1u);
  // The kernel entry is deleted; the new process starts from zero.
  std::vector<SyscallSample> fresh{sample(20, kRead, 3, 1000)};
  eng.ingest_syscalls(fresh);
  auto procs = eng.processes(20u, std::nullopt, 10);
  ASSERT_EQ(procs.size(), 2u);
  std::set<std::string> comms{procs[0].meta.comm, procs[1].meta.comm};
  EXPECT_EQ(comms, (std::set<std::string>{"old", "new"}));
  for (const auto& p : procs) EXPECT_EQ(p.syscalls, p.meta.comm == "old" ? 50u : 3u);
}

// Two processes that had the same pid, both exited: each entry's percentiles
// come from its own process's histogram.
TEST_F(MonitoringEngineTest, ExitedProcessesOfOnePidKeepTheirOwnPercentiles) {
  inspector.add(21, "first", 100);
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<SyscallSample> fast{sample(21, kRead, 5, 1000)};
  eng.ingest_syscalls(fast);
  inspector.add(21, "second", 200);  // the pid reused
  EXPECT_EQ(eng.ingest_syscalls(fast).size(), 1u);
  std::vector<SyscallSample> slow{sample(21, kRead, 5, 1'000'000)};
  eng.ingest_syscalls(slow);
  inspector.procs.erase(21);
  clock.advance_ms(1000);
  eng.ingest_syscalls(slow);
  auto e = eng.syscall_entries({.pid = 21u});
  ASSERT_EQ(e.size(), 2u);
  for (const auto& x : e) {
    EXPECT_TRUE(x.exited);
    const double want = x.comm == "first" ? 1000.0 : 1'000'000.0;
    EXPECT_NEAR(static_cast<double>(x.p50_ns), want, want * 0.125) << x.comm;
    EXPECT_EQ(x.max_ns, static_cast<std::uint64_t>(want)) << x.comm;
  }
}

TEST_F(MonitoringEngineTest, FiltersAndLimitAndOrdering) {
  inspector.add(1, "a");
  inspector.add(2, "b");
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<SyscallSample> v{sample(1, kRead, 10, 100), sample(1, kGetppid, 10, 1000), sample(2, kRead, 10, 10'000)};
  eng.ingest_syscalls(v);
  auto all = eng.syscall_entries({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].pid, 2u);  // biggest total time first
  EXPECT_EQ(eng.syscall_entries({.comm = std::string("a")}).size(), 2u);
  EXPECT_EQ(eng.syscall_entries({.syscall = std::string("read")}).size(), 2u);
  EXPECT_EQ(eng.syscall_entries({.limit = 1}).size(), 1u);
  EXPECT_TRUE(eng.syscall_entries({.syscall = std::string("nosuchcall")}).empty());
}

TEST_F(MonitoringEngineTest, ByCommFoldsTheTailIntoOther) {
  for (std::uint32_t pid = 1; pid <= 5; ++pid) inspector.add(pid, "c" + std::to_string(pid));
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<SyscallSample> v;
  for (std::uint32_t pid = 1; pid <= 5; ++pid) v.push_back(sample(pid, kRead, pid * 10, 1000));
  eng.ingest_syscalls(v);
  auto series = eng.syscalls_by_comm(3);
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[0].comm, "c5");
  EXPECT_EQ(series[1].comm, "c4");
  EXPECT_EQ(series[2].comm, "other");
  EXPECT_EQ(series[2].count, 10u + 20u + 30u);
}

TEST_F(MonitoringEngineTest, MinuteRollupAveragesRatesAndMergesHistograms) {
  inspector.add(1, "a");
  clock = FakeClock(60'000 * 1000);  // start on a minute boundary
  MonitoringEngine eng(clock, inspector, settings);
  std::uint64_t total = 0;
  for (int i = 1; i <= 61; ++i) {
    total += 100;
    std::vector<SyscallSample> v{sample(1, kRead, total, 2000)};
    eng.ingest_syscalls(v);
    clock.advance_ms(1000);
    eng.finish_interval();
  }
  ASSERT_EQ(eng.series().coarse().size(), 1u);
  const auto& m = eng.series().coarse()[0];
  EXPECT_NEAR(m.syscalls_per_s, 100.0, 1e-9);
  EXPECT_NEAR(static_cast<double>(m.syscall_p50_ns), 2000.0, 2000 * 0.125);
}

TEST_F(MonitoringEngineTest, SeriesCapacityFollowsRetention) {
  inspector.add(1, "a");
  settings.fine_retention_s = 60;
  MonitoringEngine eng(clock, inspector, settings);
  for (int i = 0; i < 100; ++i) {
    clock.advance_ms(1000);
    eng.finish_interval();
  }
  EXPECT_EQ(eng.series().fine().size(), 60u);
}

}  // namespace
}  // namespace hs::monitoring

namespace hs::monitoring {
namespace {

TEST_F(MonitoringEngineTest, LiveProcessMetaIsRefreshed) {
  inspector.add(5, "before");
  settings.meta_refresh_ms = 5000;
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<SyscallSample> v{sample(5, kRead, 1, 1000)};
  eng.ingest_syscalls(v);
  inspector.procs[5].comm = "exec'd";
  clock.advance_ms(1000);
  eng.ingest_syscalls(v);  // the second look comes at once: the first may have been before an exec
  EXPECT_EQ(eng.processes(5u, std::nullopt, 1).at(0).meta.comm, "exec'd");
  inspector.procs[5].comm = "after";
  inspector.procs[5].cgroup = "/moved";
  clock.advance_ms(1000);
  eng.ingest_syscalls(v);
  EXPECT_EQ(eng.processes(5u, std::nullopt, 1).at(0).meta.comm, "exec'd");  // then every meta_refresh_ms
  clock.advance_ms(5000);
  eng.ingest_syscalls(v);
  auto p = eng.processes(5u, std::nullopt, 1).at(0);
  EXPECT_EQ(p.meta.comm, "after");
  EXPECT_EQ(p.meta.cgroup, "/moved");
}

}  // namespace
}  // namespace hs::monitoring

namespace hs::monitoring {
namespace {

TEST_F(MonitoringEngineTest, ProcessGoneBeforeInspectionIsNamedByTheKernelRecord) {
  MonitoringEngine eng(clock, inspector, settings);
  eng.set_comm_fallback([](std::uint32_t tgid) { return tgid == 77 ? std::string("shortlived") : std::string(); });
  std::vector<SyscallSample> v{sample(77, kRead, 3, 1000)};
  auto forget = eng.ingest_syscalls(v);
  EXPECT_EQ(forget.size(), 1u);  // never inspectable: retired at once, totals kept
  auto e = eng.syscall_entries({.pid = 77u});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].comm, "shortlived");
  EXPECT_TRUE(e[0].exited);
  EXPECT_EQ(e[0].count, 3u);
}

// First looked at between fork and exec (the parent's name in /proc), gone before
// a second look: named by the kernel's record at exit. One looked at again keeps
// what /proc said then.
TEST_F(MonitoringEngineTest, ProcessSeenOnlyBeforeItsExecIsNamedByTheKernelRecordAtExit) {
  MonitoringEngine eng(clock, inspector, settings);
  eng.set_comm_fallback([](std::uint32_t tgid) { return tgid == 78 ? std::string("redis-cli") : std::string("old"); });
  inspector.add(78, "python3");
  inspector.add(79, "worker");
  std::vector<SyscallSample> v{sample(78, kRead, 1, 1000), sample(79, kRead, 1, 1000)};
  eng.ingest_syscalls(v);
  EXPECT_EQ(eng.processes(78u, std::nullopt, 1).at(0).meta.comm, "python3");  // alive: /proc's name
  clock.advance_ms(settings.meta_refresh_ms);
  inspector.procs.erase(78);
  eng.ingest_syscalls(v);  // 78 gone; 79 looked at a second time
  auto e = eng.syscall_entries({.pid = 78u});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_TRUE(e[0].exited);
  EXPECT_EQ(e[0].comm, "redis-cli");
  inspector.procs.erase(79);
  clock.advance_ms(1000);
  eng.ingest_syscalls(v);
  auto w = eng.syscall_entries({.pid = 79u});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_TRUE(w[0].exited);
  EXPECT_EQ(w[0].comm, "worker");  // looked at again while it lived: that name stays
}

}  // namespace
}  // namespace hs::monitoring
