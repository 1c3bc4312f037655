// What the monitoring engine and the syscall, network and L7 probes are told to do; changeable at run time
// through PUT monitoring/config and set at start from the [monitoring] TOML table.
// One validator (monitoring_config_from_value) serves both, so the rules cannot drift.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

namespace hs::config {

struct SyscallFilterConfig {
  std::vector<std::uint32_t> pids;       // empty = every process
  std::vector<std::string> comms;        // empty = every command name
  std::vector<std::string> cgroups;      // empty = every cgroup
  std::uint64_t min_latency_ns = 0;      // record only syscalls at least this slow
  bool operator==(const SyscallFilterConfig&) const = default;
};

struct MonitoringConfig {
  std::uint32_t interval_ms = 1000;           // sampling interval, 100..60000
  std::uint32_t fine_retention_s = 900;       // 1 s series window, 60..86400
  std::uint32_t coarse_retention_s = 86400;   // 1 min series window, 3600..2592000, >= fine_retention_s
  std::uint32_t exited_retention_s = 3600;    // how long exited processes keep their totals, 0..604800
  SyscallFilterConfig filters;
  std::uint32_t max_syscall_entries = 8192;   // kernel map capacity, 64..1048576 (next start)
  std::uint32_t prometheus_max_series = 500;  // label cardinality bound, 1..100000
  bool network_enabled = true;                // TCP capture (connect, RTT, retransmits, round trips)
  std::uint32_t max_network_entries = 4096;   // kernel (process, remote) map capacity, 64..1048576 (next start)
  std::uint32_t max_remotes_per_process = 32; // remotes reported individually per process, 1..10000
  bool l7_enabled = true;                     // database (PostgreSQL, MySQL, Redis) and HTTP capture
  bool tls_enabled = true;                    // L7 plaintext of OpenSSL connections (libssl uprobes); needs l7_enabled
  std::uint32_t slow_query_threshold_ms = 100;      // slow-query log threshold, 1..600000
  bool capture_literals = false;                    // keep statement texts with literals (samples, slow log)
  std::uint32_t max_fingerprints_per_process = 200; // statements per process, 1..100000; least busy fold into "other"
  std::uint32_t max_routes_per_process = 200;       // HTTP (method, route) per process, 1..100000; likewise
  std::uint32_t l7_ring_buffer_kb = 8192;           // L7 ring buffer, a power of two in 64..262144 (next start)
  bool operator==(const MonitoringConfig&) const = default;
};

// Limits, exported for docs, tests and the API layer.
namespace limits {
inline constexpr std::uint32_t kMaxPid = 4194304;  // PID_MAX_LIMIT on 64-bit
inline constexpr std::size_t kMaxPids = 1024;
inline constexpr std::size_t kMaxComms = 1024;
inline constexpr std::size_t kMaxCommBytes = 15;   // TASK_COMM_LEN - 1
inline constexpr std::size_t kMaxCgroups = 256;
inline constexpr std::size_t kMaxCgroupBytes = 4096;
inline constexpr std::uint64_t kMaxMinLatencyNs = 60'000'000'000ULL;
}  // namespace limits

// field: a path like "interval_ms", "filters.pids[2]", or "body" for the whole document.
struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

// Applies a JSON object onto `base`: absent fields keep base's values (inside "filters" too;
// a present array replaces the whole list). Unknown fields, wrong types, out-of-range values,
// a non-object body or invalid JSON give a FieldError; `base` is never partially applied.
std::variant<MonitoringConfig, FieldError> monitoring_config_from_json(const MonitoringConfig& base,
                                                                       std::string_view json_text);
std::variant<MonitoringConfig, FieldError> monitoring_config_from_value(const MonitoringConfig& base,
                                                                        const boost::json::value& v);
// Every field, so from_value(x, to_json(c)) == c for any valid c.
boost::json::value to_json(const MonitoringConfig& c);

}  // namespace hs::config
