// Bottleneck lifecycle under a fake clock: open, follow, auto-resolve after the hold,
// reopen, ignore, status changes and their errors, bounds, ordering, persistence calls.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>

#include "bottleneck/bottleneck_engine.h"
#include "bottleneck/bottleneck_json.h"

namespace hs::bottleneck {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

class RecordingStore final : public BottleneckStore {
 public:
  Status save(const Bottleneck& b) override {
    if (fail) return Status::error("test", "disk full");
    saved[b.id] = b;
    ++saves;
    return {};
  }
  Status remove(const std::string& id) override {
    saved.erase(id);
    return {};
  }
  Status save_thresholds(const Thresholds& t) override {
    if (fail) return Status::error("test", "disk full");
    thresholds = t;
    return {};
  }
  std::map<std::string, Bottleneck> saved;
  std::optional<Thresholds> thresholds;
  int saves = 0;
  bool fail = false;
};

MetricsSnapshot slow_endpoint(const std::string& route, std::uint64_t p95_ms) {
  MetricsSnapshot m;
  m.window_s = 1;
  m.http.push_back({10, "api", "server", "GET", route, 20, 0, 0, p95_ms * kMs, 0});
  return m;
}

class BottleneckEngineTest : public ::testing::Test {
 protected:
  BottleneckEngineTest() : engine_(clock_, Thresholds{}, settings()) {
    engine_.set_store(&store_);
    engine_.set_listener([this](const BottleneckEvent& e) { events_.push_back(e); });
  }
  static BottleneckSettings settings() {
    BottleneckSettings s;
    s.resolve_hold_ms = 30'000;
    s.max_bottlenecks = 3;
    s.trend_window = 4;
    return s;
  }
  std::string id_of(const std::string& route) {
    return bottleneck_id(Layer::http, "http_latency", "server GET " + route);
  }

  FakeClock clock_;
  RecordingStore store_;
  BottleneckEngine engine_;
  std::vector<BottleneckEvent> events_;
};

TEST_F(BottleneckEngineTest, OpensWithEvidenceAndKeepsItsId) {
  auto ev = engine_.evaluate(slow_endpoint("/a", 400));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EventKind::opened);
  const std::string id = id_of("/a");
  EXPECT_EQ(ev[0].bottleneck.id, id);
  const std::int64_t t0 = clock_.now_ms();

  clock_.advance_ms(1000);
  EXPECT_TRUE(engine_.evaluate(slow_endpoint("/a", 500)).empty());  // same problem: no new event
  auto b = engine_.get(id);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, BottleneckStatus::open);
  EXPECT_EQ(b->first_seen_ms, t0);
  EXPECT_EQ(b->last_seen_ms, t0 + 1000);
  EXPECT_EQ(b->occurrences, 2u);
  EXPECT_EQ(b->evidence[0], (Evidence{"p95_ms", 500, 200, "ms"}));
  EXPECT_EQ(b->score, 76);  // ratio 2.5
  EXPECT_EQ(b->severity, Severity::high);
  EXPECT_EQ(b->trend, Trend::worsening);
  EXPECT_EQ(b->processes, (std::vector<std::string>{"api[10]"}));
  EXPECT_EQ(engine_.size(), 1u);
  EXPECT_EQ(store_.saved.at(id).status, BottleneckStatus::open);
}

