#include "web/routes/alert_http.h"

#include <boost/json/object.hpp>

#include "bottleneck/strict_json.h"
#include "web/routes/json_error.h"

namespace hs::web {
namespace json = boost::json;

Response engine_error_response(const EngineError& e) {
  switch (e.kind) {
    case ErrorKind::invalid: {
      // The API's error shape with the field alongside, for clients that highlight it.
      json::object o{{"code", "invalid_field"}, {"message", valid_utf8(e.text())}, {"field", valid_utf8(e.field)}};
      return json_response(400, json::object{{"error", std::move(o)}});
    }
    case ErrorKind::not_found: return json_error(404, "not_found", e.message);
    case ErrorKind::conflict: return json_error(409, "conflict", e.message);
    case ErrorKind::unavailable: return json_error(503, "unavailable", e.message);
  }
  return json_error(500, "internal", e.text());
}

Outcome<json::value> json_body(const Request& req, bool empty_is_object) {
  if (req.body.empty()) {
    if (empty_is_object) return json::value(json::object{});
    return EngineError::invalid("body", "a JSON object is required");
  }
  auto v = strict_json::parse(req.body);
  if (!v.ok()) return v.error();
  if (!v->is_object()) return EngineError::invalid("body", "must be a JSON object, not " + strict_json::kind_name(*v));
  return v;
}

Page page_of(QueryParams& q) {
  Page p;
  if (auto limit = q.uint("limit", 1, kMaxPageLimit)) p.limit = *limit;
  if (auto offset = q.uint("offset", 0, kMaxPageOffset)) p.offset = *offset;
  return p;
}

Response alerting_unavailable() {
  return json_error(503, "unavailable", "alerting is not running in this daemon");
}

}  // namespace hs::web
