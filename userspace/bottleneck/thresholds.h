// The limits the bottleneck detectors (and the built-in alert rules) compare against.
// GET/PUT bottlenecks/thresholds read and change them as one flat JSON object.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <boost/json/value.hpp>

#include "bottleneck/engine_error.h"

namespace hs::bottleneck {

struct Thresholds {
  // Service levels (SPEC §4).
  double api_p95_ms = 200;       // HTTP p95 per endpoint
  double db_p95_ms = 100;        // database statement p95 per fingerprint
  double page_load_ms = 3000;    // frontend page load p75
  double lcp_ms = 2500;          // frontend largest contentful paint p75
  double http_error_ratio = 0.05;  // 5xx / requests per endpoint
  double min_requests = 5;       // operations in a window before a percentile or ratio counts
  // Syscalls: a (process, syscall) that is slow and takes a large share of wall time.
  double syscall_p95_ms = 100;
  double syscall_time_share = 0.5;  // thread-seconds in the syscall per second of wall time
  double fsync_p95_ms = 50;         // fsync, fdatasync, sync_file_range, msync, sync, syncfs
  // Network, per remote.
  double connect_failure_ratio = 0.1;
  double min_connect_failures = 3;
  double retransmits_per_s = 10;
  double srtt_p99_ms = 200;
  // System.
  double cpu_percent = 90;
  double steal_percent = 10;
  double iowait_percent = 20;
  double psi_io_some = 20;
  double psi_mem_some = 10;
  double mem_used_percent = 95;

  bool operator==(const Thresholds&) const = default;
};

// One threshold as the API shows it.
struct ThresholdInfo {
  std::string_view name;
  double Thresholds::*member;
  double lo, hi;
  std::string_view unit;
  std::string_view description;
};

std::span<const ThresholdInfo> threshold_catalog();

boost::json::value to_json(const Thresholds& t);
// Applies a partial update ({"api_p95_ms": 150}); unknown or out-of-range fields are errors
// naming the field, and nothing changes then.
Outcome<Thresholds> apply_json(const Thresholds& base, const boost::json::value& v);

}  // namespace hs::bottleneck
