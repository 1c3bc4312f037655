#include "monitoring/series.h"

namespace hs::monitoring {

SeriesStore::SeriesStore(std::size_t fine_capacity, std::size_t coarse_capacity)
    : fine_capacity_(fine_capacity), coarse_capacity_(coarse_capacity) {}

void SeriesStore::set_capacity(std::size_t fine_capacity, std::size_t coarse_capacity) {
  fine_capacity_ = fine_capacity;
  coarse_capacity_ = coarse_capacity;
  trim();
}

void SeriesStore::add(const SeriesPoint& point, const Histogram& hist) {
  std::int64_t minute = point.ts_ms / 60'000;
  if (minute_ >= 0 && minute != minute_ && !minute_points_.empty()) {
    coarse_.push_back(rollup());
    minute_points_.clear();
    minute_hist_.clear();
  }
  minute_ = minute;
  minute_points_.push_back(point);
  minute_hist_.merge(hist);
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
    r.syscalls_per_s += p.syscalls_per_s * w;
    r.syscall_errors_per_s += p.syscall_errors_per_s * w;
    r.syscall_busy += p.syscall_busy * w;
    r.drops += p.drops;
    r.system.cpu_percent += p.system.cpu_percent * w;
    r.system.steal_percent += p.system.steal_percent * w;
    r.system.iowait_percent += p.system.iowait_percent * w;
    r.system.load1 += p.system.load1 * w;
    r.system.load5 += p.system.load5 * w;
    r.system.load15 += p.system.load15 * w;
    r.system.psi_cpu_some += p.system.psi_cpu_some * w;
    r.system.psi_mem_some += p.system.psi_mem_some * w;
    r.system.psi_io_some += p.system.psi_io_some * w;
    r.system.disk_read_bytes_per_s += p.system.disk_read_bytes_per_s * w;
    r.system.disk_write_bytes_per_s += p.system.disk_write_bytes_per_s * w;
  }
  if (span > 0) {
    for (double* v : {&r.syscalls_per_s, &r.syscall_errors_per_s, &r.syscall_busy, &r.system.cpu_percent,
                      &r.system.steal_percent, &r.system.iowait_percent, &r.system.load1, &r.system.load5, &r.system.load15, &r.system.psi_cpu_some,
                      &r.system.psi_mem_some, &r.system.psi_io_some, &r.system.disk_read_bytes_per_s,
                      &r.system.disk_write_bytes_per_s}) {
      *v /= span;
    }
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
  return r;
}

void SeriesStore::trim() {
  while (fine_.size() > fine_capacity_) fine_.pop_front();
  while (coarse_.size() > coarse_capacity_) coarse_.pop_front();
}

}  // namespace hs::monitoring
