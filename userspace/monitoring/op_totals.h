// Totals of discrete operations (database statements, HTTP requests): each one
// is an event with a latency and an outcome, simply added up.
#pragma once

#include <cstdint>

#include "common/histogram.h"

namespace hs::monitoring {

struct OpTotals {
  std::uint64_t count = 0, errors = 0, total_ns = 0, max_ns = 0;
  Histogram hist;  // latency, nanoseconds

  // n operations, each with this latency and outcome.
  void add(std::uint64_t latency_ns, bool error, std::uint64_t n = 1);
  // Sums counters, merges histograms, keeps the larger max_ns.
  void merge(const OpTotals& o);
  // Takes back `part`, merged in before (max_ns stays: it cannot be undone).
  void remove(const OpTotals& part);
};

}  // namespace hs::monitoring
