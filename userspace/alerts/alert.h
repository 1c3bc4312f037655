// One alert: raised by a rule, by a bottleneck, or posted by a user; its lifecycle
// (active -> acknowledged -> resolved | dismissed), its history and its deliveries.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bottleneck/severity.h"
#include "notify/dispatcher.h"

namespace hs::alerts {

enum class AlertStatus { active, acknowledged, resolved, dismissed };
std::string_view alert_status_name(AlertStatus s);
std::optional<AlertStatus> parse_alert_status(std::string_view s);
inline bool is_open(AlertStatus s) { return s == AlertStatus::active || s == AlertStatus::acknowledged; }

struct AlertChange {
  std::int64_t ts_ms = 0;
  std::string action;  // raised | acknowledged | resolved | dismissed | escalated | notified
  AlertStatus from = AlertStatus::active, to = AlertStatus::active;
  std::string by;      // the user, or "engine"
  std::string note;
};

struct Alert {
  std::string id;
  std::string source;   // "rule", "bottleneck", or what a custom alert says ("custom" by default)
  std::string rule_id;  // rule alerts: the rule; bottleneck alerts: the bottleneck id
  std::string subject;  // what it is about; with rule_id the deduplication key
  std::string title, message;
  Severity severity = Severity::medium;
  AlertStatus status = AlertStatus::active;
  std::map<std::string, std::string> labels;
  bool has_value = false;
  double value = 0, threshold = 0;  // rule alerts: the latest value and the limit
  std::int64_t created_ms = 0, updated_ms = 0, last_seen_ms = 0;
  std::uint64_t occurrences = 1;  // evaluations that found the condition while it was open
  std::string acknowledged_by;
  std::int64_t acknowledged_ms = 0;
  std::string resolution_notes;
  std::int64_t resolved_ms = 0;
  bool auto_resolved = false;
  std::string dismiss_reason;
  std::int64_t dismissed_ms = 0;
  int escalation_level = 0;            // escalation steps taken
  std::vector<std::string> channels;   // channel ids notified so far
  std::vector<notify::DeliveryAttempt> deliveries;  // newest last, bounded
  std::vector<AlertChange> history;
};

}  // namespace hs::alerts
