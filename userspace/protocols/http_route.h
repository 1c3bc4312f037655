// HTTP request-target -> route: the path without query string, with the segments
// that look like identifiers replaced by ":id", so "/users/42/orders?page=2" and
// "/users/7/orders" are one route, "/users/:id/orders". Pure, bounded, valid UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hs::protocols {

inline constexpr std::size_t kMaxRoute = 256;         // longer routes end with "..."
inline constexpr std::size_t kMaxRouteSegments = 16;  // deeper paths end with "/..."

// True for segments that name one resource rather than a kind of resource:
// all digits; a UUID; >= 8 hex digits with at least one digit; >= 16 characters
// of the base64url alphabet with at least one digit (opaque tokens, ids, hashes).
bool is_id_segment(std::string_view segment);

// Origin-form ("/a/b?x"), absolute-form ("http://host/a/b") or "*" -> route.
// An empty or authority-only target gives "/". Percent-encoding is left as is.
std::string http_route(std::string_view target);

}  // namespace hs::protocols
