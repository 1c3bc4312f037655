// Monitoring routes as pure functions: a real engine fed synthetic records, fake controls.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "common/syscall_names.h"
#include "route_fakes.h"
#include "web/routes/api.h"
#include "web/routes/monitoring_routes.h"

namespace hs::web {
namespace {

namespace json = boost::json;

class RoutesTest : public ::testing::Test, protected test::ApiHarness {
 protected:
  RoutesTest() {
    monitoring::SyscallSample s;
    s.tgid = 100;
    s.nr = *hs::syscall_nr("getppid");
    s.count = 1000;
    s.total_ns = 1000 * 500;
    s.max_ns = 900;
    s.slots[hs_hist_slot(500)] = 1000;
    std::vector<monitoring::SyscallSample> v{s};
    s.tgid = 200;
    s.count = 10;
    s.total_ns = 10 * 500;
    s.slots[hs_hist_slot(500)] = 10;
    v.push_back(s);
    engine.ingest_syscalls(v);
    clock.advance_ms(1000);
    engine.finish_interval();
  }
};

const std::string kBase = "/api/performance/monitoring/";

TEST_F(RoutesTest, SyscallMetricsCarryTheContractFields) {
  auto r = call("GET", kBase + "metrics", {{"type", "syscall"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v["type"].as_string(), "syscall");
  auto& m = v["metrics"].as_array();
  ASSERT_EQ(m.size(), 2u);
  auto& e = m[0].as_object();
  for (const char* f : {"pid", "comm", "syscall", "nr", "count", "errors", "total_ns", "p50_ns", "p95_ns", "p99_ns",
                        "max_ns"})
    EXPECT_TRUE(e.contains(f)) << f;
  EXPECT_EQ(e["pid"].as_int64(), 100);
  EXPECT_EQ(e["comm"].as_string(), "proc100");
  EXPECT_EQ(e["syscall"].as_string(), "getppid");
  EXPECT_EQ(e["count"].as_int64(), 1000);
  EXPECT_EQ(e["max_ns"].as_int64(), 900);
}

TEST_F(RoutesTest, MetricsFiltersByPidAndLimit) {
  auto r = call("GET", kBase + "metrics", {{"type", "syscall"}, {"pid", "200"}});
  auto m = json::parse(r.body).as_object()["metrics"].as_array();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].as_object()["count"].as_int64(), 10);
  r = call("GET", kBase + "metrics", {{"limit", "1"}});
  EXPECT_EQ(json::parse(r.body).as_object()["metrics"].as_array().size(), 1u);
}

TEST_F(RoutesTest, BadParametersAre400NamingTheParameter) {
  for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"type", "nope"}, {"limit", "x"}, {"limit", "0"}, {"pid", "0"}, {"bogus", "1"}}) {
    auto r = call("GET", kBase + "metrics", {{k, v}});
    EXPECT_EQ(r.status, 400) << k;
    auto err = json::parse(r.body).as_object()["error"].as_object();
    EXPECT_NE(std::string(err["message"].as_string()).find(k), std::string::npos) << r.body;
  }
}

TEST_F(RoutesTest, AuthScopes) {
  EXPECT_EQ(call("GET", kBase + "status", {}, "", "").status, 401);
  EXPECT_EQ(call("GET", kBase + "status", {}, "", "wrong").status, 401);
  EXPECT_EQ(call("GET", kBase + "status", {}, "", "viewer-token").status, 200);
  EXPECT_EQ(call("POST", kBase + "stop", {}, "", "viewer-token").status, 403);
  EXPECT_EQ(capture.stops, 0);
  EXPECT_EQ(call("GET", "/healthz", {}, "", "").status, 200);
  EXPECT_EQ(call("GET", "/metrics", {}, "", "").status, 200);
}

TEST_F(RoutesTest, StopAndStartDriveTheCapture) {
  auto r = call("POST", kBase + "stop");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(capture.stops, 1);
  EXPECT_EQ(json::parse(r.body).as_object()["state"].as_string(), "stopped");
  r = call("POST", kBase + "start");
  EXPECT_EQ(capture.starts, 1);
  EXPECT_EQ(json::parse(r.body).as_object()["state"].as_string(), "running");
}

