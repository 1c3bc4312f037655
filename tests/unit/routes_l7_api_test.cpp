// L7 routes over a real engine: type=database and type=http metrics (SPEC §5.1),
// database/queries, http/endpoints, the summary's L7 objects, the series fields,
// availability without an "l7" probe, and 400s for bad parameters.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "l7_test_readings.h"
#include "route_fakes.h"

namespace hs::web {
namespace {

namespace json = boost::json;
using protocols::L7Reading;
using protocols::Protocol;
using test::db_reading;
using test::failed;
using test::http_reading;

const std::string kMetrics = "/api/performance/monitoring/metrics";
const std::string kQueries = "/api/performance/database/queries";
const std::string kEndpoints = "/api/performance/http/endpoints";
constexpr std::uint64_t kMs = 1'000'000;

std::uint64_t slot_mid(std::uint64_t ns) {
  Histogram h;
  h.add(ns);
  return h.percentile(0.5);
}

class L7RoutesTest : public ::testing::Test, protected test::ApiHarness {
 protected:
  L7RoutesTest() {
    std::vector<L7Reading> v;
    // pid 100: a PostgreSQL client, one slow statement and two errors.
    for (int i = 0; i < 8; ++i)
      v.push_back(db_reading(100, Protocol::postgresql, "SELECT * FROM t WHERE id = ?", 2 * kMs,
                             "SELECT * FROM t WHERE id = 5"));
    v.push_back(db_reading(100, Protocol::postgresql, "SELECT * FROM t WHERE id = ?", 150 * kMs,
                           "SELECT * FROM t WHERE id = 6"));
    v.push_back(failed(db_reading(100, Protocol::postgresql, "INSERT INTO t VALUES (?)", 1 * kMs), "duplicate key"));
    v.push_back(failed(db_reading(100, Protocol::postgresql, "INSERT INTO t VALUES (?)", 1 * kMs), "duplicate key"));
    // pid 200: a Redis server over TLS.
    for (int i = 0; i < 4; ++i) {
      auto r = db_reading(200, Protocol::redis, "GET", 100'000, "GET session:42");
      r.server_side = true;
      r.tls = true;
      r.remote = "10.0.0.9:*";
      v.push_back(r);
    }
    // pid 300: an HTTP server; pid 400: an HTTP client.
    v.push_back(http_reading(300, true, "GET", "/users/:id", 200, 4 * kMs, 512));
    v.push_back(http_reading(300, true, "GET", "/users/:id", 404, 1 * kMs, 64));
    v.push_back(http_reading(300, true, "GET", "/users/:id", 500, 8 * kMs, 32));
    v.push_back(http_reading(300, true, "POST", "/login", 302, 2 * kMs, 0));
    v.push_back(http_reading(400, false, "GET", "/users/:id", 200, 5 * kMs, 700));
    engine.ingest_l7(v);
    set_probe("l7", "attached");
    clock.advance_ms(1000);
    engine.finish_interval();
  }
};

TEST_F(L7RoutesTest, DatabaseMetricsCarryTheContractFieldsWithExactNumbers) {
  auto v = get_ok(kMetrics, {{"type", "database"}});
  EXPECT_EQ(v["type"].as_string(), "database");
  EXPECT_FALSE(v.contains("available"));
  auto& m = v["metrics"].as_array();
  ASSERT_EQ(m.size(), 3u);
  auto& e = m[0].as_object();  // most total time first: 8 x 2 ms + 150 ms
  for (const char* f : {"pid", "comm", "system", "remote", "fingerprint", "count", "errors", "replies_unseen",
                        "total_ns", "p50_ns", "p95_ns", "p99_ns", "max_ns", "tls", "side", "fingerprint_id", "sample",
                        "remotes", "exited"})
    EXPECT_TRUE(e.contains(f)) << f;
  EXPECT_EQ(e["pid"].as_int64(), 100);
  EXPECT_EQ(e["comm"].as_string(), "proc100");
  EXPECT_EQ(e["system"].as_string(), "postgresql");
  EXPECT_EQ(e["side"].as_string(), "client");
  EXPECT_EQ(e["remote"].as_string(), "10.0.0.5:5432");
  EXPECT_EQ(e["fingerprint"].as_string(), "SELECT * FROM t WHERE id = ?");
  EXPECT_EQ(e["fingerprint_id"].as_string(),
            monitoring::fingerprint_id(Protocol::postgresql, "SELECT * FROM t WHERE id = ?"));
  EXPECT_EQ(e["sample"].as_string(), "SELECT * FROM t WHERE id = ?");  // no literals by default
  EXPECT_EQ(e["count"].as_int64(), 9);
  EXPECT_EQ(e["errors"].as_int64(), 0);
  EXPECT_EQ(e["total_ns"].as_int64(), static_cast<std::int64_t>(166 * kMs));
  EXPECT_EQ(e["max_ns"].as_int64(), static_cast<std::int64_t>(150 * kMs));
  EXPECT_EQ(e["p50_ns"].as_int64(), static_cast<std::int64_t>(slot_mid(2 * kMs)));
  EXPECT_EQ(e["p99_ns"].as_int64(), static_cast<std::int64_t>(slot_mid(150 * kMs)));
  EXPECT_FALSE(e["tls"].as_bool());
  EXPECT_FALSE(e["exited"].as_bool());
  EXPECT_EQ(m[1].as_object()["errors"].as_int64(), 2);  // the INSERTs: 2 ms
  auto& redis = m[2].as_object();                       // 4 x 100 us
  EXPECT_EQ(redis["system"].as_string(), "redis");
  EXPECT_EQ(redis["side"].as_string(), "server");
  EXPECT_EQ(redis["remote"].as_string(), "10.0.0.9:*");
  EXPECT_TRUE(redis["tls"].as_bool());
  EXPECT_EQ(redis["count"].as_int64(), 4);
}

TEST_F(L7RoutesTest, DatabaseMetricsFilters) {
  auto count = [&](std::map<std::string, std::string> q) {
    q["type"] = "database";
    return get_ok(kMetrics, q)["metrics"].as_array().size();
  };
  EXPECT_EQ(count({{"pid", "200"}}), 1u);
  EXPECT_EQ(count({{"comm", "proc100"}}), 2u);
  EXPECT_EQ(count({{"system", "redis"}}), 1u);
  EXPECT_EQ(count({{"system", "mysql"}}), 0u);
  EXPECT_EQ(count({{"side", "server"}}), 1u);
  EXPECT_EQ(count({{"fingerprint_id", monitoring::fingerprint_id(Protocol::redis, "GET")}}), 1u);
  EXPECT_EQ(count({{"fingerprint_id", "0000000000000000"}}), 0u);
  EXPECT_EQ(count({{"limit", "1"}}), 1u);
}

TEST_F(L7RoutesTest, HttpMetricsCarryTheContractFields) {
  auto v = get_ok(kMetrics, {{"type", "http"}});
  EXPECT_EQ(v["type"].as_string(), "http");
  auto& m = v["metrics"].as_array();
  ASSERT_EQ(m.size(), 3u);
  auto& e = m[0].as_object();  // 13 ms on the server's GET route
  for (const char* f :
       {"pid", "comm", "side", "method", "route", "count", "status_4xx", "status_5xx", "p50_ns", "p95_ns", "p99_ns",
        "bytes_out", "status_2xx", "status_3xx", "errors", "total_ns", "max_ns", "exited"})
    EXPECT_TRUE(e.contains(f)) << f;
  EXPECT_EQ(e["pid"].as_int64(), 300);
  EXPECT_EQ(e["side"].as_string(), "server");
  EXPECT_EQ(e["method"].as_string(), "GET");
  EXPECT_EQ(e["route"].as_string(), "/users/:id");
  EXPECT_EQ(e["count"].as_int64(), 3);
  EXPECT_EQ(e["status_2xx"].as_int64(), 1);
  EXPECT_EQ(e["status_4xx"].as_int64(), 1);
  EXPECT_EQ(e["status_5xx"].as_int64(), 1);
  EXPECT_EQ(e["errors"].as_int64(), 1);
  EXPECT_EQ(e["bytes_out"].as_int64(), 608);
  EXPECT_EQ(e["total_ns"].as_int64(), static_cast<std::int64_t>(13 * kMs));
  EXPECT_EQ(e["max_ns"].as_int64(), static_cast<std::int64_t>(8 * kMs));
  EXPECT_EQ(e["p50_ns"].as_int64(), static_cast<std::int64_t>(slot_mid(4 * kMs)));
  auto count = [&](std::map<std::string, std::string> q) {
    q["type"] = "http";
    return get_ok(kMetrics, q)["metrics"].as_array().size();
  };
  EXPECT_EQ(count({{"side", "client"}}), 1u);
  EXPECT_EQ(count({{"method", "POST"}}), 1u);
  EXPECT_EQ(count({{"route", "/users/:id"}}), 2u);
  EXPECT_EQ(count({{"pid", "400"}, {"route", "/login"}}), 0u);
}

TEST_F(L7RoutesTest, BadParametersAre400NamingTheParameter) {
  expect_bad_param(kMetrics, {{"type", "database"}, {"system", "oracle"}}, "system");
  expect_bad_param(kMetrics, {{"type", "database"}, {"side", "both"}}, "side");
  expect_bad_param(kMetrics, {{"type", "database"}, {"fingerprint_id", "xyz"}}, "fingerprint_id");
  expect_bad_param(kMetrics, {{"type", "database"}, {"fingerprint_id", "2CA968C92EFEAC28"}}, "fingerprint_id");
  expect_bad_param(kMetrics, {{"type", "database"}, {"limit", "0"}}, "limit");
  expect_bad_param(kMetrics, {{"type", "database"}, {"remote", "x"}}, "remote");  // a network parameter
  expect_bad_param(kMetrics, {{"type", "http"}, {"system", "redis"}}, "system");
  expect_bad_param(kMetrics, {{"type", "http"}, {"method", std::string(33, 'G')}}, "method");
  expect_bad_param(kMetrics, {{"type", "http"}, {"pid", "0"}}, "pid");
  expect_bad_param(kMetrics, {{"type", "syscall"}, {"system", "redis"}}, "system");
  expect_bad_param(kQueries, {{"sort", "slowest"}}, "sort");
  expect_bad_param(kQueries, {{"sort", "5xx"}}, "sort");
  expect_bad_param(kQueries, {{"slow_limit", "1001"}}, "slow_limit");
  expect_bad_param(kQueries, {{"offset", "-1"}}, "offset");
  expect_bad_param(kQueries, {{"route", "/"}}, "route");
  expect_bad_param(kEndpoints, {{"sort", "slowest"}}, "sort");
  expect_bad_param(kEndpoints, {{"side", "server "}}, "side");
  expect_bad_param(kEndpoints, {{"limit", "100001"}}, "limit");
  expect_bad_param(kEndpoints, {{"system", "redis"}}, "system");
  EXPECT_EQ(call("GET", kQueries, {}, "", "").status, 401);
  EXPECT_EQ(call("GET", kEndpoints, {}, "", "viewer-token").status, 200);
}

TEST_F(L7RoutesTest, WithoutAnAttachedL7ProbeNumbersAreListedButUnavailable) {
  engine.set_probe_health({});
  for (const char* type : {"database", "http"}) {
    auto v = get_ok(kMetrics, {{"type", type}});
    EXPECT_FALSE(v["available"].as_bool()) << type;
    EXPECT_EQ(v["reason"].as_string(), "database and HTTP capture is not running");
    EXPECT_EQ(v["metrics"].as_array().size(), 3u);
  }
  EXPECT_FALSE(get_ok(kQueries)["available"].as_bool());
  EXPECT_FALSE(get_ok(kEndpoints)["available"].as_bool());
  set_probe("l7", "failed", "l7/attach: Operation not permitted");
  auto v = get_ok(kMetrics, {{"type", "database"}});
  EXPECT_EQ(v["reason"].as_string(), "l7/attach: Operation not permitted");
  auto summary = get_ok("/api/performance/monitoring/summary");
  EXPECT_FALSE(summary["database"].as_object()["available"].as_bool());
  EXPECT_EQ(summary["http"].as_object()["reason"].as_string(), "l7/attach: Operation not permitted");
  set_probe("l7", "detached");
  EXPECT_EQ(get_ok(kEndpoints)["reason"].as_string(), "the l7 probe is detached");
}

TEST_F(L7RoutesTest, DatabaseQueriesAggregateAndListTheSlowLog) {
  auto v = get_ok(kQueries);
  EXPECT_TRUE(v.contains("queries"));
  EXPECT_TRUE(v.contains("slow"));
  EXPECT_EQ(v["total"].as_int64(), 3);
  EXPECT_FALSE(v.contains("available"));
  auto& q = v["queries"].as_array();
  ASSERT_EQ(q.size(), 3u);
  auto& first = q[0].as_object();
  for (const char* f : {"fingerprint_id", "fingerprint", "system", "count", "errors", "replies_unseen", "total_ns",
                        "p50_ns", "p95_ns", "p99_ns", "max_ns", "sample", "processes"})
    EXPECT_TRUE(first.contains(f)) << f;
  EXPECT_EQ(first["count"].as_int64(), 9);
  auto& procs = first["processes"].as_array();
  ASSERT_EQ(procs.size(), 1u);
  EXPECT_EQ(procs[0].as_object()["pid"].as_int64(), 100);
  EXPECT_EQ(procs[0].as_object()["comm"].as_string(), "proc100");
  EXPECT_EQ(procs[0].as_object()["side"].as_string(), "client");
  EXPECT_EQ(procs[0].as_object()["count"].as_int64(), 9);
  // Slow (>= 100 ms) or failed, newest first.
  auto& slow = v["slow"].as_array();
  ASSERT_EQ(slow.size(), 3u);
  auto& newest = slow[0].as_object();
  for (const char* f : {"ts_ms", "pid", "comm", "system", "side", "remote", "duration_ns", "fingerprint",
                        "fingerprint_id", "text", "error", "error_text"})
    EXPECT_TRUE(newest.contains(f)) << f;
  EXPECT_TRUE(newest["error"].as_bool());
  EXPECT_EQ(newest["error_text"].as_string(), "duplicate key");
  auto& oldest = slow[2].as_object();
  EXPECT_FALSE(oldest["error"].as_bool());
  EXPECT_EQ(oldest["duration_ns"].as_int64(), static_cast<std::int64_t>(150 * kMs));
  EXPECT_EQ(oldest["text"].as_string(), "SELECT * FROM t WHERE id = ?");  // literals hidden
  EXPECT_EQ(oldest["system"].as_string(), "postgresql");

  EXPECT_EQ(get_ok(kQueries, {{"slow_limit", "1"}})["slow"].as_array().size(), 1u);
  EXPECT_EQ(get_ok(kQueries, {{"slow_limit", "0"}})["slow"].as_array().size(), 0u);
  auto redis = get_ok(kQueries, {{"system", "redis"}});
  EXPECT_EQ(redis["total"].as_int64(), 1);
  EXPECT_TRUE(redis["slow"].as_array().empty());  // the slow log is filtered too
  auto page = get_ok(kQueries, {{"sort", "count"}, {"limit", "1"}, {"offset", "1"}});
  EXPECT_EQ(page["total"].as_int64(), 3);
  ASSERT_EQ(page["queries"].as_array().size(), 1u);
  EXPECT_EQ(page["queries"].as_array()[0].as_object()["fingerprint"].as_string(), "GET");  // 9, 4, 2
  EXPECT_EQ(get_ok(kQueries, {{"sort", "errors"}})["queries"].as_array()[0].as_object()["errors"].as_int64(), 2);
  EXPECT_EQ(get_ok(kQueries, {{"side", "server"}, {"pid", "100"}})["total"].as_int64(), 0);

  // Literals seen before capture_literals was turned on were never kept.
  auto settings = engine.settings();
  settings.capture_literals = true;
  engine.set_settings(settings);
  auto lit = get_ok(kQueries, {{"system", "postgresql"}});
  EXPECT_EQ(lit["queries"].as_array()[0].as_object()["sample"].as_string(), "SELECT * FROM t WHERE id = ?");
  engine.ingest_l7(std::vector<L7Reading>{db_reading(100, Protocol::postgresql, "SELECT * FROM t WHERE id = ?",
                                                     200 * kMs, "SELECT * FROM t WHERE id = 7")});
  lit = get_ok(kQueries, {{"system", "postgresql"}});
  EXPECT_EQ(lit["queries"].as_array()[0].as_object()["sample"].as_string(), "SELECT * FROM t WHERE id = 7");
  EXPECT_EQ(lit["slow"].as_array()[0].as_object()["text"].as_string(), "SELECT * FROM t WHERE id = 7");
}

TEST_F(L7RoutesTest, HttpEndpointsAggregateAcrossProcesses) {
  auto v = get_ok(kEndpoints);
  EXPECT_EQ(v["total"].as_int64(), 3);
  auto& e = v["endpoints"].as_array();
  ASSERT_EQ(e.size(), 3u);
  auto& first = e[0].as_object();
  for (const char* f : {"method", "route", "side", "count", "status_2xx", "status_3xx", "status_4xx", "status_5xx",
                        "errors", "p50_ns", "p95_ns", "p99_ns", "max_ns", "bytes_out", "processes"})
    EXPECT_TRUE(first.contains(f)) << f;
  EXPECT_EQ(first["route"].as_string(), "/users/:id");
  EXPECT_EQ(first["side"].as_string(), "server");
  EXPECT_EQ(first["status_5xx"].as_int64(), 1);
  EXPECT_EQ(first["processes"].as_array()[0].as_object()["pid"].as_int64(), 300);
  EXPECT_EQ(get_ok(kEndpoints, {{"side", "client"}})["total"].as_int64(), 1);
  EXPECT_EQ(get_ok(kEndpoints, {{"method", "POST"}})["endpoints"].as_array()[0].as_object()["status_3xx"].as_int64(),
            1);
  auto by5xx = get_ok(kEndpoints, {{"sort", "5xx"}, {"limit", "1"}});
  EXPECT_EQ(by5xx["endpoints"].as_array()[0].as_object()["status_5xx"].as_int64(), 1);
  EXPECT_EQ(get_ok(kEndpoints, {{"comm", "proc400"}})["endpoints"].as_array()[0].as_object()["bytes_in"].as_int64(),
            700);
}

TEST_F(L7RoutesTest, SummaryAndSeriesCarryDatabaseAndHttp) {
  auto s = get_ok("/api/performance/monitoring/summary");
  auto db = s["database"].as_object();
  EXPECT_TRUE(db["available"].as_bool());
  EXPECT_EQ(db["ops"].as_int64(), 15);
  EXPECT_EQ(db["errors"].as_int64(), 2);
  EXPECT_DOUBLE_EQ(db["rate_per_s"].as_double(), 15.0);
  EXPECT_DOUBLE_EQ(db["errors_per_s"].as_double(), 2.0);
  EXPECT_EQ(db["slow_total"].as_int64(), 3);
  EXPECT_EQ(db["last_minute"].as_object()["p95_ns"].as_int64(), static_cast<std::int64_t>(slot_mid(150 * kMs)));
  auto& top = db["top_fingerprints"].as_array();
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].as_object()["fingerprint"].as_string(), "SELECT * FROM t WHERE id = ?");
  auto http = s["http"].as_object();
  EXPECT_TRUE(http["available"].as_bool());
  EXPECT_EQ(http["requests"].as_int64(), 5);
  EXPECT_EQ(http["status_5xx"].as_int64(), 1);
  EXPECT_EQ(http["status_4xx"].as_int64(), 1);
  EXPECT_DOUBLE_EQ(http["status_5xx_per_s"].as_double(), 1.0);
  EXPECT_EQ(http["top_routes"].as_array().size(), 3u);
  auto points = get_ok("/api/performance/monitoring/series")["points"].as_array();
  ASSERT_EQ(points.size(), 1u);
  auto& p = points[0].as_object();
  EXPECT_DOUBLE_EQ(p["db_ops_per_s"].as_double(), 15.0);
  EXPECT_DOUBLE_EQ(p["db_errors_per_s"].as_double(), 2.0);
  EXPECT_EQ(p["db_p95_ns"].as_int64(), static_cast<std::int64_t>(slot_mid(150 * kMs)));
  EXPECT_DOUBLE_EQ(p["http_requests_per_s"].as_double(), 5.0);
  EXPECT_DOUBLE_EQ(p["http_5xx_per_s"].as_double(), 1.0);
  EXPECT_EQ(p["http_p95_ns"].as_int64(), static_cast<std::int64_t>(slot_mid(8 * kMs)));
  auto status = get_ok("/api/performance/monitoring/status")["engine"].as_object();
  EXPECT_EQ(status["l7_readings"].as_int64(), 20);
}

}  // namespace
}  // namespace hs::web
