// Prometheus buckets read from the kernel's log-linear histogram.
#pragma once

#include <vector>

#include "common/histogram.h"
#include "web/routes/prometheus_text.h"

namespace hs::web {

// Cumulative buckets with bounds 2^first_pow, 2^(first_pow+step), ... up to
// 2^last_pow nanoseconds, in seconds. Powers of two are slot boundaries of the
// histogram, so every bucket count is exact.
std::vector<prom::Bucket> power_of_two_buckets(const Histogram& h, unsigned first_pow, unsigned last_pow,
                                               unsigned step);

// Request times (TCP connects and round trips, database statements, HTTP
// requests): every other power of two from 16.4 us to 17.2 s.
std::vector<prom::Bucket> request_buckets(const Histogram& h);

}  // namespace hs::web
