// Redis (RESP2/RESP3, and inline commands): every pipelined command is one
// operation, paired in order with the replies visible in the response prefix.
// Internal to hs_protocols (use make_decoder).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "protocols/exchange.h"

namespace hs::protocols {

inline constexpr std::size_t kMaxRedisText = 512;
inline constexpr std::size_t kMaxRedisArgText = 64;  // each argument in the text
inline constexpr std::size_t kMaxRedisOps = 1024;    // commands read from one exchange

std::unique_ptr<ConnectionDecoder> make_redis_decoder();

}  // namespace hs::protocols
