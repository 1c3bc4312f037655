#include "monitoring/l7_stats.h"

#include <algorithm>

namespace hs::monitoring {

bool is_database(Protocol p) { return p == Protocol::postgresql || p == Protocol::mysql || p == Protocol::redis; }

std::optional<Protocol> database_system(std::string_view name) {
  for (Protocol p : {Protocol::postgresql, Protocol::mysql, Protocol::redis})
    if (protocol_name(p) == name) return p;
  return std::nullopt;
}

std::optional<std::size_t> status_class(int status) {
  if (status < 200 || status > 599) return std::nullopt;
  return static_cast<std::size_t>(status / 100 - 2);
}

std::string fingerprint_id(Protocol system, std::string_view fingerprint) {
  constexpr std::uint64_t kOffset = 14695981039346656037ull, kPrime = 1099511628211ull;
  std::uint64_t h = kOffset;
  auto mix = [&h](unsigned char c) { h = (h ^ c) * kPrime; };
  for (char c : protocol_name(system)) mix(static_cast<unsigned char>(c));
  mix(0);  // so ("ab", "c") and ("a", "bc") differ
  for (char c : fingerprint) mix(static_cast<unsigned char>(c));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 0xf];
  return out;
}

bool valid_fingerprint_id(std::string_view id) {
  return id.size() == 16 &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void DbStat::add(const protocols::L7Reading& r, std::uint64_t latency_ns, bool capture_literals) {
  ops.add(latency_ns, r.op.error, r.op.count);
  replies_unseen += r.op.replies_unseen;
  tls = tls || r.tls;
  if (last_remote != r.remote) last_remote = r.remote;
  if (remotes.size() < kMaxRemotes && std::find(remotes.begin(), remotes.end(), r.remote) == remotes.end())
    remotes.emplace_back(r.remote.view());
  if (ops.count == r.op.count || latency_ns > sample_ns) {
    // Without capture_literals only the fingerprint (literals replaced) is kept.
    const bool literal = capture_literals && !r.op.text.empty();
    sample = literal ? r.op.text : r.op.fingerprint;
    sample_has_literals = literal;
    sample_ns = latency_ns;
  }
}

namespace {

// The carried part of a stat, created on first use.
Carried& carried_of(std::unique_ptr<Carried>& c) {
  if (!c) c = std::make_unique<Carried>();
  return *c;
}

}  // namespace

void Carried::merge(const Carried& o) {
  ops.merge(o.ops);
  for (std::size_t i = 0; i < status.size(); ++i) status[i] += o.status[i];
}

OpTotals live_ops(const DbStat& st) {
  OpTotals live = st.ops;
  if (st.carried) live.remove(st.carried->ops);
  return live;
}

void DbStat::absorb(const DbStat& o) {
  ops.merge(o.ops);
  replies_unseen += o.replies_unseen;
  carried_of(carried).ops.merge(o.ops);
  tls = tls || o.tls;
  if (last_remote.empty()) last_remote = o.last_remote;
  for (const std::string& r : o.remotes)
    if (remotes.size() < kMaxRemotes && std::find(remotes.begin(), remotes.end(), r) == remotes.end())
      remotes.push_back(r);
  if (o.sample_ns > sample_ns || sample.empty()) {
    sample = o.sample;
    sample_has_literals = o.sample_has_literals;
    sample_ns = o.sample_ns;
  }
  routes.merge(o.routes);
}

void HttpStat::add(const protocols::L7Reading& r, std::uint64_t latency_ns) {
  ops.add(latency_ns, r.op.error, r.op.count);
  if (auto c = status_class(r.op.status)) status[*c] += r.op.count;
  (r.server_side ? bytes_out : bytes_in) += r.response_bytes;
}

void HttpStat::merge(const HttpStat& o) {
  ops.merge(o.ops);
  for (std::size_t i = 0; i < status.size(); ++i) status[i] += o.status[i];
  bytes_out += o.bytes_out;
  bytes_in += o.bytes_in;
  queries.merge(o.queries);
}

void HttpStat::merge_live(const HttpStat& o) {
  merge(o);
  if (!o.carried) return;
  ops.remove(o.carried->ops);
  for (std::size_t i = 0; i < status.size(); ++i) status[i] -= std::min(status[i], o.carried->status[i]);
}

void HttpStat::absorb(const HttpStat& o) {
  merge(o);
  Carried& c = carried_of(carried);
  c.ops.merge(o.ops);
  for (std::size_t i = 0; i < status.size(); ++i) c.status[i] += o.status[i];
}

}  // namespace hs::monitoring
