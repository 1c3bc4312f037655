// Database operations attributed to the HTTP request (same process and thread,
// inside its interval) that made them: the matcher, the per-route
// queries-per-request distribution, and what the engine reports.
#include <gtest/gtest.h>

#include <vector>

#include "fake_inspector.h"
#include "l7_test_readings.h"
#include "monitoring/monitoring_engine.h"
#include "monitoring/request_attribution.h"

namespace hs::monitoring {
namespace {

using protocols::L7Reading;
using test::db_reading;
using test::FakeInspector;
using test::http_reading;

constexpr auto kPg = Protocol::postgresql;
constexpr auto kRedis = Protocol::redis;
constexpr std::uint64_t kUs = 1'000;

L7Reading query(std::uint32_t tgid, std::uint32_t tid, std::string fp, std::uint64_t start_ns, std::uint64_t ns,
                Protocol system = kPg) {
  L7Reading r = db_reading(tgid, system, std::move(fp), ns, "", start_ns);
  r.tid = tid;
  return r;
}

// A server-side request read at start_ns and answered at end_ns.
L7Reading request(std::uint32_t tgid, std::uint32_t tid, std::string route, std::uint64_t start_ns,
                  std::uint64_t end_ns) {
  L7Reading r = http_reading(tgid, true, "GET", std::move(route), 200, end_ns - start_ns);
  r.tid = tid;
  r.request_ns = start_ns;
  r.response_ns = end_ns;
  return r;
}

TEST(RequestAttribution, ClaimsItsThreadsQueriesInsideTheRequest) {
  RequestAttribution a;
  const std::uint64_t t = 1'000'000;
  a.note(query(9, 11, "SELECT a", t - 50 * kUs, 10 * kUs));  // before the request began
  a.note(query(9, 11, "SELECT a", t + 10 * kUs, 20 * kUs));
  a.note(query(9, 12, "SELECT a", t + 15 * kUs, 20 * kUs));  // another thread
  a.note(query(8, 11, "SELECT a", t + 15 * kUs, 20 * kUs));  // another process
  a.note(query(9, 11, "GET", t + 40 * kUs, 5 * kUs, kRedis));
  L7Reading pipelined = query(9, 11, "SELECT a", t + 50 * kUs, 30 * kUs);
  pipelined.op.count = 3;
  a.note(pipelined);
  a.note(query(9, 11, "SELECT b", t + 90 * kUs, 20 * kUs));  // answered after the response began
  std::vector<ClaimedQuery> got;
  a.claim(request(9, 11, "/r", t, t + 100 * kUs), got);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].system, kPg);
  EXPECT_EQ(got[0].fingerprint, "SELECT a");
  EXPECT_EQ(got[0].count, 4u);
  EXPECT_EQ(got[0].total_ns, 20 * kUs + 3 * 30 * kUs);
  EXPECT_EQ(got[1].system, kRedis);
  EXPECT_EQ(got[1].count, 1u);
  // Claimed ones are gone: the same request again finds nothing.
  got.clear();
  a.claim(request(9, 11, "/r", t, t + 100 * kUs), got);
  EXPECT_TRUE(got.empty());
  got.clear();
  a.claim(request(9, 12, "/r", t, t + 100 * kUs), got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].count, 1u);
}

TEST(RequestAttribution, BoundsWhatWaits) {
  RequestAttribution a(AttributionLimits{.per_process = 4, .processes = 2, .shapes_per_process = 2, .horizon_ns = 1000});
  for (int i = 0; i < 10; ++i) a.note(query(1, 1, "SELECT " + std::to_string(i), 10 + i, 1));
  EXPECT_EQ(a.waiting(), 4u);
  EXPECT_EQ(a.unclaimed(), 6u);
  std::vector<ClaimedQuery> got;
  a.claim(request(1, 1, "/", 0, 100), got);
  ASSERT_EQ(got.size(), 1u);  // shapes past the cap are one "other"
  EXPECT_EQ(got[0].fingerprint, "other");
  EXPECT_EQ(got[0].count, 4u);
  a.note(query(2, 1, "SELECT 1", 10, 1));
  a.note(query(3, 1, "SELECT 1", 10, 1));  // a third process: not kept
  EXPECT_EQ(a.unclaimed(), 7u);
  // Past the horizon of the process's latest operation.
  a.note(query(2, 1, "SELECT 1", 5000, 1));
  EXPECT_EQ(a.unclaimed(), 8u);
  a.forget(2);
  EXPECT_EQ(a.unclaimed(), 9u);
  EXPECT_EQ(a.waiting(), 0u);
}

