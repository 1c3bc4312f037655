// Small, strict text helpers shared by the procfs parsers (no allocation, no exceptions).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hs::procfs::text {

// Removes leading and trailing spaces, tabs, CR and LF.
std::string_view trim(std::string_view s);

// Pops the next whitespace-separated token from `s`; empty when none is left.
std::string_view next_token(std::string_view& s);

// Pops the next line (without its '\n') from `s`; returns false when `s` is exhausted.
bool next_line(std::string_view& s, std::string_view& line);

// Whole-token numbers: the entire view must be the number (no sign for unsigned).
std::optional<std::uint64_t> parse_u64(std::string_view s);
std::optional<std::int64_t> parse_i64(std::string_view s);
std::optional<std::uint32_t> parse_u32(std::string_view s);
// Finite, non-negative decimal (rejects nan/inf/negative).
std::optional<double> parse_nonneg_double(std::string_view s);

bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);

// Saturating arithmetic: hostile counters must never wrap into nonsense.
std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b);
std::uint64_t sat_add(std::uint64_t a, std::uint64_t b);
// b - a, or 0 when the counter went backwards (reset, wrap, hot-unplug).
inline std::uint64_t delta(std::uint64_t a, std::uint64_t b) { return b >= a ? b - a : 0; }

}  // namespace hs::procfs::text
