// Per-process facts from /proc/<pid>: stat, comm, exe, cmdline, cgroup, RSS.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "procfs/cgroup.h"

namespace hs::procfs {

inline constexpr std::size_t kCommMax = 16;  // TASK_COMM_LEN, including room for the NUL

struct PidStat {
  std::string comm;
  char state = '?';
  std::uint32_t ppid = 0;
  std::uint64_t utime_ticks = 0, stime_ticks = 0, start_time_ticks = 0;
  std::int64_t rss_pages = 0;
  std::uint32_t num_threads = 0;
};

// comm is between the FIRST '(' and the LAST ')': it may itself contain spaces and parens.
Result<PidStat> parse_pid_stat(std::string_view text);

// NULs -> spaces, trailing NULs trimmed, other non-printable bytes -> '?', capped at 4096 bytes.
std::string parse_cmdline(std::string_view raw);

struct ProcessInfo {
  std::uint32_t pid = 0;
  std::string comm, exe, cmdline;  // exe empty for kernel threads or when unreadable
  CgroupInfo cgroup;
  PidStat stat;
  std::uint64_t rss_bytes = 0;
};

class ProcessReader {
 public:
  explicit ProcessReader(std::string proc_root = "/proc");
  // Fails only when <pid>/stat is missing or malformed; the other files are best effort.
  Result<ProcessInfo> read(std::uint32_t pid) const;
  // Same pid AND same start time: a recycled pid is not the process we knew.
  bool alive(std::uint32_t pid, std::uint64_t start_time_ticks) const;
  // Numeric entries of the proc root, ascending.
  std::vector<std::uint32_t> list_pids() const;

 private:
  std::string dir(std::uint32_t pid) const;
  std::string proc_root_;
};

}  // namespace hs::procfs
