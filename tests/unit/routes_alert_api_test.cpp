// Alert endpoints through the real Api (auth + router) over real engines: custom
// alerts and their lifecycle, rules and channels CRUD, filters and pagination, the
// SPEC §5 list shape, 400s naming the field, 404s, 409s, viewer scope, 503 without
// alerting, and hostscope_alerts_active in /metrics.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "alerts/alert_engine.h"
#include "bottleneck/bottleneck_engine.h"
#include "promtool.h"
#include "route_fakes.h"

namespace hs::web {
namespace {

namespace json = boost::json;
const std::string kAlerts = "/api/performance/alerts";
const std::string kRules = "/api/performance/alerts/rules";
const std::string kChannels = "/api/performance/alerts/channels";

class AlertRoutesTest : public ::testing::Test, protected test::ApiHarness {
 protected:
  AlertRoutesTest() {
    ctx.alerts = &alerts;
    ctx.bottlenecks = &bottlenecks;
    alerts.sync_builtin_rules(bottlenecks.thresholds());
  }

  json::object send(const std::string& method, const std::string& path, const std::string& body, int status) {
    auto r = call(method, path, {}, body);
    EXPECT_EQ(r.status, status) << method << " " << path << " " << body << " -> " << r.body;
    return r.body.empty() ? json::object{} : json::parse(r.body).as_object();
  }
  // A 400 whose error names `field` (the message starts with it, and "field" carries it).
  void expect_invalid(const std::string& method, const std::string& path, const std::string& body,
                      const std::string& field) {
    auto e = send(method, path, body, 400)["error"].as_object();
    EXPECT_EQ(e["code"].as_string(), "invalid_field");
    EXPECT_EQ(e["field"].as_string(), field) << body;
    EXPECT_EQ(std::string(e["message"].as_string()).rfind(field + ": ", 0), 0u) << e["message"];
  }
  std::string error_message(const json::object& o) {
    return std::string(o.at("error").at("message").as_string());
  }
  std::string post_alert(const std::string& title, const std::string& severity) {
    auto a = send("POST", kAlerts, R"({"title":")" + title + R"(","message":"m","severity":")" + severity + R"("})",
                  201);
    return std::string(a["id"].as_string());
  }

