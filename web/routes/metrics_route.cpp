#include "web/routes/metrics_route.h"

#include <spdlog/spdlog.h>

#include "alerts/alert_engine.h"
#include "bottleneck/bottleneck_engine.h"

#include "web/routes/histogram_buckets.h"
#include "web/routes/json_error.h"
#include "web/routes/l7_metrics.h"
#include "web/routes/prometheus_text.h"
#include "web/routes/tcp_metrics.h"

namespace hs::web {
namespace {

using prom::MetricType;

// Histogram bounds: every other power of two from 256 ns to ~17 s. Powers of
// two are slot boundaries of the kernel histogram, so the bucket counts are exact.
std::vector<prom::Bucket> syscall_buckets(const Histogram& h) { return power_of_two_buckets(h, 8, 34, 2); }

void check(const Status& st) {
  if (!st.ok()) spdlog::warn("metrics exposition: {}", st.text());
}

// Open alerts by severity and unresolved bottlenecks by layer: every label value is
// always present (0 included), so the series set does not change with the state.
void append_alert_metrics(prom::Exposition& x, const AppContext& ctx) {
  if (ctx.alerts != nullptr) {
    check(x.family({"hostscope_alerts_active", "Open (active or acknowledged) alerts by severity", MetricType::gauge}));
    const auto open = ctx.alerts->open_by_severity();
    for (Severity s : {Severity::critical, Severity::high, Severity::medium, Severity::low})
      check(x.sample("hostscope_alerts_active", {{"severity", std::string(severity_name(s))}},
                     static_cast<double>(open[static_cast<std::size_t>(s)])));
  }
  if (ctx.bottlenecks != nullptr) {
    check(x.family({"hostscope_bottlenecks_open", "Bottlenecks open or under investigation, by layer",
                    MetricType::gauge}));
    for (auto layer : {bottleneck::Layer::syscall, bottleneck::Layer::network, bottleneck::Layer::database,
                       bottleneck::Layer::http, bottleneck::Layer::system, bottleneck::Layer::frontend}) {
      std::size_t n = 0;
      for (auto st : {bottleneck::BottleneckStatus::open, bottleneck::BottleneckStatus::investigating}) {
        bottleneck::BottleneckFilter f;
        f.layer = layer;
        f.status = st;
        f.limit = 0;
        n += ctx.bottlenecks->list(f).total;
      }
      check(x.sample("hostscope_bottlenecks_open", {{"layer", std::string(bottleneck::layer_name(layer))}},
                     static_cast<double>(n)));
    }
  }
}

}  // namespace

Response get_prometheus_metrics(const Request& req, const AppContext& ctx) {
  if (!req.query.empty()) return json_error(400, "invalid_parameter", "/metrics takes no query parameters");
  const auto& eng = ctx.engine;
  const std::size_t max_series = ctx.config.monitoring_config().prometheus_max_series;
  prom::Exposition x;

  check(x.family({"hostscope_syscall_duration_seconds", "Latency of system calls by command and syscall",
                  MetricType::histogram}));
  check(x.family({"hostscope_syscall_errors_total", "System calls that returned an error", MetricType::counter}));
  for (const auto& a : eng.syscalls_by_comm(max_series)) {
    prom::Labels labels{{"comm", a.comm}, {"syscall", a.syscall}};
    // The histogram's own count is the sample count (a filter on min latency
    // can make it differ from `count`, which is what the kernel saw).
    check(x.histogram("hostscope_syscall_duration_seconds", labels, syscall_buckets(a.hist),
                      static_cast<double>(a.total_ns) / 1e9, a.hist.count()));
    check(x.sample("hostscope_syscall_errors_total", labels, static_cast<double>(a.errors)));
  }

  check(append_tcp_metrics(x, eng, max_series));
  check(append_l7_metrics(x, eng, max_series));

  check(x.family({"hostscope_bpf_dropped_events_total", "Events lost by a probe, by reason", MetricType::counter}));
  check(x.family({"hostscope_probe_attached", "1 when the probe is attached", MetricType::gauge}));
  check(x.family({"hostscope_bpf_map_entries", "Entries in the probe's aggregate map", MetricType::gauge}));
  check(x.family({"hostscope_bpf_map_capacity", "Capacity of the probe's aggregate map", MetricType::gauge}));
  check(x.family({"hostscope_probe_read_seconds", "Duration of the last map read-out", MetricType::gauge}));
  for (const auto& h : eng.probe_health()) {
    for (const auto& [reason, n] : h.drops)
      check(x.sample("hostscope_bpf_dropped_events_total", {{"probe", h.name}, {"reason", reason}},
                     static_cast<double>(n)));
    check(x.sample("hostscope_probe_attached", {{"probe", h.name}}, h.state == "attached" ? 1 : 0));
    check(x.sample("hostscope_bpf_map_entries", {{"probe", h.name}}, static_cast<double>(h.entries)));
    check(x.sample("hostscope_bpf_map_capacity", {{"probe", h.name}}, static_cast<double>(h.max_entries)));
    check(x.sample("hostscope_probe_read_seconds", {{"probe", h.name}}, static_cast<double>(h.last_read_us) / 1e6));
  }

  check(x.family({"hostscope_processes", "Processes with captured activity", MetricType::gauge}));
  check(x.sample("hostscope_processes", {{"state", "live"}}, static_cast<double>(eng.live_processes())));
  check(x.sample("hostscope_processes", {{"state", "exited"}}, static_cast<double>(eng.exited_processes())));

  const auto& s = eng.system();
  auto gauge = [&](const char* name, const char* help, double v) {
    check(x.family({name, help, MetricType::gauge}));
    check(x.sample(name, {}, v));
  };
  gauge("hostscope_system_cpu_percent", "Busy CPU time over the last interval, percent", s.cpu_percent);
  gauge("hostscope_system_cpu_steal_percent", "Stolen CPU time over the last interval, percent", s.steal_percent);
  gauge("hostscope_system_memory_used_bytes", "MemTotal - MemAvailable", static_cast<double>(s.mem_used_bytes));
  gauge("hostscope_system_memory_total_bytes", "MemTotal", static_cast<double>(s.mem_total_bytes));
  gauge("hostscope_system_load1", "1-minute load average", s.load1);
  gauge("hostscope_system_psi_cpu_some", "CPU pressure, some, avg10 percent", s.psi_cpu_some);
  gauge("hostscope_system_psi_memory_some", "Memory pressure, some, avg10 percent", s.psi_mem_some);
  gauge("hostscope_system_psi_io_some", "IO pressure, some, avg10 percent", s.psi_io_some);
  check(x.family({"hostscope_system_disk_read_bytes_total", "Bytes read from whole disks", MetricType::counter}));
  check(x.sample("hostscope_system_disk_read_bytes_total", {}, static_cast<double>(s.disk_read_bytes)));
  check(x.family({"hostscope_system_disk_written_bytes_total", "Bytes written to whole disks", MetricType::counter}));
  check(x.sample("hostscope_system_disk_written_bytes_total", {}, static_cast<double>(s.disk_write_bytes)));

  append_alert_metrics(x, ctx);

  check(x.family({"hostscope_build_info", "Version of the running daemon", MetricType::gauge}));
  check(x.sample("hostscope_build_info", {{"version", ctx.version}}, 1));

  Response r;
  r.content_type = std::string(prom::kContentType);
  r.body = x.render();
  return r;
}

}  // namespace hs::web
