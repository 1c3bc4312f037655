#include "web/routes/alert_routes.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "alerts/alert_engine.h"
#include "web/routes/alert_http.h"
#include "web/routes/json_error.h"
#include "web/routes/query_params.h"

namespace hs::web {
namespace json = boost::json;
namespace {

using alerts::AlertEngine;

constexpr std::string_view kAlertStatuses[] = {"active", "acknowledged", "resolved", "dismissed"};
constexpr std::string_view kSeverities[] = {"critical", "high", "medium", "low"};

// Runs `f(engine)` when alerting is wired, else 503.
template <typename F>
Response with_engine(const AppContext& ctx, F&& f) {
  if (ctx.alerts == nullptr) return alerting_unavailable();
  return f(*ctx.alerts);
}

template <typename T, typename Render>
Response answer(const Outcome<T>& o, int status, Render&& render) {
  if (!o.ok()) return engine_error_response(o.error());
  return json_response(status, render(o.value()));
}

template <typename T>
json::object page_object(const char* items, const std::vector<T>& all, const Page& p,
                         json::object (*render)(const T&)) {
  json::array a;
  for (std::size_t i = p.offset; i < all.size() && a.size() < p.limit; ++i) a.push_back(render(all[i]));
  return json::object{{items, std::move(a)}, {"total", all.size()}};
}

json::object rule_json(const alerts::AlertRule& r) { return alerts::to_json(r); }
json::object channel_json(const notify::Channel& c) { return notify::to_json(c, false); }

// ---- rules ----

Response list_rules(const Request& req, AlertEngine& eng) {
  QueryParams q(req);
  q.only({"limit", "offset"});
  Page p = page_of(q);
  if (!q.ok()) return q.error_response();
  return json_response(200, page_object("rules", eng.rules(), p, rule_json));
}

Response get_rule(const Request& req, AlertEngine& eng) {
  auto r = eng.rule(req.params.at("id"));
  if (!r) return json_error(404, "not_found", "no alert rule " + req.params.at("id"));
  return json_response(200, alerts::to_json(*r));
}

Response put_rule(const Request& req, AlertEngine& eng, bool create) {
  auto body = json_body(req, false);
  if (!body.ok()) return engine_error_response(body.error());
  auto rule = alerts::rule_from_json(*body);
  if (!rule.ok()) return engine_error_response(rule.error());
  auto out = create ? eng.create_rule(std::move(*rule)) : eng.update_rule(req.params.at("id"), std::move(*rule));
  return answer(out, create ? 201 : 200, rule_json);
}

// ---- channels ----

Response list_channels(const Request& req, AlertEngine& eng) {
  QueryParams q(req);
  q.only({"limit", "offset"});
  Page p = page_of(q);
  if (!q.ok()) return q.error_response();
  return json_response(200, page_object("channels", eng.channels(), p, channel_json));
}

Response get_channel(const Request& req, AlertEngine& eng) {
  auto c = eng.channel(req.params.at("id"));
  if (!c) return json_error(404, "not_found", "no alert channel " + req.params.at("id"));
  return json_response(200, notify::to_json(*c, false));
}

Response put_channel(const Request& req, AlertEngine& eng, bool create) {
  auto body = json_body(req, false);
  if (!body.ok()) return engine_error_response(body.error());
  auto channel = notify::channel_from_json(*body);
  if (!channel.ok()) return engine_error_response(channel.error());
  auto out = create ? eng.create_channel(std::move(*channel))
                    : eng.update_channel(req.params.at("id"), std::move(*channel));
  return answer(out, create ? 201 : 200, channel_json);
}

}  // namespace

Response list_alerts(const Request& req, const AppContext& ctx) {
  return with_engine(ctx, [&](AlertEngine& eng) {
    QueryParams q(req);
    q.only({"status", "severity", "source", "rule_id", "limit", "offset"});
    alerts::AlertFilter f;
    if (auto s = q.one_of("status", kAlertStatuses)) f.status = alerts::parse_alert_status(*s);
    if (auto s = q.one_of("severity", kSeverities)) f.severity = parse_severity(*s);
    f.source = q.text("source", 64);
    f.rule_id = q.text("rule_id", 128);
    Page p = page_of(q);
    if (!q.ok()) return q.error_response();
    f.limit = p.limit;
    f.offset = p.offset;
    auto page = eng.list(f);
    json::array a;
    for (const auto& al : page.alerts) a.push_back(alerts::to_json(al));
    return json_response(200, json::object{{"alerts", std::move(a)}, {"total", page.total}});
  });
}

Response create_alert(const Request& req, const AppContext& ctx) {
  return with_engine(ctx, [&](AlertEngine& eng) {
    auto body = json_body(req, false);
    if (!body.ok()) return engine_error_response(body.error());
    auto custom = alerts::custom_alert_from_json(*body);
    if (!custom.ok()) return engine_error_response(custom.error());
    return answer(eng.create_custom(*custom), 201, [](const alerts::Alert& a) { return alerts::to_json(a); });
  });
}

Response get_alert(const Request& req, const AppContext& ctx) {
  return with_engine(ctx, [&](AlertEngine& eng) {
    auto a = eng.get(req.params.at("id"));
    if (!a) return json_error(404, "not_found", "no alert " + req.params.at("id"));
    return json_response(200, alerts::to_json(*a));
  });
}

Response change_alert(const Request& req, const AppContext& ctx, std::string_view action) {
  return with_engine(ctx, [&](AlertEngine& eng) {
    const bool ack = action == "acknowledge";
    auto body = json_body(req, !ack);  // acknowledge needs {"user": ...}
    if (!body.ok()) return engine_error_response(body.error());
    const std::string_view key = ack ? "user" : action == "resolve" ? "notes" : "reason";
    auto text = alerts::lifecycle_text_from_json(*body, key, ack);
    if (!text.ok()) return engine_error_response(text.error());
    const std::string& id = req.params.at("id");
    auto out = ack ? eng.acknowledge(id, *text) : action == "resolve" ? eng.resolve(id, *text) : eng.dismiss(id, *text);
    return answer(out, 200, [](const alerts::Alert& a) { return alerts::to_json(a); });
  });
}

void add_alert_routes(Router& r, AppContext& ctx) {
  const std::string base = "/api/performance/alerts";
  r.add("GET", base, [&ctx](const Request& q) { return list_alerts(q, ctx); });
  r.add("POST", base, [&ctx](const Request& q) { return create_alert(q, ctx); });
  r.add("GET", base + "/:id", [&ctx](const Request& q) { return get_alert(q, ctx); });
  for (std::string_view action : {"acknowledge", "resolve", "dismiss"}) {
    r.add("PUT", base + "/:id/" + std::string(action),
          [&ctx, action](const Request& q) { return change_alert(q, ctx, action); });
  }

  const auto engine_route = [&ctx](auto f) {
    return [&ctx, f](const Request& q) { return with_engine(ctx, [&](AlertEngine& eng) { return f(q, eng); }); };
  };
  r.add("GET", base + "/rules", engine_route([](const Request& q, AlertEngine& e) { return list_rules(q, e); }));
  r.add("POST", base + "/rules", engine_route([](const Request& q, AlertEngine& e) { return put_rule(q, e, true); }));
  r.add("GET", base + "/rules/:id", engine_route([](const Request& q, AlertEngine& e) { return get_rule(q, e); }));
  r.add("PUT", base + "/rules/:id",
        engine_route([](const Request& q, AlertEngine& e) { return put_rule(q, e, false); }));
  r.add("DELETE", base + "/rules/:id", engine_route([](const Request& q, AlertEngine& e) {
          return answer(e.delete_rule(q.params.at("id")), 200, rule_json);
        }));
  r.add("GET", base + "/channels",
        engine_route([](const Request& q, AlertEngine& e) { return list_channels(q, e); }));
  r.add("POST", base + "/channels",
        engine_route([](const Request& q, AlertEngine& e) { return put_channel(q, e, true); }));
  r.add("GET", base + "/channels/:id",
        engine_route([](const Request& q, AlertEngine& e) { return get_channel(q, e); }));
  r.add("PUT", base + "/channels/:id",
        engine_route([](const Request& q, AlertEngine& e) { return put_channel(q, e, false); }));
  r.add("DELETE", base + "/channels/:id", engine_route([](const Request& q, AlertEngine& e) {
          return answer(e.delete_channel(q.params.at("id")), 200, channel_json);
        }));
}

}  // namespace hs::web
