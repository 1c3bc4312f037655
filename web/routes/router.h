// Method + path-pattern routing, and request-target parsing. Pure: no sockets, no Asio.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "web/routes/http_types.h"

namespace hs::web {

// Longest request-target parse_target accepts.
inline constexpr std::size_t kMaxTargetBytes = 8 * 1024;

// Splits an origin-form request target ("/a/b?x=1&y=2") into a percent-decoded path
// and query map. '+' means space in the query only; a repeated key keeps its last
// value; a key without '=' maps to "". Rejects: empty or over-long targets, targets
// not starting with '/', malformed escapes ("%4", "%zz"), NUL (raw or decoded) and
// ".." path segments (so no handler can be tricked into walking up a directory).
// A "#fragment" is ignored. On error `path` and `query` are left empty.
Status parse_target(std::string_view target, std::string& path,
                    std::map<std::string, std::string>& query);

// Decodes %XX escapes (and '+' as space when plus_is_space). False on a malformed
// escape or a decoded NUL.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out);

class Router {
 public:
  using Handler = std::function<Response(const Request&)>;

  // Pattern segments are literals or ":name" captures of one non-empty segment,
  // e.g. "/api/performance/alerts/:id/acknowledge". Throws std::invalid_argument on a
  // malformed pattern (start-up only).
  void add(std::string method, std::string_view pattern, Handler handler);

  // Runs the matching handler after filling req.params. Among routes that match, a
  // literal segment beats a capture at the first place they differ, so
  // "/bottlenecks/thresholds" wins over "/bottlenecks/:id". Unknown path → 404
  // `not_found`; path known for other methods only → 405 `method_not_allowed` with an
  // "Allow" header. Exceptions from handlers propagate (the server turns them into 500).
  Response dispatch(Request& req) const;

  std::size_t size() const { return routes_.size(); }

 private:
  struct Segment {
    std::string text;  // literal text, or the capture's name
    bool capture = false;
  };
  struct Route {
    std::string method;
    std::vector<Segment> segments;
    Handler handler;
  };

  static bool matches(const Route& route, const std::vector<std::string_view>& parts);
  static bool more_specific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

}  // namespace hs::web
