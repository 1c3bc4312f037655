#include "monitoring/cumulative.h"

#include <algorithm>

namespace hs::monitoring {

void SlotBaseline::advance(Raw now, Histogram& total, Histogram& delta) {
  for (std::uint32_t i = 0; i < HS_HIST_SLOTS; ++i) {
    // Unsigned 32-bit subtraction is the delta modulo 2^32, which is exact as
    // long as fewer than 2^32 events land in one slot between two readings.
    std::uint32_t d = now[i] - last_[i];
    if (d != 0) {
      total.add_slot(i, d);
      delta.add_slot(i, d);
    }
  }
  std::copy(now.begin(), now.end(), last_.begin());
}

}  // namespace hs::monitoring
