// MonitoringEngine: what it answers about TCP (entries, totals, Prometheus
// aggregates, live sockets).
#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

#include "monitoring/capping.h"
#include "monitoring/monitoring_engine.h"
#include "monitoring/net_endpoint.h"

namespace hs::monitoring {
namespace {

constexpr std::string_view kMixed = "mixed";

// The one name all merged values share, else "mixed".
std::string common_name(std::initializer_list<std::pair<bool, std::string_view>> seen) {
  std::string_view name;
  for (const auto& [present, n] : seen) {
    if (!present) continue;
    if (!name.empty()) return std::string(kMixed);
    name = n;
  }
  return std::string(name.empty() ? "unknown" : name);
}

NetworkEntry counts_of(const ProcessRecord& rec, const NetTotals& t) {
  NetworkEntry e;
  e.pid = rec.meta.pid;
  e.comm = rec.meta.comm;
  e.exited = rec.exited_ms != 0;
  e.connects = t.connects;
  e.connect_failures = t.connect_failures;
  e.srtt_avg_ns = t.srtt_avg_ns();
  e.rttvar_avg_ns = t.rttvar_avg_ns();
  e.retransmits = t.retransmits;
  e.resets = t.resets();
  e.resets_sent = t.resets_sent;
  e.resets_received = t.resets_received;
  e.round_trips = t.round_trips;
  e.rtt_max_ns = t.rtt_max_ns;
  e.bytes_sent = t.bytes_sent;
  e.bytes_received = t.bytes_received;
  return e;
}

NetworkEntry remote_entry(const ProcessRecord& rec, const NetRemote& r, const NetTotals& t) {
  NetworkEntry e = counts_of(rec, t);
  e.remote = format_remote(r.role, r.family, r.addr, r.port);
  e.direction = direction_name(r.role);
  e.family = family_name(r.family, r.addr);
  if (r.role == HS_NET_ROLE_SERVER) e.local_port = r.port;
  return e;
}

NetworkEntry other_entry(const ProcessRecord& rec, const NetMix& mix, const NetTotals& t) {
  NetworkEntry e = counts_of(rec, t);
  e.remote = "other";
  e.direction = common_name({{mix.client, "outbound"}, {mix.server, "inbound"}, {mix.unknown_role, "unknown"}});
  e.family = common_name({{mix.ipv4, "ipv4"}, {mix.ipv6, "ipv6"}, {mix.unknown_family, "unknown"}});
  return e;
}

void fill_percentiles(NetworkEntry& e, const NetTotals& t) {
  e.connect_p50_ns = t.connect.percentile(0.50);
  e.connect_p95_ns = t.connect.percentile(0.95);
  e.connect_p99_ns = t.connect.percentile(0.99);
  e.srtt_p50_ns = t.srtt.percentile(0.50);
  e.srtt_p99_ns = t.srtt.percentile(0.99);
  e.rtt_p50_ns = t.rtt.percentile(0.50);
  e.rtt_p95_ns = t.rtt.percentile(0.95);
  e.rtt_p99_ns = t.rtt.percentile(0.99);
}

ConnectionEntry connection_entry(const ConnectionReading& c, const std::string& comm) {
  ConnectionEntry e;
  e.pid = c.tgid;
  e.comm = comm;
  e.local = format_endpoint(c.family, c.local_addr, c.local_port);
  e.remote = format_endpoint(c.family, c.remote_addr, c.remote_port);
  e.state = tcp_state_name(c.state);
  e.direction = direction_name(c.role);
  e.family = family_name(c.family, c.remote_addr);
  e.srtt_us = c.srtt_us;
  e.rttvar_us = c.mdev_us;
  e.retransmits = c.total_retrans;
  e.cwnd = c.snd_cwnd;
  e.bytes_acked = c.bytes_acked;
  e.bytes_received = c.bytes_received;
  return e;
}

}  // namespace

template <typename Accept, typename F>
void MonitoringEngine::for_each_network_entry(std::vector<CappedRemotes>& keep, Accept&& accept, F&& f) const {
  for_each_record([&](const ProcessRecord& rec) {
    if (rec.network.empty() || !accept(rec)) return;
    keep.push_back(rec.network.capped(std::max<std::size_t>(1, settings_.max_remotes_per_process)));
    const CappedRemotes& c = keep.back();
    for (const auto& [remote, totals] : c.top) f(remote_entry(rec, *remote, *totals), *totals);
    if (c.other && !c.other->empty()) f(other_entry(rec, c.other_mix, *c.other), *c.other);
  });
}

std::vector<NetworkEntry> MonitoringEngine::network_entries(const NetworkQuery& q) const {
  struct Found {
    NetworkEntry entry;
    const NetTotals* totals;
  };
  std::vector<CappedRemotes> keep;
  std::vector<Found> found;
  auto accept = [&](const ProcessRecord& rec) {
    return (!q.pid || rec.meta.pid == *q.pid) && (!q.comm || rec.meta.comm == *q.comm);
  };
  for_each_network_entry(keep, accept, [&](NetworkEntry&& e, const NetTotals& t) {
    if (q.remote && e.remote != *q.remote) return;
    if (q.direction && e.direction != *q.direction) return;
    found.push_back({std::move(e), &t});
  });
  auto order = [](const Found& a, const Found& b) {
    const std::uint64_t ab = a.entry.bytes_sent + a.entry.bytes_received;
    const std::uint64_t bb = b.entry.bytes_sent + b.entry.bytes_received;
    if (ab != bb) return ab > bb;
    return std::tie(a.entry.pid, a.entry.remote) < std::tie(b.entry.pid, b.entry.remote);
  };
  std::size_t keep_n = std::min(found.size(), q.limit);
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(keep_n), found.end(), order);
  std::vector<NetworkEntry> out;
  out.reserve(keep_n);
  // Percentiles only for the entries returned (they scan the histograms).
  for (std::size_t i = 0; i < keep_n; ++i) {
    fill_percentiles(found[i].entry, *found[i].totals);
    out.push_back(std::move(found[i].entry));
  }
  return out;
}

