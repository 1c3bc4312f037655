#include "alerts/rule.h"

#include <boost/json.hpp>

#include "bottleneck/strict_json.h"

namespace hs::alerts {
namespace json = boost::json;

namespace {
using K = MetricKind;
using L = Layer;
constexpr std::int64_t kWeek = 7 * 86400;

constexpr MetricInfo kCatalog[] = {
    {L::syscall, "latency", K::latency, "ms", "50,95,99"},
    {L::syscall, "calls", K::counter, "count", ""},
    {L::syscall, "errors", K::counter, "count", ""},
    {L::syscall, "time_share", K::gauge, "ratio", ""},
    {L::network, "connects", K::counter, "count", ""},
    {L::network, "connect_failures", K::counter, "count", ""},
    {L::network, "connect_failure_ratio", K::gauge, "ratio", ""},
    {L::network, "retransmits", K::counter, "count", ""},
    {L::network, "resets", K::counter, "count", ""},
    {L::network, "srtt", K::latency, "ms", "50,99"},
    {L::network, "rtt", K::latency, "ms", "50,95,99"},
    {L::database, "latency", K::latency, "ms", "50,95,99"},
    {L::database, "queries", K::counter, "count", ""},
    {L::database, "errors", K::counter, "count", ""},
    {L::database, "error_ratio", K::gauge, "ratio", ""},
    {L::http, "latency", K::latency, "ms", "50,95,99"},
    {L::http, "requests", K::counter, "count", ""},
    {L::http, "errors_5xx", K::counter, "count", ""},
    {L::http, "error_ratio", K::gauge, "ratio", ""},
    {L::system, "cpu_percent", K::gauge, "percent", ""},
    {L::system, "steal_percent", K::gauge, "percent", ""},
    {L::system, "iowait_percent", K::gauge, "percent", ""},
    {L::system, "mem_used_percent", K::gauge, "percent", ""},
    {L::system, "psi_cpu_some", K::gauge, "percent", ""},
    {L::system, "psi_mem_some", K::gauge, "percent", ""},
    {L::system, "psi_io_some", K::gauge, "percent", ""},
    {L::system, "load1", K::gauge, "count", ""},
    {L::frontend, "page_views", K::counter, "count", ""},
    {L::frontend, "load_p75_ms", K::gauge, "ms", ""},
    {L::frontend, "lcp_p75_ms", K::gauge, "ms", ""},
    {L::frontend, "fcp_p75_ms", K::gauge, "ms", ""},
    {L::frontend, "ttfb_p75_ms", K::gauge, "ms", ""},
    {L::frontend, "inp_p75_ms", K::gauge, "ms", ""},
    {L::frontend, "cls_p75", K::gauge, "ratio", ""},
};

// Which filters a layer's entries can be matched on.
bool filter_applies(Layer layer, std::string_view filter) {
  if (filter == "process") return layer != L::system && layer != L::frontend;
  if (filter == "endpoint") return layer == L::http || layer == L::frontend;
  if (filter == "query") return layer == L::database;
  if (filter == "remote") return layer == L::network;
  if (filter == "syscall") return layer == L::syscall;
  return false;
}

bool has_percentile(const MetricInfo& m, int p) {
  const std::string want = std::to_string(p);
  std::string_view list = m.percentiles;
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (list.substr(0, comma) == want) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

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

std::optional<ConditionType> parse_condition_type(std::string_view s) {
  if (s == "threshold") return ConditionType::threshold;
  if (s == "rate") return ConditionType::rate;
  if (s == "percentile") return ConditionType::percentile;
  return std::nullopt;
}

std::optional<Comparison> parse_comparison(std::string_view s) {
  if (s == ">") return Comparison::above;
  if (s == "<") return Comparison::below;
  return std::nullopt;
}

void read_selector(strict_json::ObjectReader& parent, MetricSelector& s) {
  const json::value* v = parent.child("selector");
  if (!parent.ok()) return;
  if (v == nullptr) return parent.fail("selector", "is required");
  strict_json::ObjectReader r(*v, "selector");
  read_enum(r, "layer", s.layer, bottleneck::parse_layer, "syscall, network, database, http, system, frontend", true);
  r.text("metric", s.metric, 64, true);
  r.text("process", s.process, 256);
  r.text("endpoint", s.endpoint, 1024);
  r.text("query", s.query, 4096);
  r.text("remote", s.remote, 128);
  r.text("syscall", s.syscall, 64);
  if (auto e = r.finish()) parent.fail(e->field, e->message);
}

void read_condition(strict_json::ObjectReader& parent, Condition& c) {
  const json::value* v = parent.child("condition");
  if (!parent.ok()) return;
  if (v == nullptr) return parent.fail("condition", "is required");
  strict_json::ObjectReader r(*v, "condition");
  read_enum(r, "type", c.type, parse_condition_type, "threshold, rate, percentile", true);
  read_enum(r, "op", c.op, parse_comparison, "\">\", \"<\"", true);
  r.number("value", c.value, -1e15, 1e15, true);
  std::int64_t p = c.percentile;
  r.integer("percentile", p, 1, 99);
  c.percentile = static_cast<int>(p);
  if (auto e = r.finish()) parent.fail(e->field, e->message);
}

void read_escalation(strict_json::ObjectReader& parent, std::vector<EscalationStep>& out) {
  const json::value* v = parent.child("escalation");
  if (!parent.ok() || v == nullptr) return;
  if (!v->is_array()) return parent.fail("escalation", "must be an array, not " + strict_json::kind_name(*v));
  if (v->get_array().size() > 5) return parent.fail("escalation", "must have at most 5 steps");
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    const std::string path = "escalation[" + std::to_string(i) + "]";
    strict_json::ObjectReader r(v->get_array()[i], path);
    EscalationStep step;
    r.integer("after_s", step.after_s, 1, kWeek, true);
    r.text_list("channels", step.channels, 20, 64);
    if (r.ok() && step.channels.empty()) r.fail(path + ".channels", "must list at least one channel");
    if (r.ok() && !out.empty() && step.after_s <= out.back().after_s) {
      r.fail(path + ".after_s", "must be later than the previous step's");
    }
    if (auto e = r.finish()) return parent.fail(e->field, e->message);
    out.push_back(std::move(step));
  }
}

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}
}  // namespace

