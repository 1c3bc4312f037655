// MonitoringEngine: folding the network probe's readings in.
#include <algorithm>
#include <cstring>
#include <tuple>

#include "monitoring/monitoring_engine.h"

namespace hs::monitoring {
namespace {

// A total order on sockets, so pages do not shuffle between snapshots.
bool socket_order(const ConnectionReading& a, const ConnectionReading& b) {
  if (std::tie(a.tgid, a.local_port, a.remote_port) != std::tie(b.tgid, b.local_port, b.remote_port))
    return std::tie(a.tgid, a.local_port, a.remote_port) < std::tie(b.tgid, b.local_port, b.remote_port);
  if (int c = std::memcmp(a.remote_addr, b.remote_addr, sizeof a.remote_addr)) return c < 0;
  return std::memcmp(a.local_addr, b.local_addr, sizeof a.local_addr) < 0;
}

}  // namespace

std::vector<hs_net_key> MonitoringEngine::ingest_network(std::span<const NetReading> readings) {
  ++counters_.network_polls;
  counters_.network_samples += readings.size();
  begin_poll();
  std::vector<hs_net_key> forget;
  for (const auto& r : readings) {
    ProcessRecord* rec = owner_of(r.key.tgid, net_retiring_);
    if (!rec) continue;
    rec->network.apply(r, net_interval_);
    if (rec->exited_ms != 0) forget.push_back(r.key);
  }
  net_retiring_.clear();
  // Query-time capping keeps the top N; holding 4N bounds memory (here and in
  // the kernel map) without letting a remote that is briefly quiet lose its history.
  const std::size_t max_held = 4 * std::max<std::size_t>(1, settings_.max_remotes_per_process);
  for (auto& [tgid, rec] : live_) rec.network.bound(max_held, tgid, forget);
  retire_exited(nullptr, &forget);
  evict_expired();
  return forget;
}

void MonitoringEngine::network_kernel_reset() {
  for (auto& [tgid, rec] : live_) rec.network.kernel_entries_removed();
  net_retiring_.clear();
}

std::string MonitoringEngine::comm_of_socket_owner(std::uint32_t tgid) {
  if (auto it = live_.find(tgid); it != live_.end()) return it->second.meta.comm;
  if (auto it = socket_owner_comms_.find(tgid); it != socket_owner_comms_.end()) return it->second;
  // A process with sockets but no activity yet: looked up once, then cached.
  if (auto meta = inspector_.inspect(tgid)) return meta->comm;
  return comm_fallback_ ? comm_fallback_(tgid) : std::string();
}

void MonitoringEngine::set_connections(std::vector<ConnectionReading> conns) {
  std::unordered_map<std::uint32_t, std::string> comms;
  for (const auto& c : conns)
    if (c.tgid != 0 && !comms.contains(c.tgid)) comms.emplace(c.tgid, comm_of_socket_owner(c.tgid));
  socket_owner_comms_ = std::move(comms);
  std::sort(conns.begin(), conns.end(), socket_order);
  connections_ = std::move(conns);
}

}  // namespace hs::monitoring
