// The engine's L7 layer fed synthetic decoded operations: exact counts, errors
// and percentiles, pipelining, cardinality caps, the slow-query log, literal
// hiding, aggregated lists, series and exited-process retention.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "fake_inspector.h"
#include "l7_test_readings.h"
#include "monitoring/monitoring_engine.h"

namespace hs::monitoring {
namespace {

using protocols::L7Reading;
using test::db_reading;
using test::failed;
using test::FakeInspector;
using test::http_reading;

constexpr auto kPg = Protocol::postgresql;
constexpr auto kRedis = Protocol::redis;
constexpr std::uint64_t kMs = 1'000'000;

// The value a histogram reports for samples all equal to `ns` (its slot's midpoint).
std::uint64_t slot_mid(std::uint64_t ns) {
  Histogram h;
  h.add(ns);
  return h.percentile(0.5);
}

class L7EngineTest : public ::testing::Test {
 protected:
  FakeClock clock;
  FakeInspector inspector;
  EngineSettings settings{.interval_ms = 1000,
                          .fine_retention_s = 900,
                          .coarse_retention_s = 86400,
                          .exited_retention_s = 60,
                          .max_exited_processes = 100};

  static void ingest(MonitoringEngine& eng, std::vector<L7Reading> v) { eng.ingest_l7(v); }
};

TEST_F(L7EngineTest, StatementCountsErrorsAndPercentilesAreExact) {
  inspector.add(42, "api");
  MonitoringEngine eng(clock, inspector, settings);
  const std::string fp = "SELECT * FROM users WHERE id = ?";
  std::vector<L7Reading> v;
  for (int i = 0; i < 90; ++i) v.push_back(db_reading(42, kPg, fp, 1 * kMs, "SELECT * FROM users WHERE id = 7"));
  for (int i = 0; i < 10; ++i) v.push_back(failed(db_reading(42, kPg, fp, 2 * kMs), "relation does not exist"));
  v.push_back(db_reading(42, kPg, fp, 50 * kMs));
  v.back().remote = "10.0.0.6:5432";
  v.back().tls = true;
  ingest(eng, v);

  auto e = eng.database_entries({});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].pid, 42u);
  EXPECT_EQ(e[0].comm, "api");
  EXPECT_EQ(e[0].system, "postgresql");
  EXPECT_EQ(e[0].side, "client");
  EXPECT_EQ(e[0].fingerprint, fp);
  EXPECT_EQ(e[0].fingerprint_id, fingerprint_id(kPg, fp));
  EXPECT_EQ(e[0].count, 101u);
  EXPECT_EQ(e[0].errors, 10u);
  EXPECT_EQ(e[0].total_ns, 90 * kMs + 20 * kMs + 50 * kMs);
  EXPECT_EQ(e[0].max_ns, 50 * kMs);
  EXPECT_EQ(e[0].p50_ns, slot_mid(1 * kMs));
  EXPECT_EQ(e[0].p95_ns, slot_mid(2 * kMs));  // ranks 91..100 are the 2 ms errors
  EXPECT_EQ(e[0].p99_ns, slot_mid(2 * kMs));  // rank 100 of 101
  EXPECT_NEAR(static_cast<double>(e[0].p50_ns), 1e6, 1e6 * 0.125);
  EXPECT_TRUE(e[0].tls);
  EXPECT_EQ(e[0].remote, "10.0.0.6:5432");  // the last one
  EXPECT_EQ(e[0].remotes, (std::vector<std::string>{"10.0.0.5:5432", "10.0.0.6:5432"}));
  EXPECT_EQ(e[0].sample, fp);  // literals are not captured by default
  EXPECT_FALSE(e[0].exited);
  EXPECT_EQ(eng.counters().l7_readings, 101u);
}

