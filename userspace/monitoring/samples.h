// Inputs of the monitoring engine, independent of where they come from
// (the BPF probes in the daemon, synthetic records in tests).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/syscall_reading.h"

namespace hs::monitoring {

// Cumulative kernel aggregate for one (tgid, syscall); see common/syscall_reading.h.
using SyscallSample = hs::SyscallReading;

// What the engine knows about a process (from /proc in production).
struct ProcessMeta {
  std::uint32_t pid = 0;
  std::uint64_t start_time_ticks = 0;
  std::string comm;
  std::string exe;
  std::string cmdline;
  std::string cgroup;
  std::string container_id;
  std::string systemd_unit;
  std::uint64_t rss_bytes = 0;
  std::uint64_t cpu_ticks = 0;
};

// Looks processes up; production reads /proc, tests return canned answers.
class ProcessInspector {
 public:
  virtual ~ProcessInspector() = default;
  virtual std::optional<ProcessMeta> inspect(std::uint32_t pid) = 0;
  // True while the pid still names the same process (same start time).
  virtual bool alive(std::uint32_t pid, std::uint64_t start_time_ticks) = 0;
};

// Health of one probe as the capture layer reports it.
struct ProbeHealth {
  std::string name;          // "syscalls"
  std::string state;         // attached | detached | failed
  std::string variant;       // tp_btf | raw_tp
  std::string reason;        // why failed/degraded, empty when fine
  std::vector<std::pair<std::string, std::uint64_t>> drops;  // reason -> cumulative count
  std::uint64_t entries = 0;
  std::uint64_t max_entries = 0;
  std::uint64_t last_read_us = 0;
};

}  // namespace hs::monitoring
