// x86_64 syscall numbers <-> names (table generated at build time from asm/unistd_64.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hs {

// "getppid" for 110; empty for a number the table does not know (callers print sys_<nr>).
std::string_view syscall_name(std::uint32_t nr);

// 110 for "getppid"; nullopt for an unknown name.
std::optional<std::uint32_t> syscall_nr(std::string_view name);

}  // namespace hs