TEST_F(L7EngineTest, PipelinedOperationsShareTheExchangeLatency) {
  inspector.add(7, "worker");
  MonitoringEngine eng(clock, inspector, settings);
  // One exchange: three commands written together, one response read 300 us later.
  std::vector<L7Reading> v{db_reading(7, kRedis, "GET", 300'000), db_reading(7, kRedis, "SET", 300'000),
                           db_reading(7, kRedis, "GET", 300'000)};
  ingest(eng, v);
  DatabaseQuery q;
  q.fingerprint_id = fingerprint_id(kRedis, "GET");
  auto get = eng.database_entries(q);
  ASSERT_EQ(get.size(), 1u);
  EXPECT_EQ(get[0].count, 2u);
  EXPECT_EQ(get[0].total_ns, 600'000u);
  EXPECT_EQ(get[0].max_ns, 300'000u);
  EXPECT_EQ(get[0].p99_ns, slot_mid(300'000));
  EXPECT_EQ(get[0].system, "redis");
  EXPECT_EQ(get[0].fingerprint_id, "2ca968c92efeac28");  // FNV-1a 64 of "redis\0GET": stable everywhere
  EXPECT_EQ(eng.database_entries({}).size(), 2u);
}

TEST_F(L7EngineTest, FoldedOperationsCountEachOne) {
  inspector.add(8, "bench");
  MonitoringEngine eng(clock, inspector, settings);
  // A pipeline of 16 SETs folded by the decoder, and 3 errors folded likewise.
  std::vector<L7Reading> v{db_reading(8, kRedis, "SET", 2 * kMs), failed(db_reading(8, kRedis, "SET", 4 * kMs), "OOM"),
                           http_reading(8, true, "GET", "/items/:id", 500, 1 * kMs)};
  v[0].op.count = 16;
  v[0].op.replies_unseen = 4;  // the last four replies were past the kept prefix
  v[1].op.count = 3;
  v[2].op.count = 5;
  ingest(eng, v);
  auto set = eng.database_entries({});
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set[0].count, 19u);
  EXPECT_EQ(set[0].errors, 3u);
  EXPECT_EQ(set[0].replies_unseen, 4u);
  EXPECT_EQ(set[0].total_ns, 16 * 2 * kMs + 3 * 4 * kMs);
  EXPECT_EQ(set[0].max_ns, 4 * kMs);
  EXPECT_EQ(set[0].p50_ns, slot_mid(2 * kMs));  // rank 10 of 19 is one of the 16
  EXPECT_EQ(set[0].p95_ns, slot_mid(4 * kMs));
  auto http = eng.http_entries({});
  ASSERT_EQ(http.size(), 1u);
  EXPECT_EQ(http[0].count, 5u);
  EXPECT_EQ(http[0].errors, 5u);
  EXPECT_EQ(http[0].status_5xx, 5u);
  EXPECT_EQ(eng.counters().l7_readings, 3u);
}

TEST_F(L7EngineTest, AtTheCapTheLeastBusyFingerprintsAreFoldedIntoOther) {
  inspector.add(5, "app");
  settings.max_fingerprints_per_process = 4;  // a fold takes the least busy quarter: one
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<L7Reading> v;
  for (int i = 0; i < 4; ++i) v.push_back(db_reading(5, kPg, "SELECT " + std::to_string(i), (i + 1) * kMs));
  v.push_back(db_reading(5, kPg, "SELECT 0", 3 * kMs));  // held: 4 ms in all, more than SELECT 1 and 2
  v.back().remote = "10.0.0.9:5432";
  ingest(eng, v);
  // A statement first seen after the cap is full, then busier than any: held.
  std::vector<L7Reading> late;
  for (int i = 0; i < 10; ++i) late.push_back(db_reading(5, kPg, "SELECT late", 5 * kMs));
  late.push_back(db_reading(5, kPg, "SELECT 5", 1 * kMs));  // folds the next least busy
  ingest(eng, late);

  auto e = eng.database_entries({});
  std::map<std::string, const DatabaseEntry*> by_fp;
  for (const auto& x : e) by_fp[x.fingerprint] = &x;
  ASSERT_EQ(e.size(), 5u);  // 4 held and "other"
  ASSERT_TRUE(by_fp.count("SELECT late"));
  EXPECT_EQ(by_fp["SELECT late"]->count, 10u);
  EXPECT_EQ(by_fp["SELECT 0"]->count, 2u);
  EXPECT_EQ(by_fp["SELECT 3"]->count, 1u);
  EXPECT_EQ(by_fp["SELECT 5"]->count, 1u);
  EXPECT_FALSE(by_fp.count("SELECT 1"));  // 2 ms: folded first
  EXPECT_FALSE(by_fp.count("SELECT 2"));  // 3 ms: folded next
  ASSERT_TRUE(by_fp.count("other"));
  const DatabaseEntry& other = *by_fp["other"];
  EXPECT_EQ(other.count, 2u);
  EXPECT_EQ(other.total_ns, 5 * kMs);
  EXPECT_EQ(other.max_ns, 3 * kMs);
  EXPECT_EQ(other.fingerprint_id, "ca8bb6bffc55c4d9");  // of "postgresql\0other"
  EXPECT_EQ(other.sample, "SELECT 2");                  // the slowest folded statement's fingerprint
  // Nothing is lost: the totals see every operation.
  EXPECT_EQ(eng.database_totals().ops, 16u);
  std::uint64_t listed = 0;
  for (const auto& x : e) listed += x.count;
  EXPECT_EQ(listed, 16u);
}

TEST_F(L7EngineTest, HttpRequestsCountStatusClassesBytesAndRoutesPastTheCap) {
  inspector.add(9, "nginx");
  inspector.add(10, "curl");
  settings.max_routes_per_process = 2;
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<L7Reading> v{
      http_reading(9, true, "GET", "/users/:id", 200, 2 * kMs, 1000),
      http_reading(9, true, "GET", "/users/:id", 404, 1 * kMs, 100),
      http_reading(9, true, "GET", "/users/:id", 503, 9 * kMs, 50),
      http_reading(9, true, "POST", "/users", 301, 3 * kMs, 10),
      http_reading(9, true, "DELETE", "/users/:id", 204, 4 * kMs, 0),  // third route: POST (3 ms) folded
      http_reading(9, true, "PUT", "/users/:id", 500, 5 * kMs, 0),     // fourth: DELETE (4 ms) folded
      http_reading(10, false, "GET", "/health", 200, 1 * kMs, 77),
  };
  ingest(eng, v);
  HttpQuery q;
  q.pid = 9;
  q.method = "GET";
  q.route = "/users/:id";
  auto e = eng.http_entries(q);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].comm, "nginx");
  EXPECT_EQ(e[0].side, "server");
  EXPECT_EQ(e[0].method, "GET");
  EXPECT_EQ(e[0].count, 3u);
  EXPECT_EQ(e[0].status_2xx, 1u);
  EXPECT_EQ(e[0].status_4xx, 1u);
  EXPECT_EQ(e[0].status_5xx, 1u);
  EXPECT_EQ(e[0].errors, 1u);
  EXPECT_EQ(e[0].total_ns, 12 * kMs);
  EXPECT_EQ(e[0].max_ns, 9 * kMs);
  EXPECT_EQ(e[0].bytes_out, 1150u);
  EXPECT_EQ(e[0].bytes_in, 0u);
  q.method = "other";
  q.route = "other";
  auto other = eng.http_entries(q);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].method, "other");
  EXPECT_EQ(other[0].count, 2u);
  EXPECT_EQ(other[0].status_2xx, 1u);
  EXPECT_EQ(other[0].status_3xx, 1u);
  EXPECT_EQ(other[0].status_5xx, 0u);
  q.route = "/users/:id";
  q.method = "PUT";
  auto put = eng.http_entries(q);
  ASSERT_EQ(put.size(), 1u);  // the last route is held
  EXPECT_EQ(put[0].status_5xx, 1u);
  HttpQuery client;
  client.side = "client";
  auto c = eng.http_entries(client);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].pid, 10u);
  EXPECT_EQ(c[0].bytes_out, 0u);  // request sizes are not captured
  EXPECT_EQ(c[0].bytes_in, 77u);
  EXPECT_EQ(eng.http_entries({}).size(), 4u);
  auto t = eng.http_totals();
  EXPECT_EQ(t.ops, 7u);
  EXPECT_EQ(t.status_4xx, 1u);
  EXPECT_EQ(t.status_5xx, 2u);
}