  bottleneck::BottleneckEngine bottlenecks{clock};
  alerts::AlertEngine alerts{clock, nullptr};
};

TEST_F(AlertRoutesTest, CustomAlertIsCreatedAndListed) {
  auto a = send("POST", kAlerts,
                R"({"title":"Disk full","message":"/var at 99 %","severity":"high","labels":{"host":"db1"}})", 201);
  EXPECT_EQ(a["id"].as_string(), "al-1");
  EXPECT_EQ(a["title"].as_string(), "Disk full");
  EXPECT_EQ(a["message"].as_string(), "/var at 99 %");
  EXPECT_EQ(a["severity"].as_string(), "high");
  EXPECT_EQ(a["status"].as_string(), "active");
  EXPECT_EQ(a["source"].as_string(), "custom");
  EXPECT_EQ(a["labels"].at("host").as_string(), "db1");
  EXPECT_EQ(a["created_ms"].as_int64(), clock.now_ms());

  auto list = get_ok(kAlerts);
  EXPECT_EQ(list.size(), 2u);  // exactly {"alerts", "total"}
  EXPECT_EQ(list["total"].as_int64(), 1);
  ASSERT_EQ(list["alerts"].as_array().size(), 1u);
  EXPECT_EQ(list["alerts"].as_array()[0].at("id").as_string(), "al-1");
  EXPECT_EQ(get_ok(kAlerts + "/al-1")["title"].as_string(), "Disk full");
}

TEST_F(AlertRoutesTest, FiltersAndPagination) {
  post_alert("a", "high");
  post_alert("b", "low");
  post_alert("c", "high");
  auto acked = send("PUT", kAlerts + "/al-3/acknowledge", R"({"user":"ops"})", 200);
  EXPECT_EQ(acked["status"].as_string(), "acknowledged");

  EXPECT_EQ(get_ok(kAlerts, {{"severity", "high"}})["total"].as_int64(), 2);
  EXPECT_EQ(get_ok(kAlerts, {{"severity", "low"}})["total"].as_int64(), 1);
  EXPECT_EQ(get_ok(kAlerts, {{"status", "active"}})["total"].as_int64(), 2);
  EXPECT_EQ(get_ok(kAlerts, {{"status", "acknowledged"}})["total"].as_int64(), 1);
  EXPECT_EQ(get_ok(kAlerts, {{"status", "resolved"}})["total"].as_int64(), 0);
  EXPECT_EQ(get_ok(kAlerts, {{"source", "custom"}})["total"].as_int64(), 3);

  auto page = get_ok(kAlerts, {{"limit", "2"}, {"offset", "1"}});
  EXPECT_EQ(page["total"].as_int64(), 3);
  EXPECT_EQ(page["alerts"].as_array().size(), 2u);
  auto last = get_ok(kAlerts, {{"limit", "2"}, {"offset", "2"}});
  EXPECT_EQ(last["alerts"].as_array().size(), 1u);

  expect_bad_param(kAlerts, {{"status", "open"}}, "status");
  expect_bad_param(kAlerts, {{"severity", "urgent"}}, "severity");
  expect_bad_param(kAlerts, {{"limit", "0"}}, "limit");
  expect_bad_param(kAlerts, {{"limit", "1001"}}, "limit");
  expect_bad_param(kAlerts, {{"offset", "-1"}}, "offset");
  expect_bad_param(kAlerts, {{"layer", "http"}}, "layer");
}

TEST_F(AlertRoutesTest, CustomAlertBodiesAreValidated) {
  expect_invalid("POST", kAlerts, R"({"message":"m","severity":"high"})", "title");
  expect_invalid("POST", kAlerts, R"({"title":"t","message":"m","severity":"urgent"})", "severity");
  expect_invalid("POST", kAlerts, R"({"title":"t","message":"m","severity":"high","color":"red"})", "color");
  expect_invalid("POST", kAlerts, R"({"title":7,"message":"m","severity":"high"})", "title");
  expect_invalid("POST", kAlerts, R"({"title":"t","message":"m","severity":"high","source":"rule"})", "source");
  expect_invalid("POST", kAlerts, R"({"title":"t",)", "body");
  expect_invalid("POST", kAlerts, R"([1,2])", "body");
  expect_invalid("POST", kAlerts, "", "body");
  EXPECT_EQ(get_ok(kAlerts)["total"].as_int64(), 0);
}

TEST_F(AlertRoutesTest, AcknowledgeThenResolve) {
  post_alert("slow", "critical");
  expect_invalid("PUT", kAlerts + "/al-1/acknowledge", "{}", "user");
  expect_invalid("PUT", kAlerts + "/al-1/acknowledge", R"({"user":""})", "user");
  expect_invalid("PUT", kAlerts + "/al-1/acknowledge", R"({"user":"ana","note":"x"})", "note");
  clock.advance_ms(5000);
  auto a = send("PUT", kAlerts + "/al-1/acknowledge", R"({"user":"ana"})", 200);
  EXPECT_EQ(a["status"].as_string(), "acknowledged");
  EXPECT_EQ(a["acknowledged_by"].as_string(), "ana");
  EXPECT_EQ(a["acknowledged_ms"].as_int64(), clock.now_ms());

  auto twice = send("PUT", kAlerts + "/al-1/acknowledge", R"({"user":"bob"})", 409);
  EXPECT_EQ(twice["error"].at("code").as_string(), "conflict");
  EXPECT_EQ(error_message(twice), "alert al-1 is acknowledged (by ana)");

  auto r = send("PUT", kAlerts + "/al-1/resolve", R"({"notes":"index added"})", 200);
  EXPECT_EQ(r["status"].as_string(), "resolved");
  EXPECT_EQ(r["resolution_notes"].as_string(), "index added");
  auto& h = r["history"].as_array();
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[1].at("action").as_string(), "acknowledged");
  EXPECT_EQ(h[2].at("action").as_string(), "resolved");

