// Diffing the kernel's cumulative aggregates: 64-bit counters that only grow
// (until the entry is recreated) and 32-bit histogram slots that wrap.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "common/histogram.h"

namespace hs::monitoring {

// Growth of a counter since the last reading; a smaller reading means the
// kernel entry was recreated, so everything it holds is new.
inline std::uint64_t counter_delta(std::uint64_t now, std::uint64_t last) { return now >= last ? now - last : now; }

// The last raw reading of a 32-bit slot array, to diff the next one against.
class SlotBaseline {
 public:
  using Raw = std::span<const std::uint32_t, HS_HIST_SLOTS>;

  // Adds what each slot gained since the last reading to `total` and `delta`,
  // then remembers `now`.
  void advance(Raw now, Histogram& total, Histogram& delta);
  // The kernel entry was deleted: the next reading counts from zero.
  void reset() { last_.fill(0); }

 private:
  std::array<std::uint32_t, HS_HIST_SLOTS> last_{};
};

}  // namespace hs::monitoring