TEST_F(L7EngineTest, SlowLogTakesSlowOrFailedStatementsNewestFirstAndIsBounded) {
  inspector.add(3, "batch");
  settings.slow_query_threshold_ms = 100;
  MonitoringEngine eng(clock, inspector, settings);
  auto fast = db_reading(3, kPg, "SELECT ?", 99 * kMs);
  auto slow = db_reading(3, kPg, "UPDATE t SET a = ?", 100 * kMs, "UPDATE t SET a = 1",
                         static_cast<std::uint64_t>(clock.mono_ns()) - 2000 * kMs);
  slow.server_side = false;
  slow.remote = "unix:/run/postgresql/.s.PGSQL.5432";
  auto error = failed(db_reading(3, kPg, "INSERT INTO t VALUES (?)", 1 * kMs), "duplicate key");
  ingest(eng, {fast, slow, error});
  auto log = eng.slow_queries({}, 10);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].fingerprint, "INSERT INTO t VALUES (?)");  // newest first
  EXPECT_TRUE(log[0].error);
  EXPECT_EQ(log[0].error_text, "duplicate key");
  EXPECT_EQ(log[1].fingerprint, "UPDATE t SET a = ?");
  EXPECT_EQ(log[1].fingerprint_id, fingerprint_id(kPg, "UPDATE t SET a = ?"));
  EXPECT_EQ(log[1].duration_ns, 100 * kMs);
  EXPECT_EQ(log[1].pid, 3u);
  EXPECT_EQ(log[1].comm, "batch");
  EXPECT_EQ(log[1].remote, "unix:/run/postgresql/.s.PGSQL.5432");
  EXPECT_EQ(log[1].ts_ms, clock.now_ms() - 2000);  // when the request was seen, in wall-clock time
  EXPECT_EQ(log[1].text, "UPDATE t SET a = ?");    // no literals by default
  EXPECT_FALSE(log[1].error);

  std::vector<L7Reading> many;
  for (std::size_t i = 0; i < SlowLog::kCapacity + 5; ++i) many.push_back(db_reading(3, kRedis, "KEYS", 200 * kMs + i));
  ingest(eng, many);
  EXPECT_EQ(eng.slow_queries_total(), SlowLog::kCapacity + 7);
  EXPECT_EQ(eng.slow_queries({}, 5000).size(), SlowLog::kCapacity);
  EXPECT_EQ(eng.slow_queries({}, 1).at(0).duration_ns, 200 * kMs + SlowLog::kCapacity + 4);
  QueryListFilter pg;
  pg.system = "postgresql";
  EXPECT_TRUE(eng.slow_queries(pg, 10).empty());  // pushed out of the ring
  EXPECT_EQ(eng.database_totals().slow_kept, SlowLog::kCapacity);
}