  auto again = send("PUT", kAlerts + "/al-1/resolve", "", 409);
  EXPECT_EQ(error_message(again), "alert al-1 is resolved; only an active or acknowledged alert can be resolved");
  send("PUT", kAlerts + "/al-1/dismiss", "", 409);
  send("PUT", kAlerts + "/al-1/acknowledge", R"({"user":"ana"})", 409);
}

TEST_F(AlertRoutesTest, DismissedCannotBeResolved) {
  post_alert("noise", "low");
  auto d = send("PUT", kAlerts + "/al-1/dismiss", R"({"reason":"known"})", 200);
  EXPECT_EQ(d["status"].as_string(), "dismissed");
  EXPECT_EQ(d["dismiss_reason"].as_string(), "known");
  auto r = send("PUT", kAlerts + "/al-1/resolve", R"({"notes":"x"})", 409);
  EXPECT_EQ(error_message(r), "alert al-1 is dismissed; only an active or acknowledged alert can be resolved");
  expect_invalid("PUT", kAlerts + "/al-1/dismiss", R"({"reason":5})", "reason");
}

TEST_F(AlertRoutesTest, UnknownAlertIs404) {
  for (auto [action, body] : {std::pair{"acknowledge", R"({"user":"ana"})"}, std::pair{"resolve", R"({"notes":"n"})"},
                              std::pair{"dismiss", R"({"reason":"r"})"}}) {
    auto r = send("PUT", kAlerts + "/al-9/" + action, body, 404);
    EXPECT_EQ(r["error"].at("code").as_string(), "not_found");
    EXPECT_EQ(error_message(r), "no alert al-9");
  }
  send("GET", kAlerts + "/al-9", "", 404);
}

TEST_F(AlertRoutesTest, ViewerReadsButCannotChange) {
  post_alert("x", "high");
  EXPECT_EQ(call("GET", kAlerts, {}, "", "viewer-token").status, 200);
  EXPECT_EQ(call("GET", kRules, {}, "", "viewer-token").status, 200);
  EXPECT_EQ(call("GET", kChannels, {}, "", "viewer-token").status, 200);
  EXPECT_EQ(call("POST", kAlerts, {}, R"({"title":"t","message":"m","severity":"low"})", "viewer-token").status, 403);
  EXPECT_EQ(call("PUT", kAlerts + "/al-1/acknowledge", {}, R"({"user":"v"})", "viewer-token").status, 403);
  EXPECT_EQ(call("DELETE", kRules + "/builtin-cpu", {}, "", "viewer-token").status, 403);
  EXPECT_EQ(call("GET", kAlerts, {}, "", "").status, 401);
  EXPECT_EQ(get_ok(kAlerts + "/al-1")["status"].as_string(), "active");
}

constexpr const char* kRule = R"({
  "name": "Checkout slow",
  "selector": {"layer": "http", "metric": "latency", "endpoint": "GET /checkout"},
  "condition": {"type": "percentile", "percentile": 95, "op": ">", "value": 250},
  "for_s": 60, "severity": "high", "cooldown_s": 120})";

TEST_F(AlertRoutesTest, RulesCrud) {
  auto builtin = get_ok(kRules);
  EXPECT_EQ(builtin["total"].as_int64(), 10);
  EXPECT_EQ(get_ok(kRules + "/builtin-api-p95")["builtin"].as_bool(), true);

  auto r = send("POST", kRules, kRule, 201);
  const std::string id(r["id"].as_string());
  EXPECT_EQ(r["name"].as_string(), "Checkout slow");
  EXPECT_EQ(r["selector"].at("endpoint").as_string(), "GET /checkout");
  EXPECT_EQ(r["condition"].at("value").as_double(), 250);
  EXPECT_EQ(r["for_s"].as_int64(), 60);
  EXPECT_EQ(r["builtin"].as_bool(), false);
  EXPECT_EQ(get_ok(kRules)["total"].as_int64(), 11);
  EXPECT_EQ(get_ok(kRules + "/" + id)["severity"].as_string(), "high");
  EXPECT_EQ(get_ok(kRules, {{"limit", "1"}, {"offset", "10"}})["rules"].as_array().size(), 1u);

  std::string changed = kRule;
  changed.replace(changed.find("\"high\""), 6, "\"critical\"");
  auto u = send("PUT", kRules + "/" + id, changed, 200);
  EXPECT_EQ(u["severity"].as_string(), "critical");
  EXPECT_EQ(u["id"].as_string(), id);

  auto d = send("DELETE", kRules + "/" + id, "", 200);
  EXPECT_EQ(d["id"].as_string(), id);
  send("GET", kRules + "/" + id, "", 404);
  send("PUT", kRules + "/" + id, kRule, 404);
  send("DELETE", kRules + "/" + id, "", 404);
  EXPECT_EQ(get_ok(kRules)["total"].as_int64(), 10);

  auto locked = send("DELETE", kRules + "/builtin-api-p95", "", 409);
  EXPECT_EQ(locked["error"].at("code").as_string(), "conflict");
}

