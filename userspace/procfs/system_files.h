// Pure parsers for the system-wide proc files: /proc/stat, /proc/meminfo,
// /proc/loadavg, /proc/pressure/*, /proc/diskstats. Malformed input -> error Status.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace hs::procfs {

inline constexpr int kMaxCpus = 8192;  // the kernel's NR_CPUS ceiling

// Cumulative clock ticks (USER_HZ). guest/guest_nice are already inside user/nice.
struct CpuTimes {
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
};

struct CoreTimes {
  int cpu = 0;
  CpuTimes times;
};

struct ProcStat {
  CpuTimes total;                // the aggregate "cpu" line
  std::vector<CoreTimes> cores;  // "cpuN" lines, sorted by cpu, no duplicates
  std::uint64_t ctxt = 0;
  std::uint32_t procs_running = 0;
  std::uint32_t procs_blocked = 0;
};

// Requires the aggregate "cpu" line with at least 4 fields; missing trailing fields are 0.
Result<ProcStat> parse_proc_stat(std::string_view text);

// Bytes (the file says kB, which is KiB).
struct MemInfo {
  std::uint64_t mem_total = 0, mem_free = 0, mem_available = 0, buffers = 0, cached = 0;
  std::uint64_t swap_total = 0, swap_free = 0;
  bool has_mem_available = false;  // false on kernels < 3.14: then free + buffers + cached
};

// Requires MemTotal and MemFree; a value that overflows when scaled to bytes is an error.
Result<MemInfo> parse_meminfo(std::string_view text);

struct LoadAvg {
  double load1 = 0, load5 = 0, load15 = 0;
  std::uint32_t running = 0, total = 0;
};

Result<LoadAvg> parse_loadavg(std::string_view text);

struct PsiLine {
  double avg10 = 0, avg60 = 0, avg300 = 0;  // percent
  std::uint64_t total_us = 0;
};

struct Psi {
  bool available = false;  // false when the file is missing (PSI disabled)
  PsiLine some;
  bool has_full = false;   // /proc/pressure/cpu has no "full" line before Linux 5.13
  PsiLine full;
};

// Requires a "some" line; "full" is optional. Sets available = true.
Result<Psi> parse_pressure(std::string_view text);

struct DiskStat {
  std::string name;
  std::uint32_t major = 0, minor = 0;
  std::uint64_t reads = 0, sectors_read = 0, writes = 0, sectors_written = 0, io_ticks_ms = 0;
  bool whole_disk = false;  // set by the reader from /sys/block; only these are summed
};

inline constexpr std::uint64_t kSectorBytes = 512;  // diskstats sectors are always 512 B

// Devices sorted by name. Lines need at least the 14 classic fields.
Result<std::vector<DiskStat>> parse_diskstats(std::string_view text);

}  // namespace hs::procfs
