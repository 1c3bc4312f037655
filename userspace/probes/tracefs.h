// Classic tracepoints (tracepoint/*) need tracefs; a fresh machine may not have
// it mounted. Probes that attach classic tracepoints call ensure_tracefs first.
#pragma once

#include <string>

#include "common/status.h"

namespace hs::probes {

inline constexpr const char* kTracefsPath = "/sys/kernel/tracing";

// Mounts tracefs at `path` unless one is already there (its "events" directory
// exists). Returns whether this call mounted it, so the caller can undo it.
Result<bool> ensure_tracefs(const std::string& path = kTracefsPath);

}  // namespace hs::probes
