// Small byte helpers shared by the decoders: bounded, UTF-8-clean copies of hostile
// bytes, ASCII case folding, big-endian reads. Internal to hs_protocols.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hs::protocols {

// How a control byte is written by append_clean.
enum class Controls : std::uint8_t {
  keep_layout,  // \t \n \r kept (SQL is shown as written), other controls -> ' '
  to_space,     // every control byte -> ' '
  to_dot,       // every control byte -> '.' (binary Redis values)
};

// Appends `in` to `out` without letting out.size() exceed `cap`. Valid UTF-8
// sequences are copied whole (never split), invalid bytes become '?', control
// bytes follow `controls`. Returns false when `in` did not fit entirely.
bool append_clean(std::string& out, std::string_view in, std::size_t cap,
                  Controls controls = Controls::to_space);

// Cuts `s` to at most `cap` bytes at a UTF-8 boundary and ends it with "...".
void truncate_with_ellipsis(std::string& s, std::size_t cap);

inline char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string to_upper(std::string_view s);
// out = s upper-cased, in out's own storage (no new string); append_upper adds it.
void assign_upper(std::string& out, std::string_view s);
void append_upper(std::string& out, std::string_view s);

// Unsigned big-endian reads; the caller has checked that the bytes are there.
inline std::uint32_t be32(const char* p) {
  auto b = [p](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])); };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}
inline std::uint16_t be16(const char* p) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(p[0]) << 8) | static_cast<unsigned char>(p[1]));
}

// Parses an unsigned decimal with at most 18 digits (no overflow possible); false otherwise.
bool parse_decimal(std::string_view s, std::uint64_t& value);

}  // namespace hs::protocols
