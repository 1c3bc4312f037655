// System-wide snapshot (CPU, memory, load, PSI, disks) and the metrics derived
// from two snapshots. Feeds `type=system` of the metrics contract (SPEC §5.1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "procfs/system_files.h"

namespace hs::procfs {

struct SystemSnapshot {
  std::int64_t mono_ns = 0;
  ProcStat stat;
  MemInfo mem;
  LoadAvg load;
  Psi psi_cpu, psi_memory, psi_io;  // .available == false when /proc/pressure/* is missing
  std::vector<DiskStat> disks;      // sorted by name; whole_disk marks what is summed
};

// True when /sys/block/<name> exists (a whole disk, not a partition) and the device
// is neither a loop/ram/zram device nor stacked on other disks (dm-*, md*: it has
// entries in slaves/), so summing the true ones never counts a byte twice.
bool is_whole_disk(const std::string& sys_root, std::string_view name);

class SystemReader {
 public:
  explicit SystemReader(std::string proc_root = "/proc", std::string sys_root = "/sys");
  // stat, meminfo and loadavg are required; missing pressure files mark PSI
  // unavailable; a missing diskstats means no disks. Malformed content is an error.
  Result<SystemSnapshot> read(std::int64_t mono_ns) const;

 private:
  std::string proc_root_;
  std::string sys_root_;
};

struct CoreUsage {
  int cpu;
  double busy_percent;
  double steal_percent;
};

// Percentages are of all ticks in the interval (user+nice+system+idle+iowait+irq+softirq+steal):
//   cpu_percent    = user+nice+system+irq+softirq (busy; excludes idle, iowait and steal)
//   steal_percent  = steal,  iowait_percent = iowait
// so cpu + steal + iowait + idle = 100.
struct SystemMetrics {
  double cpu_percent = 0;
  double steal_percent = 0;
  double iowait_percent = 0;
  std::vector<CoreUsage> cores;
  // mem_used = MemTotal - MemAvailable (what applications cannot get back), never negative.
  std::uint64_t mem_used_bytes = 0, mem_total_bytes = 0, mem_available_bytes = 0;
  std::uint64_t swap_used_bytes = 0, swap_total_bytes = 0;  // swap_used = SwapTotal - SwapFree
  double load1 = 0, load5 = 0, load15 = 0;
  bool psi_available = false;  // all three pressure files present
  double psi_cpu_some = 0, psi_mem_some = 0, psi_io_some = 0, psi_mem_full = 0, psi_io_full = 0;  // avg10, percent
  std::uint64_t disk_read_bytes = 0, disk_write_bytes = 0;  // whole disks, cumulative since boot
  double disk_read_bytes_per_s = 0, disk_write_bytes_per_s = 0;
  std::uint64_t context_switches = 0;  // cumulative since boot
  std::uint32_t procs_running = 0, procs_blocked = 0;
};

// Rates and percentages from the deltas prev -> cur. derive(s, s) is the first
// sample (rates 0). A counter that went backwards contributes a delta of 0.
SystemMetrics derive(const SystemSnapshot& prev, const SystemSnapshot& cur);

}  // namespace hs::procfs
