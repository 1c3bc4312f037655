// Bottleneck detection: every threshold fires above its limit and stays quiet at it;
// scores, severities, trends, ids and the thresholds JSON.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "bottleneck/detectors.h"
#include "bottleneck/thresholds.h"

namespace hs::bottleneck {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

const Finding* find(const std::vector<Finding>& fs, std::string_view kind) {
  for (const auto& f : fs) {
    if (f.kind == kind) return &f;
  }
  return nullptr;
}

MetricsSnapshot window() {
  MetricsSnapshot m;
  m.ts_ms = 1'700'000'000'000;
  m.window_s = 10;
  return m;
}

TEST(BottleneckDetect, HttpLatencyOverApiP95) {
  MetricsSnapshot m = window();
  m.http.push_back({101, "api", "server", "GET", "/checkout", 40, 0, 50 * kMs, 350 * kMs, 900 * kMs});
  m.http.push_back({102, "api", "server", "GET", "/checkout", 10, 0, 50 * kMs, 250 * kMs, 400 * kMs});
  m.http.push_back({101, "api", "server", "GET", "/health", 40, 0, 1 * kMs, 200 * kMs, 2 * kMs});  // at the limit
  const auto fs = detect(m, Thresholds{});
  ASSERT_EQ(fs.size(), 1u);
  const Finding& f = fs[0];
  EXPECT_EQ(f.layer, Layer::http);
  EXPECT_EQ(f.kind, "http_latency");
  EXPECT_EQ(f.subject, "server GET /checkout");
  EXPECT_EQ(f.title, "Slow HTTP endpoint server GET /checkout: p95 350 ms > 200 ms");
  EXPECT_EQ(f.evidence[0], (Evidence{"p95_ms", 350, 200, "ms"}));
  EXPECT_EQ(f.evidence[1], (Evidence{"requests", 50, 0, "count"}));
  EXPECT_EQ(f.processes, (std::vector<std::string>{"api[101]", "api[102]"}));
  EXPECT_EQ(f.endpoints, (std::vector<std::string>{"GET /checkout"}));
}

TEST(BottleneckDetect, FewRequestsDoNotCount) {
  MetricsSnapshot m = window();
  m.http.push_back({101, "api", "server", "GET", "/x", 4, 4, 0, 900 * kMs, 0});
  EXPECT_TRUE(detect(m, Thresholds{}).empty());
}

TEST(BottleneckDetect, HttpErrorRatio) {
  MetricsSnapshot m = window();
  m.http.push_back({101, "api", "server", "POST", "/pay", 100, 6, 0, 10 * kMs, 0});
  const auto fs = detect(m, Thresholds{});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].kind, "http_errors");
  EXPECT_DOUBLE_EQ(fs[0].evidence[0].value, 0.06);
}

TEST(BottleneckDetect, DatabaseP95PerFingerprint) {
  MetricsSnapshot m = window();
  m.database.push_back({7, "app", "postgresql", "fp1", "SELECT * FROM t WHERE id = $1", 20, 0, 0, 150 * kMs, 0});
  m.database.push_back({7, "app", "postgresql", "fp2", "SELECT 1", 20, 0, 0, 100 * kMs, 0});
  const auto fs = detect(m, Thresholds{});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].kind, "db_latency");
  EXPECT_EQ(fs[0].subject, "postgresql fp1");
  EXPECT_EQ(fs[0].queries, (std::vector<std::string>{"SELECT * FROM t WHERE id = $1"}));
  EXPECT_EQ(fs[0].evidence[0], (Evidence{"p95_ms", 150, 100, "ms"}));
}