TEST_F(BottleneckEngineTest, AutoResolvesAfterHoldThenReopens) {
  engine_.evaluate(slow_endpoint("/a", 400));
  const std::string id = id_of("/a");
  clock_.advance_ms(29'999);
  EXPECT_TRUE(engine_.evaluate(MetricsSnapshot{}).empty());  // still within the hold
  EXPECT_EQ(engine_.get(id)->status, BottleneckStatus::open);
  clock_.advance_ms(1);
  auto ev = engine_.evaluate(MetricsSnapshot{});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EventKind::resolved);
  auto b = engine_.get(id);
  EXPECT_EQ(b->status, BottleneckStatus::resolved);
  EXPECT_EQ(b->resolved_ms, clock_.now_ms());
  ASSERT_EQ(b->history.size(), 1u);
  EXPECT_EQ(b->history[0].by, "engine");
  EXPECT_EQ(b->history[0].note, "no longer detected");
  EXPECT_EQ(store_.saved.at(id).status, BottleneckStatus::resolved);

  clock_.advance_ms(5000);
  ev = engine_.evaluate(slow_endpoint("/a", 300));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EventKind::reopened);
  EXPECT_EQ(ev[0].bottleneck.id, id);
  EXPECT_EQ(ev[0].bottleneck.status, BottleneckStatus::open);
  EXPECT_EQ(ev[0].bottleneck.resolved_ms, 0);
  EXPECT_EQ(ev[0].bottleneck.history.back().note, "detected again");
  EXPECT_EQ(events_.size(), 3u);  // opened, resolved, reopened through the listener too
}

TEST_F(BottleneckEngineTest, IgnoredStaysQuiet) {
  engine_.evaluate(slow_endpoint("/a", 400));
  const std::string id = id_of("/a");
  auto r = engine_.set_status(id, "ignored", "known batch job");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->notes, "known batch job");
  EXPECT_EQ(events_.back().kind, EventKind::ignored);
  const std::size_t before = events_.size();
  clock_.advance_ms(60'000);
  EXPECT_TRUE(engine_.evaluate(MetricsSnapshot{}).empty());  // not auto-resolved
  EXPECT_TRUE(engine_.evaluate(slow_endpoint("/a", 900)).empty());
  EXPECT_EQ(engine_.get(id)->status, BottleneckStatus::ignored);
  EXPECT_EQ(engine_.get(id)->evidence[0].value, 900);
  EXPECT_EQ(events_.size(), before);
}

TEST_F(BottleneckEngineTest, ManualResolveReopensWhenStillDetected) {
  engine_.evaluate(slow_endpoint("/a", 400));
  const std::string id = id_of("/a");
  ASSERT_TRUE(engine_.set_status(id, "investigating", "looking").ok());
  ASSERT_TRUE(engine_.set_status(id, "resolved", "added an index").ok());
  auto ev = engine_.evaluate(slow_endpoint("/a", 400));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EventKind::reopened);
  const auto h = engine_.get(id)->history;
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].to, BottleneckStatus::investigating);
  EXPECT_EQ(h[1].to, BottleneckStatus::resolved);
  EXPECT_EQ(h[1].note, "added an index");
  EXPECT_EQ(h[1].by, "api");
  EXPECT_EQ(h[2].from, BottleneckStatus::resolved);
  EXPECT_EQ(h[2].to, BottleneckStatus::open);
}