std::span<const MetricInfo> metric_catalog() { return kCatalog; }

const MetricInfo* find_metric(Layer layer, std::string_view name) {
  for (const auto& m : kCatalog) {
    if (m.layer == layer && m.name == name) return &m;
  }
  return nullptr;
}

std::string_view condition_type_name(ConditionType t) {
  switch (t) {
    case ConditionType::threshold: return "threshold";
    case ConditionType::rate: return "rate";
    case ConditionType::percentile: return "percentile";
  }
  return "threshold";
}

std::string_view comparison_symbol(Comparison c) { return c == Comparison::above ? ">" : "<"; }

bool condition_holds(const Condition& c, double value) {
  return c.op == Comparison::above ? value > c.value : value < c.value;
}

std::optional<EngineError> validate_rule(const AlertRule& r) {
  const MetricInfo* m = find_metric(r.selector.layer, r.selector.metric);
  if (m == nullptr) {
    std::string names;
    for (const auto& info : kCatalog) {
      if (info.layer == r.selector.layer) names += (names.empty() ? "" : ", ") + std::string(info.name);
    }
    return EngineError::invalid("selector.metric", "unknown metric \"" + r.selector.metric + "\" for layer " +
                                                       std::string(bottleneck::layer_name(r.selector.layer)) +
                                                       " (known: " + names + ")");
  }
  const std::pair<std::string_view, const std::string*> filters[] = {
      {"process", &r.selector.process}, {"endpoint", &r.selector.endpoint}, {"query", &r.selector.query},
      {"remote", &r.selector.remote},   {"syscall", &r.selector.syscall}};
  for (const auto& [name, value] : filters) {
    if (!value->empty() && !filter_applies(r.selector.layer, name)) {
      return EngineError::invalid("selector." + std::string(name),
                                  "is not a filter of layer " + std::string(bottleneck::layer_name(r.selector.layer)));
    }
  }
  switch (r.condition.type) {
    case ConditionType::percentile:
      if (m->kind != MetricKind::latency) {
        return EngineError::invalid("condition.type", "percentile needs a latency metric");
      }
      if (!has_percentile(*m, r.condition.percentile)) {
        return EngineError::invalid("condition.percentile",
                                    "must be one of " + std::string(m->percentiles) + " for this metric");
      }
      break;
    case ConditionType::rate:
      if (m->kind != MetricKind::counter) return EngineError::invalid("condition.type", "rate needs a counter metric");
      break;
    case ConditionType::threshold:
      if (m->kind == MetricKind::latency) {
        return EngineError::invalid("condition.type", "a latency metric needs a percentile condition");
      }
      break;
  }
  return std::nullopt;
}