TEST(QueriesPerRequest, PercentilesAreExactForSmallCounts) {
  QueriesPerRequest q;
  EXPECT_EQ(q.percentile(0.5), 0u);
  q.add(1, 90);
  q.add(25, 9);
  q.add(37);
  EXPECT_EQ(q.requests(), 100u);
  EXPECT_EQ(q.queries(), 90u + 225u + 37u);
  EXPECT_EQ(q.percentile(0.50), 1u);
  EXPECT_EQ(q.percentile(0.95), 25u);
  EXPECT_EQ(q.percentile(1.0), 37u);  // its bucket's bound is 40; the max is smaller
  EXPECT_EQ(q.max(), 37u);
  EXPECT_DOUBLE_EQ(q.mean(), 3.52);
  QueriesPerRequest none;
  none.add(0, 4);
  q.merge(none);
  EXPECT_EQ(q.requests(), 104u);
  EXPECT_EQ(q.percentile(0.01), 0u);
}

class RequestQueriesEngineTest : public ::testing::Test {
 protected:
  FakeClock clock;
  FakeInspector inspector;
  EngineSettings settings{.interval_ms = 1000,
                          .fine_retention_s = 900,
                          .coarse_retention_s = 86400,
                          .exited_retention_s = 60,
                          .max_exited_processes = 100};
};

// A server whose /one route makes 1 query and /many makes 25 (an N+1), on two
// threads at once; and a pure client whose queries belong to no request.
TEST_F(RequestQueriesEngineTest, RoutesReportTheirQueriesPerRequest) {
  inspector.add(40, "api");
  inspector.add(41, "pgbench");
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<L7Reading> v;
  std::uint64_t t = 2'000'000'000;
  for (int i = 0; i < 4; ++i, t += 1'000'000) {
    // Thread 1: GET /one; thread 2: GET /many, overlapping in time.
    v.push_back(query(40, 1, "SELECT * FROM users WHERE id = ?", t + 10 * kUs, 50 * kUs));
    for (int k = 0; k < 25; ++k)
      v.push_back(query(40, 2, "SELECT * FROM orders WHERE user_id = ?", t + 5 * kUs + k * 20 * kUs, 10 * kUs));
    v.push_back(query(41, 1, "SELECT 1", t + 20 * kUs, 5 * kUs));
    v.push_back(request(40, 1, "/one", t, t + 100 * kUs));
    v.push_back(request(40, 2, "/many", t, t + 600 * kUs));
  }
  eng.ingest_l7(v);

  HttpQuery q;
  q.route = "/many";
  auto many = eng.http_entries(q);
  ASSERT_EQ(many.size(), 1u);
  ASSERT_TRUE(many[0].db.has_value());
  EXPECT_EQ(many[0].db->requests, 4u);
  EXPECT_EQ(many[0].db->queries, 100u);
  EXPECT_EQ(many[0].db->p50, 25u);
  EXPECT_EQ(many[0].db->p95, 25u);
  EXPECT_EQ(many[0].db->max, 25u);
  EXPECT_DOUBLE_EQ(many[0].db->mean, 25.0);
  ASSERT_EQ(many[0].db->top.size(), 1u);
  EXPECT_EQ(many[0].db->top[0].fingerprint, "SELECT * FROM orders WHERE user_id = ?");
  EXPECT_EQ(many[0].db->top[0].count, 100u);
  EXPECT_EQ(many[0].db->top[0].total_ns, 100 * 10 * kUs);
  q.route = "/one";
  auto one = eng.http_entries(q);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].db->p50, 1u);
  EXPECT_EQ(one[0].db->max, 1u);
  EXPECT_EQ(one[0].db->queries, 4u);

  // The statement names the route that made it; the pure client's names none.
  DatabaseQuery dq;
  dq.pid = 40;
  dq.fingerprint_id = fingerprint_id(kPg, "SELECT * FROM orders WHERE user_id = ?");
  auto orders = eng.database_entries(dq);
  ASSERT_EQ(orders.size(), 1u);
  ASSERT_EQ(orders[0].http_routes.routes.size(), 1u);
  EXPECT_EQ(orders[0].http_routes.routes[0].route, "/many");
  EXPECT_EQ(orders[0].http_routes.routes[0].count, 100u);
  dq.pid = 41;
  dq.fingerprint_id = std::nullopt;
  auto client = eng.database_entries(dq);
  ASSERT_EQ(client.size(), 1u);
  EXPECT_TRUE(client[0].http_routes.routes.empty());

  // Aggregated across processes in the endpoint list.
  EndpointListFilter f;
  f.route = "/many";
  auto list = eng.http_endpoints(f);
  ASSERT_EQ(list.endpoints.size(), 1u);
  ASSERT_TRUE(list.endpoints[0].db.has_value());
  EXPECT_EQ(list.endpoints[0].db->p50, 25u);
}

TEST_F(RequestQueriesEngineTest, ClientSideRequestsHaveNoQueryView) {
  inspector.add(5, "curl");
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<L7Reading> v{http_reading(5, false, "GET", "/x", 200, 1000)};
  eng.ingest_l7(v);
  auto e = eng.http_entries({});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_FALSE(e[0].db.has_value());
}

}  // namespace
}  // namespace hs::monitoring
