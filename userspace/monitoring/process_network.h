// One process's TCP activity: a record per remote the kernel reports, its
// memory bounded by folding the quietest remotes into one "other" record, and
// the top-N view the queries report.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "common/net_reading.h"
#include "monitoring/net_stats.h"

namespace hs::monitoring {

// The kernel key without its tgid.
struct NetRemote {
  std::uint8_t role = HS_NET_ROLE_UNKNOWN;
  std::uint16_t family = 0;
  std::uint16_t port = 0;
  std::array<std::uint8_t, 16> addr{};

  static NetRemote of(const hs_net_key& k);
  hs_net_key key(std::uint32_t tgid) const;
  auto operator<=>(const NetRemote&) const = default;
};

// Roles and families seen among merged remotes, to name the merged entry.
struct NetMix {
  bool client = false, server = false, unknown_role = false;
  bool ipv4 = false, ipv6 = false, unknown_family = false;
  void add(const NetRemote& r);
  void add(const NetMix& o);
};

// The per-process answer: the top remotes by traffic, the rest merged.
struct CappedRemotes {
  std::vector<std::pair<const NetRemote*, const NetTotals*>> top;  // most traffic first
  std::unique_ptr<NetTotals> other;                               // null when nothing was merged
  NetMix other_mix;
};

class ProcessNetwork {
 public:
  // Folds one cumulative reading in; what changed is added to `interval`.
  void apply(const NetReading& r, NetTotals& interval);
  // The probe was reloaded: every next reading counts from zero.
  void kernel_entries_removed();
  // Keeps at most `max_held` remotes; the least traffic ones are folded into a
  // persistent "other" and forgotten, their kernel keys appended to `evicted` for
  // deletion (so the kernel map stays bounded too). A folded remote that shows up
  // again starts afresh from zero, as its new kernel entry does.
  void bound(std::size_t max_held, std::uint32_t tgid, std::vector<hs_net_key>& evicted);
  CappedRemotes capped(std::size_t top_n) const;
  // Adds every remote's totals, folded ones included, to `out`.
  void sum_into(NetTotals& out) const;
  void append_keys(std::uint32_t tgid, std::vector<hs_net_key>& out) const;

  bool empty() const { return remotes_.empty(); }
  std::size_t held() const { return remotes_.size(); }
  std::size_t held_bytes() const;  // roughly, in memory

 private:
  struct Remote {
    NetStat raw;
    std::unique_ptr<NetTotals> totals = std::make_unique<NetTotals>();
  };
  std::map<NetRemote, Remote> remotes_;
  std::unique_ptr<NetTotals> folded_;
  NetMix folded_mix_;
};

}  // namespace hs::monitoring
