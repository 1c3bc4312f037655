#include "procfs/cgroup.h"
#include "procfs/process.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace hs::procfs {
namespace {

namespace fs = std::filesystem;

constexpr char kId[] = "3f2a9c1b7e6d5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a09";

// Field layout as in proc(5); comm "(a) b)" has a space and both parens.
constexpr char kPidStat[] =
    "4242 ((a) b)) S 1 4242 4242 0 -1 4194560 1234 0 5 0 350 120 0 0 20 0 7 0 98765 123456789 2500 "
    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n";

TEST(ProcfsPidStat, CommBetweenFirstOpenAndLastCloseParen) {
  auto r = parse_pid_stat(kPidStat);
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->comm, "(a) b)");
  EXPECT_EQ(r->state, 'S');
  EXPECT_EQ(r->ppid, 1u);
  EXPECT_EQ(r->utime_ticks, 350u);
  EXPECT_EQ(r->stime_ticks, 120u);
  EXPECT_EQ(r->num_threads, 7u);
  EXPECT_EQ(r->start_time_ticks, 98765u);
  EXPECT_EQ(r->rss_pages, 2500);
}

TEST(ProcfsPidStat, PlainComm) {
  auto r = parse_pid_stat("1 (systemd) S 0 1 1 0 -1 4194560 1 2 3 4 10 20 0 0 20 0 1 0 5 1000 300\n");
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->comm, "systemd");
  EXPECT_EQ(r->ppid, 0u);
  EXPECT_EQ(r->rss_pages, 300);
}

TEST(ProcfsPidStat, MalformedIsAnError) {
  for (const char* bad : {"", "1 systemd S 0", "1 (systemd S 0 1 1", "1 )x( S 0 1 1 0 -1 1 1 2 3 4 10 20 0 0 20 0 1 0 5 1 3",
                          "x (a) S 0 1 1 0 -1 4194560 1 2 3 4 10 20 0 0 20 0 1 0 5 1000 300",
                          "1 (a) S 0 1 1 0 -1 4194560 1 2 3 4 10 20 0 0 20 0 1 0 5 1000",
                          "1 (a) SS 0 1 1 0 -1 4194560 1 2 3 4 10 20 0 0 20 0 1 0 5 1000 300",
                          "1 (a) S -5 1 1 0 -1 4194560 1 2 3 4 10 20 0 0 20 0 1 0 5 1000 300",
                          "1 (a) S 0 1 1 0 -1 4194560 1 2 3 4 x 20 0 0 20 0 1 0 5 1000 300"}) {
    EXPECT_FALSE(parse_pid_stat(bad).ok()) << bad;
  }
  std::string long_comm = "1 (" + std::string(100, 'a') + ") S 0 1 1 0 -1 1 1 2 3 4 10 20 0 0 20 0 1 0 5 1000 300";
  EXPECT_FALSE(parse_pid_stat(long_comm).ok());
}

TEST(ProcfsCmdline, NulsBecomeSpacesAndJunkBecomesQuestionMarks) {
  using namespace std::string_literals;
  EXPECT_EQ(parse_cmdline("nginx\0-g\0daemon off;\0"s), "nginx -g daemon off;");
  EXPECT_EQ(parse_cmdline("a\0\0\0"s), "a");
  EXPECT_EQ(parse_cmdline("x\x01\x7f\xff\ny"s), "x????y");
  EXPECT_EQ(parse_cmdline(""), "");
  EXPECT_EQ(parse_cmdline(std::string(10000, 'z')).size(), 4096u);
}

TEST(ProcfsCgroup, Docker) {
  auto c = parse_cgroup(std::string("0::/system.slice/docker-") + kId + ".scope\n");
  EXPECT_EQ(c.path, std::string("/system.slice/docker-") + kId + ".scope");
  EXPECT_EQ(c.container_id, kId);
  EXPECT_EQ(c.systemd_unit, "");
}

TEST(ProcfsCgroup, DockerCgroupfsDriverV1) {
  std::string text = std::string("12:pids:/docker/") + kId + "\n11:cpu,cpuacct:/docker/" + kId + "\n1:name=systemd:/docker/" +
                     kId + "\n";
  auto c = parse_cgroup(text);
  EXPECT_EQ(c.path, std::string("/docker/") + kId);
  EXPECT_EQ(c.container_id, kId);
}

TEST(ProcfsCgroup, ContainerdKubepods) {
  std::string path = std::string(
                         "/kubepods.slice/kubepods-burstable.slice/"
                         "kubepods-burstable-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/cri-containerd-") +
                     kId + ".scope";
  auto c = parse_cgroup("0::" + path + "\n");
  EXPECT_EQ(c.path, path);
  EXPECT_EQ(c.container_id, kId);
  EXPECT_EQ(c.systemd_unit, "");
}

