// What a dashboard session needs besides the data API: which scope its token has
// (so a viewer sees no mutating controls) and the live event stream, which is
// authenticated like every /api call.
#pragma once

#include "web/routes/app_context.h"
#include "web/routes/router.h"

namespace hs::web {

// GET /api/performance/auth/whoami -> {"scope":"admin|viewer","can_mutate":bool,"version":...}
Response get_whoami(const Request& req, AppContext& ctx);
// GET /api/performance/events -> Server-Sent Events fed by the server's event hub.
Response get_event_stream(const Request& req, AppContext& ctx);

void add_auth_routes(Router& r, AppContext& ctx);

}  // namespace hs::web
