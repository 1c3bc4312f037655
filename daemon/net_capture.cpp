#include "daemon/net_capture.h"

#include <chrono>

#include <spdlog/spdlog.h>

namespace hs::daemon {

NetCapture::~NetCapture() { (void)stop(); }

Status NetCapture::set_config(const config::MonitoringConfig& cfg, bool capture_wanted) {
  bool was_enabled = config_.network_enabled;
  config_ = cfg;
  if (!capture_wanted || was_enabled == cfg.network_enabled) return {};
  return cfg.network_enabled ? start() : stop();
}

Status NetCapture::start() {
  if (!config_.network_enabled || running()) return {};
  if (!probe_) {
    probes::NetProbeOptions opts;
    opts.max_entries = config_.max_network_entries;
    auto loaded = probes::NetProbe::load(opts);
    if (!loaded.ok()) {
      last_error_ = loaded.status().text();
      spdlog::error("network probe unavailable: {}", last_error_);
      return loaded.status();
    }
    probe_ = std::move(loaded.value());
    engine_.network_kernel_reset();  // fresh kernel map: readings restart at zero
  }
  if (Status st = probe_->attach(); !st.ok()) {
    last_error_ = st.text();
    spdlog::error("network probe failed to attach: {}", last_error_);
    probe_.reset();
    return st;
  }
  last_error_.clear();
  spdlog::info("network probe attached; {} sockets already open were given their process",
               probe_->sockets_found_open());
  return {};
}

Status NetCapture::stop() {
  if (!probe_) return {};
  probe_->detach();
  poll();  // keep what was counted up to the detach
  ledger_.retire(*probe_);
  probe_.reset();
  engine_.network_kernel_reset();
  engine_.set_connections({});
  spdlog::info("network probe detached and unloaded");
  return {};
}

void NetCapture::poll() {
  if (!probe_) return;
  auto ingest = [this](const std::vector<NetReading>& r) { return engine_.ingest_network(r); };
  if (!ledger_.read_and_ingest(*probe_, readings_, ingest, last_error_)) return;
  auto t0 = std::chrono::steady_clock::now();
  if (Status st = probe_->connections(connections_); st.ok()) {
    engine_.set_connections(connections_);
  } else {
    spdlog::warn("listing connections: {}", st.text());
  }
  ledger_.extend_read(t0);
}

monitoring::ProbeHealth NetCapture::health() const {
  monitoring::ProbeHealth h;
  h.name = "network";
  h.state = running() ? "attached" : (!last_error_.empty() ? "failed" : "detached");
  h.variant = "tp_btf";
  h.reason = last_error_.empty() && !config_.network_enabled ? "disabled in the configuration" : last_error_;
  auto drops = ledger_.drops(probe_.get());
  if (probe_) {
    h.entries = probe_->entries();
    h.max_entries = probe_->max_entries();
  }
  h.drops = {{"map_full", drops[HS_DROP_NET_MAP_FULL]},
             {"no_socket_storage", drops[HS_DROP_NET_NO_STORAGE]},
             // Retransmits/resets on sockets no process was seen using yet.
             {"unattributed", drops[HS_DROP_NET_UNATTRIBUTED]},
             {"missed_runs", ledger_.missed_runs(probe_.get())}};
  h.last_read_us = ledger_.last_read_us();
  return h;
}

}  // namespace hs::daemon
