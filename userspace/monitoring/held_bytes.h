// Rough memory accounting of the engine's per-process statistics (what an
// exited process keeps: see EngineSettings::max_exited_bytes).
#pragma once

#include <cstddef>

namespace hs::monitoring {

// A std::map node's own bytes besides its value (colour and three links).
inline constexpr std::size_t kTreeNodeBytes = 32;

}  // namespace hs::monitoring
