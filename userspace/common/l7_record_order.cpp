#include "common/l7_record_order.h"

#include <algorithm>
#include <cstring>

namespace hs {

namespace {

constexpr std::size_t padded(std::size_t size) { return (size + 7) & ~std::size_t{7}; }  // records stay 8-byte aligned

}  // namespace

void L7RecordOrder::add(const hs_l7_record& rec, std::size_t size) {
  const std::size_t offset = bytes_.size();
  const auto* p = reinterpret_cast<const std::byte*>(&rec);
  bytes_.insert(bytes_.end(), p, p + size);
  bytes_.resize(offset + padded(size));
  entries_.push_back({rec.resp_ns, offset, size});
}

// A natural merge sort: each ring's records, and those kept from the last pass,
// come in order already, so the entries are a few ordered runs to merge (read
// order kept for ties), not a sort of them all.
void L7RecordOrder::sort() {
  runs_.clear();
  runs_.push_back(0);
  for (std::size_t i = 1; i < entries_.size(); ++i)
    if (entries_[i].resp_ns < entries_[i - 1].resp_ns) runs_.push_back(i);
  const auto by_time = [](const Entry& a, const Entry& b) { return a.resp_ns < b.resp_ns; };
  while (runs_.size() > 1) {
    merged_.clear();
    std::size_t kept = 0;
    const auto at = [&](std::size_t run) {
      return run < runs_.size() ? entries_.begin() + static_cast<std::ptrdiff_t>(runs_[run]) : entries_.end();
    };
    for (std::size_t r = 0; r < runs_.size(); r += 2) {
      const auto begin = at(r), middle = at(r + 1), end = at(r + 2);
      runs_[kept++] = merged_.size();
      std::merge(begin, middle, middle, end, std::back_inserter(merged_), by_time);
    }
    runs_.resize(kept);
    entries_.swap(merged_);
  }
}

std::size_t L7RecordOrder::release(std::uint64_t cutoff_ns, const Sink& sink) {
  sort();
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
    spare_.insert(spare_.end(), from, from + static_cast<std::ptrdiff_t>(padded(it->size)));
    entries_[n] = {it->resp_ns, offset, it->size};
  }
  entries_.resize(n);
  bytes_.swap(spare_);
  return released;
}

}  // namespace hs
