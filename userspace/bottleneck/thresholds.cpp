#include "bottleneck/thresholds.h"

#include <boost/json.hpp>

#include <string>

#include "bottleneck/strict_json.h"

namespace hs::bottleneck {
namespace json = boost::json;

namespace {
using T = Thresholds;
constexpr double kHour = 3'600'000;

constexpr ThresholdInfo kCatalog[] = {
    {"api_p95_ms", &T::api_p95_ms, 1, kHour, "ms", "HTTP endpoint p95 latency"},
    {"db_p95_ms", &T::db_p95_ms, 1, kHour, "ms", "database statement p95 latency"},
    {"page_load_ms", &T::page_load_ms, 1, kHour, "ms", "frontend page load p75"},
    {"lcp_ms", &T::lcp_ms, 1, kHour, "ms", "frontend largest contentful paint p75"},
    {"http_error_ratio", &T::http_error_ratio, 0.001, 1, "ratio", "HTTP 5xx responses per request"},
    {"min_requests", &T::min_requests, 1, 1e6, "count", "operations in a window before latency or ratios count"},
    {"syscall_p95_ms", &T::syscall_p95_ms, 0.001, kHour, "ms", "syscall p95 latency (with the time share)"},
    {"syscall_time_share", &T::syscall_time_share, 0.01, 1024, "ratio",
     "thread-seconds in one syscall per second of wall time"},
    {"fsync_p95_ms", &T::fsync_p95_ms, 0.001, kHour, "ms", "fsync-family syscall p95 latency"},
    {"connect_failure_ratio", &T::connect_failure_ratio, 0.001, 1, "ratio", "failed TCP connects per attempt"},
    {"min_connect_failures", &T::min_connect_failures, 1, 1e6, "count", "failed connects in a window before the ratio counts"},
    {"retransmits_per_s", &T::retransmits_per_s, 0.001, 1e9, "per_s", "TCP retransmits per second to one remote"},
    {"srtt_p99_ms", &T::srtt_p99_ms, 0.001, kHour, "ms", "TCP smoothed RTT p99 to one remote"},
    {"cpu_percent", &T::cpu_percent, 1, 100, "percent", "host CPU busy"},
    {"steal_percent", &T::steal_percent, 0.1, 100, "percent", "CPU time stolen by the hypervisor"},
    {"iowait_percent", &T::iowait_percent, 0.1, 100, "percent", "CPU time waiting on I/O"},
    {"psi_io_some", &T::psi_io_some, 0.1, 100, "percent", "I/O pressure stall (some, avg10)"},
    {"psi_mem_some", &T::psi_mem_some, 0.1, 100, "percent", "memory pressure stall (some, avg10)"},
    {"mem_used_percent", &T::mem_used_percent, 1, 100, "percent", "memory in use"},
};
}  // namespace

std::span<const ThresholdInfo> threshold_catalog() { return kCatalog; }

json::value to_json(const Thresholds& t) {
  json::object o;
  for (const auto& info : kCatalog) o[info.name] = t.*info.member;
  return o;
}

Outcome<Thresholds> apply_json(const Thresholds& base, const json::value& v) {
  Thresholds next = base;
  strict_json::ObjectReader r(v, "");
  for (const auto& info : kCatalog) r.number(info.name, next.*info.member, info.lo, info.hi);
  if (auto e = r.finish()) return *e;
  return next;
}

}  // namespace hs::bottleneck
