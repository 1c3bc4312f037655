#include "alerts/alert_json.h"

#include <boost/json.hpp>

#include "bottleneck/strict_json.h"

namespace hs::alerts {
namespace json = boost::json;

namespace {
constexpr std::size_t kText = 65536;
constexpr std::int64_t kMaxMs = 1LL << 52;

constexpr std::string_view kStatuses[] = {"active", "acknowledged", "resolved", "dismissed"};

template <typename E, typename Parse>
void read_enum(strict_json::ObjectReader& r, std::string_view key, E& out, Parse parse, std::string_view choices,
               bool required) {
  std::string name;
  if (!r.text(key, name, 64, required) || (!required && name.empty())) return;
  if (auto e = parse(name)) {
    out = *e;
  } else {
    r.fail(r.field(key), "must be one of " + std::string(choices));
  }
}

Outcome<notify::DeliveryAttempt> delivery_from_json(const json::value& v, std::string path) {
  notify::DeliveryAttempt d;
  strict_json::ObjectReader r(v, std::move(path));
  r.text("alert_id", d.alert_id, 64);
  r.text("channel_id", d.channel_id, 64);
  r.text("channel_name", d.channel_name, 256);
  r.text("channel_type", d.channel_type, 32);
  r.text("event", d.event, 32);
  std::int64_t attempt = 0, code = 0;
  r.integer("attempt", attempt, 0, 1000);
  d.attempt = static_cast<int>(attempt);
  r.integer("ts_ms", d.ts_ms, 0, kMaxMs);
  r.boolean("ok", d.ok);
  r.integer("code", code, 0, 100000);
  d.code = static_cast<long>(code);
  r.text("detail", d.detail, kText);
  r.boolean("will_retry", d.will_retry);
  r.integer("next_attempt_ms", d.next_attempt_ms, 0, kMaxMs);
  if (auto e = r.finish()) return *e;
  return d;
}
}  // namespace

std::string_view alert_status_name(AlertStatus s) { return kStatuses[static_cast<int>(s)]; }

std::optional<AlertStatus> parse_alert_status(std::string_view s) {
  for (std::size_t i = 0; i < std::size(kStatuses); ++i) {
    if (kStatuses[i] == s) return static_cast<AlertStatus>(i);
  }
  return std::nullopt;
}

json::object to_json(const notify::DeliveryAttempt& d) {
  return json::object{{"alert_id", d.alert_id},     {"channel_id", d.channel_id}, {"channel_name", d.channel_name},
                      {"channel_type", d.channel_type}, {"event", d.event},       {"attempt", d.attempt},
                      {"ts_ms", d.ts_ms},           {"ok", d.ok},                 {"code", d.code},
                      {"detail", d.detail},         {"will_retry", d.will_retry}, {"next_attempt_ms", d.next_attempt_ms}};
}

json::object to_json(const Alert& a) {
  json::object o;
  o["id"] = a.id;
  o["source"] = a.source;
  o["rule_id"] = a.rule_id;
  o["subject"] = a.subject;
  o["title"] = a.title;
  o["message"] = a.message;
  o["severity"] = severity_name(a.severity);
  o["status"] = alert_status_name(a.status);
  json::object labels;
  for (const auto& [k, v] : a.labels) labels[k] = v;
  o["labels"] = std::move(labels);
  if (a.has_value) {
    o["value"] = a.value;
    o["threshold"] = a.threshold;
  }
  o["created_ms"] = a.created_ms;
  o["updated_ms"] = a.updated_ms;
  o["last_seen_ms"] = a.last_seen_ms;
  o["occurrences"] = a.occurrences;
  o["acknowledged_by"] = a.acknowledged_by;
  o["acknowledged_ms"] = a.acknowledged_ms;
  o["resolution_notes"] = a.resolution_notes;
  o["resolved_ms"] = a.resolved_ms;
  o["auto_resolved"] = a.auto_resolved;
  o["dismiss_reason"] = a.dismiss_reason;
  o["dismissed_ms"] = a.dismissed_ms;
  o["escalation_level"] = a.escalation_level;
  json::array channels;
  for (const auto& c : a.channels) channels.emplace_back(c);
  o["channels"] = std::move(channels);
  json::array deliveries;
  for (const auto& d : a.deliveries) deliveries.push_back(to_json(d));
  o["deliveries"] = std::move(deliveries);
  json::array history;
  for (const auto& h : a.history) {
    history.push_back(json::object{{"ts_ms", h.ts_ms},
                                   {"action", h.action},
                                   {"from", alert_status_name(h.from)},
                                   {"to", alert_status_name(h.to)},
                                   {"by", h.by},
                                   {"note", h.note}});
  }
  o["history"] = std::move(history);
  return o;
}

Outcome<Alert> alert_from_json(const json::value& v) {
  Alert a;
  strict_json::ObjectReader r(v, "");
  r.text("id", a.id, 64, true);
  r.text("source", a.source, 64);
  r.text("rule_id", a.rule_id, 64);
  r.text("subject", a.subject, kText);
  r.text("title", a.title, kText);
  r.text("message", a.message, kText);
  read_enum(r, "severity", a.severity, parse_severity, "critical, high, medium, low", true);
  read_enum(r, "status", a.status, parse_alert_status, "active, acknowledged, resolved, dismissed", true);
  r.text_map("labels", a.labels, 64, kText);
  a.has_value = r.child("value") != nullptr;
  r.number("value", a.value, -1e300, 1e300);
  r.number("threshold", a.threshold, -1e300, 1e300);
  r.integer("created_ms", a.created_ms, 0, kMaxMs);
  r.integer("updated_ms", a.updated_ms, 0, kMaxMs);
  r.integer("last_seen_ms", a.last_seen_ms, 0, kMaxMs);
  std::int64_t occurrences = 1, level = 0;
  r.integer("occurrences", occurrences, 0, kMaxMs);
  a.occurrences = static_cast<std::uint64_t>(occurrences);
  r.text("acknowledged_by", a.acknowledged_by, 256);
  r.integer("acknowledged_ms", a.acknowledged_ms, 0, kMaxMs);
  r.text("resolution_notes", a.resolution_notes, kText);
  r.integer("resolved_ms", a.resolved_ms, 0, kMaxMs);
  r.boolean("auto_resolved", a.auto_resolved);
  r.text("dismiss_reason", a.dismiss_reason, kText);
  r.integer("dismissed_ms", a.dismissed_ms, 0, kMaxMs);
  r.integer("escalation_level", level, 0, 100);
  a.escalation_level = static_cast<int>(level);
  r.text_list("channels", a.channels, 100, 64);
  if (const json::value* ds = r.child("deliveries"); ds != nullptr && ds->is_array()) {
    for (std::size_t i = 0; i < ds->get_array().size(); ++i) {
      auto d = delivery_from_json(ds->get_array()[i], "deliveries[" + std::to_string(i) + "]");
      if (!d.ok()) return d.error();
      a.deliveries.push_back(std::move(*d));
    }
  }
  if (const json::value* hs = r.child("history"); hs != nullptr && hs->is_array()) {
    for (std::size_t i = 0; i < hs->get_array().size(); ++i) {
      strict_json::ObjectReader h(hs->get_array()[i], "history[" + std::to_string(i) + "]");
      AlertChange c;
      h.integer("ts_ms", c.ts_ms, 0, kMaxMs);
      h.text("action", c.action, 64);
      read_enum(h, "from", c.from, parse_alert_status, "a status", true);
      read_enum(h, "to", c.to, parse_alert_status, "a status", true);
      h.text("by", c.by, 256);
      h.text("note", c.note, kText);
      if (auto e = h.finish()) return *e;
      a.history.push_back(std::move(c));
    }
  }
  if (auto e = r.finish()) return *e;
  return a;
}

Outcome<CustomAlertRequest> custom_alert_from_json(const json::value& v) {
  CustomAlertRequest req;
  strict_json::ObjectReader r(v, "");
  r.text("title", req.title, 512, true);
  r.text("message", req.message, 8192, true);
  read_enum(r, "severity", req.severity, parse_severity, "critical, high, medium, low", true);
  r.text("source", req.source, 64);
  r.text_map("labels", req.labels, 32, 256);
  if (r.ok() && req.title.empty()) r.fail("title", "must not be empty");
  if (r.ok() && req.source.empty()) r.fail("source", "must not be empty");
  if (r.ok() && (req.source == "rule" || req.source == "bottleneck")) {
    r.fail("source", "\"" + req.source + "\" is reserved for alerts the engine raises");
  }
  if (auto e = r.finish()) return *e;
  return req;
}

Outcome<std::string> lifecycle_text_from_json(const json::value& v, std::string_view key, bool required) {
  std::string text;
  strict_json::ObjectReader r(v, "");
  r.text(key, text, 4096, required);
  if (r.ok() && required && text.empty()) r.fail(std::string(key), "must not be empty");
  if (auto e = r.finish()) return *e;
  return text;
}

}  // namespace hs::alerts
