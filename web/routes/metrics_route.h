// GET /metrics: the Prometheus text exposition of what the engine holds.
#pragma once

#include "web/routes/app_context.h"
#include "web/routes/http_types.h"

namespace hs::web {

Response get_prometheus_metrics(const Request& req, const AppContext& ctx);

}  // namespace hs::web
