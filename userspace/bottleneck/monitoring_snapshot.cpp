#include "bottleneck/monitoring_snapshot.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <string_view>

namespace hs::bottleneck {
namespace {

// Queries and aggregates without a cap: the snapshot needs every entry, or a key that
// drops out and comes back would count its whole history as one window.
constexpr std::size_t kAll = 1'000'000'000;

std::string key_of(std::initializer_list<std::string_view> parts) {
  std::string k;
  for (auto p : parts) {
    k.append(p);
    k.push_back('\x1f');  // unit separator: no label contains it
  }
  return k;
}

using Window = MonitoringSnapshot::Window;
using Counters = MonitoringSnapshot::Counters;

// The window percentiles of one aggregate; records its cumulative histogram as the next baseline.
Window window_of(const std::unordered_map<std::string, Histogram>& prev,
                 std::unordered_map<std::string, Histogram>& next, const std::string& k, const Histogram& cum) {
  auto it = prev.find(k);
  Histogram d = it == prev.end() ? cum : histogram_delta(cum, it->second);
  next[k] = cum;
  Window w;
  w.samples = d.count();
  if (w.samples > 0) {
    w.p50_ns = d.percentile(0.50);
    w.p95_ns = d.percentile(0.95);
    w.p99_ns = d.percentile(0.99);
  }
  return w;
}

// One entry's cumulative counters (summed when one key shows up twice, e.g. a
// reused pid next to the exited record of its first owner) and the metric it becomes.
template <typename M>
struct Pending {
  Counters cum;
  M metric;
  std::string aggregate;  // key of the aggregate whose window percentiles it takes
};

template <typename M>
Pending<M>& pending(std::map<std::string, Pending<M>>& m, const std::string& k, std::size_t n) {
  auto& p = m[k];
  if (p.cum.empty()) p.cum.assign(n, 0);
  return p;
}

void add(Counters& c, std::initializer_list<std::uint64_t> v) {
  std::size_t i = 0;
  for (auto x : v) c[i++] += x;
}

bool any(const Counters& c) {
  return std::any_of(c.begin(), c.end(), [](std::uint64_t v) { return v > 0; });
}

// Turns cumulative entries into window metrics: `fill(metric, delta)` sets the
// counters; entries with nothing new are left out. `prev` becomes this build's baselines.
template <typename M, typename Fill>
void emit(std::map<std::string, Pending<M>>& cur, std::unordered_map<std::string, Counters>& prev,
          std::vector<M>& out, Fill&& fill) {
  std::unordered_map<std::string, Counters> next;
  next.reserve(cur.size());
  for (auto& [k, p] : cur) {
    auto it = prev.find(k);
    Counters d = it == prev.end() ? p.cum : counter_delta(p.cum, it->second);
    if (any(d)) {
      fill(p, d);
      out.push_back(std::move(p.metric));
    }
    next.emplace(k, std::move(p.cum));
  }
  prev = std::move(next);
}

// The parts of a key_of() key.
std::vector<std::string_view> parts_of(std::string_view k) {
  std::vector<std::string_view> parts;
  for (std::size_t at = 0, end; (end = k.find('\x1f', at)) != std::string_view::npos; at = end + 1)
    parts.push_back(k.substr(at, end - at));
  return parts;
}

// A key of the last build that is gone while its process's "other" entry
// (other_of(key), "" if none) is there was folded into it, history and all: its
// baseline moves to "other"'s, so that only what happened since the last build
// counts there, the folded entry's last operations included.
template <typename M, typename OtherOf>
void carry_folded(const std::map<std::string, Pending<M>>& cur, std::unordered_map<std::string, Counters>& prev,
                  OtherOf&& other_of) {
  std::vector<std::pair<std::string, Counters>> moves;
  for (const auto& [k, base] : prev) {
    if (cur.count(k)) continue;
    std::string o = other_of(parts_of(k));
    if (!o.empty() && o != k && cur.count(o)) moves.emplace_back(std::move(o), base);
  }
  for (auto& [o, base] : moves) {
    Counters& b = prev[o];
    if (b.empty()) b.assign(base.size(), 0);
    for (std::size_t i = 0; i < base.size() && i < b.size(); ++i) b[i] += base[i];
  }
}

}  // namespace

Histogram histogram_delta(const Histogram& cur, const Histogram& prev) {
  Histogram d;
  for (std::uint32_t s = 0; s < Histogram::kSlots; ++s) {
    std::uint64_t c = cur.slots()[s], p = prev.slots()[s];
    if (c > p) d.add_slot(s, c - p);
  }
  return d;
}

Counters counter_delta(const Counters& cur, const Counters& prev) {
  Counters d(cur.size(), 0);
  for (std::size_t i = 0; i < cur.size(); ++i) {
    std::uint64_t p = i < prev.size() ? prev[i] : 0;
    d[i] = cur[i] > p ? cur[i] - p : 0;
  }
  return d;
}

void MonitoringSnapshot::reset() { *this = MonitoringSnapshot{}; }

std::size_t MonitoringSnapshot::tracked() const {
  return sys_.size() + net_.size() + db_.size() + http_.size() + sys_hist_.size() + srtt_hist_.size() +
         rtt_hist_.size() + db_hist_.size() + http_hist_.size();
}

MetricsSnapshot MonitoringSnapshot::build(const monitoring::MonitoringEngine& eng, std::int64_t ts_ms,
                                          double window_s) {
  MetricsSnapshot s;
  s.ts_ms = ts_ms;
  s.window_s = window_s > 0 ? window_s : 1e-3;

  // Syscalls: per (pid, nr); percentiles of (comm, syscall).
  {
    HistMap next_hist;
    std::unordered_map<std::string, Window> windows;
    for (const auto& a : eng.syscalls_by_comm(kAll)) {
      std::string k = key_of({a.comm, a.syscall});
      windows[k] = window_of(sys_hist_, next_hist, k, a.hist);
    }
    sys_hist_ = std::move(next_hist);
    std::map<std::string, Pending<SyscallMetric>> cur;
    monitoring::SyscallQuery q;
    q.limit = kAll;
    for (const auto& e : eng.syscall_entries(q)) {
      auto& p = pending(cur, key_of({std::to_string(e.pid), std::to_string(e.nr)}), 3);
      add(p.cum, {e.count, e.errors, e.total_ns});
      p.metric.pid = e.pid;
      p.metric.comm = e.comm;
      p.metric.syscall = e.syscall;
      p.aggregate = key_of({e.comm, e.syscall});
    }
    emit(cur, sys_, s.syscalls, [&](Pending<SyscallMetric>& p, const Counters& d) {
      p.metric.count = d[0];
      p.metric.errors = d[1];
      p.metric.total_ns = d[2];
      const Window& w = windows[p.aggregate];
      p.metric.p50_ns = w.p50_ns;
      p.metric.p95_ns = w.p95_ns;
      p.metric.p99_ns = w.p99_ns;
    });
  }

  // TCP: per (pid, remote, direction); smoothed RTT and round trips of (comm, remote, direction).
  {
    HistMap next_srtt, next_rtt;
    std::unordered_map<std::string, std::pair<Window, Window>> windows;
    for (const auto& a : eng.network_by_comm(kAll)) {
      std::string k = key_of({a.comm, a.remote, a.direction});
      windows[k] = {window_of(srtt_hist_, next_srtt, k, a.totals.srtt), window_of(rtt_hist_, next_rtt, k, a.totals.rtt)};
    }
    srtt_hist_ = std::move(next_srtt);
    rtt_hist_ = std::move(next_rtt);
    std::map<std::string, Pending<NetworkMetric>> cur;
    monitoring::NetworkQuery q;
    q.limit = kAll;
    for (const auto& e : eng.network_entries(q)) {
      auto& p = pending(cur, key_of({std::to_string(e.pid), e.remote, e.direction}), 7);
      add(p.cum, {e.connects, e.connect_failures, e.retransmits, e.resets, e.round_trips, e.bytes_sent,
                  e.bytes_received});
      p.metric.pid = e.pid;
      p.metric.comm = e.comm;
      p.metric.remote = e.remote;
      p.aggregate = key_of({e.comm, e.remote, e.direction});
    }
    emit(cur, net_, s.network, [&](Pending<NetworkMetric>& p, const Counters& d) {
      p.metric.connects = d[0];
      p.metric.connect_failures = d[1];
      p.metric.retransmits = d[2];
      p.metric.resets = d[3];
      p.metric.round_trips = d[4];
      const auto& [srtt, rtt] = windows[p.aggregate];
      p.metric.srtt_p50_ns = srtt.p50_ns;
      p.metric.srtt_p99_ns = srtt.p99_ns;
      p.metric.rtt_p50_ns = rtt.p50_ns;
      p.metric.rtt_p95_ns = rtt.p95_ns;
      p.metric.rtt_p99_ns = rtt.p99_ns;
    });
  }

  // Statements: per (pid, system, side, fingerprint); percentiles of (system, fingerprint id, side).
  {
    HistMap next_hist;
    std::unordered_map<std::string, Window> windows;
    for (const auto& a : eng.database_series(kAll)) {
      std::string k = key_of({a.system, a.fingerprint_id, a.side});
      windows[k] = window_of(db_hist_, next_hist, k, a.ops.hist);
    }
    db_hist_ = std::move(next_hist);
    std::map<std::string, Pending<DatabaseMetric>> cur;
    monitoring::DatabaseQuery q;
    q.limit = kAll;
    for (const auto& e : eng.database_entries(q)) {
      auto& p = pending(cur, key_of({std::to_string(e.pid), e.system, e.side, e.fingerprint_id}), 2);
      add(p.cum, {e.count, e.errors});
      p.metric.pid = e.pid;
      p.metric.comm = e.comm;
      p.metric.system = e.system;
      p.metric.fingerprint_id = e.fingerprint_id;
      p.metric.fingerprint = e.fingerprint;
      p.aggregate = key_of({e.system, e.fingerprint_id, e.side});
    }
    carry_folded(cur, db_, [](const std::vector<std::string_view>& k) {  // (pid, system, side, id)
      auto system = k.size() == 4 ? monitoring::database_system(k[1]) : std::nullopt;
      return system ? key_of({k[0], k[1], k[2], monitoring::fingerprint_id(*system, monitoring::kOther)})
                    : std::string();
    });
    emit(cur, db_, s.database, [&](Pending<DatabaseMetric>& p, const Counters& d) {
      p.metric.count = d[0];
      p.metric.errors = d[1];
      const Window& w = windows[p.aggregate];
      p.metric.p50_ns = w.p50_ns;
      p.metric.p95_ns = w.p95_ns;
      p.metric.p99_ns = w.p99_ns;
    });
  }

  // HTTP: per (pid, side, method, route); percentiles of (side, method, route).
  {
    HistMap next_hist;
    std::unordered_map<std::string, Window> windows;
    for (const auto& a : eng.http_series(kAll)) {
      std::string k = key_of({a.side, a.method, a.route});
      windows[k] = window_of(http_hist_, next_hist, k, a.stat.ops.hist);
    }
    http_hist_ = std::move(next_hist);
    std::map<std::string, Pending<HttpMetric>> cur;
    monitoring::HttpQuery q;
    q.limit = kAll;
    for (const auto& e : eng.http_entries(q)) {
      auto& p = pending(cur, key_of({std::to_string(e.pid), e.side, e.method, e.route}), 2);
      add(p.cum, {e.count, e.status_5xx});
      p.metric.pid = e.pid;
      p.metric.comm = e.comm;
      p.metric.side = e.side;
      p.metric.method = e.method;
      p.metric.route = e.route;
      p.aggregate = key_of({e.side, e.method, e.route});
    }
    carry_folded(cur, http_, [](const std::vector<std::string_view>& k) {  // (pid, side, method, route)
      return k.size() == 4 ? key_of({k[0], k[1], monitoring::kOther, monitoring::kOther}) : std::string();
    });
    emit(cur, http_, s.http, [&](Pending<HttpMetric>& p, const Counters& d) {
      p.metric.count = d[0];
      p.metric.status_5xx = d[1];
      const Window& w = windows[p.aggregate];
      p.metric.p50_ns = w.p50_ns;
      p.metric.p95_ns = w.p95_ns;
      p.metric.p99_ns = w.p99_ns;
    });
  }

  // System: the latest sample's gauges (each is already over the last sampling interval; PSI is avg10).
  const auto& sys = eng.system();
  s.system.present = sys.mem_total_bytes > 0;
  s.system.cpu_percent = sys.cpu_percent;
  s.system.steal_percent = sys.steal_percent;
  s.system.iowait_percent = sys.iowait_percent;
  s.system.mem_used_bytes = sys.mem_used_bytes;
  s.system.mem_total_bytes = sys.mem_total_bytes;
  s.system.psi_available = sys.psi_available;
  s.system.psi_cpu_some = sys.psi_cpu_some;
  s.system.psi_mem_some = sys.psi_mem_some;
  s.system.psi_io_some = sys.psi_io_some;
  s.system.load1 = sys.load1;
  return s;
}

}  // namespace hs::bottleneck