TEST_F(L7EngineTest, LiteralsAreKeptOnlyWhileCaptureLiteralsIsOn) {
  inspector.add(4, "app");
  settings.slow_query_threshold_ms = 1;
  MonitoringEngine eng(clock, inspector, settings);
  const std::string fp = "SELECT * FROM cards WHERE number = ?";
  ingest(eng, {db_reading(4, kPg, fp, 5 * kMs, "SELECT * FROM cards WHERE number = '4111'")});
  EXPECT_EQ(eng.database_entries({}).at(0).sample, fp);
  EXPECT_EQ(eng.slow_queries({}, 1).at(0).text, fp);

  settings.capture_literals = true;
  eng.set_settings(settings);
  ingest(eng, {db_reading(4, kPg, fp, 6 * kMs, "SELECT * FROM cards WHERE number = '5500'")});
  EXPECT_EQ(eng.database_entries({}).at(0).sample, "SELECT * FROM cards WHERE number = '5500'");  // the slowest
  EXPECT_EQ(eng.slow_queries({}, 1).at(0).text, "SELECT * FROM cards WHERE number = '5500'");
  EXPECT_EQ(eng.database_queries({}).queries.at(0).sample, "SELECT * FROM cards WHERE number = '5500'");

  // Turned off again: what was captured is no longer shown.
  settings.capture_literals = false;
  eng.set_settings(settings);
  EXPECT_EQ(eng.database_entries({}).at(0).sample, fp);
  EXPECT_EQ(eng.slow_queries({}, 1).at(0).text, fp);
  EXPECT_EQ(eng.database_queries({}).queries.at(0).sample, fp);
}

