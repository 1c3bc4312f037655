// The alert endpoints (SPEC §5, docs/alerts.md): alerts (list, custom, lifecycle),
// alerts/rules and alerts/channels (CRUD). Pure functions of a Request and the
// AlertEngine the AppContext points at; engine errors map to 400/404/409/503.
#pragma once

#include "web/routes/app_context.h"
#include "web/routes/http_types.h"
#include "web/routes/router.h"

namespace hs::web {

Response list_alerts(const Request& req, const AppContext& ctx);
Response create_alert(const Request& req, const AppContext& ctx);
Response get_alert(const Request& req, const AppContext& ctx);
// PUT alerts/:id/<action>, action acknowledge | resolve | dismiss.
Response change_alert(const Request& req, const AppContext& ctx, std::string_view action);

void add_alert_routes(Router& router, AppContext& ctx);

}  // namespace hs::web
