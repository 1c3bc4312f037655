// Owns the L7 probes for the daemon: the socket-layer one and, when enabled,
// the TLS one (libssl uprobes). poll(), on the daemon's executor, reads both
// ring buffers into one decoder table (both name a connection by its socket
// cookie) and hands the operations to the engine a few dozen at a time. A small
// thread only waits for the rings and asks for a poll() when they have records,
// or every 50 ms.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/monitoring_config.h"
#include "daemon/probe_ledger.h"
#include "l7/connection_table.h"
#include "monitoring/monitoring_engine.h"
#include "probes/l7_probe.h"
#include "probes/tls_probe.h"

namespace hs::daemon {

class L7Capture {
 public:
  explicit L7Capture(monitoring::MonitoringEngine& engine) : engine_(engine) {}
  ~L7Capture();

  Status start();  // no-op when disabled in the config
  Status stop();
  bool running() const { return probe_ && probe_->attached(); }
  Status set_config(const config::MonitoringConfig& cfg, bool capture_wanted);
  // Called from the waiting thread when the rings have records (or 50 ms have
  // passed); it should get poll() run soon on the engine's executor (the daemon
  // posts it). Without it, only the caller's own poll() calls read the rings.
  void set_read_request(std::function<void()> f) { read_request_ = std::move(f); }
  // Reads what the rings hold, decodes it and hands it to the engine.
  void poll();
  monitoring::ProbeHealth health() const;
  monitoring::ProbeHealth tls_health() const;

  // Operations handed to the engine at a time: the engine reads them while what
  // the decoding wrote is still in this CPU's cache. A reader thread that queued
  // a whole pass's operations (thousands, 312 bytes each) for the executor cost
  // 8-22 % more daemon CPU per request (docs/benchmarks.md).
  static constexpr std::size_t kIngestChunk = 64;

 private:
  void wait_loop();
  void start_tls();
  void read_pass(bool flush);  // on the executor
  void ingest_chunk();

  monitoring::MonitoringEngine& engine_;
  config::MonitoringConfig config_;
  std::unique_ptr<probes::L7Probe> probe_;
  std::string last_error_;
  ProbeLedger<HS_DROP_L7_COUNT> ledger_;
  std::unique_ptr<probes::TlsProbe> tls_;  // set before the waiting thread starts, reset after it ends
  std::string tls_error_;
  ProbeLedger<HS_DROP_TLS_COUNT> tls_ledger_;

  std::function<void()> read_request_;
  std::thread waiter_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> read_pending_{false};  // a read was asked for and poll() has not run since
  bool keep_texts_ = false;                // capture_literals: the decoders write literal texts
  l7::ConnectionTable table_;
  std::vector<protocols::L7Reading> chunk_;  // decoded, not yet handed to the engine
  std::uint64_t malformed_ = 0;              // records the probes could not use
  std::uint64_t last_read_us_ = 0;
  std::uint64_t last_sweep_ns_ = 0;
};

}  // namespace hs::daemon
