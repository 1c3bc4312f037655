#include "web/routes/histogram_buckets.h"

namespace hs::web {

std::vector<prom::Bucket> power_of_two_buckets(const Histogram& h, unsigned first_pow, unsigned last_pow,
                                               unsigned step) {
  std::vector<prom::Bucket> out;
  for (unsigned k = first_pow; k <= last_pow; k += step) {
    std::uint64_t bound = 1ull << k;
    out.push_back({static_cast<double>(bound) / 1e9, h.count_below(bound)});
  }
  return out;
}

std::vector<prom::Bucket> request_buckets(const Histogram& h) { return power_of_two_buckets(h, 14, 34, 2); }

}  // namespace hs::web
