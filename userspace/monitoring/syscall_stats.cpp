#include "monitoring/syscall_stats.h"

#include <algorithm>

namespace hs::monitoring {

void SyscallStat::apply(const SyscallSample& s, SyscallDelta& delta) {
  // A count below the last reading means the kernel entry was recreated.
  if (s.count < raw_count_) kernel_entry_removed();
  std::uint64_t dc = s.count - raw_count_;
  std::uint64_t de = counter_delta(s.errors, raw_errors_);
  std::uint64_t dt = counter_delta(s.total_ns, raw_total_ns_);
  raw_slots_.advance(s.slots, hist_, delta.hist);
  raw_count_ = s.count;
  raw_errors_ = s.errors;
  raw_total_ns_ = s.total_ns;
  count_ += dc;
  errors_ += de;
  total_ns_ += dt;
  max_ns_ = std::max(max_ns_, s.max_ns);
  delta.count += dc;
  delta.errors += de;
  delta.total_ns += dt;
}

void SyscallStat::kernel_entry_removed() {
  raw_count_ = raw_errors_ = raw_total_ns_ = 0;
  raw_slots_.reset();
}

}  // namespace hs::monitoring
