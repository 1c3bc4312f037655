// Bounding label cardinality: a ranked list keeps its first max_series - 1
// entries and merges the rest into one "other" entry.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace hs::monitoring {

// `ranked` is sorted most important first. When it holds more than `max_series`
// entries (at least 1), the tail from max_series - 1 on is merged into `other`
// with merge(other, entry), and `other` takes the last place.
template <typename T, typename Merge>
void fold_tail(std::vector<T>& ranked, std::size_t max_series, T other, Merge&& merge) {
  if (max_series == 0) max_series = 1;
  if (ranked.size() <= max_series) return;
  for (std::size_t i = max_series - 1; i < ranked.size(); ++i) merge(other, ranked[i]);
  ranked.resize(max_series - 1);
  ranked.push_back(std::move(other));
}

}  // namespace hs::monitoring
