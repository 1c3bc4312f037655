// Bottleneck endpoints through the real Api over real engines: list with filters
// and pagination, one bottleneck, status changes (400/404), thresholds read and
// changed (built-in alert rules follow), and /metrics' open bottlenecks by layer.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "alerts/alert_engine.h"
#include "bottleneck/bottleneck_engine.h"
#include "route_fakes.h"

namespace hs::web {
namespace {

namespace json = boost::json;
const std::string kBottlenecks = "/api/performance/bottlenecks";
const std::string kThresholds = "/api/performance/bottlenecks/thresholds";
constexpr std::uint64_t kMs = 1'000'000;

class BottleneckRoutesTest : public ::testing::Test, protected test::ApiHarness {
 protected:
  BottleneckRoutesTest() {
    ctx.alerts = &alerts;
    ctx.bottlenecks = &bottlenecks;
    alerts.sync_builtin_rules(bottlenecks.thresholds());
    // One window: a slow endpoint (p95 300 ms) and a slow statement (p95 150 ms).
    bottleneck::MetricsSnapshot m;
    m.ts_ms = clock.now_ms();
    bottleneck::HttpMetric h;
    h.pid = 300;
    h.comm = "api";
    h.side = "server";
    h.method = "GET";
    h.route = "/slow";
    h.count = 10;
    h.p50_ns = h.p95_ns = h.p99_ns = 300 * kMs;
    m.http.push_back(h);
    bottleneck::DatabaseMetric d;
    d.pid = 400;
    d.comm = "worker";
    d.system = "postgresql";
    d.fingerprint_id = "00000000000000aa";
    d.fingerprint = "SELECT ?";
    d.count = 10;
    d.p50_ns = d.p95_ns = d.p99_ns = 150 * kMs;
    m.database.push_back(d);
    auto events = bottlenecks.evaluate(m);
    EXPECT_EQ(events.size(), 2u);
    http_id = bottleneck::bottleneck_id(bottleneck::Layer::http, "http_latency", "server GET /slow");
  }

  json::object send(const std::string& method, const std::string& path, const std::string& body, int status) {
    auto r = call(method, path, {}, body);
    EXPECT_EQ(r.status, status) << method << " " << path << " " << body << " -> " << r.body;
    return r.body.empty() ? json::object{} : json::parse(r.body).as_object();
  }
  void expect_invalid(const std::string& method, const std::string& path, const std::string& body,
                      const std::string& field) {
    auto e = send(method, path, body, 400)["error"].as_object();
    EXPECT_EQ(e["field"].as_string(), field) << body;
    EXPECT_EQ(std::string(e["message"].as_string()).rfind(field + ": ", 0), 0u) << e["message"];
  }

  bottleneck::BottleneckEngine bottlenecks{clock};
  alerts::AlertEngine alerts{clock, nullptr};
  std::string http_id;
};

TEST_F(BottleneckRoutesTest, ListCarriesEvidenceAndFilters) {
  auto all = get_ok(kBottlenecks);
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(all["total"].as_int64(), 2);
  auto http = get_ok(kBottlenecks, {{"layer", "http"}});
  EXPECT_EQ(http["total"].as_int64(), 1);
  auto& b = http["bottlenecks"].as_array()[0].as_object();
  EXPECT_EQ(b.at("id").as_string(), http_id);
  EXPECT_EQ(b.at("layer").as_string(), "http");
  EXPECT_EQ(b.at("kind").as_string(), "http_latency");
  EXPECT_EQ(b.at("status").as_string(), "open");
  auto& ev = b.at("evidence").as_array()[0].as_object();
  EXPECT_EQ(ev.at("metric").as_string(), "p95_ms");
  EXPECT_EQ(ev.at("value").as_double(), 300);
  EXPECT_EQ(ev.at("threshold").as_double(), 200);

  EXPECT_EQ(get_ok(kBottlenecks, {{"layer", "database"}})["total"].as_int64(), 1);
  EXPECT_EQ(get_ok(kBottlenecks, {{"layer", "syscall"}})["total"].as_int64(), 0);
  EXPECT_EQ(get_ok(kBottlenecks, {{"status", "open"}})["total"].as_int64(), 2);
  EXPECT_EQ(get_ok(kBottlenecks, {{"status", "ignored"}})["total"].as_int64(), 0);
  const std::string sev(b.at("severity").as_string());
  EXPECT_GE(get_ok(kBottlenecks, {{"severity", sev}})["total"].as_int64(), 1);
  auto page = get_ok(kBottlenecks, {{"limit", "1"}, {"offset", "1"}});
  EXPECT_EQ(page["total"].as_int64(), 2);
  EXPECT_EQ(page["bottlenecks"].as_array().size(), 1u);

  expect_bad_param(kBottlenecks, {{"layer", "disk"}}, "layer");
  expect_bad_param(kBottlenecks, {{"status", "active"}}, "status");
  expect_bad_param(kBottlenecks, {{"severity", "urgent"}}, "severity");
  expect_bad_param(kBottlenecks, {{"limit", "0"}}, "limit");
  expect_bad_param(kBottlenecks, {{"sort", "x"}}, "sort");
}

TEST_F(BottleneckRoutesTest, OneBottleneckAnd404) {
  auto b = get_ok(kBottlenecks + "/" + http_id);
  EXPECT_EQ(b["subject"].as_string(), "server GET /slow");
  EXPECT_EQ(b["processes"].as_array()[0].as_string(), "api[300]");
  auto r = send("GET", kBottlenecks + "/bn-0000000000000000", "", 404);
  EXPECT_EQ(r["error"].at("code").as_string(), "not_found");
}

TEST_F(BottleneckRoutesTest, StatusChangesWithNotesAndHistory) {
  clock.advance_ms(1000);
  auto b = send("PUT", kBottlenecks + "/" + http_id + "/status", R"({"status":"investigating","notes":"on it"})", 200);
  EXPECT_EQ(b["status"].as_string(), "investigating");
  EXPECT_EQ(b["notes"].as_string(), "on it");
  auto& h = b["history"].as_array();
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h.back().at("to").as_string(), "investigating");
  EXPECT_EQ(h.back().at("by").as_string(), "api");
  EXPECT_EQ(get_ok(kBottlenecks, {{"status", "investigating"}})["total"].as_int64(), 1);

