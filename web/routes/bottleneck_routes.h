// The bottleneck endpoints (SPEC §5): bottlenecks (list with filters), bottlenecks/:id,
// PUT bottlenecks/:id/status, GET/PUT bottlenecks/thresholds. A thresholds change also
// refreshes the built-in alert rules that follow them.
#pragma once

#include "web/routes/app_context.h"
#include "web/routes/http_types.h"
#include "web/routes/router.h"

namespace hs::web {

Response list_bottlenecks(const Request& req, const AppContext& ctx);
Response get_bottleneck(const Request& req, const AppContext& ctx);
Response set_bottleneck_status(const Request& req, const AppContext& ctx);
Response get_thresholds(const Request& req, const AppContext& ctx);
Response put_thresholds(const Request& req, const AppContext& ctx);

void add_bottleneck_routes(Router& router, AppContext& ctx);

}  // namespace hs::web
