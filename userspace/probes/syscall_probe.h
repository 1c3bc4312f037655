// Syscall latency probe: RAII owner of the syscalls BPF skeleton
// (open -> configure -> load in load(), then attach/detach at will).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "common/syscall_reading.h"
#include "hostscope/wire.h"
#include "probes/bpf_maps.h"

struct syscalls_bpf;
struct bpf_link;

namespace hs::probes {

// Who is traced. Empty lists disable that kind; enabled kinds are ANDed,
// entries within a kind ORed. Comms are thread comms (<= 15 chars).
struct SyscallFilter {
  std::vector<std::uint32_t> pids;  // tgids
  std::vector<std::string> comms;
  std::vector<std::uint64_t> cgroup_ids;  // cgroup v2 ids; a task in a descendant matches too
  std::uint64_t min_latency_ns = 0;       // shorter syscalls are not recorded
};

struct SyscallProbeOptions {
  std::uint32_t max_entries = HS_SYS_DEFAULT_MAX_ENTRIES;  // (tgid, nr) keys per aggregate map
  bool force_raw_tp = false;                               // skip tp_btf, use raw_tp
};

// One (tgid, nr) aggregate summed over CPUs. Slots are summed modulo 2^32
// (the consumer diffs them modulo 2^32).
using SyscallRecord = hs::SyscallReading;

class SyscallProbe {
 public:
  // open + configure + load (does not attach). tp_btf is tried first unless
  // options.force_raw_tp; raw_tp is the fallback if tp_btf fails to load.
  static Result<std::unique_ptr<SyscallProbe>> load(const SyscallProbeOptions& options);
  ~SyscallProbe();
  SyscallProbe(const SyscallProbe&) = delete;
  SyscallProbe& operator=(const SyscallProbe&) = delete;

  // Links the loaded programs to sys_enter/sys_exit. Syscalls already in
  // flight, or entered before a previous detach(), are not recorded.
  Status attach();
  // Removes the links; programs and maps stay loaded (aggregates are kept).
  void detach();
  bool attached() const { return !links_.empty(); }
  std::string_view variant() const;  // "tp_btf" or "raw_tp"

  // Replaces the filter; takes effect at once, attached or not.
  Status set_filter(const SyscallFilter& filter);
  // All aggregates (batched lookup; key-by-key fallback if batch ops are unsupported),
  // with the spill map's entries (keys whose per-CPU value could not be allocated) merged in.
  Status read_all(std::vector<SyscallRecord>& out);
  // Process name the kernel recorded for tgid (its group leader's comm), or "".
  std::string process_comm(std::uint32_t tgid) const;
  // Deletes keys (e.g. of exited processes) from both maps, and their processes'
  // names; keys already gone are skipped.
  Status remove(std::span<const hs_sys_key> keys);
  // Lost events per enum hs_sys_drop, summed over CPUs.
  std::array<std::uint64_t, HS_DROP_SYS_COUNT> drops() const;

  // Program runs the kernel skipped (its recursion guard), summed over our programs:
  // syscalls lost without reaching our drop counters. Expected 0.
  std::uint64_t missed_runs() const;

  std::uint32_t max_entries() const;
  // Distinct keys at the last read_all. Each of the two maps holds up to max_entries,
  // so this can exceed max_entries() after allocation bursts filled the spill map.
  std::size_t entries() const { return entries_; }
  // Kernel names (<= 15 chars, as bpftool shows them) and ids of the loaded programs in use.
  std::vector<std::string> program_names() const;
  std::vector<std::uint32_t> program_ids() const;

 private:
  enum class Variant { kTpBtf, kRawTp };
  using SkelPtr = std::unique_ptr<syscalls_bpf, void (*)(syscalls_bpf*)>;
  using LinkPtr = std::unique_ptr<bpf_link, int (*)(bpf_link*)>;

  SyscallProbe(SkelPtr skel, Variant variant);
  static Result<std::unique_ptr<SyscallProbe>> load_variant(const SyscallProbeOptions& options,
                                                            Variant variant);
  Status sync_set(int map_fd, const std::vector<std::vector<unsigned char>>& keys,
                  std::size_t key_size, std::string_view what);

  SkelPtr skel_;
  Variant variant_;
  std::vector<LinkPtr> links_;
  int ncpus_ = 1;
  std::size_t entries_ = 0;
  std::unique_ptr<MapAccess> aggr_access_, spill_access_;
  std::unordered_set<std::uint64_t> spill_keys_;  // keys in the spill map at the last read
};

// Routes libbpf's log through spdlog (info/debug -> debug, warn -> warn).
void route_libbpf_logs_to_spdlog();

}  // namespace hs::probes
