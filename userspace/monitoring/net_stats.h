// Cumulative per-(process, remote) TCP statistics rebuilt from the kernel's
// cumulative hs_net_val, robust to 32-bit slot wrap and to kernel entries
// being deleted and recreated.
#pragma once

#include <array>
#include <cstdint>

#include "common/histogram.h"
#include "hostscope/wire.h"
#include "monitoring/cumulative.h"

namespace hs::monitoring {

// Counters and histograms (nanoseconds) of TCP activity: the totals of one
// remote, of several merged, or what changed in one interval.
struct NetTotals {
  std::uint64_t connects = 0, connect_failures = 0, connect_total_ns = 0;
  std::uint64_t srtt_samples = 0, srtt_total_us = 0, mdev_total_us = 0;
  std::uint64_t retransmits = 0, resets_sent = 0, resets_received = 0;
  std::uint64_t round_trips = 0, rtt_total_ns = 0, rtt_max_ns = 0;
  std::uint64_t bytes_sent = 0, bytes_received = 0;
  Histogram connect, srtt, rtt;

  // Sums counters, merges histograms, keeps the larger rtt_max_ns.
  void add(const NetTotals& o);
  bool empty() const;
  std::uint64_t bytes() const { return bytes_sent + bytes_received; }
  std::uint64_t resets() const { return resets_sent + resets_received; }
  std::uint64_t srtt_avg_ns() const { return srtt_samples ? srtt_total_us * 1000 / srtt_samples : 0; }
  std::uint64_t rttvar_avg_ns() const { return srtt_samples ? mdev_total_us * 1000 / srtt_samples : 0; }
};

// Ranks remotes: more bytes first, ties broken by round trips + connects.
bool more_traffic(const NetTotals& a, const NetTotals& b);

// The last raw reading of one kernel entry, to diff the next one against.
class NetStat {
 public:
  static constexpr std::size_t kCounters = 13;  // every u64 of hs_net_val but rtt_max_ns

  // Folds one cumulative reading in: what changed is added to `total` and `interval`.
  void apply(const hs_net_val& v, NetTotals& total, NetTotals& interval);
  // The kernel entry was deleted: the next reading counts from zero.
  void kernel_entry_removed();

 private:
  std::array<std::uint64_t, kCounters> raw_{};
  SlotBaseline connect_, srtt_, rtt_;
};

}  // namespace hs::monitoring
