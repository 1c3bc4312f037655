#include "alerts/metric_source.h"

#include <algorithm>
#include <set>

#include "bottleneck/detectors.h"

namespace hs::alerts {

namespace {
using bottleneck::MetricsSnapshot;
constexpr double kNsPerMs = 1e6;
constexpr std::size_t kMaxProcesses = 20;

// Sums counters and keeps the worst latency of each percentile across the entries of one subject.
struct Acc {
  double a = 0, b = 0, c = 0;        // counters (meaning depends on the layer)
  double p50 = 0, p95 = 0, p99 = 0;  // ms, worst across entries
  double gauge = 0;
  std::set<std::string> processes;
  void latency(std::uint64_t p50_ns, std::uint64_t p95_ns, std::uint64_t p99_ns) {
    p50 = std::max(p50, static_cast<double>(p50_ns) / kNsPerMs);
    p95 = std::max(p95, static_cast<double>(p95_ns) / kNsPerMs);
    p99 = std::max(p99, static_cast<double>(p99_ns) / kNsPerMs);
  }
  void process(const std::string& comm, std::uint32_t pid) {
    if (processes.size() < kMaxProcesses) processes.insert(bottleneck::process_label(comm, pid));
  }
  double percentile(int p) const { return p == 50 ? p50 : p == 99 ? p99 : p95; }
};

bool process_matches(const std::string& filter, const std::string& comm, std::uint32_t pid) {
  return filter.empty() || filter == comm || filter == std::to_string(pid);
}

double ratio(double part, double whole) { return whole > 0 ? part / whole : 0; }

// The value the rule compares: picks the accumulated number for the metric.
double value_of(const AlertRule& r, const Acc& acc, double window_s) {
  const std::string& m = r.selector.metric;
  const Condition& c = r.condition;
  if (c.type == ConditionType::percentile) return acc.percentile(c.percentile);
  double counter = 0;
  switch (r.selector.layer) {
    case Layer::syscall:
      if (m == "time_share") return acc.gauge / (window_s * 1e9);
      counter = m == "calls" ? acc.a : acc.b;
      break;
    case Layer::network:
      if (m == "connect_failure_ratio") return ratio(acc.b, std::max(acc.a, acc.b));
      counter = m == "connects" ? acc.a : m == "connect_failures" ? acc.b : m == "retransmits" ? acc.c : acc.gauge;
      break;
    case Layer::database:
    case Layer::http:
      if (m == "error_ratio") return ratio(acc.b, acc.a);
      counter = (m == "queries" || m == "requests") ? acc.a : acc.b;
      break;
    case Layer::system:
    case Layer::frontend:
      counter = acc.gauge;
      break;
  }
  return c.type == ConditionType::rate ? counter / window_s : counter;
}

double system_gauge(const bottleneck::SystemMetric& s, const std::string& m) {
  if (m == "cpu_percent") return s.cpu_percent;
  if (m == "steal_percent") return s.steal_percent;
  if (m == "iowait_percent") return s.iowait_percent;
  if (m == "mem_used_percent") {
    if (s.mem_total_bytes == 0) return 0;
    return 100.0 * (static_cast<double>(s.mem_used_bytes) / static_cast<double>(s.mem_total_bytes));
  }
  if (m == "psi_cpu_some") return s.psi_cpu_some;
  if (m == "psi_mem_some") return s.psi_mem_some;
  if (m == "psi_io_some") return s.psi_io_some;
  return s.load1;
}

double frontend_gauge(const bottleneck::FrontendMetric& f, const std::string& m) {
  if (m == "page_views") return static_cast<double>(f.count);
  if (m == "load_p75_ms") return f.load_p75_ms;
  if (m == "lcp_p75_ms") return f.lcp_p75_ms;
  if (m == "fcp_p75_ms") return f.fcp_p75_ms;
  if (m == "ttfb_p75_ms") return f.ttfb_p75_ms;
  if (m == "inp_p75_ms") return f.inp_p75_ms;
  return f.cls_p75;
}

std::map<std::string, Acc> accumulate(const MetricsSnapshot& m, const MetricSelector& s) {
  std::map<std::string, Acc> out;
  switch (s.layer) {
    case Layer::syscall:
      for (const auto& e : m.syscalls) {
        if (!process_matches(s.process, e.comm, e.pid) || (!s.syscall.empty() && s.syscall != e.syscall)) continue;
        Acc& acc = out[e.comm + "/" + e.syscall];
        acc.a += static_cast<double>(e.count);
        acc.b += static_cast<double>(e.errors);
        acc.gauge += static_cast<double>(e.total_ns);
        acc.latency(e.p50_ns, e.p95_ns, e.p99_ns);
        acc.process(e.comm, e.pid);
      }
      break;
    case Layer::network:
      for (const auto& e : m.network) {
        if (!process_matches(s.process, e.comm, e.pid) || (!s.remote.empty() && s.remote != e.remote)) continue;
        Acc& acc = out[e.remote];
        acc.a += static_cast<double>(e.connects);
        acc.b += static_cast<double>(e.connect_failures);
        acc.c += static_cast<double>(e.retransmits);
        acc.gauge += static_cast<double>(e.resets);
        if (s.metric == "srtt") {
          acc.latency(e.srtt_p50_ns, e.srtt_p99_ns, e.srtt_p99_ns);
        } else {
          acc.latency(e.rtt_p50_ns, e.rtt_p95_ns, e.rtt_p99_ns);
        }
        acc.process(e.comm, e.pid);
      }
      break;
    case Layer::database:
      for (const auto& e : m.database) {
        if (!process_matches(s.process, e.comm, e.pid)) continue;
        if (!s.query.empty() && s.query != e.fingerprint_id && s.query != e.fingerprint) continue;
        Acc& acc = out[e.system + " " + e.fingerprint_id];
        acc.a += static_cast<double>(e.count);
        acc.b += static_cast<double>(e.errors);
        acc.latency(e.p50_ns, e.p95_ns, e.p99_ns);
        acc.process(e.comm, e.pid);
      }
      break;
    case Layer::http:
      for (const auto& e : m.http) {
        const std::string endpoint = e.method + " " + e.route;
        if (!process_matches(s.process, e.comm, e.pid)) continue;
        if (!s.endpoint.empty() && s.endpoint != endpoint && s.endpoint != e.route) continue;
        Acc& acc = out[e.side + " " + endpoint];
        acc.a += static_cast<double>(e.count);
        acc.b += static_cast<double>(e.status_5xx);
        acc.latency(e.p50_ns, e.p95_ns, e.p99_ns);
        acc.process(e.comm, e.pid);
      }
      break;
    case Layer::system:
      if (m.system.present) out["host"].gauge = system_gauge(m.system, s.metric);
      break;
    case Layer::frontend:
      for (const auto& e : m.frontend) {
        if (!s.endpoint.empty() && s.endpoint != e.page) continue;
        out[e.page].gauge = frontend_gauge(e, s.metric);
      }
      break;
  }
  return out;
}
}  // namespace

std::map<std::string, Observation> observe(const MetricsSnapshot& m, const AlertRule& rule) {
  const double window_s = std::max(m.window_s, 1e-3);
  std::map<std::string, Observation> out;
  for (auto& [subject, acc] : accumulate(m, rule.selector)) {
    out[subject] = Observation{value_of(rule, acc, window_s), {acc.processes.begin(), acc.processes.end()}};
  }
  return out;
}

}  // namespace hs::alerts
