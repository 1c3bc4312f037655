// HTTP/1.x: request lines (pipelined ones too) paired in order with the status
// lines visible in the response prefix. Internal to hs_protocols (use make_decoder).
#pragma once

#include <memory>
#include <string_view>

#include "protocols/exchange.h"

namespace hs::protocols {

inline constexpr std::size_t kMaxHttpText = 512;  // "GET /path?key=?" (query values elided)
inline constexpr std::size_t kMaxHttpOps = 128;   // pipelined requests read from one exchange

// The method at the start of `line` if it is one of GET HEAD POST PUT DELETE
// PATCH OPTIONS CONNECT TRACE followed by a space, else "".
std::string_view http_method_prefix(std::string_view line);

std::unique_ptr<ConnectionDecoder> make_http_decoder();

}  // namespace hs::protocols
