#include "procfs/system.h"
#include "procfs/system_files.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace hs::procfs {
namespace {

namespace fs = std::filesystem;

// A 2-core machine, two samples one second apart. Per-core deltas:
//   cpu0: user+10 nice+0 system+10 idle+70 iowait+5 irq+0 softirq+0 steal+5  (total 100)
//   cpu1: user+30 nice+0 system+10 idle+40 iowait+0 irq+5 softirq+5 steal+10 (total 100)
constexpr char kStat1[] =
    "cpu  2000 100 1000 10000 200 0 50 100 0 0\n"
    "cpu0 1000 50 500 5000 100 0 25 50 0 0\n"
    "cpu1 1000 50 500 5000 100 0 25 50 0 0\n"
    "intr 123456 0 9 0 0\n"
    "ctxt 987654\n"
    "btime 1700000000\n"
    "processes 4242\n"
    "procs_running 3\n"
    "procs_blocked 1\n"
    "softirq 1 2 3 4 5 6 7 8 9 10 11\n";
constexpr char kStat2[] =
    "cpu  2040 100 1020 10110 205 5 55 115 0 0\n"
    "cpu0 1010 50 510 5070 105 0 25 55 0 0\n"
    "cpu1 1030 50 510 5040 100 5 30 60 0 0\n"
    "intr 123999 0 9 0 0\n"
    "ctxt 990000\n"
    "btime 1700000000\n"
    "processes 4250\n"
    "procs_running 5\n"
    "procs_blocked 0\n";

constexpr char kMeminfo[] =
    "MemTotal:       16318480 kB\n"
    "MemFree:         1234560 kB\n"
    "MemAvailable:    8159240 kB\n"
    "Buffers:          456789 kB\n"
    "Cached:          5678901 kB\n"
    "SwapCached:            0 kB\n"
    "Active:          6543210 kB\n"
    "SwapTotal:       2097148 kB\n"
    "SwapFree:        1048574 kB\n"
    "HugePages_Total:       0\n"
    "Hugepagesize:       2048 kB\n";

constexpr char kLoadavg[] = "0.52 1.25 2.00 3/1234 56789\n";

constexpr char kPsiCpu[] =
    "some avg10=1.50 avg60=0.75 avg300=0.25 total=123456\n"
    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
constexpr char kPsiMem[] =
    "some avg10=2.25 avg60=1.00 avg300=0.50 total=5555\n"
    "full avg10=1.10 avg60=0.50 avg300=0.20 total=4444\n";
constexpr char kPsiIo[] =
    "some avg10=12.00 avg60=8.00 avg300=4.00 total=99999\n"
    "full avg10=10.50 avg60=7.00 avg300=3.00 total=88888\n";

// sda (whole disk) + sda1 (its partition) + loop0: only sda may be summed.
constexpr char kDiskstats1[] =
    "   7       0 loop0 500 0 4000 100 0 0 0 0 0 20 100 0 0 0 0\n"
    "   8       0 sda 10000 200 800000 5000 20000 300 1600000 9000 0 12000 14000 0 0 0 0 0 0\n"
    "   8       1 sda1 9000 200 700000 4500 19000 300 1500000 8500 0 11000 13000 0 0 0 0 0 0\n";
constexpr char kDiskstats2[] =
    "   7       0 loop0 900 0 9000 100 0 0 0 0 0 20 100 0 0 0 0\n"
    "   8       0 sda 10100 200 802000 5000 20100 300 1604000 9000 0 12100 14100 0 0 0 0 0 0\n"
    "   8       1 sda1 9100 200 702000 4500 19100 300 1504000 8500 0 11100 13100 0 0 0 0 0 0\n";

// ---- pure parsers ----

TEST(ProcfsStat, ParsesAggregateCoresAndCounters) {
  auto r = parse_proc_stat(kStat1);
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->total.user, 2000u);
  EXPECT_EQ(r->total.steal, 100u);
  ASSERT_EQ(r->cores.size(), 2u);
  EXPECT_EQ(r->cores[1].cpu, 1);
  EXPECT_EQ(r->cores[1].times.idle, 5000u);
  EXPECT_EQ(r->ctxt, 987654u);
  EXPECT_EQ(r->procs_running, 3u);
  EXPECT_EQ(r->procs_blocked, 1u);
}