TEST(ProcfsCgroup, ContainerdColonForm) {
  auto c = parse_cgroup(std::string("0::/system.slice/containerd.service/kubepods-besteffort-pod1234.slice:cri-containerd:") +
                        kId + "\n");
  EXPECT_EQ(c.container_id, kId);
  EXPECT_EQ(c.systemd_unit, "containerd.service");
}

TEST(ProcfsCgroup, KubepodsCgroupfsAndCrio) {
  auto c = parse_cgroup(std::string("0::/kubepods/besteffort/pod1234-5678/") + kId + "\n");
  EXPECT_EQ(c.container_id, kId);
  c = parse_cgroup(std::string("0::/kubepods.slice/kubepods-pod1.slice/crio-") + kId + ".scope\n");
  EXPECT_EQ(c.container_id, kId);
  c = parse_cgroup(std::string("0::/kubepods.slice/kubepods-pod1.slice/crio-conmon-") + kId + ".scope\n");
  EXPECT_EQ(c.container_id, "");
  EXPECT_EQ(c.systemd_unit, std::string("crio-conmon-") + kId + ".scope");
}

TEST(ProcfsCgroup, Podman) {
  std::string upper(kId);
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  auto c = parse_cgroup("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + upper + ".scope/container\n");
  EXPECT_EQ(c.container_id, kId);  // normalised to lowercase
  EXPECT_EQ(c.systemd_unit, "user@1000.service");
  c = parse_cgroup(std::string("0::/machine.slice/libpod-conmon-") + kId + ".scope\n");
  EXPECT_EQ(c.container_id, "");
}

TEST(ProcfsCgroup, SystemdService) {
  auto c = parse_cgroup("0::/system.slice/nginx.service\n");
  EXPECT_EQ(c.path, "/system.slice/nginx.service");
  EXPECT_EQ(c.container_id, "");
  EXPECT_EQ(c.systemd_unit, "nginx.service");
  c = parse_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n");
  EXPECT_EQ(c.systemd_unit, "session-3.scope");
}

TEST(ProcfsCgroup, HybridPrefersUnifiedLine) {
  auto c = parse_cgroup("12:memory:/foo\n1:name=systemd:/system.slice/sshd.service\n0::/system.slice/cron.service\n");
  EXPECT_EQ(c.systemd_unit, "cron.service");
  c = parse_cgroup("12:memory:/foo\n1:name=systemd:/system.slice/sshd.service\n");
  EXPECT_EQ(c.systemd_unit, "sshd.service");
  c = parse_cgroup("12:memory:/foo.service\n11:cpu:/bar\n");
  EXPECT_EQ(c.path, "/foo.service");
}

TEST(ProcfsCgroup, RootAndMalformed) {
  auto c = parse_cgroup("0::/\n");
  EXPECT_EQ(c.path, "/");
  EXPECT_EQ(c.container_id, "");
  EXPECT_EQ(c.systemd_unit, "");
  for (const char* bad : {"", "garbage", "0:/x", "x::/x", "0::relative", "\n\n::\n"}) {
    auto b = parse_cgroup(bad);
    EXPECT_EQ(b.path, "") << bad;
  }
  // A 63-hex component is not a container id.
  c = parse_cgroup(std::string("0::/docker/") + std::string(kId).substr(1) + "\n");
  EXPECT_EQ(c.container_id, "");
}

class ProcfsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("hs_procfs_proc_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "4242");
    fs::create_directories(root_ / "17");
    fs::create_directories(root_ / "self");
    fs::create_directories(root_ / "sys");
    write("4242/stat", kPidStat);
    write("4242/comm", "(a) b)\n");
    write("4242/cmdline", std::string("/usr/bin/app\0--flag\0", 20));
    write("4242/cgroup", std::string("0::/system.slice/docker-") + kId + ".scope\n");
    write("4242/statm", "30000 1000 200 10 0 500 0\n");
    fs::create_symlink("/usr/bin/app", root_ / "4242" / "exe");
    write("17/stat", "17 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0 0 0 0 5 0 0 20 0 1 0 100 0 0\n");
    write("17/cmdline", "");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& content) {
    std::ofstream(root_ / rel, std::ios::binary | std::ios::trunc) << content;
  }
  fs::path root_;
};

TEST_F(ProcfsFixture, ReadsAProcess) {
  ProcessReader r(root_.string());
  auto p = r.read(4242);
  ASSERT_TRUE(p.ok()) << p.status().text();
  EXPECT_EQ(p->pid, 4242u);
  EXPECT_EQ(p->comm, "(a) b)");
  EXPECT_EQ(p->exe, "/usr/bin/app");
  EXPECT_EQ(p->cmdline, "/usr/bin/app --flag");
  EXPECT_EQ(p->cgroup.container_id, kId);
  EXPECT_EQ(p->stat.start_time_ticks, 98765u);
  EXPECT_EQ(p->rss_bytes, 1000u * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)));
}

TEST_F(ProcfsFixture, CommFileIsSanitised) {
  write("4242/comm", std::string("ev\til\x01\xff", 7) + "\n");
  auto p = ProcessReader(root_.string()).read(4242);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->comm, "ev?il??");
  write("4242/comm", std::string(300, 'x'));  // over the cap: fall back to stat's comm
  p = ProcessReader(root_.string()).read(4242);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->comm, "(a) b)");
}

