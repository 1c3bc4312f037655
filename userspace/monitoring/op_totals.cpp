#include "monitoring/op_totals.h"

#include <algorithm>

namespace hs::monitoring {

void OpTotals::add(std::uint64_t latency_ns, bool error, std::uint64_t n) {
  if (n == 0) return;
  count += n;
  errors += error ? n : 0;
  total_ns += latency_ns * n;
  max_ns = std::max(max_ns, latency_ns);
  hist.add(latency_ns, n);
}

void OpTotals::merge(const OpTotals& o) {
  count += o.count;
  errors += o.errors;
  total_ns += o.total_ns;
  max_ns = std::max(max_ns, o.max_ns);
  hist.merge(o.hist);
}

void OpTotals::remove(const OpTotals& part) {
  count -= std::min(count, part.count);
  errors -= std::min(errors, part.errors);
  total_ns -= std::min(total_ns, part.total_ns);
  Histogram rest;
  for (std::uint32_t s = 0; s < Histogram::kSlots; ++s) {
    const std::uint64_t have = hist.slots()[s], take = part.hist.slots()[s];
    if (have > take) rest.add_slot(s, have - take);
  }
  hist = rest;
}

}  // namespace hs::monitoring
