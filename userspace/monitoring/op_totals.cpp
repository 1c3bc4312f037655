#include "monitoring/op_totals.h"

#include <algorithm>

namespace hs::monitoring {

void OpTotals::add(std::uint64_t latency_ns, bool error) {
  ++count;
  errors += error ? 1 : 0;
  total_ns += latency_ns;
  max_ns = std::max(max_ns, latency_ns);
  hist.add(latency_ns);
}

void OpTotals::merge(const OpTotals& o) {
  count += o.count;
  errors += o.errors;
  total_ns += o.total_ns;
  max_ns = std::max(max_ns, o.max_ns);
  hist.merge(o.hist);
}

}  // namespace hs::monitoring