TEST(BottleneckDetect, SlowSyscallNeedsLatencyAndShare) {
  MetricsSnapshot m = window();  // 10 s window
  // 6 s of 10 s in pread64 with a 120 ms p95: both limits crossed.
  m.syscalls.push_back({9, "db", "pread64", 50, 0, 6'000 * kMs, 0, 120 * kMs, 0});
  // slow but rare: 1 s of 10 s
  m.syscalls.push_back({9, "db", "openat", 10, 0, 1'000 * kMs, 0, 150 * kMs, 0});
  // waiting, not work
  m.syscalls.push_back({9, "db", "epoll_wait", 10, 0, 9'000 * kMs, 0, 900 * kMs, 0});
  const auto fs = detect(m, Thresholds{});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].kind, "syscall_latency");
  EXPECT_EQ(fs[0].subject, "db/pread64");
  EXPECT_EQ(fs[0].evidence[1], (Evidence{"time_share", 0.6, 0.5, "ratio"}));
}

TEST(BottleneckDetect, SlowFsync) {
  MetricsSnapshot m = window();
  m.syscalls.push_back({9, "pg", "fdatasync", 3, 0, 240 * kMs, 0, 80 * kMs, 0});
  m.syscalls.push_back({9, "pg", "fsync", 3, 0, 30 * kMs, 0, 10 * kMs, 0});
  const auto fs = detect(m, Thresholds{});
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].kind, "fsync_latency");
  EXPECT_EQ(fs[0].subject, "pg/fdatasync");
  EXPECT_EQ(fs[0].evidence[0], (Evidence{"p95_ms", 80, 50, "ms"}));
}

TEST(BottleneckDetect, NetworkFailuresRetransmitsRtt) {
  MetricsSnapshot m = window();
  NetworkMetric bad;
  bad.pid = 3;
  bad.comm = "client";
  bad.remote = "10.0.0.5:5432";
  bad.connects = 10;
  bad.connect_failures = 4;
  bad.retransmits = 150;  // 15/s over 10 s
  bad.srtt_p99_ns = 250 * kMs;
  m.network.push_back(bad);
  NetworkMetric fine = bad;
  fine.remote = "10.0.0.6:80";
  fine.connect_failures = 1;
  fine.retransmits = 100;  // exactly 10/s
  fine.srtt_p99_ns = 200 * kMs;
  m.network.push_back(fine);
  const auto fs = detect(m, Thresholds{});
  ASSERT_EQ(fs.size(), 3u);
  const Finding* cf = find(fs, "connect_failures");
  ASSERT_NE(cf, nullptr);
  EXPECT_EQ(cf->subject, "10.0.0.5:5432");
  EXPECT_DOUBLE_EQ(cf->evidence[0].value, 0.4);
  EXPECT_EQ(cf->remotes, (std::vector<std::string>{"10.0.0.5:5432"}));
  ASSERT_NE(find(fs, "retransmits"), nullptr);
  EXPECT_DOUBLE_EQ(find(fs, "retransmits")->evidence[0].value, 15);
  ASSERT_NE(find(fs, "high_rtt"), nullptr);
  EXPECT_DOUBLE_EQ(find(fs, "high_rtt")->evidence[0].value, 250);
}

TEST(BottleneckDetect, SystemKinds) {
  MetricsSnapshot m = window();
  m.system.present = true;
  m.system.cpu_percent = 95;
  m.system.steal_percent = 12;
  m.system.iowait_percent = 5;
  m.system.psi_available = true;
  m.system.psi_io_some = 30;
  m.system.psi_mem_some = 15;
  m.system.mem_total_bytes = 1000;
  m.system.mem_used_bytes = 960;
  const auto fs = detect(m, Thresholds{});
  ASSERT_EQ(fs.size(), 5u);
  for (const char* kind : {"cpu_saturation", "cpu_steal", "io_wait", "memory_pressure", "memory_usage"}) {
    const Finding* f = find(fs, kind);
    ASSERT_NE(f, nullptr) << kind;
    EXPECT_EQ(f->subject, "host");
    EXPECT_EQ(f->layer, Layer::system);
  }
  EXPECT_EQ(find(fs, "io_wait")->evidence[0], (Evidence{"psi_io_some", 30, 20, "percent"}));
  EXPECT_DOUBLE_EQ(find(fs, "memory_usage")->evidence[0].value, 96);
}

TEST(BottleneckDetect, SystemQuietAtLimitsAndWithoutSample) {
  MetricsSnapshot m = window();
  m.system.cpu_percent = 99;  // present == false: ignored
  EXPECT_TRUE(detect(m, Thresholds{}).empty());
  m.system.present = true;
  m.system.cpu_percent = 90;
  m.system.steal_percent = 10;
  m.system.psi_mem_some = 50;  // psi not available: not read
  EXPECT_TRUE(detect(m, Thresholds{}).empty());
}

TEST(BottleneckDetect, FrontendPageLoad) {
  MetricsSnapshot m = window();
  m.frontend.push_back({"/home", 30, 3500, 2000, 300, 900, 100, 0.05});
  m.frontend.push_back({"/about", 30, 3000, 2600, 300, 900, 100, 0.05});
  const auto fs = detect(m, Thresholds{});
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].kind, "page_load");
  EXPECT_EQ(fs[0].subject, "/home");
  EXPECT_EQ(fs[1].kind, "largest_paint");
  EXPECT_EQ(fs[1].subject, "/about");
}

