#include "web/routes/auth_routes.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "web/routes/json_error.h"

namespace hs::web {
namespace {

const char* scope_name(Scope s) {
  switch (s) {
    case Scope::admin: return "admin";
    case Scope::viewer: return "viewer";
    case Scope::none: break;
  }
  return "none";
}

boost::json::object whoami_json(Scope s, const AppContext& ctx) {
  return boost::json::object{{"scope", scope_name(s)}, {"can_mutate", s == Scope::admin}, {"version", ctx.version}};
}

}  // namespace

Response get_whoami(const Request& req, AppContext& ctx) {
  if (!req.query.empty()) return json_error(400, "bad_request", "auth/whoami takes no parameters");
  // Api::handle already refused a missing or unknown token, so this is viewer or admin.
  return json_response(200, whoami_json(ctx.tokens.scope_of(req.bearer_token), ctx));
}

Response get_event_stream(const Request& req, AppContext& ctx) {
  if (!req.query.empty()) return json_error(400, "bad_request", "events takes no parameters");
  Response r;
  r.event_stream = true;
  r.content_type = "text/event-stream";
  // A reconnect delay for EventSource-style clients, then a first event so a client
  // knows at once that the stream is live (the hub's ticks follow once per interval).
  r.body = "retry: 3000\n\nevent: hello\ndata: " +
           boost::json::serialize(whoami_json(ctx.tokens.scope_of(req.bearer_token), ctx)) + "\n\n";
  r.headers.emplace_back("X-Accel-Buffering", "no");  // proxies must not hold events back
  return r;
}

void add_auth_routes(Router& r, AppContext& ctx) {
  r.add("GET", "/api/performance/auth/whoami", [&ctx](const Request& q) { return get_whoami(q, ctx); });
  r.add("GET", "/api/performance/events", [&ctx](const Request& q) { return get_event_stream(q, ctx); });
}

}  // namespace hs::web
