#include "web/routes/router.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "web/routes/json_error.h"

namespace hs::web {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "/a/b/" and "/a/b" are the same resource; "/" has no segments.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      parts.push_back(path.substr(start));
      break;
    }
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;  // "%" or "%4" at the end
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out.push_back(c);
  }
  return true;
}

Status parse_target(std::string_view target, std::string& path,
                    std::map<std::string, std::string>& query) {
  path.clear();
  query.clear();
  const auto fail = [&](const char* why) {
    path.clear();
    query.clear();
    return Status::error("http/target", why);
  };
  if (target.empty()) return fail("empty request target");
  if (target.size() > kMaxTargetBytes) return fail("request target longer than 8 KiB");
  if (target.find('\0') != std::string_view::npos) return fail("NUL byte in request target");
  if (target.front() != '/') return fail("request target must start with '/'");

  if (const std::size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  std::string_view raw_path = target;
  std::string_view raw_query;
  if (const std::size_t q = target.find('?'); q != std::string_view::npos) {
    raw_path = target.substr(0, q);
    raw_query = target.substr(q + 1);
  }

  if (!percent_decode(raw_path, false, path)) return fail("malformed escape in path");
  for (std::string_view seg : split_path(path)) {
    if (seg == "..") return fail("'..' segment in path");
  }

  std::string key, value;
  while (!raw_query.empty()) {
    const std::size_t amp = raw_query.find('&');
    const std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2"
    const std::size_t eq = pair.find('=');
    const std::string_view raw_key = pair.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (!percent_decode(raw_key, true, key) || !percent_decode(raw_value, true, value)) {
      return fail("malformed escape in query");
    }
    if (key.empty()) continue;  // "=x" names nothing
    query[key] = value;  // last one wins
  }
  return Status{};
}

void Router::add(std::string method, std::string_view pattern, Handler handler) {
  if (method.empty()) throw std::invalid_argument("route method is empty");
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  }
  if (!handler) throw std::invalid_argument("route handler is empty: " + std::string(pattern));
  Route route{std::move(method), {}, std::move(handler)};
  std::set<std::string> names;
  for (std::string_view part : split_path(pattern)) {
    if (part.empty()) throw std::invalid_argument("empty segment in route: " + std::string(pattern));
    Segment seg;
    if (part.front() == ':') {
      seg.capture = true;
      seg.text = std::string(part.substr(1));
      if (seg.text.empty() || !names.insert(seg.text).second) {
        throw std::invalid_argument("bad capture in route: " + std::string(pattern));
      }
    } else {
      seg.text = std::string(part);
    }
    route.segments.push_back(std::move(seg));
  }
  for (const Route& r : routes_) {
    const bool same_shape = r.method == route.method && r.segments.size() == route.segments.size() &&
                            std::equal(r.segments.begin(), r.segments.end(), route.segments.begin(),
                                       [](const Segment& a, const Segment& b) {
                                         return a.capture == b.capture && (a.capture || a.text == b.text);
                                       });
    if (same_shape) throw std::invalid_argument("duplicate route: " + std::string(pattern));
  }
  routes_.push_back(std::move(route));
}

bool Router::matches(const Route& route, const std::vector<std::string_view>& parts) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Segment& seg = route.segments[i];
    if (seg.capture ? parts[i].empty() : seg.text != parts[i]) return false;
  }
  return true;
}

// Both routes match the same path, so they have as many segments.
bool Router::more_specific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].capture != b.segments[i].capture) return !a.segments[i].capture;
  }
  return false;
}

Response Router::dispatch(Request& req) const {
  const std::vector<std::string_view> parts = split_path(req.path);
  const Route* best = nullptr;
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    if (!matches(route, parts)) continue;
    allowed.insert(route.method);
    if (route.method != req.method) continue;
    if (best == nullptr || more_specific(route, *best)) best = &route;
  }
  if (best == nullptr) {
    if (allowed.empty()) {
      return json_error(404, "not_found", "no endpoint " + req.method + " " + req.path);
    }
    std::string allow;
    for (const std::string& m : allowed) {
      if (!allow.empty()) allow += ", ";
      allow += m;
    }
    Response r = json_error(405, "method_not_allowed",
                            req.method + " is not allowed on " + req.path + " (allowed: " + allow + ")");
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  req.params.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (best->segments[i].capture) req.params[best->segments[i].text] = std::string(parts[i]);
  }
  return best->handler(req);
}

}  // namespace hs::web
