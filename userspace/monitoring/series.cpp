#include "monitoring/series.h"

namespace hs::monitoring {
namespace {

// Per-second rates of a point, averaged over a minute weighted by interval length.
constexpr double SeriesPoint::*kRates[] = {
    &SeriesPoint::syscalls_per_s,        &SeriesPoint::syscall_errors_per_s,     &SeriesPoint::syscall_busy,
    &SeriesPoint::net_connects_per_s,    &SeriesPoint::net_connect_failures_per_s,
    &SeriesPoint::net_retransmits_per_s, &SeriesPoint::net_resets_per_s,         &SeriesPoint::net_round_trips_per_s,
    &SeriesPoint::net_bytes_sent_per_s,  &SeriesPoint::net_bytes_received_per_s,
    &SeriesPoint::db_ops_per_s,          &SeriesPoint::db_errors_per_s,          &SeriesPoint::http_requests_per_s,
    &SeriesPoint::http_5xx_per_s,
};

// System gauges that are averaged over the minute the same way.
constexpr double SystemPoint::*kSystemRates[] = {
    &SystemPoint::cpu_percent,  &SystemPoint::steal_percent, &SystemPoint::iowait_percent,
    &SystemPoint::load1,        &SystemPoint::load5,         &SystemPoint::load15,
    &SystemPoint::psi_cpu_some, &SystemPoint::psi_mem_some,  &SystemPoint::psi_io_some,
    &SystemPoint::disk_read_bytes_per_s, &SystemPoint::disk_write_bytes_per_s,
};

}  // namespace

SeriesStore::SeriesStore(std::size_t fine_capacity, std::size_t coarse_capacity)
    : fine_capacity_(fine_capacity), coarse_capacity_(coarse_capacity) {}

void SeriesStore::set_capacity(std::size_t fine_capacity, std::size_t coarse_capacity) {
  fine_capacity_ = fine_capacity;
  coarse_capacity_ = coarse_capacity;
  trim();
}

void SeriesStore::add(const SeriesPoint& point, const IntervalHistograms& hists) {
  std::int64_t minute = point.ts_ms / 60'000;
  if (minute_ >= 0 && minute != minute_ && !minute_points_.empty()) {
    coarse_.push_back(rollup());
    minute_points_.clear();
    for (Histogram* h : {&minute_hist_, &minute_net_rtt_hist_, &minute_db_hist_, &minute_http_hist_}) h->clear();
  }
  minute_ = minute;
  minute_points_.push_back(point);
  minute_hist_.merge(hists.syscall);
  minute_net_rtt_hist_.merge(hists.net_rtt);
  minute_db_hist_.merge(hists.db);
  minute_http_hist_.merge(hists.http);
  fine_.push_back(point);
  trim();
}

SeriesPoint SeriesStore::current_minute() const { return rollup(); }

SeriesPoint SeriesStore::rollup() const {
  SeriesPoint r;
  if (minute_points_.empty()) return r;
  double span = 0;
  for (const auto& p : minute_points_) {
    double w = p.interval_s;
    span += w;
    for (auto rate : kRates) r.*rate += p.*rate * w;
    r.drops += p.drops;
    for (auto v : kSystemRates) r.system.*v += p.system.*v * w;
  }
  if (span > 0) {
    for (auto rate : kRates) r.*rate /= span;
    for (auto v : kSystemRates) r.system.*v /= span;
  }
  const auto& last = minute_points_.back();
  r.ts_ms = last.ts_ms;
  r.interval_s = span;
  // Gauges that are levels, not rates: the last value of the minute.
  r.system.mem_used_bytes = last.system.mem_used_bytes;
  r.system.mem_total_bytes = last.system.mem_total_bytes;
  r.system.mem_available_bytes = last.system.mem_available_bytes;
  r.system.swap_used_bytes = last.system.swap_used_bytes;
  r.system.swap_total_bytes = last.system.swap_total_bytes;
  r.system.psi_available = last.system.psi_available;
  r.system.disk_read_bytes = last.system.disk_read_bytes;
  r.system.disk_write_bytes = last.system.disk_write_bytes;
  r.syscall_p50_ns = minute_hist_.percentile(0.50);
  r.syscall_p95_ns = minute_hist_.percentile(0.95);
  r.syscall_p99_ns = minute_hist_.percentile(0.99);
  r.net_rtt_p50_ns = minute_net_rtt_hist_.percentile(0.50);
  r.net_rtt_p95_ns = minute_net_rtt_hist_.percentile(0.95);
  r.net_rtt_p99_ns = minute_net_rtt_hist_.percentile(0.99);
  r.db_p95_ns = minute_db_hist_.percentile(0.95);
  r.http_p95_ns = minute_http_hist_.percentile(0.95);
  return r;
}

void SeriesStore::trim() {
  while (fine_.size() > fine_capacity_) fine_.pop_front();
  while (coarse_.size() > coarse_capacity_) coarse_.pop_front();
}

}  // namespace hs::monitoring