TEST_F(AlertRoutesTest, InvalidRulesName400TheField) {
  expect_invalid("POST", kRules, R"({"selector":{"layer":"http","metric":"latency"},
      "condition":{"type":"percentile","op":">","value":1}})", "name");
  expect_invalid("POST", kRules, R"({"name":"x","selector":{"layer":"http"},
      "condition":{"type":"percentile","op":">","value":1}})", "selector.metric");
  expect_invalid("POST", kRules, R"({"name":"x","selector":{"layer":"http","metric":"latency"},
      "condition":{"type":"percentile","percentile":90,"op":">","value":1}})", "condition.percentile");
  expect_invalid("POST", kRules, R"({"name":"x","selector":{"layer":"http","metric":"latency"},
      "condition":{"type":"percentile","op":">","value":1},"channels":["ch-9"]})", "channels[0]");
  expect_invalid("POST", kRules, R"({"name":"x","selector":{"layer":"http","metric":"latency"},
      "condition":{"type":"percentile","op":">","value":1},"bogus":1})", "bogus");
  EXPECT_EQ(get_ok(kRules)["total"].as_int64(), 10);
}

TEST_F(AlertRoutesTest, ChannelsCrudHideSecretsAndRefuseDeletingUsedOnes) {
  auto c = send("POST", kChannels,
                R"({"name":"ops","type":"webhook","url":"http://127.0.0.1:9/x","secret":"k"})", 201);
  const std::string id(c["id"].as_string());
  EXPECT_EQ(id, "ch-1");
  EXPECT_EQ(c["type"].as_string(), "webhook");
  EXPECT_FALSE(c.contains("secret"));
  EXPECT_EQ(c["secret_set"].as_bool(), true);
  auto list = get_ok(kChannels);
  EXPECT_EQ(list["total"].as_int64(), 1);
  EXPECT_FALSE(list["channels"].as_array()[0].as_object().contains("secret"));

  auto u = send("PUT", kChannels + "/" + id, R"({"name":"ops2","type":"webhook","url":"http://127.0.0.1:9/y"})", 200);
  EXPECT_EQ(u["name"].as_string(), "ops2");
  EXPECT_EQ(u["secret_set"].as_bool(), true);  // kept when not sent

  std::string rule = kRule;
  rule.insert(rule.rfind('}'), R"(, "channels": ["ch-1"])");
  auto r = send("POST", kRules, rule, 201);
  auto used = send("DELETE", kChannels + "/" + id, "", 409);
  EXPECT_EQ(used["error"].at("code").as_string(), "conflict");
  send("DELETE", kRules + "/" + std::string(r["id"].as_string()), "", 200);
  send("DELETE", kChannels + "/" + id, "", 200);
  send("GET", kChannels + "/" + id, "", 404);
  send("DELETE", kChannels + "/" + id, "", 404);

  expect_invalid("POST", kChannels, R"({"name":"x","type":"pager"})", "type");
  expect_invalid("POST", kChannels, R"({"name":"x","type":"webhook","url":"ftp://h/x"})", "url");
  expect_invalid("POST", kChannels, R"({"name":"x","type":"email","smtp":{"url":"smtp://127.0.0.1:25",
      "from":"a@b.c","to":["nobody"]}})", "smtp.to[0]");
}

TEST_F(AlertRoutesTest, PrometheusCountsOpenAlertsBySeverity) {
  post_alert("a", "high");
  post_alert("b", "high");
  post_alert("c", "low");
  send("PUT", kAlerts + "/al-3/resolve", "", 200);
  clock.advance_ms(1000);
  engine.finish_interval();  // /metrics is rendered once per engine interval
  auto r = call("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\nhostscope_alerts_active{severity=\"high\"} 2\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\nhostscope_alerts_active{severity=\"low\"} 0\n"), std::string::npos);
  EXPECT_NE(r.body.find("\nhostscope_alerts_active{severity=\"critical\"} 0\n"), std::string::npos);
  EXPECT_NE(r.body.find("\nhostscope_bottlenecks_open{layer=\"http\"} 0\n"), std::string::npos);
  if (test::promtool_available()) {
    std::string out;
    EXPECT_EQ(test::promtool_check(r.body, out), 0) << out;
  }
}

class NoAlertingTest : public ::testing::Test, protected test::ApiHarness {};

TEST_F(NoAlertingTest, EndpointsAnswer503AndMetricsOmitTheFamily) {
  auto r = call("GET", kAlerts);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body).at("error").at("code").as_string(), "unavailable");
  EXPECT_EQ(call("GET", kRules).status, 503);
  EXPECT_EQ(call("GET", "/api/performance/bottlenecks").status, 503);
  EXPECT_EQ(call("GET", "/metrics").body.find("hostscope_alerts_active"), std::string::npos);
}

}  // namespace
}  // namespace hs::web
