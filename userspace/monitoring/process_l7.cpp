#include "monitoring/process_l7.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "monitoring/held_bytes.h"

namespace hs::monitoring {
namespace {

constexpr std::string_view kUnknown = "unknown";

std::string_view or_unknown(std::string_view s) { return s.empty() ? kUnknown : s; }

bool is_other(const DbKey& k) { return k.fingerprint == kOther; }
bool is_other(const HttpKey& k) { return k.method == kOther && k.route == kOther; }

// Ranks held entries for keeping: the most total time first, then the most operations.
template <typename Stat>
bool busier(const Stat& a, const Stat& b) {
  if (a.ops.total_ns != b.ops.total_ns) return a.ops.total_ns > b.ops.total_ns;
  return a.ops.count > b.ops.count;
}

// Makes room in a map holding `named` entries other than "other" (`max` of them):
// the least busy quarter (at least one) is folded into its "other" entry, which
// other_of(key) names. The busiest stay: the map holds the top entries, not the first.
template <typename Map, typename OtherOf>
void fold_least_busy(Map& map, std::size_t& named, std::size_t max, OtherOf&& other_of) {
  std::vector<typename Map::iterator> held;
  held.reserve(named);
  for (auto it = map.begin(); it != map.end(); ++it)
    if (!is_other(it->first)) held.push_back(it);
  const std::size_t fold = std::min(held.size(), std::max<std::size_t>(1, max / 4));
  const auto keep = static_cast<std::ptrdiff_t>(held.size() - fold);
  std::nth_element(held.begin(), held.begin() + keep, held.end(), [&map](const auto& a, const auto& b) {
    if (busier(a->second, b->second) != busier(b->second, a->second)) return busier(a->second, b->second);
    return map.key_comp()(a->first, b->first);  // ties: a stable choice
  });
  for (auto it = held.begin() + keep; it != held.end(); ++it) {
    auto other = map.try_emplace(other_of((*it)->first)).first;
    if constexpr (std::is_same_v<typename Map::key_type, DbKey>) {
      if (other->second.id.empty()) other->second.id = fingerprint_id(other->first.system, other->first.fingerprint);
    }
    other->second.absorb((*it)->second);
    map.erase(*it);
    --named;
  }
}

// The entry (key and stat) for `view`: held already, else new, after folding the
// least busy ones into "other" if `max` are held. make(view) builds an owning key.
template <typename Map, typename View, typename Make, typename OtherOf>
typename Map::value_type& capped_entry(Map& map, const View& view, std::size_t& named, std::size_t max,
                                       Make&& make, OtherOf&& other_of) {
  if (auto it = map.find(view); it != map.end()) return *it;
  auto key = make(view);
  if (is_other(key)) return *map.emplace(std::move(key), typename Map::mapped_type{}).first;  // holds no slot
  if (named >= max) fold_least_busy(map, named, max, other_of);
  ++named;
  return *map.emplace(std::move(key), typename Map::mapped_type{}).first;
}

}  // namespace

std::string_view statement_fingerprint(const protocols::Operation& op) {
  return !op.fingerprint.empty() ? std::string_view(op.fingerprint) : or_unknown(op.method);
}

void ProcessL7::add_statement(const protocols::L7Reading& r, std::uint64_t latency_ns, std::size_t max_fingerprints,
                              bool capture_literals) {
  const DbKeyView view{r.op.protocol, r.server_side, statement_fingerprint(r.op)};
  auto& [key, st] = capped_entry(
      statements_, view, named_statements_, max_fingerprints,
      [](const DbKeyView& v) { return DbKey{v.system, v.server_side, std::string(v.fingerprint)}; },
      [](const DbKey& k) { return DbKey{k.system, k.server_side, std::string(kOther)}; });
  if (st.id.empty()) st.id = fingerprint_id(key.system, key.fingerprint);
  st.add(r, latency_ns, capture_literals);
}

void ProcessL7::add_request(const protocols::L7Reading& r, std::uint64_t latency_ns, std::size_t max_routes,
                            const std::vector<ClaimedQuery>& claimed) {
  const HttpKeyView view{r.server_side, or_unknown(r.op.method), or_unknown(r.op.route)};
  auto& [key, st] = capped_entry(
      endpoints_, view, named_endpoints_, max_routes,
      [](const HttpKeyView& v) { return HttpKey{v.server_side, std::string(v.method), std::string(v.route)}; },
      [](const HttpKey& k) { return HttpKey{k.server_side, std::string(kOther), std::string(kOther)}; });
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
         st.routes.routes.capacity() * sizeof(RouteShare) + (st.carried ? sizeof(Carried) : 0);
  }
  for (const auto& [k, st] : endpoints_) {
    n += sizeof(Endpoints::value_type) + kTreeNodeBytes + k.method.capacity() + k.route.capacity() +
         st.queries.shapes.capacity() * sizeof(RouteQuery) + (st.carried ? sizeof(Carried) : 0);
  }
  return n;
}

}  // namespace hs::monitoring
