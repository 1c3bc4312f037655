// Helpers for the root tests: a driven workload process and BPF introspection.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "probes/syscall_probe.h"

namespace hs::roottest {

// hs_syscall_workload as a child process: started with key=value args, it waits
// for run_round() and exits when finish() closes its stdin.
class Workload {
 public:
  explicit Workload(const std::vector<std::string>& args);
  ~Workload();
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  pid_t pid() const { return pid_; }
  // One round; returns the median sleep in ns as the workload timed it (0 without sleeps).
  std::int64_t run_round() {
    start_round();
    return wait_round();
  }
  void start_round();          // "go"
  std::int64_t wait_round();   // wait for "done <median>" (throws on timeout or death)
  void finish();     // close stdin and reap

 private:
  std::string read_line(int timeout_ms);
  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
};

// The probe's records for one tgid, by syscall nr.
std::map<std::uint32_t, probes::SyscallRecord> records_for(probes::SyscallProbe& probe, std::uint32_t tgid);
// Sum of count over every record of a tgid.
std::uint64_t total_count(probes::SyscallProbe& probe, std::uint32_t tgid);

// Program ids that some BPF link in the system points at (libbpf id iteration).
std::set<std::uint32_t> linked_prog_ids();
// Program ids listed by `bpftool prog show`.
std::set<std::uint32_t> bpftool_prog_ids();
// An fd for the map called name used by program prog_id, or -1.
int map_fd_of_prog(std::uint32_t prog_id, const std::string& name);

// Syscall number by name, failing the test loudly if unknown.
std::uint32_t nr_of(const char* name);

}  // namespace hs::roottest
