#include "l7/connection_table.h"

#include <algorithm>
#include <cstring>

#include "common/l7_record.h"
#include "monitoring/net_endpoint.h"

namespace hs::l7 {

std::string remote_of(const hs_l7_record& rec) {
  if (rec.family == HS_AF_UNIX) {
    std::string_view path = l7_path(rec);
    return path.empty() ? std::string("unix") : "unix:" + std::string(path);
  }
  return monitoring::format_remote(rec.role, rec.family, monitoring::AddrBytes(rec.addr), rec.port);
}

namespace {

constexpr std::uint64_t kUnixPair = 1ull << 63;  // TCP keys stay below 2^48

// Both ends of a TCP connection name the same (family, server port, client
// port); both ends of a Unix one, the same two socket cookies (their own and
// their peer's). 0: no pairing.
std::uint64_t pair_key(const hs_l7_record& rec) {
  if (rec.family == HS_AF_UNIX) {
    std::uint64_t peer = 0;
    std::memcpy(&peer, rec.addr, sizeof(peer));
    if (peer == 0 || rec.conn_id == 0) return 0;
    const std::uint64_t own = rec.conn_id;
    const std::uint64_t lo = std::min(peer, own), hi = std::max(peer, own);
    return kUnixPair | ((lo * 0x9e3779b97f4a7c15ull) ^ hi);
  }
  if (rec.client_port == 0) return 0;
  return (std::uint64_t{rec.family} << 32) | (std::uint64_t{rec.port} << 16) | rec.client_port;
}

// Memory a copy of these operations holds, roughly.
std::size_t ops_cost(const std::vector<protocols::Operation>& ops) {
  std::size_t n = 0;
  for (const auto& op : ops) {
    n += sizeof(op) + op.text.size() + op.fingerprint.size() + op.method.size() + op.route.size() +
         op.error_text.size();
  }
  return n;
}

}  // namespace

bool ConnectionTable::Kept::matches(const protocols::Exchange& ex) const {
  return valid && texts == ex.keep_text && request == ex.request.size() &&
         bytes.size() == ex.request.size() + ex.response.size() &&
         std::memcmp(bytes.data(), ex.request.data(), ex.request.size()) == 0 &&
         std::memcmp(bytes.data() + request, ex.response.data(), ex.response.size()) == 0;
}

ConnectionTable::Conn& ConnectionTable::conn_for(const hs_l7_record& rec, const protocols::Exchange& ex,
                                                 std::uint64_t now_ns) {
  auto it = conns_.find(rec.conn_id);
  if (it != conns_.end()) {
    lru_.splice(lru_.end(), lru_, it->second.use);
    return it->second;
  }
  if (conns_.size() >= limits_.max_connections) evict_oldest();
  Conn c;
  // The decoders' own recognition first; the kernel's guess only if they see nothing.
  protocols::Protocol p = protocols::detect(ex);
  if (p == protocols::Protocol::unknown) p = static_cast<protocols::Protocol>(rec.protocol);
  c.decoder = protocols::make_decoder(p);
  c.remote = remote_of(rec);
  c.last_ns = now_ns;
  c.server = rec.role == HS_NET_ROLE_SERVER;
  if (c.decoder) c.pair = pair_key(rec);
  c.use = lru_.insert(lru_.end(), rec.conn_id);
  Conn& added = conns_.emplace(rec.conn_id, std::move(c)).first->second;
  if (added.pair) take_slot(added);
  return added;
}

// A newer connection on the same ports takes the slot of an older one: it is
// the live one, and the older is paired no more.
void ConnectionTable::take_slot(Conn& c) {
  Ends& e = ends_[c.pair];
  Conn*& slot = c.server ? e.server : e.client;
  if (slot) slot->ends = nullptr;
  slot = &c;
  c.ends = &e;
}

ConnectionTable::ConnMap::iterator ConnectionTable::forget(ConnMap::iterator it) {
  Conn& c = it->second;
  kept_bytes_ -= c.kept.cost;
  if (c.ends) {
    (c.server ? c.ends->server : c.ends->client) = nullptr;
    if (!c.ends->client && !c.ends->server) ends_.erase(c.pair);
  }
  lru_.erase(c.use);
  return conns_.erase(it);
}

ConnectionTable::Conn* ConnectionTable::other_end(const Conn& c) {
  if (!c.ends) return nullptr;
  return c.server ? c.ends->client : c.ends->server;
}

// The other end decoded these very bytes: its operations are this end's too,
// and are used once.
bool ConnectionTable::take_from_other_end(const Conn& c, const protocols::Exchange& ex) {
  Conn* other = other_end(c);
  if (!other || !other->kept.matches(ex)) return false;
  ops_.swap(other->kept.ops);
  other->kept.valid = false;
  set_cost(other->kept, other->kept.bytes.capacity());
  ++counters_.shared;
  return true;
}

// Kept only while the other end is known to be on this host, and within the budget.
void ConnectionTable::keep_for_other_end(Conn& c, const protocols::Exchange& ex) {
  Kept& k = c.kept;
  k.valid = false;
  if (ops_.size() > kMaxKeptOps || !other_end(c)) return;
  const std::size_t ops = ops_cost(ops_);
  const std::size_t cost = std::max(k.bytes.capacity(), ex.request.size() + ex.response.size()) + ops;
  if (kept_bytes_ - k.cost + cost > limits_.max_kept_bytes) return;
  k.bytes.assign(ex.request);
  k.bytes.append(ex.response);
  k.request = ex.request.size();
  k.texts = ex.keep_text;
  k.ops = ops_;
  k.valid = true;
  set_cost(k, k.bytes.capacity() + ops);  // the copy holds what ops_ does
}

void ConnectionTable::set_cost(Kept& k, std::size_t cost) {
  kept_bytes_ = kept_bytes_ - k.cost + cost;
  k.cost = cost;
}

void ConnectionTable::decode(const hs_l7_record& rec, std::string_view request, std::string_view response,
                             std::uint64_t now_ns, std::vector<protocols::L7Reading>& out) {
  if (rec.flags & HS_L7_F_CLOSED) {
    closed(rec);
    return;
  }
  ++counters_.exchanges;
  protocols::Exchange ex;
  ex.server_side = rec.role == HS_NET_ROLE_SERVER;
  ex.request = request;
  ex.request_bytes = rec.req_bytes;
  ex.response = response;
  ex.response_bytes = rec.resp_bytes;
  ex.keep_text = keep_texts_;
  Conn& c = conn_for(rec, ex, now_ns);
  c.last_ns = now_ns;
  if (!c.decoder) {
    ++counters_.undecodable;
    return;
  }
  ops_.clear();
  const bool shared = c.ends && c.decoder->stateless_for(ex);
  if (!shared || !take_from_other_end(c, ex)) {
    c.decoder->decode(ex, ops_);
    if (shared) keep_for_other_end(c, ex);
  }
  std::uint64_t seen = 0;
  for (const auto& op : ops_) seen += op.count;
  if (ex.request_bytes > ex.request.size() && seen > 0 && !ex.request.empty()) {
    // As many more as the visible requests' average size fits in what was not kept.
    std::uint64_t unseen = ex.request_bytes - ex.request.size();
    counters_.beyond_prefix += (seen * unseen + ex.request.size() - 1) / ex.request.size();
  }
  counters_.operations += seen;
  const bool tls = (rec.flags & HS_L7_F_TLS) != 0;
  for (auto& op : ops_) {
    out.emplace_back(rec.tgid, rec.tid, rec.conn_id, ex.server_side, c.remote, rec.req_ns, rec.resp_ns,
                     std::uint64_t{rec.resp_bytes}, tls, std::move(op));
  }
}

// A TCP end closing is seen at each end. A Unix end sees its peer close (a read
// of 0 bytes), and names it by cookie: the peer may have closed without reading,
// so it goes too.
void ConnectionTable::closed(const hs_l7_record& rec) {
  auto drop = [this](std::uint64_t id) {
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    forget(it);
    ++counters_.closed;
  };
  drop(rec.conn_id);
  if (rec.family == HS_AF_UNIX) {
    std::uint64_t peer = 0;
    std::memcpy(&peer, rec.addr, sizeof(peer));
    if (peer != 0) drop(peer);
  }
}

// Connections in lru_ order are in last_ns order: the idle ones come first.
void ConnectionTable::evict_idle(std::uint64_t now_ns) {
  while (!lru_.empty()) {
    auto it = conns_.find(lru_.front());
    if (now_ns - it->second.last_ns <= limits_.idle_ns) break;
    forget(it);
    ++counters_.evicted;
  }
}

void ConnectionTable::evict_oldest() {
  if (lru_.empty()) return;
  forget(conns_.find(lru_.front()));
  ++counters_.evicted;
}

}  // namespace hs::l7