Outcome<AlertRule> rule_from_json(const json::value& v) {
  AlertRule rule;
  strict_json::ObjectReader r(v, "");
  for (const char* owned : {"id", "builtin", "created_ms", "updated_ms"}) r.allow(owned);
  r.text("name", rule.name, 256, true);
  if (r.ok() && rule.name.empty()) r.fail("name", "must not be empty");
  r.boolean("enabled", rule.enabled);
  read_selector(r, rule.selector);
  read_condition(r, rule.condition);
  r.integer("for_s", rule.for_s, 0, kWeek);
  read_enum(r, "severity", rule.severity, parse_severity, "critical, high, medium, low", false);
  r.text_list("channels", rule.channels, 20, 64);
  r.integer("cooldown_s", rule.cooldown_s, 0, kWeek);
  r.boolean("auto_resolve", rule.auto_resolve);
  read_escalation(r, rule.escalation);
  r.text("message", rule.message, 4096);
  if (auto e = r.finish()) return *e;
  if (auto e = validate_rule(rule)) return *e;
  return rule;
}

json::object to_json(const AlertRule& r) {
  json::object o;
  o["id"] = r.id;
  o["name"] = r.name;
  o["enabled"] = r.enabled;
  o["builtin"] = r.builtin;
  json::object sel{{"layer", bottleneck::layer_name(r.selector.layer)}, {"metric", r.selector.metric}};
  if (!r.selector.process.empty()) sel["process"] = r.selector.process;
  if (!r.selector.endpoint.empty()) sel["endpoint"] = r.selector.endpoint;
  if (!r.selector.query.empty()) sel["query"] = r.selector.query;
  if (!r.selector.remote.empty()) sel["remote"] = r.selector.remote;
  if (!r.selector.syscall.empty()) sel["syscall"] = r.selector.syscall;
  o["selector"] = std::move(sel);
  json::object cond{{"type", condition_type_name(r.condition.type)},
                    {"op", comparison_symbol(r.condition.op)},
                    {"value", r.condition.value}};
  if (r.condition.type == ConditionType::percentile) cond["percentile"] = r.condition.percentile;
  o["condition"] = std::move(cond);
  o["for_s"] = r.for_s;
  o["severity"] = severity_name(r.severity);
  o["channels"] = strings(r.channels);
  o["cooldown_s"] = r.cooldown_s;
  o["auto_resolve"] = r.auto_resolve;
  json::array esc;
  for (const auto& s : r.escalation) esc.push_back(json::object{{"after_s", s.after_s}, {"channels", strings(s.channels)}});
  o["escalation"] = std::move(esc);
  o["message"] = r.message;
  o["created_ms"] = r.created_ms;
  o["updated_ms"] = r.updated_ms;
  return o;
}

}  // namespace hs::alerts
