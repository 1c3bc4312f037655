// Builds the bottleneck and alert engines' MetricsSnapshot from MonitoringEngine's
// cumulative queries: every evaluation turns the totals into what happened since the
// previous one.
//
// Counters (calls, errors, requests, connects, retransmits, ...) are per-process
// deltas of the cumulative entries. Latency percentiles are exact for the window:
// they come from the difference of two cumulative histograms, taken from the
// engine's cross-process aggregates (syscalls per (comm, syscall), TCP per
// (comm, remote, direction), statements per (system, fingerprint id, side), HTTP
// per (side, method, route)). Every process of one aggregate therefore carries the
// aggregate's window percentiles. When a total shrinks (an exited process's record
// evicted, a remote folded into "other"), the shrinking part counts as zero for
// that window and the new value becomes the baseline.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "bottleneck/layer_metrics.h"
#include "common/histogram.h"
#include "monitoring/monitoring_engine.h"

namespace hs::bottleneck {

class MonitoringSnapshot {
 public:
  // The first build() counts everything since the engine started as its window.
  MetricsSnapshot build(const monitoring::MonitoringEngine& engine, std::int64_t ts_ms, double window_s);
  void reset();
  std::size_t tracked() const;  // baselines held (tests)

  // Window percentiles of one aggregate (what changed since the previous build).
  struct Window {
    std::uint64_t samples = 0, p50_ns = 0, p95_ns = 0, p99_ns = 0;
  };
  // Baselines: previous cumulative counters of one entry, or histograms of one aggregate.
  using Counters = std::vector<std::uint64_t>;

 private:
  using CounterMap = std::unordered_map<std::string, Counters>;
  using HistMap = std::unordered_map<std::string, Histogram>;

  CounterMap sys_, net_, db_, http_;
  HistMap sys_hist_, srtt_hist_, rtt_hist_, db_hist_, http_hist_;
};

// Slot-wise difference cur - prev (slots that shrank count as zero).
Histogram histogram_delta(const Histogram& cur, const Histogram& prev);
// Element-wise difference cur - prev, same clamping; prev may be shorter (new entry).
MonitoringSnapshot::Counters counter_delta(const MonitoringSnapshot::Counters& cur,
                                           const MonitoringSnapshot::Counters& prev);

}  // namespace hs::bottleneck
