// The alert engine under a fake clock with synthetic metrics: for-duration, dedup,
// auto-resolve, cooldown, escalation, bottleneck alerts, lifecycle and its conflicts.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "alerts/alert_engine.h"
#include "alerts_fakes.h"

namespace hs::alerts {
namespace {

constexpr std::uint64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1000;

bottleneck::MetricsSnapshot endpoint_p95(const std::string& route, std::uint64_t p95_ms) {
  bottleneck::MetricsSnapshot m;
  m.window_s = 10;
  m.http.push_back({10, "api", "server", "GET", route, 50, 0, 0, p95_ms * kMs, 0});
  return m;
}

notify::Channel webhook(const std::string& name, const std::string& url) {
  notify::Channel c;
  c.name = name;
  c.kind = notify::ChannelKind::webhook;
  c.url = url;
  return c;
}

class AlertEngineTest : public ::testing::Test {
 protected:
  AlertEngineTest() : dispatcher_(clock_, transport_), engine_(clock_, &dispatcher_, settings()) {
    engine_.set_persistence(&store_);
    dispatcher_.set_outcome_handler([this](const notify::DeliveryAttempt& d) { engine_.record_delivery(d); });
    engine_.set_listener([this](std::string_view event, const Alert& a) { events_.push_back(std::string(event) + " " + a.id); });
    ops_ = engine_.create_channel(webhook("ops", "http://127.0.0.1:1/ops"))->id;
    oncall_ = engine_.create_channel(webhook("oncall", "http://127.0.0.1:1/oncall"))->id;
  }
  static AlertSettings settings() {
    AlertSettings s;
    s.max_alerts = 4;
    return s;
  }
  AlertRule slow_api_rule(std::int64_t for_s) {
    AlertRule r;
    r.name = "API slow";
    r.selector = metric_selector(Layer::http, "latency");
    r.condition = {ConditionType::percentile, Comparison::above, 200, 95};
    r.for_s = for_s;
    r.severity = Severity::high;
    r.channels = {ops_};
    r.cooldown_s = 300;
    return r;
  }
  std::vector<Alert> open_alerts() {
    AlertFilter f;
    f.status = AlertStatus::active;
    auto active = engine_.list(f).alerts;
    f.status = AlertStatus::acknowledged;
    auto acked = engine_.list(f).alerts;
    active.insert(active.end(), acked.begin(), acked.end());
    return active;
  }
  Alert custom(Severity s, const std::string& title) {
    CustomAlertRequest req;
    req.title = title;
    req.message = "m";
    req.severity = s;
    auto a = engine_.create_custom(req);
    EXPECT_TRUE(a.ok());
    return *a;
  }