TEST(ProcfsStat, MissingTrailingFieldsAreZero) {
  auto r = parse_proc_stat("cpu 1 2 3 4\ncpu0 1 2 3 4 5\n");
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->total.idle, 4u);
  EXPECT_EQ(r->total.iowait, 0u);
  EXPECT_EQ(r->total.steal, 0u);
  EXPECT_EQ(r->cores[0].times.iowait, 5u);
}

TEST(ProcfsStat, CoresAreSortedByIndex) {
  auto r = parse_proc_stat("cpu 1 1 1 1\ncpu10 1 1 1 1\ncpu2 1 1 1 1\n");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->cores.size(), 2u);
  EXPECT_EQ(r->cores[0].cpu, 2);
  EXPECT_EQ(r->cores[1].cpu, 10);
}

TEST(ProcfsStat, MalformedIsAnError) {
  for (const char* bad : {"", "intr 1 2\n", "cpu 1 2 3\n", "cpu 1 2 x 4\n", "cpu -1 2 3 4\n",
                          "cpu 1 2 3 4\ncpu 1 2 3 4\n", "cpu 1 2 3 4\ncpuX 1 2 3 4\n",
                          "cpu 1 2 3 4\ncpu99999 1 2 3 4\n", "cpu 1 2 3 4\ncpu0 1 1 1 1\ncpu0 1 1 1 1\n",
                          "cpu 99999999999999999999 1 1 1\n", "cpu 1 2 3 4\nctxt abc\n",
                          "cpu 1 2 3 4\nprocs_running 99999999999\n"}) {
    EXPECT_FALSE(parse_proc_stat(bad).ok()) << bad;
  }
}

TEST(ProcfsMeminfo, ParsesAndScalesToBytes) {
  auto r = parse_meminfo(kMeminfo);
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->mem_total, 16318480ull * 1024);
  EXPECT_EQ(r->mem_free, 1234560ull * 1024);
  EXPECT_EQ(r->mem_available, 8159240ull * 1024);
  EXPECT_TRUE(r->has_mem_available);
  EXPECT_EQ(r->buffers, 456789ull * 1024);
  EXPECT_EQ(r->cached, 5678901ull * 1024);
  EXPECT_EQ(r->swap_total, 2097148ull * 1024);
  EXPECT_EQ(r->swap_free, 1048574ull * 1024);
}

TEST(ProcfsMeminfo, OldKernelWithoutMemAvailableEstimates) {
  auto r = parse_meminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\n");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_mem_available);
  EXPECT_EQ(r->mem_available, 350u * 1024);
}

TEST(ProcfsMeminfo, OverflowAndMalformedAreErrors) {
  EXPECT_FALSE(parse_meminfo("MemTotal: 18446744073709551615 kB\nMemFree: 1 kB\n").ok());
  EXPECT_FALSE(parse_meminfo("MemTotal: 18014398509481984 kB\nMemFree: 1 kB\n").ok());  // 2^54 KiB = 2^64 B
  EXPECT_TRUE(parse_meminfo("MemTotal: 18014398509481983 kB\nMemFree: 1 kB\n").ok());
  EXPECT_FALSE(parse_meminfo("MemFree: 1 kB\n").ok());
  EXPECT_FALSE(parse_meminfo("MemTotal: abc kB\nMemFree: 1 kB\n").ok());
  EXPECT_FALSE(parse_meminfo("MemTotal: 10 MB\nMemFree: 1 kB\n").ok());
  EXPECT_FALSE(parse_meminfo("MemTotal: 10 kB\nMemTotal: 10 kB\nMemFree: 1 kB\n").ok());
  EXPECT_FALSE(parse_meminfo("").ok());
}

TEST(ProcfsLoadavg, Parses) {
  auto r = parse_loadavg(kLoadavg);
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_DOUBLE_EQ(r->load1, 0.52);
  EXPECT_DOUBLE_EQ(r->load5, 1.25);
  EXPECT_DOUBLE_EQ(r->load15, 2.0);
  EXPECT_EQ(r->running, 3u);
  EXPECT_EQ(r->total, 1234u);
}

TEST(ProcfsLoadavg, MalformedIsAnError) {
  for (const char* bad : {"", "0.5 0.5\n", "nan 0.1 0.1 1/2 3\n", "inf 0.1 0.1 1/2 3\n", "-1 0.1 0.1 1/2 3\n",
                          "0.1 0.1 0.1 12 3\n", "0.1 0.1 0.1 /2 3\n", "0.1 0.1 0.1 1/ 3\n", "1e5 0.1 0.1 1/2 3\n"}) {
    EXPECT_FALSE(parse_loadavg(bad).ok()) << bad;
  }
}