TEST_F(L7EngineTest, IntervalsFeedTheSeries) {
  inspector.add(1, "app");
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<L7Reading> v;
  for (int i = 0; i < 40; ++i) v.push_back(db_reading(1, kPg, "SELECT ?", 1 * kMs));
  for (int i = 0; i < 10; ++i) v.push_back(failed(db_reading(1, kPg, "SELECT ?", 8 * kMs), "timeout"));
  for (int i = 0; i < 30; ++i) v.push_back(http_reading(1, true, "GET", "/", 200, 2 * kMs));
  for (int i = 0; i < 6; ++i) v.push_back(http_reading(1, true, "GET", "/", 502, 2 * kMs));
  ingest(eng, v);
  clock.advance_ms(2000);
  eng.finish_interval();
  ingest(eng, {db_reading(1, kPg, "SELECT ?", 1 * kMs)});
  clock.advance_ms(1000);
  eng.finish_interval();
  const auto& f = eng.series().fine();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_DOUBLE_EQ(f[0].db_ops_per_s, 25.0);
  EXPECT_DOUBLE_EQ(f[0].db_errors_per_s, 5.0);
  EXPECT_EQ(f[0].db_p95_ns, slot_mid(8 * kMs));
  EXPECT_DOUBLE_EQ(f[0].http_requests_per_s, 18.0);
  EXPECT_DOUBLE_EQ(f[0].http_5xx_per_s, 3.0);
  EXPECT_EQ(f[0].http_p95_ns, slot_mid(2 * kMs));
  EXPECT_DOUBLE_EQ(f[1].db_ops_per_s, 1.0);
  EXPECT_EQ(f[1].db_p95_ns, slot_mid(1 * kMs));
  EXPECT_EQ(f[1].http_requests_per_s, 0.0);
  // The minute in progress: 51 operations over 3 s, p95 from the merged histograms.
  auto minute = eng.series().current_minute();
  EXPECT_DOUBLE_EQ(minute.db_ops_per_s, 17.0);
  EXPECT_EQ(minute.db_p95_ns, slot_mid(8 * kMs));
  auto t = eng.database_totals();
  EXPECT_EQ(t.ops, 51u);
  EXPECT_EQ(t.errors, 10u);
  EXPECT_DOUBLE_EQ(t.rate_per_s, 1.0);
  EXPECT_DOUBLE_EQ(t.minute_rate_per_s, 17.0);
  EXPECT_EQ(t.minute_p95_ns, slot_mid(8 * kMs));
  EXPECT_DOUBLE_EQ(eng.http_totals().errors_per_s, 0.0);
}

