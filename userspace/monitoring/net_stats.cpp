#include "monitoring/net_stats.h"

#include <algorithm>
#include <iterator>

namespace hs::monitoring {
namespace {

// Each kernel counter and the total it feeds, so diffing, summing and the
// reset check cannot miss a field.
struct CounterField {
  __u64 hs_net_val::*raw;
  std::uint64_t NetTotals::*total;
};

constexpr CounterField kCounterFields[] = {
    {&hs_net_val::connects, &NetTotals::connects},
    {&hs_net_val::connect_failures, &NetTotals::connect_failures},
    {&hs_net_val::connect_total_ns, &NetTotals::connect_total_ns},
    {&hs_net_val::srtt_samples, &NetTotals::srtt_samples},
    {&hs_net_val::srtt_total_us, &NetTotals::srtt_total_us},
    {&hs_net_val::mdev_total_us, &NetTotals::mdev_total_us},
    {&hs_net_val::retransmits, &NetTotals::retransmits},
    {&hs_net_val::resets_sent, &NetTotals::resets_sent},
    {&hs_net_val::resets_received, &NetTotals::resets_received},
    {&hs_net_val::round_trips, &NetTotals::round_trips},
    {&hs_net_val::rtt_total_ns, &NetTotals::rtt_total_ns},
    {&hs_net_val::bytes_sent, &NetTotals::bytes_sent},
    {&hs_net_val::bytes_received, &NetTotals::bytes_received},
};
static_assert(std::size(kCounterFields) == NetStat::kCounters);

}  // namespace

void NetTotals::add(const NetTotals& o) {
  for (const auto& f : kCounterFields) this->*f.total += o.*f.total;
  rtt_max_ns = std::max(rtt_max_ns, o.rtt_max_ns);
  connect.merge(o.connect);
  srtt.merge(o.srtt);
  rtt.merge(o.rtt);
}

bool NetTotals::empty() const {
  return std::all_of(std::begin(kCounterFields), std::end(kCounterFields),
                     [this](const CounterField& f) { return this->*f.total == 0; });
}

bool more_traffic(const NetTotals& a, const NetTotals& b) {
  if (a.bytes() != b.bytes()) return a.bytes() > b.bytes();
  return a.round_trips + a.connects > b.round_trips + b.connects;
}

void NetStat::apply(const hs_net_val& v, NetTotals& total, NetTotals& interval) {
  // Any counter below its last reading means the kernel entry was recreated.
  for (std::size_t i = 0; i < kCounters; ++i) {
    if (v.*kCounterFields[i].raw < raw_[i]) {
      kernel_entry_removed();
      break;
    }
  }
  for (std::size_t i = 0; i < kCounters; ++i) {
    const auto& f = kCounterFields[i];
    std::uint64_t d = v.*f.raw - raw_[i];
    total.*f.total += d;
    interval.*f.total += d;
    raw_[i] = v.*f.raw;
  }
  total.rtt_max_ns = std::max<std::uint64_t>(total.rtt_max_ns, v.rtt_max_ns);
  connect_.advance(v.connect_slots, total.connect, interval.connect);
  srtt_.advance(v.srtt_slots, total.srtt, interval.srtt);
  rtt_.advance(v.rtt_slots, total.rtt, interval.rtt);
}

void NetStat::kernel_entry_removed() {
  raw_.fill(0);
  connect_.reset();
  srtt_.reset();
  rtt_.reset();
}

}  // namespace hs::monitoring
