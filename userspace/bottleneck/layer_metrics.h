// What the bottleneck and alert engines evaluate: one snapshot of every layer over
// one evaluation window. Plain numbers, filled by whoever owns the data (the daemon
// from MonitoringEngine queries; tests by hand). Counters (count, errors, retransmits,
// ...) are what happened within the window; latencies are that window's percentiles.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hs::bottleneck {

struct SyscallMetric {
  std::uint32_t pid = 0;
  std::string comm;
  std::string syscall;  // name, e.g. "fsync"
  std::uint64_t count = 0, errors = 0;
  std::uint64_t total_ns = 0;  // time spent in it within the window (all threads)
  std::uint64_t p50_ns = 0, p95_ns = 0, p99_ns = 0;
};

struct NetworkMetric {
  std::uint32_t pid = 0;
  std::string comm;
  std::string remote;  // "ip:port" or "other"
  std::uint64_t connects = 0, connect_failures = 0, retransmits = 0, resets = 0, round_trips = 0;
  std::uint64_t srtt_p50_ns = 0, srtt_p99_ns = 0;
  std::uint64_t rtt_p50_ns = 0, rtt_p95_ns = 0, rtt_p99_ns = 0;  // request -> first response byte
};

struct DatabaseMetric {
  std::uint32_t pid = 0;
  std::string comm;
  std::string system;  // postgresql | mysql | redis
  std::string fingerprint_id, fingerprint;
  std::uint64_t count = 0, errors = 0;
  std::uint64_t p50_ns = 0, p95_ns = 0, p99_ns = 0;
};

struct HttpMetric {
  std::uint32_t pid = 0;
  std::string comm;
  std::string side;  // server | client
  std::string method, route;
  std::uint64_t count = 0, status_5xx = 0;
  std::uint64_t p50_ns = 0, p95_ns = 0, p99_ns = 0;
};

struct SystemMetric {
  bool present = false;  // false: no system sample in this window
  double cpu_percent = 0, steal_percent = 0, iowait_percent = 0;
  std::uint64_t mem_used_bytes = 0, mem_total_bytes = 0;
  bool psi_available = false;
  double psi_cpu_some = 0, psi_mem_some = 0, psi_io_some = 0;  // percent of time stalled (avg10)
  double load1 = 0;
};

struct FrontendMetric {
  std::string page;
  std::uint64_t count = 0;
  double load_p75_ms = 0, lcp_p75_ms = 0, ttfb_p75_ms = 0, fcp_p75_ms = 0, inp_p75_ms = 0, cls_p75 = 0;
};

struct MetricsSnapshot {
  std::int64_t ts_ms = 0;       // end of the window (wall clock)
  double window_s = 1;          // its length, > 0
  std::vector<SyscallMetric> syscalls;
  std::vector<NetworkMetric> network;
  std::vector<DatabaseMetric> database;
  std::vector<HttpMetric> http;
  SystemMetric system;
  std::vector<FrontendMetric> frontend;
};

}  // namespace hs::bottleneck
