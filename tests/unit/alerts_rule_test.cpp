// Alert rules: the JSON the API accepts, the errors naming the field, and what a
// selector observes in a metrics snapshot.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "alerts/builtin_rules.h"
#include "alerts/metric_source.h"
#include "alerts/rule.h"

namespace hs::alerts {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

Outcome<AlertRule> parse(std::string_view text) { return rule_from_json(boost::json::parse(text)); }

std::string error_of(std::string_view text) {
  auto r = parse(text);
  return r.ok() ? "ok" : r.error().text();
}

TEST(AlertRule, ParsesTheFullShapeAndRoundTrips) {
  auto r = parse(R"({"name":"Checkout slow","enabled":false,
    "selector":{"layer":"http","metric":"latency","process":"nginx","endpoint":"GET /checkout"},
    "condition":{"type":"percentile","percentile":99,"op":">","value":250},
    "for_s":60,"severity":"critical","channels":["ch-1"],"cooldown_s":120,"auto_resolve":false,
    "escalation":[{"after_s":900,"channels":["ch-2"]},{"after_s":1800,"channels":["ch-3"]}],
    "message":"see runbook"})");
  ASSERT_TRUE(r.ok()) << r.error().text();
  EXPECT_EQ(r->name, "Checkout slow");
  EXPECT_FALSE(r->enabled);
  EXPECT_EQ(r->selector.layer, Layer::http);
  EXPECT_EQ(r->selector.endpoint, "GET /checkout");
  EXPECT_EQ(r->condition, (Condition{ConditionType::percentile, Comparison::above, 250, 99}));
  EXPECT_EQ(r->for_s, 60);
  EXPECT_EQ(r->severity, Severity::critical);
  EXPECT_EQ(r->cooldown_s, 120);
  EXPECT_FALSE(r->auto_resolve);
  ASSERT_EQ(r->escalation.size(), 2u);
  EXPECT_EQ(r->escalation[1].after_s, 1800);
  auto back = rule_from_json(to_json(*r));
  ASSERT_TRUE(back.ok()) << back.error().text();
  EXPECT_EQ(*back, *r);
}

TEST(AlertRule, DefaultsForOptionalFields) {
  auto r = parse(R"({"name":"n","selector":{"layer":"system","metric":"cpu_percent"},
                     "condition":{"type":"threshold","op":">","value":90}})");
  ASSERT_TRUE(r.ok()) << r.error().text();
  EXPECT_TRUE(r->enabled);
  EXPECT_EQ(r->for_s, 0);
  EXPECT_EQ(r->severity, Severity::medium);
  EXPECT_EQ(r->cooldown_s, 300);
  EXPECT_TRUE(r->auto_resolve);
  EXPECT_TRUE(r->channels.empty());
}

TEST(AlertRule, ErrorsNameTheField) {
  const std::string sel = R"("selector":{"layer":"http","metric":"latency"})";
  const std::string cond = R"("condition":{"type":"percentile","op":">","value":200})";
  EXPECT_EQ(error_of("{" + sel + "," + cond + "}"), "name: is required");
  EXPECT_EQ(error_of(R"({"name":"n",)" + cond + "}"), "selector: is required");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + "}"), "condition: is required");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + "," + cond + R"(,"bogus":1})"), "bogus: unknown field");
  EXPECT_EQ(error_of(R"({"name":"n","selector":{"layer":"disk","metric":"x"},)" + cond + "}"),
            "selector.layer: must be one of syscall, network, database, http, system, frontend");
  EXPECT_EQ(error_of(R"({"name":"n","selector":{"layer":"http","metric":"latency","remote":"1.2.3.4:5"},)" + cond + "}"),
            "selector.remote: is not a filter of layer http");
  EXPECT_EQ(error_of(R"({"name":"n","selector":{"layer":"http","metric":"p95"},)" + cond + "}"),
            "selector.metric: unknown metric \"p95\" for layer http (known: latency, requests, errors_5xx, error_ratio)");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + R"(,"condition":{"type":"percentile","percentile":90,"op":">","value":1}})"),
            "condition.percentile: must be one of 50,95,99 for this metric");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + R"(,"condition":{"type":"rate","op":">","value":1}})"),
            "condition.type: rate needs a counter metric");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + R"(,"condition":{"type":"threshold","op":">","value":1}})"),
            "condition.type: a latency metric needs a percentile condition");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + R"(,"condition":{"type":"percentile","op":">=","value":1}})"),
            "condition.op: must be one of \">\", \"<\"");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + R"(,"condition":{"type":"percentile","op":">","value":"1"}})"),
            "condition.value: must be a number, not a string");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + "," + cond + R"(,"severity":"urgent"})"),
            "severity: must be one of critical, high, medium, low");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + "," + cond + R"(,"for_s":-1})"),
            "for_s: must be an integer between 0 and 604800");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + "," + cond + R"(,"channels":["a",2]})"),
            "channels[1]: must be a string, not an integer");
  EXPECT_EQ(error_of(R"({"name":"n",)" + sel + "," + cond +
                     R"(,"escalation":[{"after_s":60,"channels":["a"]},{"after_s":30,"channels":["b"]}]})"),
            "escalation[1].after_s: must be later than the previous step's");
  EXPECT_EQ(error_of("[]"), "body: must be an object, not an array");
}

