// Owns the L7 probes for the daemon: the socket-layer one and, when enabled,
// the TLS one (libssl uprobes). A reader thread drains both ring buffers into
// one decoder table (both name a connection by its socket cookie) and queues
// the operations; poll() (on the daemon's executor) hands the queue to the engine.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
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
  // Called from the reader thread when the queue fills past kDrainAt; it should
  // get poll() run soon on the engine's executor (the daemon posts it).
  void set_drain_request(std::function<void()> f) { drain_request_ = std::move(f); }
  void poll();
  monitoring::ProbeHealth health() const;
  monitoring::ProbeHealth tls_health() const;

  // Decoded operations waiting for the engine, at most this many.
  static constexpr std::size_t kMaxQueued = 262144;
  static constexpr std::size_t kDrainAt = 2048;
  // A drained batch's storage is reused up to this many operations (a reader turn
  // can bring several thousand; reallocating them every time costs page faults).
  static constexpr std::size_t kKeptCapacity = 32768;

 private:
  void read_loop();
  void start_tls();
  void warn_queue_full(std::size_t lost);  // with mu_ held

  monitoring::MonitoringEngine& engine_;
  config::MonitoringConfig config_;
  std::unique_ptr<probes::L7Probe> probe_;
  std::string last_error_;
  ProbeLedger<HS_DROP_L7_COUNT> ledger_;
  std::unique_ptr<probes::TlsProbe> tls_;  // set before the reader starts, reset after it ends
  std::string tls_error_;
  ProbeLedger<HS_DROP_TLS_COUNT> tls_ledger_;

  std::function<void()> drain_request_;
  std::atomic<bool> drain_requested_{false};
  std::thread reader_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> keep_texts_{false};  // capture_literals: the decoders write literal texts
  mutable std::mutex mu_;  // guards queue_ and the counters below
  std::vector<protocols::L7Reading> queue_;
  std::vector<protocols::L7Reading> ready_;  // poll()'s batch; only poll() touches it
  std::uint64_t queue_full_ = 0;     // operations lost because the engine fell behind
  std::uint64_t malformed_ = 0;      // records the probe could not use
  l7::TableCounters table_{};        // copy of the reader's decoder counters
  std::size_t connections_ = 0;
  std::uint64_t last_read_us_ = 0;
  std::chrono::steady_clock::time_point last_drain_{};  // poll()'s last swap of the queue
  std::chrono::steady_clock::time_point last_full_warning_{};  // reader thread only
};

}  // namespace hs::daemon