TEST(ProcfsPressure, ParsesSomeAndFull) {
  auto r = parse_pressure(kPsiIo);
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_TRUE(r->available);
  EXPECT_DOUBLE_EQ(r->some.avg10, 12.0);
  EXPECT_DOUBLE_EQ(r->some.avg60, 8.0);
  EXPECT_DOUBLE_EQ(r->some.avg300, 4.0);
  EXPECT_EQ(r->some.total_us, 99999u);
  EXPECT_TRUE(r->has_full);
  EXPECT_DOUBLE_EQ(r->full.avg10, 10.5);
  EXPECT_EQ(r->full.total_us, 88888u);
}

TEST(ProcfsPressure, FullIsOptional) {
  auto r = parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_full);
}

TEST(ProcfsPressure, MalformedIsAnError) {
  for (const char* bad : {"", "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
                          "some avg10=0.00 avg60=0.00 total=0\n", "some avg10=x avg60=0.00 avg300=0.00 total=0\n",
                          "some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n",
                          "some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n", "some avg10\n"}) {
    EXPECT_FALSE(parse_pressure(bad).ok()) << bad;
  }
}

TEST(ProcfsDiskstats, ParsesDevicesSortedByName) {
  auto r = parse_diskstats(kDiskstats1);
  ASSERT_TRUE(r.ok()) << r.status().text();
  ASSERT_EQ(r->size(), 3u);
  const DiskStat& sda = (*r)[1];
  EXPECT_EQ(sda.name, "sda");
  EXPECT_EQ(sda.major, 8u);
  EXPECT_EQ(sda.reads, 10000u);
  EXPECT_EQ(sda.sectors_read, 800000u);
  EXPECT_EQ(sda.writes, 20000u);
  EXPECT_EQ(sda.sectors_written, 1600000u);
  EXPECT_EQ(sda.io_ticks_ms, 12000u);
  EXPECT_EQ((*r)[0].name, "loop0");
  EXPECT_EQ((*r)[2].name, "sda1");
}

TEST(ProcfsDiskstats, MalformedIsAnError) {
  EXPECT_FALSE(parse_diskstats("8 0 sda 1 2 3\n").ok());
  EXPECT_FALSE(parse_diskstats("x 0 sda 1 2 3 4 5 6 7 8 9 10 11\n").ok());
  EXPECT_FALSE(parse_diskstats("8 0 sda 1 2 3 4 5 6 7 8 9 10 -11\n").ok());
  EXPECT_FALSE(parse_diskstats("8 0\n").ok());
  EXPECT_TRUE(parse_diskstats("").ok());
}

// ---- reader over a fixture tree ----

class ProcfsSystemReader : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("hs_procfs_sys_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(proc() / "pressure");
    fs::create_directories(sys() / "block" / "sda");
    fs::create_directories(sys() / "block" / "loop0");
    write("stat", kStat1);
    write("meminfo", kMeminfo);
    write("loadavg", kLoadavg);
    write("pressure/cpu", kPsiCpu);
    write("pressure/memory", kPsiMem);
    write("pressure/io", kPsiIo);
    write("diskstats", kDiskstats1);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path proc() const { return root_ / "proc"; }
  fs::path sys() const { return root_ / "sys"; }
  void write(const std::string& rel, const std::string& content) {
    std::ofstream(proc() / rel, std::ios::binary | std::ios::trunc) << content;
  }
  SystemReader reader() const { return SystemReader(proc().string(), sys().string()); }

  fs::path root_;
};

TEST_F(ProcfsSystemReader, ReadsEverything) {
  auto r = reader().read(42);
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->mono_ns, 42);
  EXPECT_EQ(r->stat.cores.size(), 2u);
  EXPECT_TRUE(r->psi_cpu.available && r->psi_memory.available && r->psi_io.available);
  ASSERT_EQ(r->disks.size(), 3u);
  EXPECT_FALSE(r->disks[0].whole_disk);  // loop0, even though /sys/block/loop0 exists
  EXPECT_TRUE(r->disks[1].whole_disk);   // sda
  EXPECT_FALSE(r->disks[2].whole_disk);  // sda1: no /sys/block/sda1
}

