// JSON responses and the API's error shape: {"error":{"code":"...","message":"..."}}.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "web/routes/http_types.h"

namespace hs::web {

// `value` serialized as the body, Content-Type application/json.
Response json_response(int status, const boost::json::value& value);

// The error shape every endpoint uses. `code` is a stable machine word
// ("not_found", "bad_request", ...); `message` is for humans. Both are made valid
// UTF-8 first, so echoing request bytes into a message can never break the JSON.
Response json_error(int status, std::string_view code, std::string_view message);

// `in` with every invalid UTF-8 sequence replaced by U+FFFD (shared by JSON and
// Prometheus output, whose consumers both reject invalid UTF-8).
std::string valid_utf8(std::string_view in);

}  // namespace hs::web
