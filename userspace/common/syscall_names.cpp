#include "syscall_names.h"

#include <algorithm>
#include <array>
#include <utility>

namespace hs {
namespace {

struct Entry {
  std::uint32_t nr;
  std::string_view name;
};

// syscall_names.inc is generated from the installed asm/unistd_64.h (see
// syscall_names.cmake), so numbers and names always match the build's UAPI.
#define HS_SYSCALL(nr, name) Entry{nr, #name},
constexpr Entry kEntries[] = {
#include "syscall_names.inc"
};
#undef HS_SYSCALL

constexpr std::uint32_t kTableSize = [] {
  std::uint32_t max = 0;
  for (const auto& e : kEntries) max = std::max(max, e.nr);
  return max + 1;
}();

// Dense by number: the syscall path maps numbers to names for every record read.
constexpr auto kByNr = [] {
  std::array<std::string_view, kTableSize> t{};
  for (const auto& e : kEntries) t[e.nr] = e.name;
  return t;
}();

// Sorted by name for syscall_nr (rare: config and query parsing).
constexpr auto kByName = [] {
  std::array<Entry, std::size(kEntries)> t{};
  std::copy(std::begin(kEntries), std::end(kEntries), t.begin());
  std::sort(t.begin(), t.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return t;
}();

}  // namespace

std::string_view syscall_name(std::uint32_t nr) { return nr < kTableSize ? kByNr[nr] : std::string_view{}; }

std::optional<std::uint32_t> syscall_nr(std::string_view name) {
  auto it = std::lower_bound(kByName.begin(), kByName.end(), name,
                             [](const Entry& e, std::string_view n) { return e.name < n; });
  if (it == kByName.end() || it->name != name) return std::nullopt;
  return it->nr;
}

}  // namespace hs