TEST_F(RoutesTest, PutConfigValidatesAppliesAndEchoes) {
  auto r = call("PUT", kBase + "config", {}, R"({"interval_ms": 2000, "filters": {"pids": [5]}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(cfg.cfg.interval_ms, 2000u);
  EXPECT_EQ(cfg.cfg.filters.pids, std::vector<std::uint32_t>{5});
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v["interval_ms"].as_int64(), 2000);

  r = call("PUT", kBase + "config", {}, R"({"interval_ms": "soon"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).as_object()["error"].as_object()["field"].as_string(), "interval_ms");
  r = call("PUT", kBase + "config", {}, R"({"filters": {"cgroups": ["/missing"]}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(cfg.applied, 1);
  Request form;
  form.method = "PUT";
  form.path = kBase + "config";
  form.body = "a=b";
  form.content_type = "application/x-www-form-urlencoded";
  form.bearer_token = "admin-token";
  EXPECT_EQ(api.handle(form).status, 415);
}

TEST_F(RoutesTest, AProbeThatFailedMakesTheStatusDegradedWithTheReason) {
  monitoring::ProbeHealth h;
  h.name = "syscalls";
  h.state = "failed";
  h.reason = "syscalls/load: Operation not permitted";
  h.drops = {{"map_full", 3}};
  engine.set_probe_health({h});
  auto r = call("GET", kBase + "status");
  ASSERT_EQ(r.status, 200);
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v["state"].as_string(), "degraded");
  auto& p = v["probes"].as_array()[0].as_object();
  EXPECT_EQ(p["reason"].as_string(), "syscalls/load: Operation not permitted");
  EXPECT_EQ(p["dropped_total"].as_int64(), 3);
  auto m = call("GET", "/metrics", {}, "", "");
  EXPECT_NE(m.body.find("hostscope_bpf_dropped_events_total{probe=\"syscalls\",reason=\"map_full\"} 3"),
            std::string::npos);
}

TEST_F(RoutesTest, UncapturedLayersAreExplicit) {
  auto r = call("GET", kBase + "metrics", {{"type", "database"}});
  ASSERT_EQ(r.status, 200);
  auto v = json::parse(r.body).as_object();
  EXPECT_FALSE(v["available"].as_bool());
  EXPECT_TRUE(v["metrics"].as_array().empty());
}

TEST_F(RoutesTest, SummaryAndSeries) {
  auto r = call("GET", kBase + "summary");
  ASSERT_EQ(r.status, 200);
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v["syscalls"].as_object()["total"].as_int64(), 1010);
  EXPECT_EQ(v["top_processes"].as_array()[0].as_object()["pid"].as_int64(), 100);
  r = call("GET", kBase + "series", {{"resolution", "1s"}});
  auto s = json::parse(r.body).as_object();
  ASSERT_EQ(s["points"].as_array().size(), 1u);
  EXPECT_DOUBLE_EQ(s["points"].as_array()[0].as_object()["syscalls_per_s"].as_double(), 1010.0);
}

TEST_F(RoutesTest, PrometheusExposition) {
  auto r = call("GET", "/metrics", {}, "", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("# TYPE hostscope_syscall_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(r.body.find("hostscope_syscall_duration_seconds_count{comm=\"proc100\",syscall=\"getppid\"} 1000"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("le=\"+Inf\"} 1000"), std::string::npos);
  // 500 ns lies below the 1.024 us bound, above 256 ns.
  EXPECT_NE(r.body.find("hostscope_syscall_duration_seconds_bucket{comm=\"proc100\",syscall=\"getppid\",le=\"2.56e-07\"} 0"),
            std::string::npos) << r.body;
  EXPECT_NE(r.body.find("hostscope_syscall_duration_seconds_bucket{comm=\"proc100\",syscall=\"getppid\",le=\"1.024e-06\"} 1000"),
            std::string::npos);
}

TEST_F(RoutesTest, ProcessesListIsPaginated) {
  auto r = call("GET", "/api/performance/processes", {{"limit", "1"}, {"offset", "1"}});
  ASSERT_EQ(r.status, 200);
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v["total"].as_int64(), 2);
  ASSERT_EQ(v["processes"].as_array().size(), 1u);
  EXPECT_EQ(v["processes"].as_array()[0].as_object()["pid"].as_int64(), 200);
}

}  // namespace
}  // namespace hs::web
