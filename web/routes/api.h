// The daemon's whole HTTP surface: authentication, then routing.
#pragma once

#include "web/routes/app_context.h"
#include "web/routes/http_types.h"
#include "web/routes/router.h"

namespace hs::web {

// Pure decision: may a caller with `scope` do `method` on `path`? Returns an
// error response, or nullopt when allowed.
std::optional<Response> check_access(const std::string& method, const std::string& path, Scope scope,
                                     bool token_presented, bool metrics_require_token);

class Api {
 public:
  explicit Api(AppContext& ctx);
  Response handle(Request& req);

 private:
  // /metrics is rendered at most once per engine interval and then served as is:
  // scrapes between two polls would only rebuild the same text.
  Response cached_metrics(const Request& req);

  AppContext& ctx_;
  Router router_;
  std::uint64_t metrics_version_ = ~0ull;
  Response metrics_;
};

}  // namespace hs::web
