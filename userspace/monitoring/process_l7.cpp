#include "monitoring/process_l7.h"

#include "monitoring/held_bytes.h"

namespace hs::monitoring {
namespace {

constexpr std::string_view kUnknown = "unknown";

std::string_view or_unknown(std::string_view s) { return s.empty() ? kUnknown : s; }

// The entry (key and stat) for `view`: held already, new while fewer than `max`
// are held, else `other`'s. make(view) builds an owning key.
template <typename Map, typename View, typename Make>
typename Map::value_type& capped_entry(Map& map, const View& view, const View& other, std::size_t& named,
                                       std::size_t max, Make&& make) {
  if (auto it = map.find(view); it != map.end()) return *it;
  if (named < max) {
    ++named;
    return *map.emplace(make(view), typename Map::mapped_type{}).first;
  }
  if (auto it = map.find(other); it != map.end()) return *it;
  return *map.emplace(make(other), typename Map::mapped_type{}).first;
}

}  // namespace

std::string_view statement_fingerprint(const protocols::Operation& op) {
  return !op.fingerprint.empty() ? std::string_view(op.fingerprint) : or_unknown(op.method);
}

void ProcessL7::add_statement(const protocols::L7Reading& r, std::uint64_t latency_ns, std::size_t max_fingerprints,
                              bool capture_literals) {
  const DbKeyView view{r.op.protocol, r.server_side, statement_fingerprint(r.op)};
  const DbKeyView other{r.op.protocol, r.server_side, kOther};
  auto& [key, st] = capped_entry(statements_, view, other, named_statements_, max_fingerprints, [](const DbKeyView& v) {
    return DbKey{v.system, v.server_side, std::string(v.fingerprint)};
  });
  if (st.id.empty()) st.id = fingerprint_id(key.system, key.fingerprint);
  st.add(r, latency_ns, capture_literals);
}

void ProcessL7::add_request(const protocols::L7Reading& r, std::uint64_t latency_ns, std::size_t max_routes,
                            const std::vector<ClaimedQuery>& claimed) {
  const HttpKeyView view{r.server_side, or_unknown(r.op.method), or_unknown(r.op.route)};
  const HttpKeyView other{r.server_side, kOther, kOther};
  auto& [key, st] = capped_entry(endpoints_, view, other, named_endpoints_, max_routes, [](const HttpKeyView& v) {
    return HttpKey{v.server_side, std::string(v.method), std::string(v.route)};
  });
  st.add(r, latency_ns);
  if (!r.server_side) return;
  st.queries.add(claimed, r.op.count);
  for (const ClaimedQuery& c : claimed) {
    auto it = statements_.find(DbKeyView{c.system, false, c.fingerprint});
    if (it == statements_.end()) it = statements_.find(DbKeyView{c.system, false, kOther});
    if (it != statements_.end()) it->second.routes.add(key.method, key.route, c.count);
  }
}

std::size_t ProcessL7::held_bytes() const {
  std::size_t n = 0;
  for (const auto& [k, st] : statements_) {
    n += sizeof(Statements::value_type) + kTreeNodeBytes + k.fingerprint.capacity() + st.id.capacity() +
         st.last_remote.capacity() + st.sample.capacity() + st.remotes.capacity() * sizeof(std::string) +
         st.routes.routes.capacity() * sizeof(RouteShare);
  }
  for (const auto& [k, st] : endpoints_) {
    n += sizeof(Endpoints::value_type) + kTreeNodeBytes + k.method.capacity() + k.route.capacity() +
         st.queries.shapes.capacity() * sizeof(RouteQuery);
  }
  return n;
}

}  // namespace hs::monitoring