TEST_F(BottleneckEngineTest, StatusErrors) {
  engine_.evaluate(slow_endpoint("/a", 400));
  auto bad = engine_.set_status(id_of("/a"), "closed", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid);
  EXPECT_EQ(bad.error().field, "status");
  auto missing = engine_.set_status("bn-0000000000000000", "open", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  auto long_note = engine_.set_status(id_of("/a"), "open", std::string(5000, 'x'));
  ASSERT_FALSE(long_note.ok());
  EXPECT_EQ(long_note.error().field, "notes");
  store_.fail = true;
  auto unsaved = engine_.set_status(id_of("/a"), "ignored", "");
  ASSERT_FALSE(unsaved.ok());
  EXPECT_EQ(unsaved.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(engine_.get(id_of("/a"))->status, BottleneckStatus::open);  // nothing changed
}

TEST_F(BottleneckEngineTest, BoundedEvictsEndedFirst) {
  MetricsSnapshot m;
  for (const char* r : {"/a", "/b", "/c"}) m.http.push_back({10, "api", "server", "GET", r, 20, 0, 0, 400 * kMs, 0});
  engine_.evaluate(m);
  EXPECT_EQ(engine_.size(), 3u);
  engine_.evaluate(slow_endpoint("/d", 400));  // all three active: refused
  EXPECT_EQ(engine_.size(), 3u);
  EXPECT_EQ(engine_.counters().findings_dropped, 1u);
  ASSERT_TRUE(engine_.set_status(id_of("/b"), "ignored", "").ok());
  engine_.evaluate(slow_endpoint("/d", 400));
  EXPECT_EQ(engine_.size(), 3u);
  EXPECT_FALSE(engine_.get(id_of("/b")));
  EXPECT_TRUE(engine_.get(id_of("/d")));
  EXPECT_FALSE(store_.saved.contains(id_of("/b")));
}

TEST_F(BottleneckEngineTest, ListOrdersByScoreAndFilters) {
  MetricsSnapshot m;
  m.http.push_back({10, "api", "server", "GET", "/mild", 20, 0, 0, 250 * kMs, 0});
  m.http.push_back({10, "api", "server", "GET", "/bad", 20, 0, 0, 900 * kMs, 0});
  m.database.push_back({10, "api", "postgresql", "fp", "SELECT 1", 20, 0, 0, 300 * kMs, 0});
  engine_.evaluate(m);
  auto page = engine_.list({});
  ASSERT_EQ(page.total, 3u);
  EXPECT_EQ(page.bottlenecks[0].subject, "server GET /bad");     // ratio 4.5 -> 87
  EXPECT_EQ(page.bottlenecks[1].subject, "postgresql fp");       // ratio 3 -> 80
  EXPECT_EQ(page.bottlenecks[2].subject, "server GET /mild");    // ratio 1.25 -> 52
  EXPECT_EQ(page.bottlenecks[0].severity, Severity::critical);
  EXPECT_EQ(page.bottlenecks[2].severity, Severity::medium);

  BottleneckFilter f;
  f.layer = Layer::http;
  f.limit = 1;
  f.offset = 1;
  page = engine_.list(f);
  EXPECT_EQ(page.total, 2u);
  ASSERT_EQ(page.bottlenecks.size(), 1u);
  EXPECT_EQ(page.bottlenecks[0].subject, "server GET /mild");
  f = {};
  f.severity = Severity::critical;
  EXPECT_EQ(engine_.list(f).total, 2u);
}

TEST_F(BottleneckEngineTest, ThresholdUpdatesAreSavedFirst) {
  auto t = engine_.update_thresholds(boost::json::parse(R"({"api_p95_ms": 500})"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(engine_.thresholds().api_p95_ms, 500);
  EXPECT_EQ(store_.thresholds->api_p95_ms, 500);
  EXPECT_TRUE(engine_.evaluate(slow_endpoint("/a", 400)).empty());
  store_.fail = true;
  auto failed = engine_.update_thresholds(boost::json::parse(R"({"api_p95_ms": 100})"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(engine_.thresholds().api_p95_ms, 500);
  auto invalid = engine_.update_thresholds(boost::json::parse(R"([1])"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().field, "body");
}

TEST_F(BottleneckEngineTest, JsonRoundTripRestores) {
  engine_.evaluate(slow_endpoint("/a", 400));
  ASSERT_TRUE(engine_.set_status(id_of("/a"), "investigating", "on it").ok());
  const Bottleneck b = *engine_.get(id_of("/a"));
  auto back = bottleneck_from_json(to_json(b));
  ASSERT_TRUE(back.ok()) << back.error().text();
  EXPECT_EQ(back->id, b.id);
  EXPECT_EQ(back->status, BottleneckStatus::investigating);
  EXPECT_EQ(back->evidence, b.evidence);
  EXPECT_EQ(back->history.size(), 1u);
  EXPECT_EQ(back->notes, "on it");
  EXPECT_EQ(back->recent, b.recent);

  BottleneckEngine restarted(clock_, Thresholds{}, settings());
  restarted.restore({*back});
  EXPECT_TRUE(restarted.evaluate(slow_endpoint("/a", 400)).empty());  // known, not new
  EXPECT_EQ(restarted.get(id_of("/a"))->status, BottleneckStatus::investigating);
}

}  // namespace
}  // namespace hs::bottleneck