NetworkTotals MonitoringEngine::network_totals() const {
  NetTotals all;
  for_each_record([&](const ProcessRecord& rec) { rec.network.sum_into(all); });
  NetworkTotals t;
  t.connects = all.connects;
  t.connect_failures = all.connect_failures;
  t.retransmits = all.retransmits;
  t.resets = all.resets();
  t.round_trips = all.round_trips;
  t.bytes_sent = all.bytes_sent;
  t.bytes_received = all.bytes_received;
  t.rtt_p50_ns = all.rtt.percentile(0.50);
  t.rtt_p95_ns = all.rtt.percentile(0.95);
  t.rtt_p99_ns = all.rtt.percentile(0.99);
  t.srtt_p50_ns = all.srtt.percentile(0.50);
  t.srtt_p99_ns = all.srtt.percentile(0.99);
  t.connections = connections_.size();
  t.established = static_cast<std::uint64_t>(std::count_if(
      connections_.begin(), connections_.end(), [](const auto& c) { return c.state == kTcpEstablished; }));
  if (!series_.fine().empty()) {
    const SeriesPoint& p = series_.fine().back();
    t.connects_per_s = p.net_connects_per_s;
    t.connect_failures_per_s = p.net_connect_failures_per_s;
    t.retransmits_per_s = p.net_retransmits_per_s;
    t.resets_per_s = p.net_resets_per_s;
    t.round_trips_per_s = p.net_round_trips_per_s;
    t.bytes_sent_per_s = p.net_bytes_sent_per_s;
    t.bytes_received_per_s = p.net_bytes_received_per_s;
  }
  return t;
}

std::vector<NetworkAggregate> MonitoringEngine::network_by_comm(std::size_t max_series) const {
  std::map<std::pair<std::string, std::string>, NetworkAggregate> agg;
  auto merge = [](NetworkAggregate& into, std::string_view direction, const NetTotals& t) {
    if (into.direction.empty()) into.direction = direction;
    if (into.direction != direction) into.direction = kMixed;
    into.totals.add(t);
  };
  std::vector<CappedRemotes> keep;
  for_each_network_entry(keep, [](const ProcessRecord&) { return true; }, [&](NetworkEntry&& e, const NetTotals& t) {
    auto& a = agg[{e.comm, e.remote}];
    a.comm = e.comm;
    a.remote = e.remote;
    merge(a, e.direction, t);
  });
  std::vector<NetworkAggregate> all;
  all.reserve(agg.size());
  for (auto& [key, a] : agg) all.push_back(std::move(a));
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return more_traffic(a.totals, b.totals); });
  NetworkAggregate other;
  other.comm = "other";
  other.remote = "other";
  fold_tail(all, max_series, std::move(other),
            [&merge](NetworkAggregate& o, const NetworkAggregate& a) { merge(o, a.direction, a.totals); });
  return all;
}

ConnectionPage MonitoringEngine::connections(const ConnectionQuery& q) const {
  std::optional<std::uint8_t> state;
  if (q.state) {
    state = tcp_state_number(*q.state);
    if (!state) return {};
  }
  static const std::string kUnknownComm;
  ConnectionPage page;
  for (const auto& c : connections_) {
    auto named = socket_owner_comms_.find(c.tgid);
    const std::string& comm = named == socket_owner_comms_.end() ? kUnknownComm : named->second;
    if (q.pid && c.tgid != *q.pid) continue;
    if (q.comm && comm != *q.comm) continue;
    if (state && c.state != *state) continue;
    if (q.port && c.local_port != *q.port && c.remote_port != *q.port) continue;
    if (page.total >= q.offset && page.connections.size() < q.limit) page.connections.push_back(connection_entry(c, comm));
    ++page.total;
  }
  return page;
}

}  // namespace hs::monitoring