  FakeClock clock_;
  testing::FakeTransport transport_;
  testing::MemoryPersistence store_;
  notify::Dispatcher dispatcher_;
  AlertEngine engine_;
  std::string ops_, oncall_;
  std::vector<std::string> events_;
};

TEST_F(AlertEngineTest, FiresAfterForDurationAndDeduplicates) {
  const std::string rule = engine_.create_rule(slow_api_rule(60))->id;
  EXPECT_EQ(rule, "rule-1");
  engine_.evaluate(endpoint_p95("/a", 300));
  clock_.advance_ms(59 * kSec);
  engine_.evaluate(endpoint_p95("/a", 300));
  EXPECT_TRUE(open_alerts().empty());
  clock_.advance_ms(1 * kSec);
  engine_.evaluate(endpoint_p95("/a", 300));
  auto open = open_alerts();
  ASSERT_EQ(open.size(), 1u);
  const Alert& a = open[0];
  EXPECT_EQ(a.id, "al-1");
  EXPECT_EQ(a.source, "rule");
  EXPECT_EQ(a.rule_id, rule);
  EXPECT_EQ(a.subject, "server GET /a");
  EXPECT_EQ(a.title, "API slow: server GET /a");
  EXPECT_EQ(a.message, "p95 latency 300 ms > 200 ms for 60 s");
  EXPECT_EQ(a.severity, Severity::high);
  EXPECT_DOUBLE_EQ(a.value, 300);
  EXPECT_DOUBLE_EQ(a.threshold, 200);
  EXPECT_EQ(a.channels, (std::vector<std::string>{ops_}));
  EXPECT_EQ(store_.alerts.at("al-1").status, AlertStatus::active);

  clock_.advance_ms(10 * kSec);
  engine_.evaluate(endpoint_p95("/a", 450));
  open = open_alerts();
  ASSERT_EQ(open.size(), 1u);  // one open alert per rule and subject
  EXPECT_EQ(open[0].occurrences, 2u);
  EXPECT_DOUBLE_EQ(open[0].value, 450);
  EXPECT_EQ(engine_.counters().raised, 1u);

  EXPECT_EQ(dispatcher_.run_due(), 1u);
  ASSERT_EQ(transport_.posts.size(), 1u);
  EXPECT_EQ(transport_.posts[0].url, "http://127.0.0.1:1/ops");
  const auto body = boost::json::parse(transport_.posts[0].body).as_object();
  EXPECT_EQ(body.at("event").as_string(), "raised");
  EXPECT_EQ(body.at("alert").at("id").as_string(), "al-1");
  const auto delivered = engine_.get("al-1")->deliveries;
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_TRUE(delivered[0].ok);
  EXPECT_EQ(delivered[0].channel_id, ops_);
  EXPECT_EQ(delivered[0].attempt, 1);
  EXPECT_EQ(store_.alerts.at("al-1").deliveries.size(), 1u);  // the outcome is saved too
}

TEST_F(AlertEngineTest, ABreakRestartsTheForDuration) {
  engine_.create_rule(slow_api_rule(60));
  engine_.evaluate(endpoint_p95("/a", 300));
  clock_.advance_ms(30 * kSec);
  engine_.evaluate(endpoint_p95("/a", 100));  // cleared
  clock_.advance_ms(10 * kSec);
  engine_.evaluate(endpoint_p95("/a", 300));  // holds again from here
  clock_.advance_ms(59 * kSec);
  engine_.evaluate(endpoint_p95("/a", 300));
  EXPECT_TRUE(open_alerts().empty());
  clock_.advance_ms(1 * kSec);
  engine_.evaluate(endpoint_p95("/a", 300));
  EXPECT_EQ(open_alerts().size(), 1u);
}

TEST_F(AlertEngineTest, SubjectsAreSeparateAlerts) {
  engine_.create_rule(slow_api_rule(0));
  auto m = endpoint_p95("/a", 300);
  m.http.push_back({10, "api", "server", "GET", "/b", 50, 0, 0, 500 * kMs, 0});
  engine_.evaluate(m);
  EXPECT_EQ(open_alerts().size(), 2u);
}

TEST_F(AlertEngineTest, AutoResolvesWhenClearThenCoolsDown) {
  engine_.create_rule(slow_api_rule(0));
  engine_.evaluate(endpoint_p95("/a", 300));
  ASSERT_EQ(open_alerts().size(), 1u);
  clock_.advance_ms(20 * kSec);
  engine_.evaluate(endpoint_p95("/a", 150));
  auto a = *engine_.get("al-1");
  EXPECT_EQ(a.status, AlertStatus::resolved);
  EXPECT_TRUE(a.auto_resolved);
  EXPECT_EQ(a.resolution_notes, "condition cleared");
  EXPECT_EQ(a.resolved_ms, clock_.now_ms());
  EXPECT_EQ(a.history.back().action, "resolved");
  EXPECT_EQ(a.history.back().by, "engine");
  EXPECT_EQ(engine_.counters().auto_resolved, 1u);
  dispatcher_.run_due();
  ASSERT_EQ(transport_.posts.size(), 2u);  // raised, then resolved to the same channel
  EXPECT_EQ(boost::json::parse(transport_.posts[1].body).at("event").as_string(), "resolved");

  // Back over the limit inside the cooldown: nothing; at its end: a new alert.
  clock_.advance_ms(10 * kSec);
  engine_.evaluate(endpoint_p95("/a", 300));
  clock_.advance_ms(289 * kSec);
  engine_.evaluate(endpoint_p95("/a", 300));
  EXPECT_TRUE(open_alerts().empty());
  clock_.advance_ms(1 * kSec);
  engine_.evaluate(endpoint_p95("/a", 300));
  auto open = open_alerts();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, "al-2");
}

TEST_F(AlertEngineTest, VanishedSubjectClears) {
  engine_.create_rule(slow_api_rule(0));
  engine_.evaluate(endpoint_p95("/a", 300));
  engine_.evaluate(bottleneck::MetricsSnapshot{});
  EXPECT_EQ(engine_.get("al-1")->status, AlertStatus::resolved);
}

TEST_F(AlertEngineTest, NoAutoResolveKeepsItOpen) {
  AlertRule r = slow_api_rule(0);
  r.auto_resolve = false;
  engine_.create_rule(r);
  engine_.evaluate(endpoint_p95("/a", 300));
  engine_.evaluate(endpoint_p95("/a", 100));
  EXPECT_EQ(engine_.get("al-1")->status, AlertStatus::active);
}

TEST_F(AlertEngineTest, EscalatesWhenUnacknowledged) {
  AlertRule r = slow_api_rule(0);
  r.escalation = {{600, {oncall_}}, {1200, {oncall_}}};
  engine_.create_rule(r);
  auto m = endpoint_p95("/a", 300);
  m.http.push_back({10, "api", "server", "GET", "/b", 50, 0, 0, 500 * kMs, 0});
  engine_.evaluate(m);  // al-1 (/a), al-2 (/b)
  ASSERT_TRUE(engine_.acknowledge("al-2", "bob").ok());
  dispatcher_.run_due();
  transport_.posts.clear();

  clock_.advance_ms(599 * kSec);
  engine_.tick();
  EXPECT_EQ(engine_.get("al-1")->escalation_level, 0);
  clock_.advance_ms(1 * kSec);
  engine_.tick();
  auto a = *engine_.get("al-1");
  EXPECT_EQ(a.escalation_level, 1);
  EXPECT_EQ(a.history.back().action, "escalated");
  EXPECT_EQ(a.history.back().note, "unacknowledged after 600 s: level 1");
  EXPECT_EQ(a.channels, (std::vector<std::string>{ops_, oncall_}));
  EXPECT_EQ(engine_.get("al-2")->escalation_level, 0);  // acknowledged: no escalation
  dispatcher_.run_due();
  ASSERT_EQ(transport_.posts.size(), 1u);
  EXPECT_EQ(transport_.posts[0].url, "http://127.0.0.1:1/oncall");
  EXPECT_EQ(boost::json::parse(transport_.posts[0].body).at("event").as_string(), "escalated");

  clock_.advance_ms(600 * kSec);
  engine_.evaluate(m);
  EXPECT_EQ(engine_.get("al-1")->escalation_level, 2);
  EXPECT_EQ(engine_.counters().escalations, 2u);
}

TEST_F(AlertEngineTest, LifecycleAndConflicts) {
  const Alert a = custom(Severity::high, "disk replaced");
  EXPECT_EQ(a.status, AlertStatus::active);
  EXPECT_EQ(a.source, "custom");

  auto no_user = engine_.acknowledge(a.id, "");
  ASSERT_FALSE(no_user.ok());
  EXPECT_EQ(no_user.error().kind, ErrorKind::invalid);
  EXPECT_EQ(no_user.error().field, "user");

  auto acked = engine_.acknowledge(a.id, "alice");
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(acked->status, AlertStatus::acknowledged);
  EXPECT_EQ(acked->acknowledged_by, "alice");
  EXPECT_EQ(acked->acknowledged_ms, clock_.now_ms());

  auto again = engine_.acknowledge(a.id, "bob");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  EXPECT_EQ(again.error().message, "alert al-1 is acknowledged (by alice)");

  clock_.advance_ms(5 * kSec);
  auto resolved = engine_.resolve(a.id, "replaced the disk");
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->status, AlertStatus::resolved);
  EXPECT_EQ(resolved->resolution_notes, "replaced the disk");
  EXPECT_FALSE(resolved->auto_resolved);
  EXPECT_EQ(store_.alerts.at(a.id).status, AlertStatus::resolved);

