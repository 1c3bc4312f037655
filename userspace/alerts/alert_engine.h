// The alert engine: rules evaluated against each metrics snapshot, alerts raised by
// bottlenecks, custom alerts posted by users; the lifecycle active -> acknowledged ->
// resolved | dismissed; deduplication (one open alert per rule and subject),
// auto-resolution, cooldown, escalation; notifications handed to the Dispatcher.
//
// Thread-safe (one mutex): the daemon's executor calls everything, the delivery thread
// calls record_delivery(). API mutations are saved before they apply, so an answered
// call is durable; if saving fails they answer `unavailable` and change nothing.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert.h"
#include "alerts/alert_json.h"
#include "alerts/alert_persistence.h"
#include "alerts/rule.h"
#include "bottleneck/bottleneck_engine.h"
#include "bottleneck/engine_error.h"
#include "bottleneck/layer_metrics.h"
#include "common/clock.h"
#include "notify/channel.h"
#include "notify/dispatcher.h"

namespace hs::alerts {

struct AlertSettings {
  std::size_t max_alerts = 5000;    // kept (with history); the oldest ended ones are evicted first
  std::size_t max_rules = 500;
  std::size_t max_channels = 100;
  std::size_t max_deliveries_per_alert = 50;
  std::size_t max_history_per_alert = 100;
  // Custom and bottleneck alerts (rules name their own).
  std::vector<std::string> default_channels;
  std::vector<EscalationStep> default_escalation;
  bool bottleneck_alerts = true;
  Severity bottleneck_min_severity = Severity::critical;  // below: the bottleneck list only
};

struct AlertFilter {
  std::optional<AlertStatus> status;
  std::optional<Severity> severity;
  std::optional<std::string> source;
  std::optional<std::string> rule_id;
  std::size_t limit = 100, offset = 0;
};

struct AlertPage {
  std::vector<Alert> alerts;  // open before ended, then most severe, then newest
  std::size_t total = 0;
};

struct AlertCounters {
  std::uint64_t evaluations = 0, raised = 0, auto_resolved = 0, escalations = 0;
  std::uint64_t notifications_refused = 0;  // dispatcher queue full
  std::uint64_t dropped = 0;                // raises refused: max_alerts all open
  std::uint64_t store_errors = 0;           // failed saves of engine-driven changes
};

class AlertEngine {
 public:
  // dispatcher may be null (nothing is sent; tests of the lifecycle alone).
  AlertEngine(const Clock& clock, notify::Dispatcher* dispatcher, AlertSettings settings = {});

  void set_persistence(AlertPersistence* p);
  // Called with every alert change ("raised", "acknowledged", "resolved", "dismissed", "escalated")
  // while the engine's lock is held: it must not call back into the engine (publish and return).
  void set_listener(std::function<void(std::string_view event, const Alert&)> f);
  // At start, before anything else: what the store held. Built-in rules are added if missing.
  void restore(std::vector<AlertRule> rules, std::vector<notify::Channel> channels, std::vector<Alert> alerts);
  // Creates or refreshes the built-in rules from the thresholds (their values follow them).
  void sync_builtin_rules(const bottleneck::Thresholds& t);

  // Rules (alerts/rules). create/update validate channel ids ("channels[1]: unknown channel").
  Outcome<AlertRule> create_rule(AlertRule r);
  Outcome<AlertRule> update_rule(const std::string& id, AlertRule r);
  Outcome<AlertRule> delete_rule(const std::string& id);  // built-in rules: conflict
  std::vector<AlertRule> rules() const;
  std::optional<AlertRule> rule(const std::string& id) const;

  // Channels (alerts/channels). An update without a secret/password keeps the stored one.
  Outcome<notify::Channel> create_channel(notify::Channel c);
  Outcome<notify::Channel> update_channel(const std::string& id, notify::Channel c);
  Outcome<notify::Channel> delete_channel(const std::string& id);  // in use by a rule: conflict
  std::vector<notify::Channel> channels() const;
  std::optional<notify::Channel> channel(const std::string& id) const;

  // Alerts. Illegal transitions are `conflict` with a message naming the current status.
  Outcome<Alert> create_custom(const CustomAlertRequest& req);
  Outcome<Alert> acknowledge(const std::string& id, const std::string& user);
  Outcome<Alert> resolve(const std::string& id, const std::string& notes);
  Outcome<Alert> dismiss(const std::string& id, const std::string& reason);
  AlertPage list(const AlertFilter& f) const;
  std::optional<Alert> get(const std::string& id) const;
  // Open (active + acknowledged) alerts by severity, indexed by Severity: hostscope_alerts_active.
  std::array<std::size_t, 4> open_by_severity() const;

  // One evaluation window: rules against the snapshot, then escalations.
  void evaluate(const bottleneck::MetricsSnapshot& m);
  // Escalations only (when no evaluation runs).
  void tick();
  // Bottleneck engine events: opened/reopened raise, resolved resolves, ignored dismisses.
  void on_bottleneck(const bottleneck::BottleneckEvent& e);
  // Dispatcher outcome handler: records the attempt on its alert.
  void record_delivery(const notify::DeliveryAttempt& d);

  AlertCounters counters() const;

 private:
  // Per (rule, subject): whether the condition holds and since when, and the open alert.
  struct RuleState {
    std::optional<std::int64_t> pending_since;
    std::string alert_id;
    std::int64_t last_end_ms = 0;
    bool suppressed = false;  // dismissed while the condition held: quiet until it clears
  };

  void evaluate_rule(const AlertRule& r, const bottleneck::MetricsSnapshot& m, std::int64_t now);
  void clear_state(RuleState& st, std::int64_t now);
  Alert* raise(Alert a, const std::vector<std::string>& channels, std::int64_t now);
  void end_alert(Alert& a, AlertStatus to, const std::string& by, const std::string& note, std::int64_t now);
  void escalate(std::int64_t now);
  void notify(Alert& a, const std::vector<std::string>& channel_ids, std::string_view event, std::int64_t now);
  void add_history(Alert& a, std::string action, AlertStatus to, std::string by, std::string note, std::int64_t now);
  void save(const Alert& a);
  void changed(std::string_view event, const Alert& a);
  bool make_room();
  std::optional<EngineError> check_channels(const AlertRule& r) const;
  Outcome<Alert> transition(const std::string& id, AlertStatus to, const std::string& by, const std::string& text);
  const std::vector<EscalationStep>& escalation_of(const Alert& a) const;
  static std::string state_key(const std::string& rule_id, const std::string& subject);

  const Clock& clock_;
  notify::Dispatcher* dispatcher_;
  AlertSettings settings_;
  AlertPersistence* store_ = nullptr;
  std::function<void(std::string_view, const Alert&)> listener_;

  mutable std::mutex mu_;
  std::map<std::string, AlertRule> rules_;
  std::map<std::string, notify::Channel> channels_;
  std::map<std::string, Alert> alerts_;
  std::map<std::string, RuleState> states_;
  std::uint64_t next_rule_ = 1, next_channel_ = 1, next_alert_ = 1;
  AlertCounters counters_;
};

}  // namespace hs::alerts
