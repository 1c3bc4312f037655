#include "web/routes/l7_json.h"

#include <boost/json/array.hpp>

#include "web/routes/json_error.h"

namespace hs::web {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(valid_utf8(s));
  return a;
}

void add_processes(json::object& o, const monitoring::L7Aggregate& a) {
  json::array procs;
  for (const auto& p : a.processes)
    procs.push_back(json::object{
        {"pid", p.pid}, {"comm", valid_utf8(p.comm)}, {"side", p.side}, {"count", p.count}, {"exited", p.exited}});
  o["processes"] = std::move(procs);
  o["process_count"] = a.process_count;
}

// The routes whose requests made a statement.
json::object http_routes(const monitoring::StatementRoutes& r) {
  json::array routes;
  for (const auto& s : r.routes)
    routes.push_back(json::object{{"method", valid_utf8(s.method)}, {"route", valid_utf8(s.route)}, {"count", s.count}});
  return {{"routes", std::move(routes)}, {"other_count", r.other_count}};
}

// Queries per request of a server-side route, and their shapes; null on the client side.
json::value request_queries(const std::optional<monitoring::RequestQueriesView>& v) {
  if (!v) return nullptr;
  json::array shapes;
  for (const auto& q : v->top) {
    const double per_request = v->requests ? static_cast<double>(q.count) / static_cast<double>(v->requests) : 0.0;
    shapes.push_back(json::object{{"system", monitoring::protocol_name(q.system)},
                                  {"fingerprint", valid_utf8(q.fingerprint)},
                                  {"fingerprint_id", monitoring::fingerprint_id(q.system, q.fingerprint)},
                                  {"count", q.count},
                                  {"per_request", per_request},
                                  {"total_ns", q.total_ns}});
  }
  return json::object{{"requests", v->requests}, {"queries", v->queries}, {"mean", v->mean},
                      {"p50", v->p50},           {"p95", v->p95},         {"max", v->max},
                      {"top", std::move(shapes)}, {"other_count", v->other_count}};
}

}  // namespace

json::object to_json(const monitoring::DatabaseEntry& e) {
  return {{"pid", e.pid},
          {"comm", valid_utf8(e.comm)},
          {"system", e.system},
          {"remote", valid_utf8(e.remote)},
          {"fingerprint", valid_utf8(e.fingerprint)},
          {"count", e.count},
          {"errors", e.errors},
          {"replies_unseen", e.replies_unseen},
          {"total_ns", e.total_ns},
          {"p50_ns", e.p50_ns},
          {"p95_ns", e.p95_ns},
          {"p99_ns", e.p99_ns},
          {"max_ns", e.max_ns},
          {"tls", e.tls},
          {"side", e.side},
          {"fingerprint_id", e.fingerprint_id},
          {"sample", valid_utf8(e.sample)},
          {"remotes", strings(e.remotes)},
          {"exited", e.exited},
          {"http_routes", http_routes(e.http_routes)}};
}

json::object to_json(const monitoring::HttpEntry& e) {
  return {{"pid", e.pid},
          {"comm", valid_utf8(e.comm)},
          {"side", e.side},
          {"method", valid_utf8(e.method)},
          {"route", valid_utf8(e.route)},
          {"count", e.count},
          {"status_4xx", e.status_4xx},
          {"status_5xx", e.status_5xx},
          {"p50_ns", e.p50_ns},
          {"p95_ns", e.p95_ns},
          {"p99_ns", e.p99_ns},
          {"bytes_out", e.bytes_out},
          {"status_2xx", e.status_2xx},
          {"status_3xx", e.status_3xx},
          {"errors", e.errors},
          {"total_ns", e.total_ns},
          {"max_ns", e.max_ns},
          {"bytes_in", e.bytes_in},
          {"exited", e.exited},
          {"queries_per_request", request_queries(e.db)}};
}

json::object to_json(const monitoring::QueryStats& q) {
  json::object o{{"fingerprint_id", q.fingerprint_id},
                 {"fingerprint", valid_utf8(q.fingerprint)},
                 {"system", q.system},
                 {"count", q.count},
                 {"errors", q.errors},
                 {"replies_unseen", q.replies_unseen},
                 {"total_ns", q.total_ns},
                 {"p50_ns", q.p50_ns},
                 {"p95_ns", q.p95_ns},
                 {"p99_ns", q.p99_ns},
                 {"max_ns", q.max_ns},
                 {"sample", valid_utf8(q.sample)},
                 {"tls", q.tls},
                 {"http_routes", http_routes(q.http_routes)}};
  add_processes(o, q);
  return o;
}

json::object to_json(const monitoring::EndpointStats& e) {
  json::object o{{"method", valid_utf8(e.method)},
                 {"route", valid_utf8(e.route)},
                 {"side", e.side},
                 {"count", e.count},
                 {"status_2xx", e.status_2xx},
                 {"status_3xx", e.status_3xx},
                 {"status_4xx", e.status_4xx},
                 {"status_5xx", e.status_5xx},
                 {"errors", e.errors},
                 {"total_ns", e.total_ns},
                 {"p50_ns", e.p50_ns},
                 {"p95_ns", e.p95_ns},
                 {"p99_ns", e.p99_ns},
                 {"max_ns", e.max_ns},
                 {"bytes_out", e.bytes_out},
                 {"bytes_in", e.bytes_in},
                 {"queries_per_request", request_queries(e.db)}};
  add_processes(o, e);
  return o;
}

json::object to_json(const monitoring::SlowQuery& s) {
  return {{"ts_ms", s.ts_ms},
          {"pid", s.pid},
          {"comm", valid_utf8(s.comm)},
          {"system", monitoring::protocol_name(s.system)},
          {"side", monitoring::side_name(s.server_side)},
          {"remote", valid_utf8(s.remote)},
          {"duration_ns", s.duration_ns},
          {"fingerprint", valid_utf8(s.fingerprint)},
          {"fingerprint_id", s.fingerprint_id},
          {"text", valid_utf8(s.text)},
          {"error", s.error},
          {"error_text", valid_utf8(s.error_text)}};
}

json::object to_json(const monitoring::L7Totals& t, bool http) {
  json::object o{{http ? "requests" : "ops", t.ops},
                 {"errors", t.errors},
                 {"rate_per_s", t.rate_per_s},
                 {http ? "status_5xx_per_s" : "errors_per_s", t.errors_per_s},
                 {"p50_ns", t.p50_ns},
                 {"p95_ns", t.p95_ns},
                 {"p99_ns", t.p99_ns},
                 {"last_minute", json::object{{"rate_per_s", t.minute_rate_per_s},
                                              {"p50_ns", t.minute_p50_ns},
                                              {"p95_ns", t.minute_p95_ns},
                                              {"p99_ns", t.minute_p99_ns}}}};
  if (http) {
    o["status_4xx"] = t.status_4xx;
    o["status_5xx"] = t.status_5xx;
  } else {
    o["slow_total"] = t.slow_total;
    o["slow_kept"] = t.slow_kept;
  }
  return o;
}

}  // namespace hs::web
