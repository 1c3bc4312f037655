// Root tests of the live filters (pid, comm, cgroup, min latency) and of the
// syscall name table the tests rely on.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/syscall_names.h"
#include "probes/syscall_probe.h"
#include "test_support.h"

namespace hs::roottest {
namespace {

using probes::SyscallFilter;
using probes::SyscallProbe;

constexpr std::uint64_t kN = 20'000;

SyscallFilter make_filter(std::vector<std::uint32_t> pids, std::vector<std::string> comms = {},
                          std::vector<std::uint64_t> cgroup_ids = {}, std::uint64_t min_latency_ns = 0) {
  SyscallFilter f;
  f.pids = std::move(pids);
  f.comms = std::move(comms);
  f.cgroup_ids = std::move(cgroup_ids);
  f.min_latency_ns = min_latency_ns;
  return f;
}

std::uint32_t u32(pid_t pid) { return static_cast<std::uint32_t>(pid); }

class SyscallFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to load BPF programs";
    auto r = SyscallProbe::load({});
    ASSERT_TRUE(r.ok()) << r.status().text();
    probe_ = std::move(r.value());
    ASSERT_TRUE(probe_->attach().ok());
  }
  std::uint64_t getppids(const Workload& w) { return records_for(*probe_, w.pid())[nr_of("getppid")].count; }
  std::unique_ptr<SyscallProbe> probe_;
};

TEST(SyscallNames, MatchUapiNumbers) {
  EXPECT_EQ(syscall_name(110), "getppid");
  EXPECT_EQ(syscall_name(230), "clock_nanosleep");
  EXPECT_EQ(syscall_name(0), "read");
  EXPECT_EQ(syscall_name(100000), "");
  EXPECT_EQ(syscall_nr("getppid"), 110u);
  EXPECT_EQ(syscall_nr("io_uring_setup"), 425u);
  EXPECT_EQ(syscall_nr("no_such_call"), std::nullopt);
}

TEST_F(SyscallFilterTest, PidFilterAppliesLiveAndClears) {
  Workload a({"getppid=" + std::to_string(kN)});
  ASSERT_TRUE(probe_->set_filter(make_filter({u32(a.pid())})).ok());
  Workload b({"getppid=" + std::to_string(kN)});  // its whole life runs under the filter
  a.run_round();
  b.run_round();
  EXPECT_EQ(getppids(a), kN);
  EXPECT_EQ(total_count(*probe_, b.pid()), 0u);

  ASSERT_TRUE(probe_->set_filter({}).ok());
  b.run_round();
  EXPECT_EQ(getppids(b), kN);
}

TEST_F(SyscallFilterTest, CommFilterAndAcrossKinds) {
  Workload a({"getppid=" + std::to_string(kN), "comm=hs_wl_a"});
  Workload b({"getppid=" + std::to_string(kN), "comm=hs_wl_b", "threads=2"});
  ASSERT_TRUE(probe_->set_filter(make_filter({}, {"hs_wl_b", "not_running"})).ok());
  a.run_round();
  b.run_round();
  EXPECT_EQ(records_for(*probe_, a.pid()).count(nr_of("getppid")), 0u);
  EXPECT_EQ(getppids(b), 2 * kN);

  // pid AND comm: a's pid is allowed but its comm is not.
  ASSERT_TRUE(probe_->set_filter(make_filter({u32(a.pid()), u32(b.pid())}, {"hs_wl_b"})).ok());
  a.run_round();
  b.run_round();
  EXPECT_EQ(records_for(*probe_, a.pid()).count(nr_of("getppid")), 0u);
  EXPECT_EQ(getppids(b), 4 * kN);

  // A name longer than 15 chars matches the kernel's truncated comm.
  ASSERT_TRUE(probe_->set_filter(make_filter({}, {"hs_wl_a_with_a_long_tail"})).ok());
  Workload c({"getppid=" + std::to_string(kN), "comm=hs_wl_a_with_a_long_tail"});
  c.run_round();
  EXPECT_EQ(getppids(c), kN);
}

TEST_F(SyscallFilterTest, MinLatencyDropsShortCalls) {
  ASSERT_TRUE(probe_->set_filter(make_filter({}, {}, {}, 5'000'000)).ok());
  Workload w({"getppid=" + std::to_string(kN), "sleeps=3", "sleep_ms=10"});
  w.run_round();
  auto recs = records_for(*probe_, w.pid());
  EXPECT_EQ(recs.count(nr_of("getppid")), 0u);
  EXPECT_EQ(recs[nr_of("clock_nanosleep")].count, 3u);
}

// The cgroup2 mount point (hybrid hierarchies mount it at .../unified), or "".
std::string cgroup2_root() {
  std::ifstream mounts("/proc/self/mounts");
  std::string dev, dir, type, line;
  while (std::getline(mounts, line)) {
    std::istringstream in(line);
    in >> dev >> dir >> type;
    if (type == "cgroup2") return dir;
  }
  return {};
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.flush();
  return f.good();
}

TEST_F(SyscallFilterTest, CgroupFilterMatchesAncestors) {
  const std::string root = cgroup2_root();
  if (root.empty()) GTEST_SKIP() << "no cgroup2 mount";
  const std::string parent = root + "/hs_root_test_" + std::to_string(getpid());
  const std::string leaf = parent + "/leaf";
  if (mkdir(parent.c_str(), 0755) != 0 || mkdir(leaf.c_str(), 0755) != 0) GTEST_SKIP() << "cannot create cgroups";
  struct stat st{};
  ASSERT_EQ(stat(parent.c_str(), &st), 0);
  const std::uint64_t parent_id = st.st_ino;  // a cgroup2 id is its directory's inode number
  {
    Workload in_leaf({"getppid=" + std::to_string(kN)}), outside({"getppid=" + std::to_string(kN)});
    ASSERT_TRUE(write_file(leaf + "/cgroup.procs", std::to_string(in_leaf.pid())));
    ASSERT_TRUE(probe_->set_filter(make_filter({}, {}, {parent_id})).ok());
    in_leaf.run_round();
    outside.run_round();
    EXPECT_EQ(getppids(in_leaf), kN);
    EXPECT_EQ(records_for(*probe_, outside.pid()).count(nr_of("getppid")), 0u);
    in_leaf.finish();
  }
  rmdir(leaf.c_str());
  rmdir(parent.c_str());
}

}  // namespace
}  // namespace hs::roottest