TEST_F(ProcfsSystemReader, FirstSampleHasZeroRatesAndCumulativeTotals) {
  auto s = reader().read(1'000'000'000);
  ASSERT_TRUE(s.ok());
  SystemMetrics m = derive(*s, *s);
  EXPECT_EQ(m.cpu_percent, 0.0);
  EXPECT_EQ(m.disk_read_bytes_per_s, 0.0);
  // sda only: not sda1, not loop0.
  EXPECT_EQ(m.disk_read_bytes, 800000ull * 512);
  EXPECT_EQ(m.disk_write_bytes, 1600000ull * 512);
  EXPECT_EQ(m.mem_total_bytes, 16318480ull * 1024);
  EXPECT_EQ(m.mem_used_bytes, (16318480ull - 8159240ull) * 1024);
  EXPECT_EQ(m.mem_available_bytes, 8159240ull * 1024);
  EXPECT_EQ(m.swap_total_bytes, 2097148ull * 1024);
  EXPECT_EQ(m.swap_used_bytes, (2097148ull - 1048574ull) * 1024);
  EXPECT_DOUBLE_EQ(m.load1, 0.52);
  EXPECT_DOUBLE_EQ(m.load5, 1.25);
  EXPECT_DOUBLE_EQ(m.load15, 2.0);
  EXPECT_TRUE(m.psi_available);
  EXPECT_DOUBLE_EQ(m.psi_cpu_some, 1.5);
  EXPECT_DOUBLE_EQ(m.psi_mem_some, 2.25);
  EXPECT_DOUBLE_EQ(m.psi_mem_full, 1.1);
  EXPECT_DOUBLE_EQ(m.psi_io_some, 12.0);
  EXPECT_DOUBLE_EQ(m.psi_io_full, 10.5);
  EXPECT_EQ(m.context_switches, 987654u);
  EXPECT_EQ(m.procs_running, 3u);
  EXPECT_EQ(m.procs_blocked, 1u);
}

TEST_F(ProcfsSystemReader, CpuAndDiskMathOverOneSecond) {
  auto a = reader().read(1'000'000'000);
  write("stat", kStat2);
  write("diskstats", kDiskstats2);
  auto b = reader().read(2'000'000'000);
  ASSERT_TRUE(a.ok() && b.ok());
  SystemMetrics m = derive(*a, *b);
  // Aggregate: busy = 40+0+20+5+5 = 70, steal 15, iowait 5, idle 110 -> total 200.
  EXPECT_DOUBLE_EQ(m.cpu_percent, 35.0);
  EXPECT_DOUBLE_EQ(m.steal_percent, 7.5);
  EXPECT_DOUBLE_EQ(m.iowait_percent, 2.5);
  ASSERT_EQ(m.cores.size(), 2u);
  EXPECT_EQ(m.cores[0].cpu, 0);
  EXPECT_DOUBLE_EQ(m.cores[0].busy_percent, 20.0);
  EXPECT_DOUBLE_EQ(m.cores[0].steal_percent, 5.0);
  EXPECT_EQ(m.cores[1].cpu, 1);
  EXPECT_DOUBLE_EQ(m.cores[1].busy_percent, 50.0);
  EXPECT_DOUBLE_EQ(m.cores[1].steal_percent, 10.0);
  // sda: +2000 sectors read, +4000 written; loop0 and sda1 moved too but are not counted.
  EXPECT_DOUBLE_EQ(m.disk_read_bytes_per_s, 2000.0 * 512);
  EXPECT_DOUBLE_EQ(m.disk_write_bytes_per_s, 4000.0 * 512);
  EXPECT_EQ(m.disk_read_bytes, 802000ull * 512);
  EXPECT_EQ(m.context_switches, 990000u);
  EXPECT_EQ(m.procs_running, 5u);
}

TEST_F(ProcfsSystemReader, CountersGoingBackwardsGiveZeroDeltas) {
  auto a = reader().read(1'000'000'000);
  write("stat", kStat2);
  write("diskstats", kDiskstats2);
  auto b = reader().read(2'000'000'000);
  ASSERT_TRUE(a.ok() && b.ok());
  SystemMetrics m = derive(*b, *a);  // everything went backwards
  EXPECT_EQ(m.cpu_percent, 0.0);
  EXPECT_EQ(m.steal_percent, 0.0);
  for (const CoreUsage& c : m.cores) EXPECT_EQ(c.busy_percent, 0.0);
  EXPECT_EQ(m.disk_read_bytes_per_s, 0.0);
  EXPECT_EQ(m.disk_write_bytes_per_s, 0.0);

  // Only idle went backwards on cpu0: the other fields still count, idle contributes 0.
  SystemSnapshot c = *a;
  c.stat.cores[0].times.user += 10;
  c.stat.cores[0].times.idle -= 1000;
  m = derive(*a, c);
  EXPECT_DOUBLE_EQ(m.cores[0].busy_percent, 100.0);
}

TEST_F(ProcfsSystemReader, CoreThatAppearsAndDisappears) {
  auto a = reader().read(0);
  ASSERT_TRUE(a.ok());
  SystemSnapshot b = *a;
  b.stat.cores.push_back(CoreTimes{2, CpuTimes{5, 0, 5, 10, 0, 0, 0, 0}});
  SystemMetrics m = derive(*a, b);
  ASSERT_EQ(m.cores.size(), 3u);
  EXPECT_EQ(m.cores[2].busy_percent, 0.0);
  m = derive(b, *a);
  EXPECT_EQ(m.cores.size(), 2u);
}

TEST_F(ProcfsSystemReader, MissingPressureIsUnavailableNotAnError) {
  fs::remove_all(proc() / "pressure");
  auto r = reader().read(0);
  ASSERT_TRUE(r.ok()) << r.status().text();
  SystemMetrics m = derive(*r, *r);
  EXPECT_FALSE(m.psi_available);
  EXPECT_EQ(m.psi_cpu_some, 0.0);
}

TEST_F(ProcfsSystemReader, MissingDiskstatsMeansNoDisks) {
  fs::remove(proc() / "diskstats");
  auto r = reader().read(0);
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_TRUE(r->disks.empty());
}

TEST_F(ProcfsSystemReader, StackedDevicesAreNotSummed) {
  write("diskstats", std::string(kDiskstats1) + " 253 0 dm-0 5 0 40 0 5 0 40 0 0 1 1\n");
  fs::create_directories(sys() / "block" / "dm-0" / "slaves" / "sda1");
  auto r = reader().read(0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(derive(*r, *r).disk_read_bytes, 800000ull * 512);
}

TEST_F(ProcfsSystemReader, MalformedOrMissingRequiredFilesAreErrors) {
  write("pressure/io", "garbage\n");
  EXPECT_FALSE(reader().read(0).ok());
  write("pressure/io", kPsiIo);
  write("meminfo", "MemTotal: lots\n");
  EXPECT_FALSE(reader().read(0).ok());
  write("meminfo", kMeminfo);
  fs::remove(proc() / "stat");
  auto r = reader().read(0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().err(), ENOENT);
}

TEST_F(ProcfsSystemReader, OversizedFileIsAnError) {
  write("loadavg", std::string(2 << 20, '1'));
  EXPECT_FALSE(reader().read(0).ok());
}

TEST(ProcfsSystemDerive, HostileTimestampsAndCountersDoNotOverflow) {
  SystemSnapshot a, b;
  a.mono_ns = INT64_MIN;
  b.mono_ns = INT64_MAX;
  b.stat.total = CpuTimes{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
  b.disks.push_back(DiskStat{"sda", 8, 0, 1, UINT64_MAX, 1, UINT64_MAX, 1, true});
  a.disks.push_back(DiskStat{"sda", 8, 0, 0, 0, 0, 0, 0, true});
  SystemMetrics m = derive(a, b);
  EXPECT_GE(m.cpu_percent, 0.0);
  EXPECT_LE(m.cpu_percent, 100.0);
  EXPECT_EQ(m.disk_read_bytes, UINT64_MAX);
  EXPECT_GT(m.disk_read_bytes_per_s, 0.0);
}

// All of a large delta busy: (100 * busy) / total rounds to 100.00000000000001 in
// double for this value (found by fuzz_procfs); the percentages stay within 0..100.
TEST(ProcfsSystemDerive, PercentOfAllIsAHundredNotMore) {
  SystemSnapshot a, b;
  b.stat.total.user = 3333333333333333339ull;
  b.stat.cores.push_back(CoreTimes{0, b.stat.total});
  SystemMetrics m = derive(a, b);
  EXPECT_EQ(m.cpu_percent, 100.0);
  ASSERT_EQ(m.cores.size(), 1u);
  EXPECT_EQ(m.cores[0].busy_percent, 0.0);  // a core with no previous sample
  a.stat.cores.push_back(CoreTimes{0, CpuTimes{}});
  EXPECT_EQ(derive(a, b).cores[0].busy_percent, 100.0);
}

TEST(ProcfsSystemReal, ReadsThisMachine) {
  auto r = SystemReader().read(0);
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_GT(r->mem.mem_total, 0u);
  EXPECT_FALSE(r->stat.cores.empty());
}

}  // namespace
}  // namespace hs::procfs