TEST(AlertRule, ObservesPercentilesRatesAndRatiosPerSubject) {
  bottleneck::MetricsSnapshot m;
  m.window_s = 10;
  m.http.push_back({1, "nginx", "server", "GET", "/a", 100, 5, 10 * kMs, 300 * kMs, 500 * kMs});
  m.http.push_back({2, "nginx", "server", "GET", "/a", 100, 15, 10 * kMs, 250 * kMs, 900 * kMs});
  m.http.push_back({3, "node", "server", "GET", "/b", 10, 0, 10 * kMs, 100 * kMs, 100 * kMs});

  AlertRule r;
  r.selector = metric_selector(Layer::http, "latency");
  r.condition = {ConditionType::percentile, Comparison::above, 200, 99};
  auto obs = observe(m, r);
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_DOUBLE_EQ(obs.at("server GET /a").value, 900);  // the worst process
  EXPECT_EQ(obs.at("server GET /a").processes, (std::vector<std::string>{"nginx[1]", "nginx[2]"}));

  r.selector.metric = "requests";
  r.condition = {ConditionType::rate, Comparison::above, 5, 95};
  EXPECT_DOUBLE_EQ(observe(m, r).at("server GET /a").value, 20);  // 200 requests / 10 s

  r.selector.metric = "error_ratio";
  r.condition = {ConditionType::threshold, Comparison::above, 0.05, 95};
  EXPECT_DOUBLE_EQ(observe(m, r).at("server GET /a").value, 0.1);

  r.selector.process = "node";
  obs = observe(m, r);
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_TRUE(obs.contains("server GET /b"));
  r.selector.process = "2";  // by pid
  EXPECT_EQ(observe(m, r).size(), 1u);
  r.selector.process.clear();
  r.selector.endpoint = "/b";
  EXPECT_EQ(observe(m, r).begin()->first, "server GET /b");
}

TEST(AlertRule, ObservesOtherLayers) {
  bottleneck::MetricsSnapshot m;
  m.window_s = 2;
  m.system.present = true;
  m.system.mem_total_bytes = 200;
  m.system.mem_used_bytes = 150;
  bottleneck::NetworkMetric n;
  n.remote = "10.0.0.1:443";
  n.connects = 8;
  n.connect_failures = 2;
  n.retransmits = 30;
  m.network.push_back(n);
  m.syscalls.push_back({5, "pg", "fsync", 4, 1, 400 * kMs, 0, 90 * kMs, 0});

  AlertRule r;
  r.selector = metric_selector(Layer::system, "mem_used_percent");
  EXPECT_DOUBLE_EQ(observe(m, r).at("host").value, 75);
  r.selector = metric_selector(Layer::network, "connect_failure_ratio");
  EXPECT_DOUBLE_EQ(observe(m, r).at("10.0.0.1:443").value, 0.25);
  r.selector = metric_selector(Layer::network, "retransmits");
  r.condition.type = ConditionType::rate;
  EXPECT_DOUBLE_EQ(observe(m, r).at("10.0.0.1:443").value, 15);
  r.selector = metric_selector(Layer::syscall, "time_share");
  r.condition.type = ConditionType::threshold;
  EXPECT_DOUBLE_EQ(observe(m, r).at("pg/fsync").value, 0.2);
  r.selector.syscall = "fdatasync";
  EXPECT_TRUE(observe(m, r).empty());
}

TEST(AlertRule, BuiltinRulesFollowThresholdsAndValidate) {
  bottleneck::Thresholds t;
  t.api_p95_ms = 150;
  const auto rules = builtin_rules(t);
  ASSERT_EQ(rules.size(), 10u);
  for (const auto& r : rules) {
    EXPECT_FALSE(validate_rule(r).has_value()) << r.id;
    EXPECT_TRUE(r.builtin);
  }
  EXPECT_EQ(rules[0].id, "builtin-api-p95");
  EXPECT_EQ(rules[0].condition.value, 150);
  EXPECT_EQ(rules[1].condition.value, 100);
  EXPECT_EQ(rules[2].condition.value, 3000);
}

}  // namespace
}  // namespace hs::alerts
