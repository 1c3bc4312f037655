#include "monitoring/process_network.h"

#include <algorithm>
#include <cstring>

#include "monitoring/held_bytes.h"

namespace hs::monitoring {
namespace {

using Ranked = std::pair<const NetRemote*, const NetTotals*>;

// Most traffic first; equal traffic in key order so answers are stable.
bool ranks_before(const Ranked& a, const Ranked& b) {
  if (more_traffic(*a.second, *b.second)) return true;
  if (more_traffic(*b.second, *a.second)) return false;
  return *a.first < *b.first;
}

}  // namespace

NetRemote NetRemote::of(const hs_net_key& k) {
  NetRemote r;
  r.role = k.role;
  r.family = k.family;
  r.port = k.port;
  std::memcpy(r.addr.data(), k.addr, sizeof k.addr);
  return r;
}

hs_net_key NetRemote::key(std::uint32_t tgid) const {
  hs_net_key k{};
  k.tgid = tgid;
  k.role = role;
  k.family = family;
  k.port = port;
  std::memcpy(k.addr, addr.data(), sizeof k.addr);
  return k;
}

void NetMix::add(const NetRemote& r) {
  client |= r.role == HS_NET_ROLE_CLIENT;
  server |= r.role == HS_NET_ROLE_SERVER;
  unknown_role |= r.role != HS_NET_ROLE_CLIENT && r.role != HS_NET_ROLE_SERVER;
  ipv4 |= r.family == HS_AF_INET;
  ipv6 |= r.family == HS_AF_INET6;
  unknown_family |= r.family != HS_AF_INET && r.family != HS_AF_INET6;
}

void NetMix::add(const NetMix& o) {
  client |= o.client;
  server |= o.server;
  unknown_role |= o.unknown_role;
  ipv4 |= o.ipv4;
  ipv6 |= o.ipv6;
  unknown_family |= o.unknown_family;
}

void ProcessNetwork::apply(const NetReading& r, NetTotals& interval) {
  auto& remote = remotes_[NetRemote::of(r.key)];
  remote.raw.apply(r.val, *remote.totals, interval);
}

void ProcessNetwork::kernel_entries_removed() {
  for (auto& [key, remote] : remotes_) remote.raw.kernel_entry_removed();
}

void ProcessNetwork::bound(std::size_t max_held, std::uint32_t tgid, std::vector<hs_net_key>& evicted) {
  if (remotes_.size() <= max_held) return;
  std::vector<std::pair<const NetRemote*, const NetTotals*>> ranked;
  ranked.reserve(remotes_.size());
  for (const auto& [key, remote] : remotes_) ranked.emplace_back(&key, remote.totals.get());
  std::sort(ranked.begin(), ranked.end(), ranks_before);
  if (!folded_) folded_ = std::make_unique<NetTotals>();
  std::vector<NetRemote> gone;
  for (std::size_t i = max_held; i < ranked.size(); ++i) {
    folded_->add(*ranked[i].second);
    folded_mix_.add(*ranked[i].first);
    gone.push_back(*ranked[i].first);
  }
  for (const NetRemote& key : gone) {
    evicted.push_back(key.key(tgid));
    remotes_.erase(key);
  }
}

CappedRemotes ProcessNetwork::capped(std::size_t top_n) const {
  CappedRemotes out;
  for (const auto& [key, remote] : remotes_)
    if (!remote.totals->empty()) out.top.emplace_back(&key, remote.totals.get());
  std::sort(out.top.begin(), out.top.end(), ranks_before);
  if (out.top.size() > top_n || folded_) {
    out.other = std::make_unique<NetTotals>();
    for (std::size_t i = top_n; i < out.top.size(); ++i) {
      out.other->add(*out.top[i].second);
      out.other_mix.add(*out.top[i].first);
    }
    if (folded_) {
      out.other->add(*folded_);
      out.other_mix.add(folded_mix_);
    }
    if (out.top.size() > top_n) out.top.resize(top_n);
  }
  return out;
}

std::size_t ProcessNetwork::held_bytes() const {
  return remotes_.size() * (sizeof(decltype(remotes_)::value_type) + kTreeNodeBytes + sizeof(NetTotals)) +
         (folded_ ? sizeof(NetTotals) : 0);
}

void ProcessNetwork::sum_into(NetTotals& out) const {
  for (const auto& [key, remote] : remotes_) out.add(*remote.totals);
  if (folded_) out.add(*folded_);
}

void ProcessNetwork::append_keys(std::uint32_t tgid, std::vector<hs_net_key>& out) const {
  for (const auto& [key, remote] : remotes_) out.push_back(key.key(tgid));
}

}  // namespace hs::monitoring
