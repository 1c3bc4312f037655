// The monitoring endpoints (SPEC §5, §5.1) as pure functions of request + context.
#pragma once

#include "web/routes/app_context.h"
#include "web/routes/http_types.h"
#include "web/routes/router.h"

namespace hs::web {

Response get_monitoring_metrics(const Request& req, const AppContext& ctx);
Response get_monitoring_summary(const Request& req, const AppContext& ctx);
Response get_monitoring_series(const Request& req, const AppContext& ctx);
Response get_monitoring_config(const Request& req, const AppContext& ctx);
Response put_monitoring_config(const Request& req, AppContext& ctx);
Response post_monitoring_start(const Request& req, AppContext& ctx);
Response post_monitoring_stop(const Request& req, AppContext& ctx);
Response get_monitoring_status(const Request& req, const AppContext& ctx);
Response get_processes(const Request& req, const AppContext& ctx);

void add_monitoring_routes(Router& router, AppContext& ctx);

}  // namespace hs::web
