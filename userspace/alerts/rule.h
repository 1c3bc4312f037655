// Alert rules: which metric (layer, metric, filters), what condition, for how long,
// how severe, where to send. JSON shape (POST/PUT alerts/rules; docs/alerts.md):
//
//   {"name": "Checkout slow", "enabled": true,
//    "selector": {"layer": "http", "metric": "latency", "process": "nginx", "endpoint": "GET /checkout"},
//    "condition": {"type": "percentile", "percentile": 95, "op": ">", "value": 250},
//    "for_s": 60, "severity": "high", "channels": ["ch-1"], "cooldown_s": 300,
//    "auto_resolve": true, "escalation": [{"after_s": 900, "channels": ["ch-2"]}], "message": "..."}
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "bottleneck/bottleneck.h"
#include "bottleneck/engine_error.h"
#include "bottleneck/severity.h"

namespace hs::alerts {

using bottleneck::Layer;

// gauge: a level (threshold); counter: events in the window (threshold or rate);
// latency: a distribution (percentile only).
enum class MetricKind { gauge, counter, latency };

struct MetricInfo {
  Layer layer;
  std::string_view name;
  MetricKind kind;
  std::string_view unit;           // of threshold values: ms, ratio, percent, count
  std::string_view percentiles;    // latency: which are available, e.g. "50,95,99"
};
std::span<const MetricInfo> metric_catalog();
const MetricInfo* find_metric(Layer layer, std::string_view name);

struct MetricSelector {
  Layer layer = Layer::http;
  std::string metric;
  // Filters (empty = any). process: comm or pid; endpoint: "METHOD route", a route, or a page;
  // query: fingerprint id or text; remote: "ip:port"; syscall: name.
  std::string process, endpoint, query, remote, syscall;
  bool operator==(const MetricSelector&) const = default;
};

// A selector without filters.
inline MetricSelector metric_selector(Layer layer, std::string metric) {
  MetricSelector s;
  s.layer = layer;
  s.metric = std::move(metric);
  return s;
}

enum class ConditionType { threshold, rate, percentile };
enum class Comparison { above, below };

struct Condition {
  ConditionType type = ConditionType::threshold;
  Comparison op = Comparison::above;
  double value = 0;
  int percentile = 95;  // percentile conditions
  bool operator==(const Condition&) const = default;
};

struct EscalationStep {
  std::int64_t after_s = 0;  // since the alert was raised, while nobody acknowledged it
  std::vector<std::string> channels;
  bool operator==(const EscalationStep&) const = default;
};

struct AlertRule {
  std::string id;
  std::string name;
  bool enabled = true;
  bool builtin = false;  // derived from the bottleneck thresholds; can be changed, not deleted
  MetricSelector selector;
  Condition condition;
  std::int64_t for_s = 0;       // the condition must hold this long before an alert is raised
  Severity severity = Severity::medium;
  std::vector<std::string> channels;  // channel ids
  std::int64_t cooldown_s = 300;      // after an alert of this rule and subject ends, none for this long
  bool auto_resolve = true;           // resolve when the condition clears
  std::vector<EscalationStep> escalation;
  std::string message;
  std::int64_t created_ms = 0, updated_ms = 0;
  bool operator==(const AlertRule&) const = default;
};

std::string_view condition_type_name(ConditionType t);
std::string_view comparison_symbol(Comparison c);  // ">" | "<"
bool condition_holds(const Condition& c, double value);

// Validates a rule body. Not read from it: id, builtin, created/updated times (the engine
// owns those). Channel ids are checked by the engine, which knows the channels.
Outcome<AlertRule> rule_from_json(const boost::json::value& v);
boost::json::object to_json(const AlertRule& r);
// Checks what JSON parsing alone cannot: metric/filter/condition consistency.
std::optional<EngineError> validate_rule(const AlertRule& r);

}  // namespace hs::alerts
