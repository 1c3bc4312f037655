// libFuzzer entry for every procfs parser. The first byte picks the parser; the rest
// is the file content. Beyond "no crash, no UB", it checks the invariants callers rely on.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "procfs/cgroup.h"
#include "procfs/process.h"
#include "procfs/system.h"
#include "procfs/system_files.h"

namespace {

using namespace hs::procfs;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_percent(double p) { check(std::isfinite(p) && p >= 0.0 && p <= 100.0); }

void check_metrics(const SystemMetrics& m) {
  check_percent(m.cpu_percent);
  check_percent(m.steal_percent);
  check_percent(m.iowait_percent);
  for (const CoreUsage& c : m.cores) {
    check_percent(c.busy_percent);
    check_percent(c.steal_percent);
  }
  check(m.mem_used_bytes <= m.mem_total_bytes);
  check(m.disk_read_bytes_per_s >= 0 && m.disk_write_bytes_per_s >= 0);
}

// "stat\x00diskstats" per half, halves split at the first '\x01': two snapshots to derive from.
void fuzz_derive(std::string_view in) {
  std::size_t cut = in.find('\x01');
  std::string_view a = in.substr(0, cut);
  std::string_view b = cut == std::string_view::npos ? a : in.substr(cut + 1);
  SystemSnapshot snaps[2];
  std::string_view halves[2] = {a, b};
  for (int i = 0; i < 2; ++i) {
    std::size_t nul = halves[i].find('\0');
    auto stat = parse_proc_stat(halves[i].substr(0, nul));
    if (!stat) return;
    snaps[i].stat = *stat;
    snaps[i].mono_ns = static_cast<std::int64_t>(halves[i].size()) * (i == 0 ? 1 : 1'000'000);
    if (nul != std::string_view::npos) {
      auto disks = parse_diskstats(halves[i].substr(nul + 1));
      if (!disks) return;
      snaps[i].disks = *disks;
      for (auto& d : snaps[i].disks) d.whole_disk = d.name.size() % 2 == 0;
    }
  }
  check_metrics(derive(snaps[0], snaps[1]));
  check_metrics(derive(snaps[1], snaps[0]));
  check_metrics(derive(snaps[0], snaps[0]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 10) {
    case 0: {
      auto r = parse_proc_stat(in);
      if (r) check(r->cores.size() <= static_cast<std::size_t>(kMaxCpus));
      break;
    }
    case 1: {
      auto r = parse_meminfo(in);
      if (r) {
        SystemSnapshot s;
        s.mem = *r;
        check_metrics(derive(s, s));
      }
      break;
    }
    case 2: {
      auto r = parse_loadavg(in);
      if (r) check(std::isfinite(r->load1) && r->load1 >= 0);
      break;
    }
    case 3: {
      auto r = parse_pressure(in);
      if (r) check_percent(r->some.avg10);
      break;
    }
    case 4:
      (void)parse_diskstats(in);
      break;
    case 5: {
      auto r = parse_pid_stat(in);
      if (r) check(r->comm.size() <= kCommMax);
      break;
    }
    case 6: {
      CgroupInfo c = parse_cgroup(in);
      check(c.container_id.empty() || c.container_id.size() == kContainerIdLen);
      check(c.path.size() <= in.size());
      break;
    }
    case 7: {
      std::string s = parse_cmdline(in);
      check(s.size() <= 4096);
      for (char ch : s) check(ch >= 0x20 && ch <= 0x7e);
      break;
    }
    case 8:
      fuzz_derive(in);
      break;
    default:
      // Every parser on the same bytes: finds inputs that confuse one parser for another's file.
      (void)parse_proc_stat(in);
      (void)parse_meminfo(in);
      (void)parse_loadavg(in);
      (void)parse_pressure(in);
      (void)parse_diskstats(in);
      (void)parse_pid_stat(in);
      (void)parse_cgroup(in);
      break;
  }
  return 0;
}