  auto dismiss = engine_.dismiss(a.id, "noise");
  ASSERT_FALSE(dismiss.ok());
  EXPECT_EQ(dismiss.error().kind, ErrorKind::conflict);
  EXPECT_EQ(dismiss.error().message, "alert al-1 is resolved; only an active or acknowledged alert can be dismissed");
  auto ack_resolved = engine_.acknowledge(a.id, "bob");
  ASSERT_FALSE(ack_resolved.ok());
  EXPECT_EQ(ack_resolved.error().message, "alert al-1 is resolved; only an active alert can be acknowledged");
  EXPECT_EQ(engine_.resolve(a.id, "").error().kind, ErrorKind::conflict);

  const Alert b = custom(Severity::low, "noise");
  auto dismissed = engine_.dismiss(b.id, "expected during deploys");
  ASSERT_TRUE(dismissed.ok());
  EXPECT_EQ(dismissed->dismiss_reason, "expected during deploys");
  EXPECT_EQ(engine_.resolve(b.id, "x").error().message,
            "alert al-2 is dismissed; only an active or acknowledged alert can be resolved");

  EXPECT_EQ(engine_.acknowledge("al-99", "x").error().kind, ErrorKind::not_found);
  const auto h = engine_.get(a.id)->history;
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].action, "raised");
  EXPECT_EQ(h[1].action, "acknowledged");
  EXPECT_EQ(h[1].by, "alice");
  EXPECT_EQ(h[2].from, AlertStatus::acknowledged);
  EXPECT_EQ(h[2].to, AlertStatus::resolved);
  EXPECT_EQ(events_, (std::vector<std::string>{"raised al-1", "acknowledged al-1", "resolved al-1", "raised al-2",
                                               "dismissed al-2"}));
}

