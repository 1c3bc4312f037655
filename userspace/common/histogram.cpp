#include "histogram.h"

#include <cmath>

namespace hs {

void Histogram::add(std::uint64_t value_ns, std::uint64_t n) { add_slot(slot_of(value_ns), n); }

void Histogram::add_slot(std::uint32_t slot, std::uint64_t n) {
  if (slot >= kSlots) slot = kSlots - 1;
  slots_[slot] += n;
  count_ += n;
}

void Histogram::merge(const Histogram& other) {
  for (std::uint32_t i = 0; i < kSlots; ++i) slots_[i] += other.slots_[i];
  count_ += other.count_;
}

void Histogram::clear() {
  slots_.fill(0);
  count_ = 0;
}

std::uint64_t Histogram::slot_upper(std::uint32_t slot) {
  if (slot + 1 < kSlots) return hs_hist_slot_lower(slot + 1);
  return hs_hist_slot_lower(slot) * 2;
}

std::uint64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  if (q < 0) q = 0;
  if (q > 1) q = 1;
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::uint32_t i = 0; i < kSlots; ++i) {
    seen += slots_[i];
    if (seen >= rank) {
      std::uint64_t lo = slot_lower(i), hi = slot_upper(i);
      return lo + (hi - lo) / 2;
    }
  }
  return slot_lower(kSlots - 1);
}

std::uint64_t Histogram::count_below(std::uint64_t bound) const {
  std::uint64_t n = 0;
  for (std::uint32_t i = 0; i < kSlots; ++i) {
    if (slot_upper(i) > bound) break;
    n += slots_[i];
  }
  return n;
}

}  // namespace hs