TEST_F(L7EngineTest, ProcessWithOnlyL7ActivityIsNamedRetiredAndEvicted) {
  inspector.add(77, "psql");
  MonitoringEngine eng(clock, inspector, settings);
  ingest(eng, {db_reading(77, kPg, "SELECT 1", 1 * kMs)});
  EXPECT_EQ(eng.live_processes(), 1u);
  EXPECT_EQ(eng.processes(77, std::nullopt, 10).at(0).meta.comm, "psql");

  inspector.procs.erase(77);
  const int checks = inspector.alive_calls;
  ingest(eng, {});  // within an interval of the last look: /proc is not read again
  EXPECT_EQ(inspector.alive_calls, checks);
  EXPECT_EQ(eng.live_processes(), 1u);
  clock.advance_ms(1000);
  ingest(eng, {});  // no syscall or network poll for an interval: the L7 call looks for exits itself
  EXPECT_EQ(eng.live_processes(), 0u);
  EXPECT_EQ(eng.exited_processes(), 1u);
  // Events drained after the exit belong to the exited record, not to a new one.
  ingest(eng, {db_reading(77, kPg, "SELECT 1", 3 * kMs)});
  EXPECT_EQ(eng.live_processes(), 0u);
  auto e = eng.database_entries({});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_TRUE(e[0].exited);
  EXPECT_EQ(e[0].comm, "psql");
  EXPECT_EQ(e[0].count, 2u);
  auto q = eng.database_queries({});
  ASSERT_EQ(q.queries.size(), 1u);
  EXPECT_TRUE(q.queries[0].processes.at(0).exited);

  clock.advance_ms(61'000);
  ingest(eng, {});
  EXPECT_EQ(eng.exited_processes(), 0u);
  EXPECT_TRUE(eng.database_entries({}).empty());
}

TEST_F(L7EngineTest, SyscallPollsRetireL7OnlyProcessesToo) {
  inspector.add(80, "redis-cli");
  MonitoringEngine eng(clock, inspector, settings);
  ingest(eng, {db_reading(80, kRedis, "PING", 100'000)});
  inspector.procs.erase(80);
  eng.ingest_syscalls({});
  EXPECT_EQ(eng.exited_processes(), 1u);
  EXPECT_TRUE(eng.http_entries({}).empty());
  EXPECT_TRUE(eng.database_entries({}).at(0).exited);
}

TEST_F(L7EngineTest, StatementsAggregateAcrossProcessesSortedAndPaged) {
  inspector.add(21, "web");
  inspector.add(22, "web");
  inspector.add(23, "cron");
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<L7Reading> v;
  for (int i = 0; i < 3; ++i) v.push_back(db_reading(21, kPg, "SELECT a", 10 * kMs));
  for (int i = 0; i < 5; ++i) v.push_back(db_reading(22, kPg, "SELECT a", 1 * kMs));
  auto server = db_reading(22, kPg, "SELECT a", 1 * kMs);
  server.server_side = true;
  v.push_back(server);
  for (int i = 0; i < 20; ++i) v.push_back(db_reading(23, kRedis, "GET", 100'000));
  v.push_back(failed(db_reading(23, kRedis, "SET", 50'000), "OOM"));
  v.push_back(failed(db_reading(23, kRedis, "SET", 50'000), "OOM"));
  ingest(eng, v);

  auto all = eng.database_queries({});
  EXPECT_EQ(all.total, 3u);
  ASSERT_EQ(all.queries.size(), 3u);
  const auto& a = all.queries[0];  // most total time: 36 ms
  EXPECT_EQ(a.fingerprint, "SELECT a");
  EXPECT_EQ(a.system, "postgresql");
  EXPECT_EQ(a.count, 9u);
  EXPECT_EQ(a.total_ns, 36 * kMs);
  EXPECT_EQ(a.max_ns, 10 * kMs);
  EXPECT_EQ(a.p50_ns, slot_mid(1 * kMs));
  EXPECT_EQ(a.p99_ns, slot_mid(10 * kMs));
  EXPECT_EQ(a.process_count, 3u);  // 21 client, 22 client, 22 server
  ASSERT_EQ(a.processes.size(), 3u);
  EXPECT_EQ(a.processes[0].pid, 22u);
  EXPECT_EQ(a.processes[0].count, 5u);
  EXPECT_EQ(a.processes[0].side, "client");
  EXPECT_EQ(all.queries[1].fingerprint, "GET");
  EXPECT_EQ(all.queries[2].fingerprint, "SET");

  QueryListFilter f;
  f.sort = L7Sort::count;
  EXPECT_EQ(eng.database_queries(f).queries.at(0).fingerprint, "GET");
  f.sort = L7Sort::errors;
  EXPECT_EQ(eng.database_queries(f).queries.at(0).fingerprint, "SET");
  f.sort = L7Sort::p95;
  EXPECT_EQ(eng.database_queries(f).queries.at(0).fingerprint, "SELECT a");
  f.sort = L7Sort::total;
  f.offset = 1;
  f.limit = 1;
  auto page = eng.database_queries(f);
  EXPECT_EQ(page.total, 3u);
  ASSERT_EQ(page.queries.size(), 1u);
  EXPECT_EQ(page.queries[0].fingerprint, "GET");
  f = {};
  f.side = "server";
  auto srv = eng.database_queries(f);
  ASSERT_EQ(srv.total, 1u);
  EXPECT_EQ(srv.queries[0].count, 1u);
  f = {};
  f.comm = "web";
  EXPECT_EQ(eng.database_queries(f).total, 1u);
  f = {};
  f.system = "redis";
  EXPECT_EQ(eng.database_queries(f).total, 2u);
  f.system = "oracle";
  EXPECT_EQ(eng.database_queries(f).total, 0u);
}

TEST_F(L7EngineTest, EndpointsAggregateAcrossProcesses) {
  inspector.add(31, "gunicorn");
  inspector.add(32, "gunicorn");
  MonitoringEngine eng(clock, inspector, settings);
  ingest(eng,
         {http_reading(31, true, "GET", "/a", 200, 1 * kMs, 10), http_reading(32, true, "GET", "/a", 500, 3 * kMs, 5),
          http_reading(32, true, "GET", "/b", 200, 1 * kMs, 1), http_reading(32, false, "GET", "/a", 200, 1 * kMs, 9)});
  auto all = eng.http_endpoints({});
  EXPECT_EQ(all.total, 3u);
  const auto& a = all.endpoints.at(0);
  EXPECT_EQ(a.route, "/a");
  EXPECT_EQ(a.side, "server");
  EXPECT_EQ(a.count, 2u);
  EXPECT_EQ(a.status_2xx, 1u);
  EXPECT_EQ(a.status_5xx, 1u);
  EXPECT_EQ(a.errors, 1u);
  EXPECT_EQ(a.bytes_out, 15u);
  EXPECT_EQ(a.process_count, 2u);
  EndpointListFilter f;
  f.sort = L7Sort::status_5xx;
  f.side = "server";
  EXPECT_EQ(eng.http_endpoints(f).endpoints.at(0).route, "/a");
  f.method = "POST";
  EXPECT_EQ(eng.http_endpoints(f).total, 0u);
}

TEST_F(L7EngineTest, PrometheusAggregatesAreBounded) {
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<L7Reading> v;
  for (std::uint32_t pid = 1; pid <= 4; ++pid) {
    inspector.add(pid, "p" + std::to_string(pid));
    for (int i = 0; i < 5; ++i) v.push_back(db_reading(pid, kPg, "SELECT " + std::to_string(i), (pid + i) * kMs));
    v.push_back(http_reading(pid, true, "GET", "/r" + std::to_string(pid), 200, pid * kMs));
  }
  ingest(eng, v);
  auto db = eng.database_series(1000);
  ASSERT_EQ(db.size(), 5u);  // same fingerprint across processes: one series
  std::uint64_t count = 0;
  for (const auto& s : db) count += s.ops.count;
  EXPECT_EQ(count, 20u);
  auto capped = eng.database_series(3);
  ASSERT_EQ(capped.size(), 3u);
  EXPECT_EQ(capped.back().fingerprint_id, "other");
  EXPECT_EQ(capped.back().system, "other");
  count = 0;
  for (const auto& s : capped) count += s.ops.count;
  EXPECT_EQ(count, 20u);  // folded, not dropped
  auto http = eng.http_series(2);
  ASSERT_EQ(http.size(), 2u);
  EXPECT_EQ(http[0].route, "/r4");  // most total time first
  EXPECT_EQ(http[1].route, "other");
  EXPECT_EQ(http[1].stat.ops.count, 3u);
}

// A fold moves history between a process's entries; the Prometheus series show
// activity, so the "other" series does not jump by what a fold brought in.
TEST_F(L7EngineTest, PrometheusSeriesLeaveOutWhatFoldsCarry) {
  inspector.add(6, "app");
  settings.max_fingerprints_per_process = 2;
  settings.max_routes_per_process = 2;
  MonitoringEngine eng(clock, inspector, settings);
  std::vector<L7Reading> v;
  for (int i = 0; i < 3; ++i) {
    v.push_back(failed(db_reading(6, kPg, "SELECT " + std::to_string(i), (i + 1) * kMs), "x"));
    v.push_back(http_reading(6, true, "GET", "/r" + std::to_string(i), 500, (i + 1) * kMs));
  }
  ingest(eng, v);  // the third of each folds the first into "other"
  std::map<std::string, std::uint64_t> db;
  for (const auto& s : eng.database_series(1000)) db[s.fingerprint_id] = s.ops.count;
  EXPECT_EQ(db[fingerprint_id(kPg, "SELECT 1")], 1u);
  EXPECT_EQ(db[fingerprint_id(kPg, "SELECT 2")], 1u);
  EXPECT_EQ(db[fingerprint_id(kPg, "other")], 0u);
  EXPECT_FALSE(db.count(fingerprint_id(kPg, "SELECT 0")));
  for (const auto& s : eng.http_series(1000)) {
    if (s.route != "other") continue;
    EXPECT_EQ(s.stat.ops.count, 0u);
    EXPECT_EQ(s.stat.status[kClass5xx], 0u);
    EXPECT_EQ(s.stat.ops.hist.count(), 0u);
  }
  // The lists keep it: "other" there is the folded statement, error and all.
  DatabaseQuery q;
  q.fingerprint_id = fingerprint_id(kPg, "other");
  auto other = eng.database_entries(q);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].count, 1u);
  EXPECT_EQ(other[0].errors, 1u);
}

TEST_F(L7EngineTest, OperationsOfNoKnownProtocolAreCountedAndIgnored) {
  inspector.add(2, "x");
  MonitoringEngine eng(clock, inspector, settings);
  auto r = db_reading(2, Protocol::unknown, "?", 1 * kMs);
  ingest(eng, {r});
  EXPECT_EQ(eng.counters().l7_ignored, 1u);
  EXPECT_EQ(eng.live_processes(), 0u);
  EXPECT_TRUE(eng.database_entries({}).empty());
}

TEST(L7Names, FingerprintIdsAndStatusClasses) {
  EXPECT_TRUE(valid_fingerprint_id(fingerprint_id(Protocol::mysql, "")));
  EXPECT_NE(fingerprint_id(Protocol::mysql, "SELECT ?"), fingerprint_id(Protocol::postgresql, "SELECT ?"));
  EXPECT_FALSE(valid_fingerprint_id("2CA968C92EFEAC28"));
  EXPECT_FALSE(valid_fingerprint_id("2ca968c92efeac2"));
  EXPECT_EQ(status_class(199), std::nullopt);
  EXPECT_EQ(status_class(200), 0u);
  EXPECT_EQ(status_class(599), 3u);
  EXPECT_EQ(status_class(600), std::nullopt);
  EXPECT_EQ(database_system("mysql"), Protocol::mysql);
  EXPECT_EQ(database_system("http"), std::nullopt);
}

}  // namespace
}  // namespace hs::monitoring
