// One cumulative kernel aggregate for a (tgid, syscall), summed over CPUs: what
// the probe reads and the monitoring engine folds in.
#pragma once

#include <array>
#include <cstdint>

#include "hostscope/wire.h"

namespace hs {

struct SyscallReading {
  std::uint32_t tgid = 0;
  std::uint32_t nr = 0;
  std::uint64_t count = 0;
  std::uint64_t errors = 0;
  std::uint64_t total_ns = 0;
  std::uint64_t max_ns = 0;
  // 32-bit counters summed modulo 2^32; consumers diff them modulo 2^32.
  std::array<std::uint32_t, HS_HIST_SLOTS> slots{};
};

}  // namespace hs
