#include "procfs/text.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace hs::procfs::text {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

template <typename T>
std::optional<T> parse_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view next_token(std::string_view& s) {
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  std::size_t j = i;
  while (j < s.size() && !is_space(s[j])) ++j;
  std::string_view tok = s.substr(i, j - i);
  s.remove_prefix(j);
  return tok;
}

bool next_line(std::string_view& s, std::string_view& line) {
  if (s.empty()) return false;
  std::size_t nl = s.find('\n');
  if (nl == std::string_view::npos) {
    line = s;
    s = {};
  } else {
    line = s.substr(0, nl);
    s.remove_prefix(nl + 1);
  }
  return true;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  // from_chars accepts no '+' and, for unsigned types, no '-': exactly what we want.
  return parse_int<std::uint64_t>(s);
}

std::optional<std::int64_t> parse_i64(std::string_view s) { return parse_int<std::int64_t>(s); }

std::optional<std::uint32_t> parse_u32(std::string_view s) { return parse_int<std::uint32_t>(s); }

std::optional<double> parse_nonneg_double(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  // Only plain decimal digits and one '.', so "nan", "inf", hex and exponents never reach from_chars.
  bool dot = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) return std::nullopt;
      dot = true;
    } else if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  if (s.front() == '.' || s.back() == '.') return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v) || v < 0) {
    return std::nullopt;
  }
  return v;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::numeric_limits<std::uint64_t>::max();
  return r;
}

std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::numeric_limits<std::uint64_t>::max();
  return r;
}

}  // namespace hs::procfs::text
