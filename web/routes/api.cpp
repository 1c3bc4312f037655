#include "web/routes/api.h"

#include <boost/json/object.hpp>

#include "web/routes/auth_routes.h"
#include "web/routes/alert_routes.h"
#include "web/routes/bottleneck_routes.h"
#include "web/routes/json_error.h"
#include "web/routes/l7_routes.h"
#include "web/routes/metrics_route.h"
#include "web/routes/monitoring_routes.h"
#include "web/routes/network_routes.h"

namespace hs::web {

std::optional<Response> check_access(const std::string& method, const std::string& path, Scope scope,
                                     bool token_presented, bool metrics_require_token) {
  bool api = path.rfind("/api/", 0) == 0;
  bool metrics = path == "/metrics";
  if (!api && !(metrics && metrics_require_token)) return std::nullopt;
  if (scope == Scope::none) {
    Response r = json_error(401, "unauthorized",
                            token_presented ? "the bearer token is not valid"
                                            : "an 'Authorization: Bearer <token>' header is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hostscope\"");
    return r;
  }
  bool read_only = method == "GET" || method == "HEAD";
  if (!read_only && scope != Scope::admin)
    return json_error(403, "forbidden", "this token has the viewer scope; " + method + " needs an admin token");
  return std::nullopt;
}

Api::Api(AppContext& ctx) : ctx_(ctx) {
  add_monitoring_routes(router_, ctx_);
  add_network_routes(router_, ctx_);
  add_l7_routes(router_, ctx_);
  add_alert_routes(router_, ctx_);
  add_bottleneck_routes(router_, ctx_);
  add_auth_routes(router_, ctx_);
  router_.add("GET", "/metrics", [this](const Request& r) { return cached_metrics(r); });
  router_.add("GET", "/healthz", [](const Request&) {
    return json_response(200, boost::json::object{{"status", "ok"}});
  });
}

Response Api::cached_metrics(const Request& req) {
  if (!req.query.empty()) return get_prometheus_metrics(req, ctx_);  // the error answer
  std::uint64_t version = ctx_.engine.counters().intervals;
  if (version != metrics_version_ || metrics_.body.empty()) {
    metrics_ = get_prometheus_metrics(req, ctx_);
    metrics_version_ = version;
  }
  return metrics_;
}

Response Api::handle(Request& req) {
  Scope scope = req.bearer_token.empty() ? Scope::none : ctx_.tokens.scope_of(req.bearer_token);
  if (auto denied = check_access(req.method, req.path, scope, !req.bearer_token.empty(), ctx_.metrics_require_token))
    return *denied;
  bool api = req.path.rfind("/api/", 0) == 0;
  if (!api && (req.method == "GET" || req.method == "HEAD") && ctx_.static_files) {
    if (auto file = ctx_.static_files->lookup(req)) return *file;
  }
  bool mutating = req.method == "PUT" || req.method == "POST" || req.method == "PATCH";
  if (mutating && !req.body.empty() && !req.content_type.empty() &&
      req.content_type.rfind("application/json", 0) != 0)
    return json_error(415, "unsupported_media_type", "request bodies must be application/json");
  return router_.dispatch(req);
}

}  // namespace hs::web
