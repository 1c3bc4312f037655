// libFuzzer target: request-target parsing (percent-decoding, query splitting) and
// router matching. Input: first byte picks the method, the rest is the target.
// Depends only on hs_routes.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "web/routes/json_error.h"
#include "web/routes/router.h"

namespace {

using hs::web::Request;
using hs::web::Response;
using hs::web::Router;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Echoes the captures, so the fuzzer also exercises JSON building from arbitrary bytes.
Response echo_params(const Request& req) {
  boost::json::object o;
  for (const auto& [k, v] : req.params) o[k] = hs::web::valid_utf8(v);
  return hs::web::json_response(200, o);
}

const Router& router() {
  static const Router r = [] {
    Router x;
    x.add("GET", "/api/performance/alerts", echo_params);
    x.add("POST", "/api/performance/alerts", echo_params);
    x.add("PUT", "/api/performance/alerts/:id/acknowledge", echo_params);
    x.add("GET", "/api/performance/bottlenecks/:id", echo_params);
    x.add("GET", "/api/performance/bottlenecks/thresholds", echo_params);
    x.add("PUT", "/api/performance/bottlenecks/thresholds", echo_params);
    x.add("DELETE", "/api/performance/testing/tests/:id", echo_params);
    x.add("GET", "/:a/:b/:c", echo_params);
    x.add("GET", "/", echo_params);
    return x;
  }();
  return r;
}

std::string encode_all(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH"};
  const std::string method = kMethods[data[0] % 5];
  const std::string_view target(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string path;
  std::map<std::string, std::string> query;
  const hs::Status st = hs::web::parse_target(target, path, query);
  if (!st.ok()) {
    check(path.empty() && query.empty());
    return 0;
  }
  check(target.size() <= hs::web::kMaxTargetBytes);
  check(!path.empty() && path.front() == '/');
  check(path.find('\0') == std::string::npos);
  for (const auto& [k, v] : query) {
    check(!k.empty());
    check(k.find('\0') == std::string::npos && v.find('\0') == std::string::npos);
  }

  // Fully escaping what was decoded parses back to the same thing.
  std::string again = encode_all(path);
  if (!query.empty()) {
    again += '?';
    for (const auto& [k, v] : query) again += encode_all(k) + "=" + encode_all(v) + "&";
  }
  if (again.size() <= hs::web::kMaxTargetBytes) {
    std::string path2;
    std::map<std::string, std::string> query2;
    // A '/'-led path re-encodes with a leading "%2F", which is not a valid target:
    // keep the first slash literal.
    again.replace(0, 3, "/");
    check(hs::web::parse_target(again, path2, query2).ok());
    check(path2 == path && query2 == query);
  }

  Request req;
  req.method = method;
  req.path = path;
  req.query = query;
  const Response res = router().dispatch(req);
  check(res.status == 200 || res.status == 404 || res.status == 405);
  boost::json::error_code ec;
  boost::json::parse(res.body, ec);
  check(!ec);  // every answer, errors included, is valid JSON
  if (res.status == 405) check(!res.headers.empty() && res.headers[0].first == "Allow");
  for (const auto& [k, v] : req.params) check(!v.empty() && v.find('/') == std::string::npos);
  return 0;
}
