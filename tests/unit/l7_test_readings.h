// Builders of synthetic decoded L7 operations for the engine and route tests.
#pragma once

#include <cstdint>
#include <string>

#include "protocols/l7_reading.h"

namespace hs::test {

// A monotonic time well before any FakeClock's "now" (which is in 2023 as ns).
inline constexpr std::uint64_t kL7T0 = 1'000'000'000;

// A database operation of `tgid` (client side) requested at `request_ns` and
// answered `latency_ns` later. Its text is the fingerprint unless given.
inline protocols::L7Reading db_reading(std::uint32_t tgid, protocols::Protocol system, std::string fingerprint,
                                       std::uint64_t latency_ns, std::string text = "",
                                       std::uint64_t request_ns = kL7T0) {
  protocols::L7Reading r;
  r.tgid = tgid;
  r.conn_id = 1;
  r.remote = "10.0.0.5:5432";
  r.request_ns = request_ns;
  r.response_ns = request_ns + latency_ns;
  r.op.protocol = system;
  r.op.text = text.empty() ? fingerprint : std::move(text);
  r.op.fingerprint = std::move(fingerprint);
  return r;
}

inline protocols::L7Reading failed(protocols::L7Reading r, std::string error_text) {
  r.op.error = true;
  r.op.error_text = std::move(error_text);
  return r;
}

// An HTTP request of `tgid` answered with `status` `latency_ns` later.
inline protocols::L7Reading http_reading(std::uint32_t tgid, bool server_side, std::string method, std::string route,
                                         int status, std::uint64_t latency_ns, std::uint64_t response_bytes = 0) {
  protocols::L7Reading r;
  r.tgid = tgid;
  r.conn_id = 2;
  r.server_side = server_side;
  r.remote = server_side ? "10.0.0.7:*" : "10.0.0.8:80";
  r.request_ns = kL7T0;
  r.response_ns = kL7T0 + latency_ns;
  r.response_bytes = response_bytes;
  r.op.protocol = protocols::Protocol::http;
  r.op.method = std::move(method);
  r.op.route = std::move(route);
  r.op.text = r.op.method + " " + r.op.route;
  r.op.fingerprint = r.op.text;
  r.op.status = status;
  r.op.error = status >= 500;
  return r;
}

}  // namespace hs::test
