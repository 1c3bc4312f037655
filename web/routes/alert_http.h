// What the alert and bottleneck routes share: EngineError -> HTTP status, strict JSON
// bodies, list pagination (SPEC §5 Conventions: {"<items>":[...],"total":N}, limit/offset).
#pragma once

#include <cstddef>
#include <optional>

#include <boost/json/value.hpp>

#include "bottleneck/engine_error.h"
#include "web/routes/http_types.h"
#include "web/routes/query_params.h"

namespace hs::web {

inline constexpr std::size_t kDefaultPageLimit = 100;
inline constexpr std::uint64_t kMaxPageLimit = 1000;
inline constexpr std::uint64_t kMaxPageOffset = 10'000'000;

// invalid -> 400 "invalid_field" (the error object also carries "field"), not_found -> 404,
// conflict -> 409, unavailable -> 503.
Response engine_error_response(const EngineError& e);

// The request body as JSON. An empty body is `{}` when `empty_is_object`, else an error
// naming field "body"; so is text that is not JSON, or JSON that is not an object.
Outcome<boost::json::value> json_body(const Request& req, bool empty_is_object);

struct Page {
  std::size_t limit = kDefaultPageLimit, offset = 0;
};
// Reads limit (1..1000) and offset; errors are recorded in `q`.
Page page_of(QueryParams& q);

// 503 when the daemon runs without the alerting engines.
Response alerting_unavailable();

}  // namespace hs::web
