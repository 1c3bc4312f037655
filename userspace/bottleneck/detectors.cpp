#include "bottleneck/detectors.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace hs::bottleneck {

namespace {
constexpr double kNsPerMs = 1e6;
constexpr std::size_t kMaxAffected = 20;  // per list; the rest are counted in nobody's favour

// What one subject adds up to across the processes that reported it.
struct Group {
  std::uint64_t count = 0, errors = 0, extra = 0;
  std::uint64_t total_ns = 0;
  double worst = 0;  // the largest latency seen (ms) or gauge
  std::set<std::string> processes, details;
};

void add_unique(std::set<std::string>& s, const std::string& v) {
  if (!v.empty() && s.size() < kMaxAffected) s.insert(v);
}

std::vector<std::string> list_of(const std::set<std::string>& s) { return {s.begin(), s.end()}; }

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

Finding finding(Layer layer, std::string kind, std::string subject, std::string title, Evidence primary,
                double weight) {
  Finding f;
  f.layer = layer;
  f.kind = std::move(kind);
  f.subject = std::move(subject);
  f.title = std::move(title);
  f.evidence.push_back(std::move(primary));
  f.weight = weight;
  return f;
}

void detect_http(const MetricsSnapshot& m, const Thresholds& t, std::vector<Finding>& out) {
  std::map<std::string, Group> groups;
  std::map<std::string, std::string> endpoint_of;
  for (const auto& h : m.http) {
    const std::string endpoint = h.method + " " + h.route;
    const std::string subject = h.side + " " + endpoint;
    Group& g = groups[subject];
    g.count += h.count;
    g.errors += h.status_5xx;
    g.worst = std::max(g.worst, static_cast<double>(h.p95_ns) / kNsPerMs);
    add_unique(g.processes, process_label(h.comm, h.pid));
    endpoint_of[subject] = endpoint;
  }
  for (const auto& [subject, g] : groups) {
    if (static_cast<double>(g.count) < t.min_requests) continue;
    const auto count = Evidence{"requests", static_cast<double>(g.count), 0, "count"};
    if (g.worst > t.api_p95_ms) {
      Finding f = finding(Layer::http, "http_latency", subject,
                          "Slow HTTP endpoint " + subject + ": p95 " + num(g.worst) + " ms > " + num(t.api_p95_ms) + " ms",
                          {"p95_ms", g.worst, t.api_p95_ms, "ms"}, 1.0);
      f.evidence.push_back(count);
      f.processes = list_of(g.processes);
      f.endpoints = {endpoint_of[subject]};
      out.push_back(std::move(f));
    }
    const double ratio = static_cast<double>(g.errors) / static_cast<double>(g.count);
    if (ratio > t.http_error_ratio) {
      Finding f = finding(Layer::http, "http_errors", subject,
                          "HTTP 5xx on " + subject + ": " + num(ratio * 100) + " % of requests",
                          {"error_ratio", ratio, t.http_error_ratio, "ratio"}, 1.0);
      f.evidence.push_back(count);
      f.processes = list_of(g.processes);
      f.endpoints = {endpoint_of[subject]};
      out.push_back(std::move(f));
    }
  }
}

void detect_database(const MetricsSnapshot& m, const Thresholds& t, std::vector<Finding>& out) {
  std::map<std::string, Group> groups;
  for (const auto& d : m.database) {
    Group& g = groups[d.system + " " + d.fingerprint_id];
    g.count += d.count;
    g.errors += d.errors;
    g.worst = std::max(g.worst, static_cast<double>(d.p95_ns) / kNsPerMs);
    add_unique(g.processes, process_label(d.comm, d.pid));
    add_unique(g.details, d.fingerprint);
  }
  for (const auto& [subject, g] : groups) {
    if (static_cast<double>(g.count) < t.min_requests || g.worst <= t.db_p95_ms) continue;
    Finding f = finding(Layer::database, "db_latency", subject,
                        "Slow query " + subject + ": p95 " + num(g.worst) + " ms > " + num(t.db_p95_ms) + " ms",
                        {"p95_ms", g.worst, t.db_p95_ms, "ms"}, 1.0);
    f.evidence.push_back({"queries", static_cast<double>(g.count), 0, "count"});
    f.processes = list_of(g.processes);
    f.queries = list_of(g.details);
    out.push_back(std::move(f));
  }
}

void detect_syscalls(const MetricsSnapshot& m, const Thresholds& t, std::vector<Finding>& out) {
  std::map<std::string, Group> slow, sync;
  for (const auto& s : m.syscalls) {
    if (is_waiting_syscall(s.syscall)) continue;
    Group& g = (is_fsync_syscall(s.syscall) ? sync : slow)[s.comm + "/" + s.syscall];
    g.count += s.count;
    g.total_ns += s.total_ns;
    g.worst = std::max(g.worst, static_cast<double>(s.p95_ns) / kNsPerMs);
    add_unique(g.processes, process_label(s.comm, s.pid));
  }
  const double window_ns = std::max(m.window_s, 1e-3) * 1e9;
  for (const auto& [subject, g] : slow) {
    const double share = static_cast<double>(g.total_ns) / window_ns;
    if (g.worst <= t.syscall_p95_ms || share < t.syscall_time_share) continue;
    Finding f = finding(Layer::syscall, "syscall_latency", subject,
                        "Slow syscall " + subject + ": p95 " + num(g.worst) + " ms, " + num(share * 100) +
                            " % of wall time",
                        {"p95_ms", g.worst, t.syscall_p95_ms, "ms"}, 0.8);
    f.evidence.push_back({"time_share", share, t.syscall_time_share, "ratio"});
    f.evidence.push_back({"calls", static_cast<double>(g.count), 0, "count"});
    f.processes = list_of(g.processes);
    out.push_back(std::move(f));
  }
  for (const auto& [subject, g] : sync) {
    if (g.count == 0 || g.worst <= t.fsync_p95_ms) continue;
    Finding f = finding(Layer::syscall, "fsync_latency", subject,
                        "Slow disk sync " + subject + ": p95 " + num(g.worst) + " ms > " + num(t.fsync_p95_ms) + " ms",
                        {"p95_ms", g.worst, t.fsync_p95_ms, "ms"}, 0.9);
    f.evidence.push_back({"calls", static_cast<double>(g.count), 0, "count"});
    f.processes = list_of(g.processes);
    out.push_back(std::move(f));
  }
}

void detect_network(const MetricsSnapshot& m, const Thresholds& t, std::vector<Finding>& out) {
  std::map<std::string, Group> groups;
  for (const auto& n : m.network) {
    Group& g = groups[n.remote];
    g.count += n.connects;
    g.errors += n.connect_failures;
    g.extra += n.retransmits;
    g.worst = std::max(g.worst, static_cast<double>(n.srtt_p99_ns) / kNsPerMs);
    add_unique(g.processes, process_label(n.comm, n.pid));
  }
  const double window_s = std::max(m.window_s, 1e-3);
  for (const auto& entry : groups) {
    const std::string& remote = entry.first;
    const Group& g = entry.second;
    const auto attach = [&](Finding f) {
      f.processes = list_of(g.processes);
      f.remotes = {remote};
      out.push_back(std::move(f));
    };
    // Attempts include the failures; a probe that only saw failures still has a ratio of 1.
    const double attempts = static_cast<double>(std::max(g.count, g.errors));
    const double ratio = attempts > 0 ? static_cast<double>(g.errors) / attempts : 0;
    if (static_cast<double>(g.errors) >= t.min_connect_failures && ratio > t.connect_failure_ratio) {
      Finding f = finding(Layer::network, "connect_failures", remote,
                          "Connections to " + remote + " failing: " + std::to_string(g.errors) + " of " +
                              num(attempts),
                          {"connect_failure_ratio", ratio, t.connect_failure_ratio, "ratio"}, 0.9);
      f.evidence.push_back({"connect_failures", static_cast<double>(g.errors), t.min_connect_failures, "count"});
      attach(std::move(f));
    }
    const double rate = static_cast<double>(g.extra) / window_s;
    if (rate > t.retransmits_per_s) {
      attach(finding(Layer::network, "retransmits", remote,
                     "TCP retransmits to " + remote + ": " + num(rate) + "/s",
                     {"retransmits_per_s", rate, t.retransmits_per_s, "per_s"}, 0.8));
    }
    if (g.worst > t.srtt_p99_ms) {
      attach(finding(Layer::network, "high_rtt", remote,
                     "High RTT to " + remote + ": p99 " + num(g.worst) + " ms",
                     {"srtt_p99_ms", g.worst, t.srtt_p99_ms, "ms"}, 0.7));
    }
  }
}

void detect_system(const MetricsSnapshot& m, const Thresholds& t, std::vector<Finding>& out) {
  const SystemMetric& s = m.system;
  if (!s.present) return;
  const auto host = [&](std::string kind, std::string title, Evidence e, double weight) {
    out.push_back(finding(Layer::system, std::move(kind), "host", std::move(title), std::move(e), weight));
  };
  if (s.cpu_percent > t.cpu_percent) {
    host("cpu_saturation", "CPU saturated: " + num(s.cpu_percent) + " % busy",
         {"cpu_percent", s.cpu_percent, t.cpu_percent, "percent"}, 0.9);
  }
  if (s.steal_percent > t.steal_percent) {
    host("cpu_steal", "CPU stolen by the hypervisor: " + num(s.steal_percent) + " %",
         {"steal_percent", s.steal_percent, t.steal_percent, "percent"}, 0.9);
  }
  const bool iowait = s.iowait_percent > t.iowait_percent;
  const bool psi_io = s.psi_available && s.psi_io_some > t.psi_io_some;
  if (iowait || psi_io) {
    // The primary number is whichever is further past its limit.
    Evidence a{"iowait_percent", s.iowait_percent, t.iowait_percent, "percent"};
    Evidence b{"psi_io_some", s.psi_io_some, t.psi_io_some, "percent"};
    const bool psi_first = psi_io && (!iowait || s.psi_io_some / t.psi_io_some > s.iowait_percent / t.iowait_percent);
    host("io_wait", "Waiting on I/O: " + num(psi_first ? s.psi_io_some : s.iowait_percent) + " %",
         psi_first ? b : a, 0.9);
    if (s.psi_available) out.back().evidence.push_back(psi_first ? a : b);
  }
  if (s.psi_available && s.psi_mem_some > t.psi_mem_some) {
    host("memory_pressure", "Memory pressure: stalled " + num(s.psi_mem_some) + " % of the time",
         {"psi_mem_some", s.psi_mem_some, t.psi_mem_some, "percent"}, 1.0);
  }
  if (s.mem_total_bytes > 0) {
    const double used = 100.0 * (static_cast<double>(s.mem_used_bytes) / static_cast<double>(s.mem_total_bytes));
    if (used > t.mem_used_percent) {
      host("memory_usage", "Memory almost full: " + num(used) + " % used",
           {"mem_used_percent", used, t.mem_used_percent, "percent"}, 0.9);
    }
  }
}

void detect_frontend(const MetricsSnapshot& m, const Thresholds& t, std::vector<Finding>& out) {
  for (const auto& p : m.frontend) {
    if (static_cast<double>(p.count) < t.min_requests) continue;
    const Evidence views{"page_views", static_cast<double>(p.count), 0, "count"};
    if (p.load_p75_ms > t.page_load_ms) {
      Finding f = finding(Layer::frontend, "page_load", p.page,
                          "Slow page " + p.page + ": load p75 " + num(p.load_p75_ms) + " ms > " + num(t.page_load_ms) + " ms",
                          {"load_p75_ms", p.load_p75_ms, t.page_load_ms, "ms"}, 1.0);
      f.evidence.push_back(views);
      f.endpoints = {p.page};
      out.push_back(std::move(f));
    }
    if (p.lcp_p75_ms > t.lcp_ms) {
      Finding f = finding(Layer::frontend, "largest_paint", p.page,
                          "Late largest paint on " + p.page + ": LCP p75 " + num(p.lcp_p75_ms) + " ms",
                          {"lcp_p75_ms", p.lcp_p75_ms, t.lcp_ms, "ms"}, 0.8);
      f.evidence.push_back(views);
      f.endpoints = {p.page};
      out.push_back(std::move(f));
    }
  }
}
}  // namespace

std::string process_label(const std::string& comm, std::uint32_t pid) {
  return comm + "[" + std::to_string(pid) + "]";
}

bool is_waiting_syscall(const std::string& name) {
  static const std::set<std::string> kWaiting = {
      "epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll", "select", "pselect6", "nanosleep",
      "clock_nanosleep", "futex", "futex_waitv", "wait4", "waitid", "accept", "accept4", "pause",
      "rt_sigtimedwait", "rt_sigsuspend", "io_getevents", "io_pgetevents", "io_uring_enter", "msgrcv",
      "semtimedop", "mq_timedreceive"};
  return kWaiting.contains(name);
}

bool is_fsync_syscall(const std::string& name) {
  return name == "fsync" || name == "fdatasync" || name == "sync_file_range" || name == "msync" ||
         name == "sync" || name == "syncfs";
}

std::vector<Finding> detect(const MetricsSnapshot& m, const Thresholds& t) {
  std::vector<Finding> out;
  detect_syscalls(m, t, out);
  detect_network(m, t, out);
  detect_database(m, t, out);
  detect_http(m, t, out);
  detect_system(m, t, out);
  detect_frontend(m, t, out);
  return out;
}

}  // namespace hs::bottleneck
