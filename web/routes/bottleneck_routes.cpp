#include "web/routes/bottleneck_routes.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "alerts/alert_engine.h"
#include "bottleneck/bottleneck_engine.h"
#include "bottleneck/bottleneck_json.h"
#include "bottleneck/strict_json.h"
#include "web/routes/alert_http.h"
#include "web/routes/json_error.h"
#include "web/routes/query_params.h"

namespace hs::web {
namespace json = boost::json;
namespace {

using bottleneck::BottleneckEngine;

constexpr std::string_view kStatuses[] = {"open", "investigating", "resolved", "ignored"};
constexpr std::string_view kSeverities[] = {"critical", "high", "medium", "low"};
constexpr std::string_view kLayers[] = {"syscall", "network", "database", "http", "system", "frontend"};
constexpr std::size_t kMaxNoteBytes = 4096;

template <typename F>
Response with_engine(const AppContext& ctx, F&& f) {
  if (ctx.bottlenecks == nullptr) return alerting_unavailable();
  return f(*ctx.bottlenecks);
}

}  // namespace

Response list_bottlenecks(const Request& req, const AppContext& ctx) {
  return with_engine(ctx, [&](BottleneckEngine& eng) {
    QueryParams q(req);
    q.only({"status", "severity", "layer", "limit", "offset"});
    bottleneck::BottleneckFilter f;
    if (auto s = q.one_of("status", kStatuses)) f.status = bottleneck::parse_status(*s);
    if (auto s = q.one_of("severity", kSeverities)) f.severity = parse_severity(*s);
    if (auto s = q.one_of("layer", kLayers)) f.layer = bottleneck::parse_layer(*s);
    Page p = page_of(q);
    if (!q.ok()) return q.error_response();
    f.limit = p.limit;
    f.offset = p.offset;
    auto page = eng.list(f);
    json::array a;
    for (const auto& b : page.bottlenecks) a.push_back(bottleneck::to_json(b));
    return json_response(200, json::object{{"bottlenecks", std::move(a)}, {"total", page.total}});
  });
}

Response get_bottleneck(const Request& req, const AppContext& ctx) {
  return with_engine(ctx, [&](BottleneckEngine& eng) {
    auto b = eng.get(req.params.at("id"));
    if (!b) return json_error(404, "not_found", "no bottleneck " + req.params.at("id"));
    return json_response(200, bottleneck::to_json(*b));
  });
}

Response set_bottleneck_status(const Request& req, const AppContext& ctx) {
  return with_engine(ctx, [&](BottleneckEngine& eng) {
    auto body = json_body(req, false);
    if (!body.ok()) return engine_error_response(body.error());
    std::string status, notes;
    strict_json::ObjectReader r(*body, "");
    r.text("status", status, 32, true);
    r.text("notes", notes, kMaxNoteBytes);
    if (auto e = r.finish()) return engine_error_response(*e);
    auto out = eng.set_status(req.params.at("id"), status, notes, "api");
    if (!out.ok()) return engine_error_response(out.error());
    return json_response(200, bottleneck::to_json(*out));
  });
}

Response get_thresholds(const Request& req, const AppContext& ctx) {
  return with_engine(ctx, [&](BottleneckEngine& eng) {
    QueryParams q(req);
    q.only({});
    if (!q.ok()) return q.error_response();
    return json_response(200, bottleneck::to_json(eng.thresholds()));
  });
}

Response put_thresholds(const Request& req, const AppContext& ctx) {
  return with_engine(ctx, [&](BottleneckEngine& eng) {
    auto body = json_body(req, false);
    if (!body.ok()) return engine_error_response(body.error());
    auto out = eng.update_thresholds(*body);
    if (!out.ok()) return engine_error_response(out.error());
    // The built-in alert rules measure against the same limits.
    if (ctx.alerts != nullptr) ctx.alerts->sync_builtin_rules(*out);
    return json_response(200, bottleneck::to_json(*out));
  });
}

void add_bottleneck_routes(Router& r, AppContext& ctx) {
  const std::string base = "/api/performance/bottlenecks";
  r.add("GET", base, [&ctx](const Request& q) { return list_bottlenecks(q, ctx); });
  r.add("GET", base + "/thresholds", [&ctx](const Request& q) { return get_thresholds(q, ctx); });
  r.add("PUT", base + "/thresholds", [&ctx](const Request& q) { return put_thresholds(q, ctx); });
  r.add("GET", base + "/:id", [&ctx](const Request& q) { return get_bottleneck(q, ctx); });
  r.add("PUT", base + "/:id/status", [&ctx](const Request& q) { return set_bottleneck_status(q, ctx); });
}

}  // namespace hs::web
