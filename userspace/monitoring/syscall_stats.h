// Cumulative per-(process, syscall) statistics rebuilt from the kernel's
// cumulative aggregates, robust to 32-bit slot wrap and to kernel entries
// being deleted and recreated.
#pragma once

#include <cstdint>

#include "common/histogram.h"
#include "monitoring/cumulative.h"
#include "monitoring/samples.h"

namespace hs::monitoring {

// What changed since the previous reading (feeds the time series).
struct SyscallDelta {
  std::uint64_t count = 0;
  std::uint64_t errors = 0;
  std::uint64_t total_ns = 0;
  Histogram hist;
  void merge(const SyscallDelta& o) {
    count += o.count;
    errors += o.errors;
    total_ns += o.total_ns;
    hist.merge(o.hist);
  }
};

class SyscallStat {
 public:
  // Folds one cumulative kernel reading in and adds what changed to `delta`.
  void apply(const SyscallSample& s, SyscallDelta& delta);
  // The kernel entry was deleted: the next reading starts from zero again.
  void kernel_entry_removed();

  std::uint64_t count() const { return count_; }
  std::uint64_t errors() const { return errors_; }
  std::uint64_t total_ns() const { return total_ns_; }
  std::uint64_t max_ns() const { return max_ns_; }
  const Histogram& hist() const { return hist_; }

 private:
  std::uint64_t count_ = 0, errors_ = 0, total_ns_ = 0, max_ns_ = 0;
  Histogram hist_;
  // The last raw kernel reading, to diff against.
  std::uint64_t raw_count_ = 0, raw_errors_ = 0, raw_total_ns_ = 0;
  SlotBaseline raw_slots_;
};

}  // namespace hs::monitoring
