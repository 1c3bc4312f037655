// The database and HTTP families of /metrics: exact buckets, labels, the
// cardinality bound, and promtool's verdict.
#include <gtest/gtest.h>

#include "l7_test_readings.h"
#include "promtool.h"
#include "route_fakes.h"
#include "web/routes/prometheus_text.h"

namespace hs::web {
namespace {

using protocols::L7Reading;
using protocols::Protocol;
using test::db_reading;
using test::failed;
using test::http_reading;

constexpr std::uint64_t kMs = 1'000'000;

class L7MetricsTest : public ::testing::Test, protected test::ApiHarness {
 protected:
  std::string scrape() {
    auto r = call("GET", "/metrics", {}, "", "");
    EXPECT_EQ(r.status, 200);
    return r.body;
  }
  static std::string le(std::uint64_t ns) { return prom::format_value(static_cast<double>(ns) / 1e9); }
};

TEST_F(L7MetricsTest, FamiliesHaveExactBucketsAndLabels) {
  std::vector<L7Reading> v;
  for (int i = 0; i < 6; ++i) v.push_back(db_reading(100, Protocol::postgresql, "SELECT ?", 3 * kMs));
  v.push_back(failed(db_reading(100, Protocol::postgresql, "SELECT ?", 200 * kMs), "canceled"));
  auto srv = db_reading(200, Protocol::redis, "GET", 50'000);
  srv.server_side = true;
  v.push_back(srv);
  v.push_back(http_reading(300, true, "GET", "/users/:id", 200, 2 * kMs));
  v.push_back(http_reading(300, true, "GET", "/users/:id", 503, 30 * kMs));
  v.push_back(http_reading(300, true, "GET", "/a \"quoted\"\\route", 404, 1 * kMs));
  engine.ingest_l7(v);
  clock.advance_ms(1000);
  engine.finish_interval();
  const std::string b = scrape();
  for (const char* family :
       {"# TYPE hostscope_db_query_duration_seconds histogram", "# TYPE hostscope_db_query_errors_total counter",
        "# TYPE hostscope_db_slow_queries_total counter", "# TYPE hostscope_http_request_duration_seconds histogram",
        "# TYPE hostscope_http_responses_total counter"})
    EXPECT_NE(b.find(family), std::string::npos) << family;
  const std::string pg = "system=\"postgresql\",fingerprint_id=\"" +
                         monitoring::fingerprint_id(Protocol::postgresql, "SELECT ?") + "\",side=\"client\"";
  // 3 ms statements: above the 1.05 ms bound, below 4.19 ms; the 200 ms one between 67 ms and 268 ms.
  EXPECT_NE(b.find("hostscope_db_query_duration_seconds_bucket{" + pg + ",le=\"" + le(1ull << 20) + "\"} 0"),
            std::string::npos)
      << b;
  EXPECT_NE(b.find("hostscope_db_query_duration_seconds_bucket{" + pg + ",le=\"" + le(1ull << 22) + "\"} 6"),
            std::string::npos);
  EXPECT_NE(b.find("hostscope_db_query_duration_seconds_bucket{" + pg + ",le=\"" + le(1ull << 26) + "\"} 6"),
            std::string::npos);
  EXPECT_NE(b.find("hostscope_db_query_duration_seconds_bucket{" + pg + ",le=\"" + le(1ull << 28) + "\"} 7"),
            std::string::npos);
  EXPECT_NE(b.find("hostscope_db_query_duration_seconds_count{" + pg + "} 7"), std::string::npos);
  EXPECT_NE(b.find("hostscope_db_query_duration_seconds_sum{" + pg + "} 0.218"), std::string::npos);
  EXPECT_NE(b.find("hostscope_db_query_errors_total{" + pg + "} 1"), std::string::npos);
  // The first bucket is 16.4 us, the last 17.2 s.
  EXPECT_NE(b.find("le=\"" + le(1ull << 14) + "\""), std::string::npos);
  EXPECT_NE(b.find("le=\"" + le(1ull << 34) + "\""), std::string::npos);
  EXPECT_EQ(b.find("le=\"" + le(1ull << 12) + "\""), std::string::npos);
  EXPECT_NE(
      b.find("hostscope_db_query_errors_total{system=\"redis\",fingerprint_id=\"2ca968c92efeac28\",side=\"server\"} 0"),
      std::string::npos);
  EXPECT_NE(b.find("hostscope_db_slow_queries_total 1"), std::string::npos);
  const std::string users = "side=\"server\",method=\"GET\",route=\"/users/:id\"";
  EXPECT_NE(b.find("hostscope_http_request_duration_seconds_count{" + users + "} 2"), std::string::npos);
  EXPECT_NE(b.find("hostscope_http_request_duration_seconds_bucket{" + users + ",le=\"" + le(1ull << 22) + "\"} 1"),
            std::string::npos);
  EXPECT_NE(b.find("hostscope_http_responses_total{" + users + ",code_class=\"2xx\"} 1"), std::string::npos);
  EXPECT_NE(b.find("hostscope_http_responses_total{" + users + ",code_class=\"3xx\"} 0"), std::string::npos);
  EXPECT_NE(b.find("hostscope_http_responses_total{" + users + ",code_class=\"5xx\"} 1"), std::string::npos);
  // Route text is escaped, never breaking the exposition.
  EXPECT_NE(b.find("route=\"/a \\\"quoted\\\"\\\\route\",code_class=\"4xx\"} 1"), std::string::npos);
  if (test::promtool_available()) {
    std::string output;
    EXPECT_EQ(test::promtool_check(b, output), 0) << output;
  }
}

TEST_F(L7MetricsTest, SeriesAreBoundedByConfiguration) {
  std::vector<L7Reading> v;
  for (int i = 0; i < 30; ++i) {
    v.push_back(db_reading(100, Protocol::mysql, "SELECT " + std::to_string(i), (i + 1) * kMs));
    v.push_back(http_reading(200, true, "GET", "/r" + std::to_string(i), 200, (i + 1) * kMs));
  }
  engine.ingest_l7(v);
  cfg.cfg.prometheus_max_series = 8;
  const std::string b = scrape();
  EXPECT_EQ(test::count_lines(b, "hostscope_db_query_duration_seconds_count{"), 8u);
  EXPECT_EQ(test::count_lines(b, "hostscope_db_query_errors_total{"), 8u);
  EXPECT_EQ(test::count_lines(b, "hostscope_http_request_duration_seconds_count{"), 8u);
  EXPECT_EQ(test::count_lines(b, "hostscope_http_responses_total{"), 8u);  // four per endpoint: two endpoints
  EXPECT_NE(b.find("hostscope_db_query_duration_seconds_count{system=\"other\",fingerprint_id=\"other\","
                   "side=\"other\"} 23"),
            std::string::npos)
      << b;
  EXPECT_NE(b.find("hostscope_http_responses_total{side=\"other\",method=\"other\",route=\"other\","
                   "code_class=\"2xx\"} 29"),
            std::string::npos);
  if (test::promtool_available()) {
    std::string output;
    EXPECT_EQ(test::promtool_check(b, output), 0) << output;
  }
}

TEST_F(L7MetricsTest, NoOperationsMeansFamiliesWithoutSeries) {
  const std::string b = scrape();
  EXPECT_NE(b.find("# TYPE hostscope_db_query_duration_seconds histogram"), std::string::npos);
  EXPECT_EQ(test::count_lines(b, "hostscope_db_query_duration_seconds_count{"), 0u);
  EXPECT_NE(b.find("hostscope_db_slow_queries_total 0"), std::string::npos);
  if (test::promtool_available()) {
    std::string output;
    EXPECT_EQ(test::promtool_check(b, output), 0) << output;
  }
}

}  // namespace
}  // namespace hs::web