  auto ignored = send("PUT", kBottlenecks + "/" + http_id + "/status", R"({"status":"ignored"})", 200);
  EXPECT_EQ(ignored["status"].as_string(), "ignored");

  expect_invalid("PUT", kBottlenecks + "/" + http_id + "/status", R"({"status":"closed"})", "status");
  expect_invalid("PUT", kBottlenecks + "/" + http_id + "/status", R"({"notes":"x"})", "status");
  expect_invalid("PUT", kBottlenecks + "/" + http_id + "/status", R"({"status":"open","by":"me"})", "by");
  expect_invalid("PUT", kBottlenecks + "/" + http_id + "/status", "", "body");
  send("PUT", kBottlenecks + "/bn-0000000000000000/status", R"({"status":"open"})", 404);
  EXPECT_EQ(call("PUT", kBottlenecks + "/" + http_id + "/status", {}, R"({"status":"open"})", "viewer-token").status,
            403);
}

TEST_F(BottleneckRoutesTest, ThresholdsReadAndChangedAndBuiltinRulesFollow) {
  auto t = get_ok(kThresholds);
  EXPECT_EQ(t["api_p95_ms"].as_double(), 200);
  EXPECT_EQ(t["db_p95_ms"].as_double(), 100);
  EXPECT_EQ(t["page_load_ms"].as_double(), 3000);

  auto u = send("PUT", kThresholds, R"({"api_p95_ms":150,"db_p95_ms":80})", 200);
  EXPECT_EQ(u["api_p95_ms"].as_double(), 150);
  EXPECT_EQ(u["db_p95_ms"].as_double(), 80);
  EXPECT_EQ(u["page_load_ms"].as_double(), 3000);
  EXPECT_EQ(get_ok(kThresholds)["api_p95_ms"].as_double(), 150);
  auto rule = get_ok("/api/performance/alerts/rules/builtin-api-p95");
  EXPECT_EQ(rule["condition"].at("value").as_double(), 150);

  expect_invalid("PUT", kThresholds, R"({"api_p95_ms":0})", "api_p95_ms");
  expect_invalid("PUT", kThresholds, R"({"api_p95_ms":"fast"})", "api_p95_ms");
  expect_invalid("PUT", kThresholds, R"({"p95":1})", "p95");
  EXPECT_EQ(get_ok(kThresholds)["api_p95_ms"].as_double(), 150);
  EXPECT_EQ(call("PUT", kThresholds, {}, R"({"api_p95_ms":100})", "viewer-token").status, 403);
  EXPECT_EQ(call("GET", kThresholds, {}, "", "viewer-token").status, 200);
}

TEST_F(BottleneckRoutesTest, MetricsCountUnresolvedByLayer) {
  send("PUT", kBottlenecks + "/" + http_id + "/status", R"({"status":"investigating"})", 200);
  clock.advance_ms(1000);
  engine.finish_interval();
  auto r = call("GET", "/metrics");
  EXPECT_NE(r.body.find("\nhostscope_bottlenecks_open{layer=\"http\"} 1\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\nhostscope_bottlenecks_open{layer=\"database\"} 1\n"), std::string::npos);
  EXPECT_NE(r.body.find("\nhostscope_bottlenecks_open{layer=\"syscall\"} 0\n"), std::string::npos);
}

}  // namespace
}  // namespace hs::web
