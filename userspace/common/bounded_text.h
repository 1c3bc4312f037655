// Text of at most N bytes held inline: copying it is a copy of N + 1 bytes, never
// an allocation. For short names carried by every reading (a remote such as
// "unix:/run/postgresql/.s.PGSQL.5432" outgrows std::string's inline buffer, and
// then each copy allocated). Longer text is cut at N bytes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <string_view>

namespace hs {

template <std::size_t N>
class BoundedText {
  static_assert(N > 0 && N < 256, "the length is one byte");

 public:
  BoundedText() = default;
  BoundedText(std::string_view s) { assign(s); }  // NOLINT: implicit, as a string is
  BoundedText(const char* s) : BoundedText(std::string_view(s)) {}
  BoundedText(const std::string& s) : BoundedText(std::string_view(s)) {}

  static constexpr std::size_t capacity() { return N; }
  std::string_view view() const { return {data_, size_}; }
  operator std::string_view() const { return view(); }  // NOLINT: implicit, as a string is
  std::string str() const { return std::string(view()); }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  friend bool operator==(const BoundedText& a, std::string_view b) { return a.view() == b; }
  friend std::ostream& operator<<(std::ostream& os, const BoundedText& t) { return os << t.view(); }

 private:
  void assign(std::string_view s) {
    size_ = static_cast<std::uint8_t>(std::min(s.size(), N));
    std::memcpy(data_, s.data(), size_);
  }

  std::uint8_t size_ = 0;
  char data_[N] = {};
};

}  // namespace hs