TEST(BottleneckDetect, ThresholdsAreConfigurable) {
  MetricsSnapshot m = window();
  m.http.push_back({1, "api", "server", "GET", "/a", 10, 0, 0, 150 * kMs, 0});
  Thresholds t;
  EXPECT_TRUE(detect(m, t).empty());
  t.api_p95_ms = 100;
  ASSERT_EQ(detect(m, t).size(), 1u);
}

TEST(BottleneckScore, OrdersBySeverity) {
  EXPECT_EQ(severity_score(1.0, 1.0), 40);
  EXPECT_EQ(severity_score(2.0, 1.0), 70);
  EXPECT_EQ(severity_score(4.0, 1.0), 85);
  EXPECT_EQ(severity_score(2.0, 0.8), 56);
  EXPECT_EQ(severity_for_score(85), Severity::critical);
  EXPECT_EQ(severity_for_score(70), Severity::high);
  EXPECT_EQ(severity_for_score(56), Severity::medium);
  EXPECT_EQ(severity_for_score(39), Severity::low);
  EXPECT_LT(Severity::low, Severity::medium);
  EXPECT_LT(Severity::high, Severity::critical);
}

TEST(BottleneckTrend, FromRecentValues) {
  EXPECT_EQ(trend_of({}), Trend::stable);
  EXPECT_EQ(trend_of({100}), Trend::stable);
  EXPECT_EQ(trend_of({100, 100, 150, 160}), Trend::worsening);
  EXPECT_EQ(trend_of({300, 280, 200, 150}), Trend::improving);
  EXPECT_EQ(trend_of({200, 210, 205, 200}), Trend::stable);
}

TEST(BottleneckId, StableAndDistinct) {
  const std::string a = bottleneck_id(Layer::http, "http_latency", "server GET /x");
  EXPECT_EQ(a, bottleneck_id(Layer::http, "http_latency", "server GET /x"));
  EXPECT_EQ(a.size(), 19u);
  EXPECT_EQ(a.substr(0, 3), "bn-");
  EXPECT_NE(a, bottleneck_id(Layer::http, "http_errors", "server GET /x"));
  EXPECT_NE(bottleneck_id(Layer::http, "ab", "c"), bottleneck_id(Layer::http, "a", "bc"));
}

TEST(BottleneckThresholds, JsonPartialUpdateAndErrors) {
  const Thresholds base;
  auto next = apply_json(base, boost::json::parse(R"({"api_p95_ms": 150, "cpu_percent": 80})"));
  ASSERT_TRUE(next.ok()) << next.error().text();
  EXPECT_EQ(next->api_p95_ms, 150);
  EXPECT_EQ(next->cpu_percent, 80);
  EXPECT_EQ(next->db_p95_ms, 100);

  auto unknown = apply_json(base, boost::json::parse(R"({"api_p95": 150})"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::invalid);
  EXPECT_EQ(unknown.error().field, "api_p95");
  EXPECT_EQ(unknown.error().message, "unknown field");

  auto typed = apply_json(base, boost::json::parse(R"({"db_p95_ms": "fast"})"));
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.error().field, "db_p95_ms");
  EXPECT_EQ(typed.error().message, "must be a number, not a string");

  auto range = apply_json(base, boost::json::parse(R"({"cpu_percent": 120})"));
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.error().text(), "cpu_percent: must be between 1 and 100");

  const auto shown = to_json(base).as_object();
  EXPECT_EQ(shown.size(), threshold_catalog().size());
  EXPECT_EQ(shown.at("api_p95_ms").as_double(), 200);
  EXPECT_EQ(shown.at("page_load_ms").as_double(), 3000);
}

}  // namespace
}  // namespace hs::bottleneck
