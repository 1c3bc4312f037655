// Bottleneck detection and alerting inside the daemon: the engines restored from the
// state DB, the delivery thread, and one evaluation per evaluation interval on the
// daemon's executor (in-memory work plus durable saves of what changed; the network
// is only touched by the delivery thread).
//
// Order: open() after the state DB, before the routes (they point at the engines);
// start() once the HTTP server (its live-push hub) runs; stop() after the server has
// stopped and before anything the engines reference goes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "alerts/alert_engine.h"
#include "alerts/state_persistence.h"
#include "bottleneck/bottleneck_engine.h"
#include "bottleneck/monitoring_snapshot.h"
#include "common/clock.h"
#include "config/daemon_options.h"
#include "monitoring/monitoring_engine.h"
#include "notify/curl_transport.h"
#include "notify/dispatcher.h"
#include "storage/state_db.h"

namespace hs::daemon {

// publish(event, json): the live-event hub; called from the executor and from the
// delivery thread, so it must be thread-safe.
using Publish = std::function<void(std::string event, std::string json)>;

class Alerting {
 public:
  Alerting(const Clock& clock, storage::StateDb& db, config::AlertsOptions options);
  ~Alerting();
  Alerting(const Alerting&) = delete;
  Alerting& operator=(const Alerting&) = delete;

  // Opens the alert tables, restores rules, channels, alerts, bottlenecks and thresholds.
  Status open();
  // Live push, then the delivery thread.
  void start(Publish publish);
  // Joins the delivery thread (idempotent); what is still queued is not sent.
  void stop();

  // After each monitoring interval of `interval_ms`: evaluates bottlenecks and rules when
  // the evaluation interval has passed (to the nearest monitoring interval), otherwise
  // only escalations.
  void on_interval(const monitoring::MonitoringEngine& engine, std::uint32_t interval_ms);

  alerts::AlertEngine& alerts() { return *alerts_; }
  bottleneck::BottleneckEngine& bottlenecks() { return *bottlenecks_; }
  std::uint64_t evaluations() const { return evaluations_; }

 private:
  void publish(std::string event, std::string json) const;

  const Clock& clock_;
  storage::StateDb& db_;
  config::AlertsOptions options_;
  std::unique_ptr<alerts::StatePersistence> persistence_;
  std::unique_ptr<bottleneck::BottleneckEngine> bottlenecks_;
  notify::CurlTransport transport_;
  std::unique_ptr<notify::Dispatcher> dispatcher_;
  std::unique_ptr<alerts::AlertEngine> alerts_;
  bottleneck::MonitoringSnapshot snapshot_;
  std::int64_t last_evaluation_ns_ = 0;
  std::uint64_t evaluations_ = 0;
  Publish publish_;
};

}  // namespace hs::daemon
