#include "common/l7_record_order.h"

#include <algorithm>
#include <cstring>

namespace hs {

void L7RecordOrder::add(const hs_l7_record& rec, std::size_t size) {
  const std::size_t offset = bytes_.size();
  bytes_.resize(offset + ((size + 7) & ~std::size_t{7}));  // keeps every record 8-byte aligned
  std::memcpy(bytes_.data() + offset, &rec, size);
  entries_.push_back({rec.resp_ns, offset, size});
}

std::size_t L7RecordOrder::release(std::uint64_t cutoff_ns, const Sink& sink) {
  // Each ring's records arrive in order already: a stable sort keeps ties as read.
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.resp_ns < b.resp_ns; });
  auto first_kept = std::upper_bound(entries_.begin(), entries_.end(), cutoff_ns,
                                     [](std::uint64_t t, const Entry& e) { return t < e.resp_ns; });
  const auto released = static_cast<std::size_t>(first_kept - entries_.begin());
  for (auto it = entries_.begin(); it != first_kept; ++it)
    sink(*reinterpret_cast<const hs_l7_record*>(bytes_.data() + it->offset));
  if (first_kept == entries_.end()) {
    entries_.clear();
    bytes_.clear();
    return released;
  }
  // What waits moves to the spare buffer, in order; the two swap roles, each
  // keeping its capacity.
  spare_.clear();
  std::size_t n = 0;
  for (auto it = first_kept; it != entries_.end(); ++it, ++n) {
    const std::size_t offset = spare_.size();
    const auto from = bytes_.begin() + static_cast<std::ptrdiff_t>(it->offset);
    spare_.insert(spare_.end(), from, from + static_cast<std::ptrdiff_t>((it->size + 7) & ~std::size_t{7}));
    entries_[n] = {it->resp_ns, offset, it->size};
  }
  entries_.resize(n);
  bytes_.swap(spare_);
  return released;
}

}  // namespace hs
