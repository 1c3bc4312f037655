#include "bottleneck/bottleneck_json.h"

#include <boost/json.hpp>

#include "bottleneck/strict_json.h"

namespace hs::bottleneck {
namespace json = boost::json;

namespace {
constexpr std::size_t kText = 65536;
constexpr std::size_t kItems = 1000;
constexpr std::int64_t kMaxMs = 1LL << 52;

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// Reads an enum given by name; `parse` returns std::optional<E>.
template <typename E, typename Parse>
void read_enum(strict_json::ObjectReader& r, std::string_view key, E& out, Parse parse, bool required) {
  std::string name;
  if (!r.text(key, name, 64, required) || name.empty()) return;
  if (auto e = parse(name)) {
    out = *e;
  } else {
    r.fail(r.field(key), "unknown value \"" + name + "\"");
  }
}

bool read_evidence(const json::value& v, std::string path, Evidence& e, std::optional<EngineError>& err) {
  strict_json::ObjectReader r(v, std::move(path));
  r.text("metric", e.metric, 256, true);
  r.number("value", e.value, -1e300, 1e300, true);
  r.number("threshold", e.threshold, -1e300, 1e300);
  r.text("unit", e.unit, 64);
  err = r.finish();
  return !err;
}
}  // namespace

json::object to_json(const Bottleneck& b) {
  json::object o;
  o["id"] = b.id;
  o["layer"] = layer_name(b.layer);
  o["kind"] = b.kind;
  o["subject"] = b.subject;
  o["title"] = b.title;
  o["score"] = b.score;
  o["severity"] = severity_name(b.severity);
  json::array evidence;
  for (const auto& e : b.evidence) {
    evidence.push_back(json::object{{"metric", e.metric}, {"value", e.value}, {"threshold", e.threshold}, {"unit", e.unit}});
  }
  o["evidence"] = std::move(evidence);
  o["processes"] = strings(b.processes);
  o["endpoints"] = strings(b.endpoints);
  o["queries"] = strings(b.queries);
  o["remotes"] = strings(b.remotes);
  o["first_seen_ms"] = b.first_seen_ms;
  o["last_seen_ms"] = b.last_seen_ms;
  o["resolved_ms"] = b.resolved_ms;
  o["occurrences"] = b.occurrences;
  o["trend"] = trend_name(b.trend);
  json::array recent;
  for (const double v : b.recent) recent.emplace_back(v);
  o["recent"] = std::move(recent);
  o["status"] = status_name(b.status);
  o["notes"] = b.notes;
  json::array history;
  for (const auto& h : b.history) {
    history.push_back(json::object{{"ts_ms", h.ts_ms},
                                   {"from", status_name(h.from)},
                                   {"to", status_name(h.to)},
                                   {"by", h.by},
                                   {"note", h.note}});
  }
  o["history"] = std::move(history);
  return o;
}

json::object to_json(const BottleneckEvent& e) {
  return json::object{{"type", event_kind_name(e.kind)}, {"bottleneck", to_json(e.bottleneck)}};
}

Outcome<Bottleneck> bottleneck_from_json(const json::value& v) {
  Bottleneck b;
  strict_json::ObjectReader r(v, "");
  r.text("id", b.id, 64, true);
  read_enum(r, "layer", b.layer, parse_layer, true);
  r.text("kind", b.kind, 128, true);
  r.text("subject", b.subject, kText);
  r.text("title", b.title, kText);
  std::int64_t score = 0;
  r.integer("score", score, 0, 100);
  b.score = static_cast<int>(score);
  read_enum(r, "severity", b.severity, parse_severity, false);
  r.text_list("processes", b.processes, kItems, kText);
  r.text_list("endpoints", b.endpoints, kItems, kText);
  r.text_list("queries", b.queries, kItems, kText);
  r.text_list("remotes", b.remotes, kItems, kText);
  r.integer("first_seen_ms", b.first_seen_ms, 0, kMaxMs);
  r.integer("last_seen_ms", b.last_seen_ms, 0, kMaxMs);
  r.integer("resolved_ms", b.resolved_ms, 0, kMaxMs);
  std::int64_t occurrences = 0;
  r.integer("occurrences", occurrences, 0, kMaxMs);
  b.occurrences = static_cast<std::uint64_t>(occurrences);
  read_enum(r, "trend", b.trend, parse_trend, false);
  read_enum(r, "status", b.status, parse_status, true);
  r.text("notes", b.notes, kText);
  std::optional<EngineError> err;
  if (const json::value* ev = r.child("evidence"); ev != nullptr && ev->is_array()) {
    for (std::size_t i = 0; i < ev->get_array().size() && !err; ++i) {
      Evidence e;
      if (read_evidence(ev->get_array()[i], "evidence[" + std::to_string(i) + "]", e, err)) b.evidence.push_back(e);
    }
  }
  if (const json::value* rc = r.child("recent"); rc != nullptr && rc->is_array()) {
    for (const auto& x : rc->get_array()) {
      if (x.is_number()) b.recent.push_back(x.to_number<double>());
    }
  }
  if (const json::value* hs = r.child("history"); hs != nullptr && hs->is_array()) {
    for (std::size_t i = 0; i < hs->get_array().size() && !err; ++i) {
      strict_json::ObjectReader h(hs->get_array()[i], "history[" + std::to_string(i) + "]");
      StatusChange c;
      h.integer("ts_ms", c.ts_ms, 0, kMaxMs);
      read_enum(h, "from", c.from, parse_status, true);
      read_enum(h, "to", c.to, parse_status, true);
      h.text("by", c.by, 256);
      h.text("note", c.note, kText);
      err = h.finish();
      if (!err) b.history.push_back(std::move(c));
    }
  }
  if (err) return *err;
  if (auto e = r.finish()) return *e;
  return b;
}

}  // namespace hs::bottleneck
