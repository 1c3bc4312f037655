#include "web/routes/l7_routes.h"

#include <boost/json/array.hpp>

#include "web/routes/availability.h"
#include "web/routes/json_error.h"
#include "web/routes/l7_json.h"
#include "web/routes/query_params.h"

namespace hs::web {
namespace json = boost::json;
namespace {

using monitoring::L7Sort;

constexpr std::uint64_t kMaxPid = 4194304;
constexpr std::uint64_t kMaxLimit = 100'000;
constexpr std::uint64_t kMaxOffset = 10'000'000;
constexpr std::size_t kTopInSummary = 5;

std::optional<std::uint32_t> as_pid(std::optional<std::uint64_t> pid) {
  if (!pid) return std::nullopt;
  return static_cast<std::uint32_t>(*pid);
}

L7Sort sort_of(const std::optional<std::string>& s) {
  if (s == "count") return L7Sort::count;
  if (s == "p95") return L7Sort::p95;
  if (s == "errors") return L7Sort::errors;
  if (s == "5xx") return L7Sort::status_5xx;
  return L7Sort::total;
}

Response database_metrics(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  q.only({"type", "pid", "comm", "system", "side", "fingerprint_id", "limit"});
  monitoring::DatabaseQuery dq;
  dq.pid = as_pid(q.uint("pid", 1, kMaxPid));
  dq.comm = q.text("comm", 15);
  dq.system = q.one_of("system", monitoring::kDatabaseSystems);
  dq.side = q.one_of("side", monitoring::kSides);
  dq.fingerprint_id = q.matching("fingerprint_id", monitoring::valid_fingerprint_id, "16 lowercase hex digits");
  auto limit = q.uint("limit", 1, kMaxLimit);
  if (!q.ok()) return q.error_response();
  dq.limit = limit.value_or(1000);
  json::object out{{"type", "database"}, {"metrics", to_json_array(ctx.engine.database_entries(dq))}};
  set_availability(out, l7_unavailable(ctx.engine), false);
  return json_response(200, out);
}

Response http_metrics(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  q.only({"type", "pid", "comm", "side", "method", "route", "limit"});
  monitoring::HttpQuery hq;
  hq.pid = as_pid(q.uint("pid", 1, kMaxPid));
  hq.comm = q.text("comm", 15);
  hq.side = q.one_of("side", monitoring::kSides);
  hq.method = q.text("method", 32);
  hq.route = q.text("route", 1024);
  auto limit = q.uint("limit", 1, kMaxLimit);
  if (!q.ok()) return q.error_response();
  hq.limit = limit.value_or(1000);
  json::object out{{"type", "http"}, {"metrics", to_json_array(ctx.engine.http_entries(hq))}};
  set_availability(out, l7_unavailable(ctx.engine), false);
  return json_response(200, out);
}

}  // namespace

std::optional<std::string> l7_unavailable(const monitoring::MonitoringEngine& engine) {
  return probe_unavailable(engine, "l7", "database and HTTP capture");
}

Response get_l7_metrics(const Request& req, const AppContext& ctx, std::string_view type) {
  return type == "http" ? http_metrics(req, ctx) : database_metrics(req, ctx);
}

Response get_database_queries(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  q.only({"system", "side", "pid", "comm", "sort", "limit", "offset", "slow_limit"});
  monitoring::QueryListFilter f;
  f.system = q.one_of("system", monitoring::kDatabaseSystems);
  f.side = q.one_of("side", monitoring::kSides);
  f.pid = as_pid(q.uint("pid", 1, kMaxPid));
  f.comm = q.text("comm", 15);
  f.sort = sort_of(q.one_of("sort", {"total", "count", "p95", "errors"}));
  auto limit = q.uint("limit", 1, kMaxLimit);
  auto offset = q.uint("offset", 0, kMaxOffset);
  auto slow_limit = q.uint("slow_limit", 0, monitoring::SlowLog::kCapacity);
  if (!q.ok()) return q.error_response();
  f.limit = limit.value_or(100);
  f.offset = offset.value_or(0);
  auto list = ctx.engine.database_queries(f);
  json::object out{{"queries", to_json_array(list.queries)},
                   {"slow", to_json_array(ctx.engine.slow_queries(f, slow_limit.value_or(50)))},
                   {"total", list.total}};
  set_availability(out, l7_unavailable(ctx.engine), false);
  return json_response(200, out);
}

Response get_http_endpoints(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  q.only({"side", "pid", "comm", "method", "route", "sort", "limit", "offset"});
  monitoring::EndpointListFilter f;
  f.side = q.one_of("side", monitoring::kSides);
  f.pid = as_pid(q.uint("pid", 1, kMaxPid));
  f.comm = q.text("comm", 15);
  f.method = q.text("method", 32);
  f.route = q.text("route", 1024);
  f.sort = sort_of(q.one_of("sort", {"total", "count", "p95", "errors", "5xx"}));
  auto limit = q.uint("limit", 1, kMaxLimit);
  auto offset = q.uint("offset", 0, kMaxOffset);
  if (!q.ok()) return q.error_response();
  f.limit = limit.value_or(100);
  f.offset = offset.value_or(0);
  auto list = ctx.engine.http_endpoints(f);
  json::object out{{"endpoints", to_json_array(list.endpoints)}, {"total", list.total}};
  set_availability(out, l7_unavailable(ctx.engine), false);
  return json_response(200, out);
}

json::object database_summary(const monitoring::MonitoringEngine& eng) {
  json::object o = to_json(eng.database_totals(), false);
  monitoring::QueryListFilter top;
  top.limit = kTopInSummary;
  o["top_fingerprints"] = to_json_array(eng.database_queries(top).queries);
  set_availability(o, l7_unavailable(eng), true);
  return o;
}

json::object http_summary(const monitoring::MonitoringEngine& eng) {
  json::object o = to_json(eng.http_totals(), true);
  monitoring::EndpointListFilter top;
  top.limit = kTopInSummary;
  o["top_routes"] = to_json_array(eng.http_endpoints(top).endpoints);
  set_availability(o, l7_unavailable(eng), true);
  return o;
}

void add_l7_routes(Router& r, AppContext& ctx) {
  r.add("GET", "/api/performance/database/queries", [&ctx](const Request& q) { return get_database_queries(q, ctx); });
  r.add("GET", "/api/performance/http/endpoints", [&ctx](const Request& q) { return get_http_endpoints(q, ctx); });
}

}  // namespace hs::web
