// libbpf's print callback, routed into spdlog.
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "probes/syscall_probe.h"

namespace hs::probes {
namespace {

int print_to_spdlog(enum libbpf_print_level level, const char* fmt, va_list args) {
  // Skip the formatting work for messages spdlog would drop anyway.
  auto spd_level = level == LIBBPF_WARN ? spdlog::level::warn : spdlog::level::debug;
  if (!spdlog::should_log(spd_level)) return 0;
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n <= 0) return 0;
  std::string msg(static_cast<std::size_t>(n) + 1, '\0');
  std::vsnprintf(msg.data(), msg.size(), fmt, args);
  msg.resize(static_cast<std::size_t>(n));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
  spdlog::log(spd_level, "libbpf: {}", msg);
  return n;
}

}  // namespace

void route_libbpf_logs_to_spdlog() { libbpf_set_print(print_to_spdlog); }

}  // namespace hs::probes
