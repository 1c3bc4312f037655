// Owns the TCP probe for the daemon: start/stop (load+attach / unload), and one
// poll that moves (process, remote) aggregates and the socket list into the engine.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "config/monitoring_config.h"
#include "daemon/probe_ledger.h"
#include "monitoring/monitoring_engine.h"
#include "probes/net_probe.h"

namespace hs::daemon {

class NetCapture {
 public:
  explicit NetCapture(monitoring::MonitoringEngine& engine) : engine_(engine) {}
  ~NetCapture();

  Status start();  // no-op when disabled in the config
  Status stop();
  bool running() const { return probe_ && probe_->attached(); }
  bool enabled() const { return config_.network_enabled; }
  // Enabling/disabling takes effect at once; the map capacity at the next start.
  Status set_config(const config::MonitoringConfig& cfg, bool capture_wanted);
  void poll();
  monitoring::ProbeHealth health() const;

 private:
  monitoring::MonitoringEngine& engine_;
  config::MonitoringConfig config_;
  std::unique_ptr<probes::NetProbe> probe_;
  std::string last_error_;
  ProbeLedger<HS_DROP_NET_COUNT> ledger_;
  std::vector<NetReading> readings_;
  std::vector<ConnectionReading> connections_;
};

}  // namespace hs::daemon
