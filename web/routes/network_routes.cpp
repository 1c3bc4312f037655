#include "web/routes/network_routes.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "monitoring/net_endpoint.h"
#include "web/routes/availability.h"
#include "web/routes/json_error.h"
#include "web/routes/network_json.h"
#include "web/routes/query_params.h"

namespace hs::web {
namespace json = boost::json;

std::optional<std::string> network_unavailable(const monitoring::MonitoringEngine& engine) {
  return probe_unavailable(engine, "network", "network capture");
}

Response get_network_connections(const Request& req, const AppContext& ctx) {
  QueryParams q(req);
  q.only({"pid", "comm", "state", "port", "limit", "offset"});
  auto pid = q.uint("pid", 1, 4194304);
  auto comm = q.text("comm", 15);
  auto state = q.one_of("state", monitoring::kTcpStateNames);
  auto port = q.uint("port", 1, 65535);
  auto limit = q.uint("limit", 1, 100'000);
  auto offset = q.uint("offset", 0, 10'000'000);
  if (!q.ok()) return q.error_response();
  monitoring::ConnectionQuery cq;
  if (pid) cq.pid = static_cast<std::uint32_t>(*pid);
  cq.comm = comm;
  cq.state = state;
  if (port) cq.port = static_cast<std::uint16_t>(*port);
  cq.limit = limit.value_or(100);
  cq.offset = offset.value_or(0);
  auto page = ctx.engine.connections(cq);
  json::array arr;
  for (const auto& c : page.connections) arr.push_back(to_json(c));
  return json_response(200, json::object{{"connections", std::move(arr)}, {"total", page.total}});
}

void add_network_routes(Router& r, AppContext& ctx) {
  r.add("GET", "/api/performance/network/connections",
        [&ctx](const Request& q) { return get_network_connections(q, ctx); });
}

}  // namespace hs::web
