#include "web/routes/json_views.h"

#include <boost/json/array.hpp>

#include "web/routes/json_error.h"

namespace hs::web {

namespace json = boost::json;

json::object to_json(const monitoring::SyscallEntry& e) {
  return {{"pid", e.pid},         {"comm", valid_utf8(e.comm)}, {"syscall", e.syscall}, {"nr", e.nr},
          {"count", e.count},     {"errors", e.errors},         {"total_ns", e.total_ns}, {"p50_ns", e.p50_ns},
          {"p95_ns", e.p95_ns},   {"p99_ns", e.p99_ns},         {"max_ns", e.max_ns},   {"exited", e.exited}};
}

json::object to_json(const monitoring::ProcessSummary& p) {
  json::object o{{"pid", p.meta.pid},
                 {"comm", valid_utf8(p.meta.comm)},
                 {"exe", valid_utf8(p.meta.exe)},
                 {"cmdline", valid_utf8(p.meta.cmdline)},
                 {"cgroup", valid_utf8(p.meta.cgroup)},
                 {"container_id", p.meta.container_id},
                 {"systemd_unit", valid_utf8(p.meta.systemd_unit)},
                 {"rss_bytes", p.meta.rss_bytes},
                 {"syscalls", p.syscalls},
                 {"errors", p.errors},
                 {"total_ns", p.total_ns},
                 {"first_seen_ms", p.first_seen_ms},
                 {"exited", p.exited}};
  if (p.exited) o["exited_ms"] = p.exited_ms;
  return o;
}

json::object to_json(const monitoring::SystemPoint& s) {
  return {{"cpu_percent", s.cpu_percent},
          {"steal_percent", s.steal_percent},
          {"iowait_percent", s.iowait_percent},
          {"mem_used_bytes", s.mem_used_bytes},
          {"mem_total_bytes", s.mem_total_bytes},
          {"mem_available_bytes", s.mem_available_bytes},
          {"swap_used_bytes", s.swap_used_bytes},
          {"swap_total_bytes", s.swap_total_bytes},
          {"load1", s.load1},
          {"load5", s.load5},
          {"load15", s.load15},
          {"psi_available", s.psi_available},
          {"psi_cpu_some", s.psi_cpu_some},
          {"psi_mem_some", s.psi_mem_some},
          {"psi_io_some", s.psi_io_some},
          {"disk_read_bytes", s.disk_read_bytes},
          {"disk_write_bytes", s.disk_write_bytes},
          {"disk_read_bytes_per_s", s.disk_read_bytes_per_s},
          {"disk_write_bytes_per_s", s.disk_write_bytes_per_s}};
}

json::object to_json(const monitoring::SeriesPoint& p) {
  return {{"ts_ms", p.ts_ms},
          {"interval_s", p.interval_s},
          {"syscalls_per_s", p.syscalls_per_s},
          {"syscall_errors_per_s", p.syscall_errors_per_s},
          {"syscall_busy", p.syscall_busy},
          {"syscall_p50_ns", p.syscall_p50_ns},
          {"syscall_p95_ns", p.syscall_p95_ns},
          {"syscall_p99_ns", p.syscall_p99_ns},
          {"drops", p.drops},
          {"net_connects_per_s", p.net_connects_per_s},
          {"net_connect_failures_per_s", p.net_connect_failures_per_s},
          {"net_retransmits_per_s", p.net_retransmits_per_s},
          {"net_resets_per_s", p.net_resets_per_s},
          {"net_round_trips_per_s", p.net_round_trips_per_s},
          {"net_bytes_sent_per_s", p.net_bytes_sent_per_s},
          {"net_bytes_received_per_s", p.net_bytes_received_per_s},
          {"net_rtt_p50_ns", p.net_rtt_p50_ns},
          {"net_rtt_p95_ns", p.net_rtt_p95_ns},
          {"net_rtt_p99_ns", p.net_rtt_p99_ns},
          {"db_ops_per_s", p.db_ops_per_s},
          {"db_errors_per_s", p.db_errors_per_s},
          {"db_p95_ns", p.db_p95_ns},
          {"http_requests_per_s", p.http_requests_per_s},
          {"http_5xx_per_s", p.http_5xx_per_s},
          {"http_p95_ns", p.http_p95_ns},
          {"system", to_json(p.system)}};
}

json::object to_json(const monitoring::ProbeHealth& h) {
  json::object drops;
  std::uint64_t total = 0;
  for (const auto& [reason, n] : h.drops) {
    drops[reason] = n;
    total += n;
  }
  return {{"name", h.name},       {"state", h.state},       {"variant", h.variant},
          {"reason", h.reason},   {"drops", drops},         {"dropped_total", total},
          {"entries", h.entries}, {"max_entries", h.max_entries}, {"last_read_us", h.last_read_us}};
}

json::object to_json(const monitoring::SyscallAggregate& a) {
  json::object o{{"syscall", a.syscall}, {"nr", a.nr},          {"count", a.count},
                 {"errors", a.errors},   {"total_ns", a.total_ns}, {"max_ns", a.max_ns},
                 {"p50_ns", a.hist.percentile(0.50)}, {"p95_ns", a.hist.percentile(0.95)},
                 {"p99_ns", a.hist.percentile(0.99)}};
  if (!a.comm.empty()) o["comm"] = valid_utf8(a.comm);
  return o;
}

}  // namespace hs::web
