// Userspace view of the kernel's log-linear latency histogram (slot math in wire.h).
#pragma once

#include <array>
#include <cstdint>

#include "hostscope/wire.h"

namespace hs {

class Histogram {
 public:
  static constexpr std::uint32_t kSlots = HS_HIST_SLOTS;
  using Slots = std::array<std::uint64_t, kSlots>;

  void add(std::uint64_t value_ns, std::uint64_t n = 1);
  void add_slot(std::uint32_t slot, std::uint64_t n);
  void merge(const Histogram& other);
  void clear();

  std::uint64_t count() const { return count_; }
  const Slots& slots() const { return slots_; }

  // Value at quantile q in [0,1]: the midpoint of the slot that holds the
  // rank ceil(q*count), so the error is at most half a slot (<= 12.5 %).
  std::uint64_t percentile(double q) const;
  // Number of samples with value < bound (bound must be a slot boundary for exactness).
  std::uint64_t count_below(std::uint64_t bound) const;

  static std::uint64_t slot_lower(std::uint32_t slot) { return hs_hist_slot_lower(slot); }
  // Exclusive upper bound; the last slot is open-ended and reports its lower bound * 2.
  static std::uint64_t slot_upper(std::uint32_t slot);
  static std::uint32_t slot_of(std::uint64_t v) { return hs_hist_slot(v); }

 private:
  Slots slots_{};
  std::uint64_t count_ = 0;
};

}  // namespace hs
