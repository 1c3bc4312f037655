// The network endpoints: GET network/connections, and what the monitoring
// routes need to say whether TCP capture is running.
#pragma once

#include <optional>
#include <string>

#include "web/routes/app_context.h"
#include "web/routes/http_types.h"
#include "web/routes/router.h"

namespace hs::web {

// Why TCP numbers may be missing or stale (no attached "network" probe), or nullopt.
std::optional<std::string> network_unavailable(const monitoring::MonitoringEngine& engine);

Response get_network_connections(const Request& req, const AppContext& ctx);

void add_network_routes(Router& router, AppContext& ctx);

}  // namespace hs::web
