// Bounded reads of /proc and /sys files: never trust a file's size, never follow a
// final symlink, never block on a FIFO planted where a proc file should be.
#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"

namespace hs::procfs {

inline constexpr std::size_t kMaxFileBytes = 1 << 20;  // 1 MiB per proc file
inline constexpr std::size_t kMaxCmdlineBytes = 4096;
inline constexpr std::size_t kMaxLinkBytes = 4096;

enum class Overflow {
  kError,     // a file larger than the cap is an error (parsers never see partial data)
  kTruncate,  // keep the first max_bytes (cmdline)
};

// Reads a regular file up to max_bytes. Errors carry errno (ENOENT when missing).
Result<std::string> read_file(const std::string& path, std::size_t max_bytes = kMaxFileBytes,
                              Overflow overflow = Overflow::kError);

// readlink(2) bounded to kMaxLinkBytes; an over-long target is an error.
Result<std::string> read_link(const std::string& path);

}  // namespace hs::procfs