TEST_F(AlertEngineTest, DismissedStaysQuietUntilTheConditionClears) {
  AlertRule r = slow_api_rule(0);
  r.cooldown_s = 0;
  engine_.create_rule(r);
  engine_.evaluate(endpoint_p95("/a", 300));
  ASSERT_TRUE(engine_.dismiss("al-1", "known").ok());
  clock_.advance_ms(10 * kSec);
  engine_.evaluate(endpoint_p95("/a", 300));
  EXPECT_TRUE(open_alerts().empty());
  engine_.evaluate(endpoint_p95("/a", 100));
  engine_.evaluate(endpoint_p95("/a", 300));
  ASSERT_EQ(open_alerts().size(), 1u);
  EXPECT_EQ(open_alerts()[0].id, "al-2");
}

TEST_F(AlertEngineTest, ListOrdersOpenThenSeverity) {
  custom(Severity::low, "a");
  custom(Severity::critical, "b");
  const Alert ended = custom(Severity::critical, "c");
  custom(Severity::medium, "d");
  ASSERT_TRUE(engine_.resolve(ended.id, "").ok());
  auto page = engine_.list({});
  ASSERT_EQ(page.total, 4u);
  std::vector<std::string> titles;
  for (const auto& a : page.alerts) titles.push_back(a.title);
  EXPECT_EQ(titles, (std::vector<std::string>{"b", "d", "a", "c"}));
  AlertFilter f;
  f.severity = Severity::critical;
  EXPECT_EQ(engine_.list(f).total, 2u);
  f = {};
  f.limit = 2;
  f.offset = 1;
  page = engine_.list(f);
  ASSERT_EQ(page.alerts.size(), 2u);
  EXPECT_EQ(page.alerts[0].title, "d");
  const auto counts = engine_.open_by_severity();
  EXPECT_EQ(counts[static_cast<int>(Severity::critical)], 1u);
  EXPECT_EQ(counts[static_cast<int>(Severity::medium)], 1u);
  EXPECT_EQ(counts[static_cast<int>(Severity::low)], 1u);
  EXPECT_EQ(counts[static_cast<int>(Severity::high)], 0u);
}

