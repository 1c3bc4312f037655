// Keeps exceptions (in practice only std::bad_alloc) from escaping a procfs entry point.
#pragma once

#include <exception>
#include <string>

#include "common/status.h"

namespace hs::procfs {

template <typename Fn>
auto guarded(const char* where, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::error(where, e.what());
  } catch (...) {
    return Status::error(where, "unknown exception");
  }
}

}  // namespace hs::procfs
