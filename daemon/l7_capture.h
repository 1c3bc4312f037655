// Owns the L7 probes for the daemon: the socket-layer one and, when enabled,
// the TLS one (libssl uprobes). poll(), on the daemon's executor, reads both
// ring buffers into one decoder table (both name a connection by its socket
// cookie) and hands the operations to the engine a few dozen at a time. A
// second thread waits for the rings and asks for a poll() when they have
// records, or every 50 ms; when the executor does not get to it soon (an API
// call or the interval's work can hold it for tenths of a second, longer than
// busy rings last), that thread reads the rings itself and keeps the operations
// in a backlog that the next poll() hands on first.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
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
  // Called from the waiting thread when the rings have records (or 50 ms have
  // passed); it should get poll() run soon on the engine's executor (the daemon
  // posts it). Without it, only the caller's own poll() calls read the rings.
  void set_read_request(std::function<void()> f) { read_request_ = std::move(f); }
  // Hands the backlog to the engine, then reads what the rings hold, decodes it
  // and hands it on.
  void poll();
  monitoring::ProbeHealth health() const;
  monitoring::ProbeHealth tls_health() const;

  // Operations handed to the engine at a time: the engine reads them while what
  // the decoding wrote is still in this CPU's cache. A reader thread that queued
  // a whole pass's operations (thousands, 312 bytes each) for the executor cost
  // 4-22 % more daemon CPU per request (docs/benchmarks.md).
  static constexpr std::size_t kIngestChunk = 64;
  // How long the waiting thread leaves a read to the executor before doing it
  // itself (a quarter of a ring holds ≈ 20 ms at redis-benchmark -P 16).
  static constexpr std::chrono::milliseconds kExecutorGrace{20};
  // Operations the waiting thread keeps for the engine, at most; past it they
  // are counted as queue_full.
  static constexpr std::size_t kMaxBacklog = 262144;

 private:
  enum class Target { engine, backlog };
  void wait_loop();
  bool wait_for_poll();  // false: stopping
  void start_tls();
  void read_pass(bool flush, Target target);  // with read_mu_ held
  void hand_on(Target target);                // chunk_ to the engine or the backlog
  void ingest_backlog();                      // with read_mu_ held, on the executor
  void warn_backlog_full(std::size_t lost);    // with read_mu_ held

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
  std::atomic<bool> keep_texts_{false};  // capture_literals: the decoders write literal texts

  std::mutex pending_mu_;  // guards the two below
  std::condition_variable pending_cv_;
  bool stopping_ = false;
  bool read_pending_ = false;  // a read was asked for and poll() has not run since

  mutable std::mutex read_mu_;  // guards the rings' reading and what it keeps, below
  l7::ConnectionTable table_;
  std::vector<protocols::L7Reading> chunk_;    // decoded, not yet handed on
  std::vector<protocols::L7Reading> backlog_;  // read by the waiting thread, for the engine
  std::uint64_t queue_full_ = 0;               // operations lost because the backlog was full
  std::uint64_t malformed_ = 0;                // records the probes could not use
  std::uint64_t last_read_us_ = 0;
  std::uint64_t last_sweep_ns_ = 0;
  std::chrono::steady_clock::time_point last_full_warning_{};
};

}  // namespace hs::daemon
