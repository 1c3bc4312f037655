#include "web/routes/monitoring_routes.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "web/routes/availability.h"
#include "web/routes/json_error.h"
#include "web/routes/json_views.h"
#include "web/routes/l7_routes.h"
#include "web/routes/network_json.h"
#include "web/routes/network_routes.h"
#include "web/routes/query_params.h"

namespace hs::web {
namespace json = boost::json;
namespace {

constexpr std::uint64_t kMaxLimit = 100'000;

// Layers the metrics contract names that this build does not capture yet:
// answered with an empty list and the reason, never with invented numbers.
bool uncaptured_layer(const std::string& type) { return type == "frontend"; }

std::optional<std::uint32_t> as_pid(std::optional<std::uint64_t> pid) {
  if (!pid) return std::nullopt;
  return static_cast<std::uint32_t>(*pid);
}

// TCP totals, with why they may be missing when the network probe is not attached.
json::object network_summary(const monitoring::MonitoringEngine& eng) {
  json::object o = to_json(eng.network_totals());
  set_availability(o, network_unavailable(eng), true);
  return o;
}

json::object status_object(const AppContext& ctx) {
  const auto& eng = ctx.engine;
  json::array probes;
  bool any_failed = false;
  for (const auto& h : eng.probe_health()) {
    probes.push_back(to_json(h));
    any_failed = any_failed || h.state == "failed";
  }
  std::string state = !ctx.capture.running() ? "stopped" : any_failed ? "degraded" : "running";
  const auto& c = eng.counters();
  return {{"state", state},
          {"running", ctx.capture.running()},
          {"version", ctx.version},
          {"pid", ctx.daemon_pid},
          {"started_ms", eng.started_ms()},
          {"uptime_s", (ctx.clock.now_ms() - eng.started_ms()) / 1000},
          {"interval_ms", eng.settings().interval_ms},
          {"probes", std::move(probes)},
          {"processes", json::object{{"live", eng.live_processes()}, {"exited", eng.exited_processes()}}},
          {"engine", json::object{{"polls", c.polls},
                                  {"samples", c.samples},
                                  {"processes_seen", c.processes_seen},
                                  {"processes_exited", c.processes_exited},
                                  {"exited_evicted", c.exited_evicted},
                                  {"network_polls", c.network_polls},
                                  {"network_samples", c.network_samples},
                                  {"l7_polls", c.l7_polls},
                                  {"l7_readings", c.l7_readings},
                                  {"l7_ignored", c.l7_ignored}}}};
}

}  // namespace

Response get_monitoring_metrics(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  auto type = q.one_of("type", {"syscall", "system", "network", "database", "http", "frontend"});
  if (!q.ok()) return q.error_response();
  if (type == "database" || type == "http") return get_l7_metrics(req, ctx, *type);
  q.only({"type", "pid", "comm", "syscall", "remote", "direction", "limit"});
  auto pid = q.uint("pid", 1, 4194304);
  auto comm = q.text("comm", 15);
  auto syscall = q.text("syscall", 64);
  auto remote = q.text("remote", 64);
  auto direction = q.one_of("direction", {"outbound", "inbound"});
  auto limit = q.uint("limit", 1, kMaxLimit);
  if (!q.ok()) return q.error_response();
  std::string t = type.value_or("syscall");

  json::array metrics;
  json::object out{{"type", t}};
  if (t == "syscall") {
    monitoring::SyscallQuery sq;
    sq.pid = as_pid(pid);
    sq.comm = comm;
    sq.syscall = syscall;
    sq.limit = limit.value_or(1000);
    for (const auto& e : ctx.engine.syscall_entries(sq)) metrics.push_back(to_json(e));
  } else if (t == "system") {
    json::object sys = to_json(ctx.engine.system());
    json::array cores;
    for (const auto& c : ctx.engine.cores())
      cores.push_back(json::object{{"cpu", c.cpu}, {"busy_percent", c.busy_percent}, {"steal_percent", c.steal_percent}});
    sys["cores"] = std::move(cores);
    metrics.push_back(std::move(sys));
  } else if (t == "network") {
    monitoring::NetworkQuery nq;
    nq.pid = as_pid(pid);
    nq.comm = comm;
    nq.remote = remote;
    nq.direction = direction;
    nq.limit = limit.value_or(1000);
    for (const auto& e : ctx.engine.network_entries(nq)) metrics.push_back(to_json(e));
    // Totals kept from an earlier capture are still listed.
    set_availability(out, network_unavailable(ctx.engine), false);
  } else if (uncaptured_layer(t)) {
    out["available"] = false;
    out["reason"] = t + " capture is not part of this build yet";
  }
  out["metrics"] = std::move(metrics);
  return json_response(200, out);
}

Response get_monitoring_summary(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  q.only({"limit"});
  auto limit = q.uint("limit", 1, 1000);
  if (!q.ok()) return q.error_response();
  std::size_t n = limit.value_or(10);
  const auto& eng = ctx.engine;

  json::array top_processes;
  for (const auto& p : eng.processes(std::nullopt, std::nullopt, n)) top_processes.push_back(to_json(p));
  json::array top_syscalls;
  for (const auto& a : eng.top_syscalls(n)) top_syscalls.push_back(to_json(a));

  const auto& fine = eng.series().fine();
  auto minute = eng.series().current_minute();
  const auto& minute_hist = eng.series().current_minute_hist();
  json::object syscalls{{"total", eng.total_syscalls()},
                        {"rate_per_s", fine.empty() ? 0.0 : fine.back().syscalls_per_s},
                        {"errors_per_s", fine.empty() ? 0.0 : fine.back().syscall_errors_per_s},
                        {"last_minute", json::object{{"rate_per_s", minute.syscalls_per_s},
                                                     {"p50_ns", minute_hist.percentile(0.50)},
                                                     {"p95_ns", minute_hist.percentile(0.95)},
                                                     {"p99_ns", minute_hist.percentile(0.99)}}}};
  std::uint64_t dropped = 0;
  for (const auto& h : eng.probe_health())
    for (const auto& [reason, c] : h.drops) dropped += c;
  json::object out{{"uptime_s", (ctx.clock.now_ms() - eng.started_ms()) / 1000},
                   {"status", status_object(ctx)},
                   {"syscalls", std::move(syscalls)},
                   {"system", to_json(eng.system())},
                   {"network", network_summary(eng)},
                   {"database", database_summary(eng)},
                   {"http", http_summary(eng)},
                   {"capture", json::object{{"dropped_total", dropped}}},
                   {"top_processes", std::move(top_processes)},
                   {"top_syscalls", std::move(top_syscalls)}};
  return json_response(200, out);
}

Response get_monitoring_series(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  q.only({"resolution", "limit"});
  auto res = q.one_of("resolution", {"1s", "1m"});
  auto limit = q.uint("limit", 1, 100'000);
  if (!q.ok()) return q.error_response();
  bool coarse = res.value_or("1s") == "1m";
  const auto& points = coarse ? ctx.engine.series().coarse() : ctx.engine.series().fine();
  std::size_t n = std::min<std::size_t>(points.size(), limit.value_or(points.size()));
  json::array arr;
  for (std::size_t i = points.size() - n; i < points.size(); ++i) arr.push_back(to_json(points[i]));
  return json_response(200, json::object{{"resolution", coarse ? "1m" : "1s"},
                                         {"points", std::move(arr)},
                                         {"total", n}});
}

Response get_monitoring_config(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  if (!q.only({})) return q.error_response();
  return json_response(200, config::to_json(ctx.config.monitoring_config()));
}

// 400 with the offending field named in the message and in its own member.
static Response config_error(std::string_view field, std::string_view message) {
  std::string msg = field.empty() || field == "body" ? std::string(message)
                                                      : std::string(field) + ": " + std::string(message);
  return json_response(400, json::object{{"error", json::object{{"code", "invalid_config"},
                                                                {"message", valid_utf8(msg)},
                                                                {"field", valid_utf8(field)}}}});
}

Response put_monitoring_config(const Request& req, AppContext& ctx) {
  auto parsed = config::monitoring_config_from_json(ctx.config.monitoring_config(), req.body);
  if (auto* err = std::get_if<config::FieldError>(&parsed)) return config_error(err->field, err->message);
  Status st = ctx.config.apply_monitoring_config(std::get<config::MonitoringConfig>(parsed));
  if (!st.ok() && st.where() == "validate") {
    // Validation against the live system (e.g. a cgroup that does not exist): "field: why".
    auto colon = st.message().find(": ");
    if (colon == std::string::npos) return config_error("body", st.message());
    return config_error(st.message().substr(0, colon), st.message().substr(colon + 2));
  }
  if (!st.ok()) return json_error(500, "config_not_applied", st.text());
  return json_response(200, config::to_json(ctx.config.monitoring_config()));
}

Response post_monitoring_start(const Request& req, AppContext& ctx) {
  Status st = ctx.capture.start();
  if (!st.ok()) return json_error(503, "capture_unavailable", st.text());
  return json_response(200, status_object(ctx));
}

Response post_monitoring_stop(const Request& req, AppContext& ctx) {
  Status st = ctx.capture.stop();
  if (!st.ok()) return json_error(500, "capture_error", st.text());
  return json_response(200, status_object(ctx));
}

Response get_monitoring_status(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  if (!q.only({})) return q.error_response();
  return json_response(200, status_object(ctx));
}

Response get_processes(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  q.only({"pid", "comm", "limit", "offset"});
  auto pid = q.uint("pid", 1, 4194304);
  auto comm = q.text("comm", 15);
  auto limit = q.uint("limit", 1, kMaxLimit);
  auto offset = q.uint("offset", 0, 10'000'000);
  if (!q.ok()) return q.error_response();
  auto all = ctx.engine.processes(as_pid(pid), comm, static_cast<std::size_t>(-1));
  std::size_t from = std::min<std::size_t>(all.size(), offset.value_or(0));
  std::size_t to = std::min<std::size_t>(all.size(), from + limit.value_or(100));
  json::array arr;
  for (std::size_t i = from; i < to; ++i) arr.push_back(to_json(all[i]));
  return json_response(200, json::object{{"processes", std::move(arr)}, {"total", all.size()}});
}

void add_monitoring_routes(Router& r, AppContext& ctx) {
  const std::string base = "/api/performance/monitoring/";
  r.add("GET", base + "metrics", [&ctx](const Request& q) { return get_monitoring_metrics(q, ctx); });
  r.add("GET", base + "summary", [&ctx](const Request& q) { return get_monitoring_summary(q, ctx); });
  r.add("GET", base + "series", [&ctx](const Request& q) { return get_monitoring_series(q, ctx); });
  r.add("GET", base + "config", [&ctx](const Request& q) { return get_monitoring_config(q, ctx); });
  r.add("PUT", base + "config", [&ctx](const Request& q) { return put_monitoring_config(q, ctx); });
  r.add("POST", base + "start", [&ctx](const Request& q) { return post_monitoring_start(q, ctx); });
  r.add("POST", base + "stop", [&ctx](const Request& q) { return post_monitoring_stop(q, ctx); });
  r.add("GET", base + "status", [&ctx](const Request& q) { return get_monitoring_status(q, ctx); });
  r.add("GET", "/api/performance/processes", [&ctx](const Request& q) { return get_processes(q, ctx); });
}

}  // namespace hs::web