TEST_F(AlertEngineTest, BoundedHistoryEvictsEndedAlerts) {
  for (int i = 0; i < 4; ++i) custom(Severity::low, "x" + std::to_string(i));
  CustomAlertRequest req;
  req.title = "t";
  auto refused = engine_.create_custom(req);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::unavailable);
  ASSERT_TRUE(engine_.resolve("al-1", "").ok());
  ASSERT_TRUE(engine_.create_custom(req).ok());
  EXPECT_FALSE(engine_.get("al-1"));
  EXPECT_FALSE(store_.alerts.contains("al-1"));
}

TEST_F(AlertEngineTest, BottleneckEventsRaiseAndResolve) {
  bottleneck::Bottleneck b;
  b.id = "bn-1";
  b.layer = Layer::database;
  b.kind = "db_latency";
  b.subject = "postgresql fp";
  b.title = "Slow query postgresql fp: p95 400 ms > 100 ms";
  b.score = 85;
  b.severity = Severity::critical;
  b.evidence = {{"p95_ms", 400, 100, "ms"}};
  engine_.on_bottleneck({bottleneck::EventKind::opened, b});
  auto open = open_alerts();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].source, "bottleneck");
  EXPECT_EQ(open[0].rule_id, "bn-1");
  EXPECT_EQ(open[0].title, b.title);
  EXPECT_EQ(open[0].severity, Severity::critical);
  EXPECT_DOUBLE_EQ(open[0].value, 400);
  engine_.on_bottleneck({bottleneck::EventKind::reopened, b});  // still open: deduplicated
  EXPECT_EQ(open_alerts().size(), 1u);
  engine_.on_bottleneck({bottleneck::EventKind::resolved, b});
  EXPECT_EQ(engine_.get(open[0].id)->status, AlertStatus::resolved);
  EXPECT_EQ(engine_.get(open[0].id)->resolution_notes, "bottleneck resolved");

  b.severity = Severity::high;  // below the default minimum (critical)
  engine_.on_bottleneck({bottleneck::EventKind::reopened, b});
  EXPECT_TRUE(open_alerts().empty());
}

TEST_F(AlertEngineTest, RulesAndChannelsAreValidatedAgainstEachOther) {
  AlertRule r = slow_api_rule(0);
  r.channels = {ops_, "ch-404"};
  auto bad = engine_.create_rule(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().text(), "channels[1]: unknown channel \"ch-404\"");
  r.channels = {ops_};
  r.escalation = {{60, {"nope"}}};
  EXPECT_EQ(engine_.create_rule(r).error().field, "escalation[0].channels[0]");
  r.escalation = {{60, {oncall_}}};
  const std::string id = engine_.create_rule(r)->id;
  auto in_use = engine_.delete_channel(oncall_);
  ASSERT_FALSE(in_use.ok());
  EXPECT_EQ(in_use.error().kind, ErrorKind::conflict);
  EXPECT_EQ(in_use.error().message, "channel " + oncall_ + " is used by rule " + id);
  ASSERT_TRUE(engine_.delete_rule(id).ok());
  EXPECT_TRUE(engine_.delete_channel(oncall_).ok());
  EXPECT_EQ(engine_.delete_rule(id).error().kind, ErrorKind::not_found);
  EXPECT_FALSE(store_.rules.contains(id));
}

TEST_F(AlertEngineTest, BuiltinRulesCanBeTunedNotDeleted) {
  bottleneck::Thresholds t;
  engine_.sync_builtin_rules(t);
  auto r = *engine_.rule("builtin-api-p95");
  EXPECT_EQ(r.condition.value, 200);
  EXPECT_EQ(engine_.delete_rule(r.id).error().kind, ErrorKind::conflict);
  AlertRule change = r;
  change.channels = {ops_};
  change.condition.value = 1;  // what it measures follows the thresholds, not the request
  ASSERT_TRUE(engine_.update_rule(r.id, change).ok());
  EXPECT_EQ(engine_.rule(r.id)->channels, (std::vector<std::string>{ops_}));
  EXPECT_EQ(engine_.rule(r.id)->condition.value, 200);
  t.api_p95_ms = 250;
  engine_.sync_builtin_rules(t);
  EXPECT_EQ(engine_.rule(r.id)->condition.value, 250);
  EXPECT_EQ(engine_.rule(r.id)->channels, (std::vector<std::string>{ops_}));
  EXPECT_EQ(store_.rules.at(r.id).condition.value, 250);
}

