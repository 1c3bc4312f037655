#include "monitoring/syscall_stats.h"

#include <algorithm>

namespace hs::monitoring {

void SyscallStat::apply(const SyscallSample& s, SyscallDelta& delta) {
  // A count below the last reading means the kernel entry was recreated.
  if (s.count < raw_count_) kernel_entry_removed();
  std::uint64_t dc = s.count - raw_count_;
  std::uint64_t de = s.errors >= raw_errors_ ? s.errors - raw_errors_ : s.errors;
  std::uint64_t dt = s.total_ns >= raw_total_ns_ ? s.total_ns - raw_total_ns_ : s.total_ns;
  for (std::uint32_t i = 0; i < HS_HIST_SLOTS; ++i) {
    // Unsigned 32-bit subtraction is the delta modulo 2^32, which is exact as
    // long as fewer than 2^32 events land in one slot between two readings.
    std::uint32_t d = s.slots[i] - raw_slots_[i];
    if (d != 0) {
      hist_.add_slot(i, d);
      delta.hist.add_slot(i, d);
    }
  }
  raw_count_ = s.count;
  raw_errors_ = s.errors;
  raw_total_ns_ = s.total_ns;
  raw_slots_ = s.slots;
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
  raw_slots_.fill(0);
}

}  // namespace hs::monitoring
