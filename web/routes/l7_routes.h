// The database and HTTP (L7) endpoints: monitoring/metrics?type=database|http,
// database/queries, http/endpoints, and the summary's L7 KPIs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "web/routes/app_context.h"
#include "web/routes/http_types.h"
#include "web/routes/router.h"

namespace hs::web {

// Why L7 numbers may be missing or stale (no attached "l7" probe), or nullopt.
std::optional<std::string> l7_unavailable(const monitoring::MonitoringEngine& engine);

// GET monitoring/metrics with type "database" or "http" (its own parameters).
Response get_l7_metrics(const Request& req, const AppContext& ctx, std::string_view type);
Response get_database_queries(const Request& req, const AppContext& ctx);
Response get_http_endpoints(const Request& req, const AppContext& ctx);

// The summary's "database" and "http" objects.
boost::json::object database_summary(const monitoring::MonitoringEngine& eng);
boost::json::object http_summary(const monitoring::MonitoringEngine& eng);

void add_l7_routes(Router& router, AppContext& ctx);

}  // namespace hs::web