TEST_F(ProcfsFixture, KernelThreadHasNoExeAndFallsBackToStatRss) {
  ProcessReader r(root_.string());
  auto p = r.read(17);
  ASSERT_TRUE(p.ok()) << p.status().text();
  EXPECT_EQ(p->comm, "kworker/0:1");  // no comm file: the one from stat
  EXPECT_EQ(p->exe, "");
  EXPECT_EQ(p->cmdline, "");
  EXPECT_EQ(p->cgroup.path, "");
  EXPECT_EQ(p->rss_bytes, 0u);
}

TEST_F(ProcfsFixture, MissingOrMalformedStatIsAnError) {
  ProcessReader r(root_.string());
  EXPECT_FALSE(r.read(99).ok());
  write("4242/stat", "4242 (x");
  EXPECT_FALSE(r.read(4242).ok());
  fs::remove(root_ / "4242" / "stat");
  fs::create_directory(root_ / "4242" / "stat");  // not a regular file
  EXPECT_FALSE(r.read(4242).ok());
}

TEST_F(ProcfsFixture, AliveChecksStartTime) {
  ProcessReader r(root_.string());
  EXPECT_TRUE(r.alive(4242, 98765));
  EXPECT_FALSE(r.alive(4242, 98766));  // pid reused by a newer process
  EXPECT_FALSE(r.alive(99, 98765));
}

TEST_F(ProcfsFixture, ListPidsOnlyNumericEntries) {
  fs::create_directories(root_ / "0");
  fs::create_directories(root_ / "007");
  fs::create_directories(root_ / "99999999999");
  fs::create_directories(root_ / "12a");
  ProcessReader r(root_.string());
  EXPECT_EQ(r.list_pids(), (std::vector<std::uint32_t>{17, 4242}));
  EXPECT_TRUE(ProcessReader((root_ / "nope").string()).list_pids().empty());
}

TEST_F(ProcfsFixture, CgroupIdIsDirectoryInode) {
  fs::create_directories(root_ / "cg" / "system.slice" / "nginx.service");
  struct stat st {};
  ASSERT_EQ(::stat((root_ / "cg" / "system.slice" / "nginx.service").c_str(), &st), 0);
  auto id = cgroup_id_for_path((root_ / "cg").string(), "/system.slice/nginx.service");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, static_cast<std::uint64_t>(st.st_ino));
  EXPECT_TRUE(cgroup_id_for_path((root_ / "cg").string(), "/").has_value());
  EXPECT_FALSE(cgroup_id_for_path((root_ / "cg").string(), "/system.slice/../../etc").has_value());
  EXPECT_FALSE(cgroup_id_for_path((root_ / "cg").string(), "/..").has_value());
  EXPECT_FALSE(cgroup_id_for_path((root_ / "cg").string(), "/missing").has_value());
  EXPECT_FALSE(cgroup_id_for_path((root_ / "cg").string(), std::string("/a\0b", 4)).has_value());
  write("cg/file", "x");
  EXPECT_FALSE(cgroup_id_for_path((root_ / "cg").string(), "/file").has_value());
}

TEST(ProcfsRealProc, SelfCommMatches) {
  ProcessReader r;
  const auto pid = static_cast<std::uint32_t>(::getpid());
  auto p = r.read(pid);
  ASSERT_TRUE(p.ok()) << p.status().text();
  std::ifstream in("/proc/self/comm");
  std::string comm;
  std::getline(in, comm);
  EXPECT_EQ(p->comm, comm);
  EXPECT_EQ(p->stat.comm, comm);
  EXPECT_GT(p->rss_bytes, 0u);
  EXPECT_FALSE(p->exe.empty());
  EXPECT_TRUE(r.alive(pid, p->stat.start_time_ticks));
  EXPECT_FALSE(r.alive(pid, p->stat.start_time_ticks + 1));
  auto pids = r.list_pids();
  EXPECT_TRUE(std::binary_search(pids.begin(), pids.end(), pid));
}

}  // namespace
}  // namespace hs::procfs

namespace hs::procfs {
namespace {

TEST(ProcfsCgroup2Mount, PureHybridAndAbsent) {
  EXPECT_EQ(cgroup2_mount_point("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n"), "/sys/fs/cgroup");
  EXPECT_EQ(cgroup2_mount_point("tmpfs /sys/fs/cgroup tmpfs rw 0 0\n"
                                "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n"
                                "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n"),
            "/sys/fs/cgroup/unified");
  EXPECT_EQ(cgroup2_mount_point("proc /proc proc rw 0 0\n"), std::nullopt);
  EXPECT_EQ(cgroup2_mount_point(""), std::nullopt);
  EXPECT_EQ(cgroup2_mount_point("garbage"), std::nullopt);
}

}  // namespace
}  // namespace hs::procfs
