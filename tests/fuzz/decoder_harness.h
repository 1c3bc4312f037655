// Shared by the decoder fuzz targets: the input format, the output checks
// every decoder must pass, and the loop that feeds one connection's exchanges.
// Input: a flags byte, then request and response parts alternating, separated by
// "\n#~#\n" (up to 16 exchanges). Flags: bit 0 server side, bit 1 the request was
// cut (request_bytes larger than captured), bit 2 the response was cut, bit 3
// literal texts are not wanted (Exchange::keep_text false).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/exchange.h"

namespace hs::fuzz {



inline void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Valid UTF-8 (no overlongs, surrogates or values above U+10FFFF).
inline bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    auto c1 = static_cast<unsigned char>(len > 1 ? s[i + 1] : 0);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
      return false;
    }
    i += len;
  }
  return true;
}

inline std::vector<std::string_view> split(std::string_view in) {
  static constexpr std::string_view kSep = "\n#~#\n";
  std::vector<std::string_view> parts;
  while (parts.size() < 32) {
    std::size_t at = in.find(kSep);
    parts.push_back(in.substr(0, at));
    if (at == std::string_view::npos) break;
    in.remove_prefix(at + kSep.size());
  }
  return parts;
}


// Decodes every exchange of the input with one decoder of protocol p; each
// exchange's operations (at most max_ops) go to check_op, the exchange itself
// to check_exchange.
template <typename CheckOp, typename CheckExchange>
void decode_exchanges(const std::uint8_t* data, std::size_t size, protocols::Protocol p, std::size_t max_ops,
                      CheckOp&& check_op, CheckExchange&& check_exchange) {
  if (size == 0) return;
  const std::uint8_t flags = data[0];
  std::vector<std::string_view> parts = split(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  auto decoder = protocols::make_decoder(p);
  check(decoder != nullptr);
  for (std::size_t i = 0; i < parts.size(); i += 2) {
    protocols::Exchange ex;
    ex.server_side = flags & 1;
    ex.request = parts[i];
    ex.request_bytes = ex.request.size() + ((flags & 2) ? 100000 : 0);
    ex.response = i + 1 < parts.size() ? parts[i + 1] : std::string_view();
    ex.response_bytes = ex.response.size() + ((flags & 4) ? 100000 : 0);
    ex.keep_text = !(flags & 8);
    std::vector<protocols::Operation> ops;
    decoder->decode(ex, ops);
    check(ops.size() <= max_ops);
    for (const protocols::Operation& op : ops) {
      check(op.protocol == p);
      check_op(op);
    }
    check_exchange(ex);
  }
}

}  // namespace hs::fuzz
