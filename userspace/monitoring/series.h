// Host-level time series: one point per sampling interval (kept for the fine
// retention) rolled up into one point per minute (kept for the coarse retention).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "common/histogram.h"

namespace hs::monitoring {

struct SystemPoint {
  double cpu_percent = 0, steal_percent = 0, iowait_percent = 0;
  std::uint64_t mem_used_bytes = 0, mem_total_bytes = 0, mem_available_bytes = 0;
  std::uint64_t swap_used_bytes = 0, swap_total_bytes = 0;
  double load1 = 0, load5 = 0, load15 = 0;
  bool psi_available = false;
  double psi_cpu_some = 0, psi_mem_some = 0, psi_io_some = 0;
  std::uint64_t disk_read_bytes = 0, disk_write_bytes = 0;  // cumulative since boot
  double disk_read_bytes_per_s = 0, disk_write_bytes_per_s = 0;
};

struct CoreLoad {
  int cpu = 0;
  double busy_percent = 0, steal_percent = 0;
};

struct SeriesPoint {
  std::int64_t ts_ms = 0;      // end of the interval
  double interval_s = 0;       // its length
  double syscalls_per_s = 0;
  double syscall_errors_per_s = 0;
  double syscall_busy = 0;     // syscall time per second of wall time (thread-seconds/s)
  std::uint64_t syscall_p50_ns = 0, syscall_p95_ns = 0, syscall_p99_ns = 0;
  std::uint64_t drops = 0;     // events lost in the interval
  // TCP over the interval (round trips: request -> first response byte).
  double net_connects_per_s = 0, net_connect_failures_per_s = 0, net_retransmits_per_s = 0, net_resets_per_s = 0;
  double net_round_trips_per_s = 0, net_bytes_sent_per_s = 0, net_bytes_received_per_s = 0;
  std::uint64_t net_rtt_p50_ns = 0, net_rtt_p95_ns = 0, net_rtt_p99_ns = 0;
  // Decoded L7 operations completed in the interval.
  double db_ops_per_s = 0, db_errors_per_s = 0, http_requests_per_s = 0, http_5xx_per_s = 0;
  std::uint64_t db_p95_ns = 0, http_p95_ns = 0;
  SystemPoint system;
};

// The latency histograms of one interval, rolled up per minute for its percentiles.
struct IntervalHistograms {
  const Histogram& syscall;
  const Histogram& net_rtt;
  const Histogram& db;
  const Histogram& http;
};

class SeriesStore {
 public:
  SeriesStore(std::size_t fine_capacity, std::size_t coarse_capacity);
  void set_capacity(std::size_t fine_capacity, std::size_t coarse_capacity);

  // Adds one interval's point with the interval's merged latency histograms.
  void add(const SeriesPoint& point, const IntervalHistograms& hists);

  const std::deque<SeriesPoint>& fine() const { return fine_; }
  const std::deque<SeriesPoint>& coarse() const { return coarse_; }
  // The minute in progress, rolled up so far (for "last minute" KPIs).
  SeriesPoint current_minute() const;
  const Histogram& current_minute_hist() const { return minute_hist_; }
  const Histogram& current_minute_net_rtt_hist() const { return minute_net_rtt_hist_; }
  const Histogram& current_minute_db_hist() const { return minute_db_hist_; }
  const Histogram& current_minute_http_hist() const { return minute_http_hist_; }

 private:
  SeriesPoint rollup() const;
  void trim();

  std::size_t fine_capacity_, coarse_capacity_;
  std::deque<SeriesPoint> fine_, coarse_;
  std::int64_t minute_ = -1;  // minute index of the roll-up in progress
  std::vector<SeriesPoint> minute_points_;
  Histogram minute_hist_;
  Histogram minute_net_rtt_hist_;
  Histogram minute_db_hist_;
  Histogram minute_http_hist_;
};

}  // namespace hs::monitoring
