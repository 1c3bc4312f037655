#include "protocols/text.h"

#include <algorithm>

namespace hs::protocols {
namespace {

// Length of the valid UTF-8 sequence starting at in[i], or 0 if it is not one.
std::size_t utf8_sequence(std::string_view in, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(in[k]); };
  unsigned char lead = at(i);
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the first continuation byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;  // overlong
    if (lead == 0xED) hi = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;  // overlong
    if (lead == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (in.size() - i < len) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  return len;
}

}  // namespace

bool append_clean(std::string& out, std::string_view in, std::size_t cap, Controls controls) {
  std::size_t i = 0;
  while (i < in.size()) {
    if (out.size() >= cap) return false;
    // A run of printable ASCII, copied in one go.
    std::size_t run = i;
    const std::size_t run_end = i + std::min(in.size() - i, cap - out.size());
    while (run < run_end && static_cast<unsigned char>(in[run]) >= 0x20 && static_cast<unsigned char>(in[run]) < 0x7f)
      ++run;
    if (run > i) {
      out.append(in.data() + i, run - i);
      i = run;
      continue;
    }
    auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) {
        bool layout = c == '\t' || c == '\n' || c == '\r';
        if (controls == Controls::keep_layout && layout) {
          out += static_cast<char>(c);
        } else {
          out += controls == Controls::to_dot ? '.' : ' ';
        }
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    std::size_t len = utf8_sequence(in, i);
    if (len == 0) {
      out += '?';
      ++i;
      continue;
    }
    if (cap - out.size() < len) return false;  // never split a character
    out.append(in.substr(i, len));
    i += len;
  }
  return true;
}

void truncate_with_ellipsis(std::string& s, std::size_t cap) {
  if (s.size() <= cap) return;
  std::size_t keep = cap >= 3 ? cap - 3 : 0;
  // Back up over continuation bytes so no character is split.
  while (keep > 0 && (static_cast<unsigned char>(s[keep]) & 0xC0) == 0x80) --keep;
  s.resize(keep);
  s.append("...", cap >= 3 ? 3 : cap);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string to_upper(std::string_view s) {
  std::string out;
  assign_upper(out, s);
  return out;
}

void assign_upper(std::string& out, std::string_view s) {
  out.clear();
  append_upper(out, s);
}

void append_upper(std::string& out, std::string_view s) {
  const std::size_t from = out.size();
  out.append(s);
  for (std::size_t i = from; i < out.size(); ++i) out[i] = ascii_upper(out[i]);
}

bool parse_decimal(std::string_view s, std::uint64_t& value) {
  if (s.empty() || s.size() > 18) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  value = v;
  return true;
}

}  // namespace hs::protocols