TEST_F(AlertEngineTest, DisablingARuleResolvesItsAlerts) {
  AlertRule r = slow_api_rule(0);
  const std::string id = engine_.create_rule(r)->id;
  engine_.evaluate(endpoint_p95("/a", 300));
  r.enabled = false;
  ASSERT_TRUE(engine_.update_rule(id, r).ok());
  EXPECT_EQ(engine_.get("al-1")->status, AlertStatus::resolved);
  EXPECT_EQ(engine_.get("al-1")->resolution_notes, "rule disabled");
  engine_.evaluate(endpoint_p95("/a", 300));
  EXPECT_TRUE(open_alerts().empty());
}

TEST_F(AlertEngineTest, FailedSavesChangeNothing) {
  const Alert a = custom(Severity::high, "t");
  store_.fail = true;
  auto r = engine_.acknowledge(a.id, "alice");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(engine_.get(a.id)->status, AlertStatus::active);
  EXPECT_EQ(engine_.resolve(a.id, "").error().kind, ErrorKind::unavailable);
  EXPECT_EQ(engine_.get(a.id)->status, AlertStatus::active);
  EXPECT_EQ(engine_.create_rule(slow_api_rule(0)).error().kind, ErrorKind::unavailable);
  EXPECT_TRUE(engine_.rules().empty());
}

TEST_F(AlertEngineTest, ChannelUpdateKeepsTheSecret) {
  notify::Channel c = webhook("signed", "http://127.0.0.1:1/s");
  c.secret = "k1";
  const std::string id = engine_.create_channel(c)->id;
  c.secret.clear();
  c.url = "http://127.0.0.1:1/t";
  ASSERT_TRUE(engine_.update_channel(id, c).ok());
  EXPECT_EQ(engine_.channel(id)->secret, "k1");
  EXPECT_EQ(engine_.channel(id)->url, "http://127.0.0.1:1/t");
  EXPECT_EQ(store_.channels.at(id).secret, "k1");
}

TEST_F(AlertEngineTest, RequestBodies) {
  auto req = custom_alert_from_json(boost::json::parse(
      R"({"title":"Deploy","message":"v2 rolled out","severity":"low","source":"ci","labels":{"env":"prod"}})"));
  ASSERT_TRUE(req.ok()) << req.error().text();
  EXPECT_EQ(req->source, "ci");
  EXPECT_EQ(req->labels.at("env"), "prod");
  EXPECT_EQ(custom_alert_from_json(boost::json::parse(R"({"title":"t","message":"m"})")).error().text(),
            "severity: is required");
  EXPECT_EQ(custom_alert_from_json(boost::json::parse(R"({"title":"t","message":"m","severity":"low","x":1})"))
                .error()
                .text(),
            "x: unknown field");
  EXPECT_EQ(custom_alert_from_json(boost::json::parse(R"({"title":"t","message":"m","severity":"low","source":"rule"})"))
                .error()
                .field,
            "source");
  EXPECT_EQ(*lifecycle_text_from_json(boost::json::parse(R"({"user":"alice"})"), "user", true), "alice");
  EXPECT_EQ(lifecycle_text_from_json(boost::json::parse(R"({})"), "user", true).error().text(), "user: is required");
  EXPECT_EQ(*lifecycle_text_from_json(boost::json::parse(R"({})"), "notes", false), "");
  EXPECT_EQ(lifecycle_text_from_json(boost::json::parse(R"({"note":"x"})"), "notes", false).error().text(),
            "note: unknown field");
}

}  // namespace
}  // namespace hs::alerts
