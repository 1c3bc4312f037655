// AlertStore: documents survive reopening and a SIGKILL right after the write returns;
// the alert and bottleneck engines come back from the state DB as they were.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>

#include "alerts/alert_engine.h"
#include "alerts/state_persistence.h"
#include "bottleneck/bottleneck_engine.h"
#include "storage/alert_store.h"
#include "storage/state_db.h"

namespace hs::storage {
namespace {

class StorageAlertStore : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hs_alert_store_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/state.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<StateDb> open_db() {
    auto r = StateDb::open(path_);
    EXPECT_TRUE(r.ok()) << r.status().text();
    return r.ok() ? std::move(r.value()) : nullptr;
  }

  std::string dir_, path_;
};

TEST_F(StorageAlertStore, PutLoadRemoveAcrossReopen) {
  {
    auto db = open_db();
    auto store = AlertStore::open(*db);
    ASSERT_TRUE(store.ok()) << store.status().text();
    ASSERT_TRUE(store->put(AlertCollection::rules, "rule-1", R"({"a":1})", 10).ok());
    ASSERT_TRUE(store->put(AlertCollection::rules, "rule-2", R"({"b":2})", 20).ok());
    ASSERT_TRUE(store->put(AlertCollection::rules, "rule-1", R"({"a":3})", 30).ok());  // replaces
    ASSERT_TRUE(store->put(AlertCollection::alerts, "al-1", R"({})", 5).ok());
    ASSERT_TRUE(store->remove(AlertCollection::alerts, "al-1").ok());
    EXPECT_FALSE(store->put(AlertCollection::rules, "", "{}", 1).ok());
    EXPECT_EQ(db->schema_version("alerts").value(), 1u);
  }
  auto db = open_db();
  auto store = AlertStore::open(*db);  // migrating again is a no-op
  ASSERT_TRUE(store.ok());
  auto rules = store->load(AlertCollection::rules);
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].id, "rule-2");  // oldest update first
  EXPECT_EQ((*rules)[1].id, "rule-1");
  EXPECT_EQ((*rules)[1].body, R"({"a":3})");
  EXPECT_EQ((*rules)[1].updated_ms, 30);
  EXPECT_EQ(store->count(AlertCollection::alerts).value(), 0u);
  EXPECT_EQ(store->count(AlertCollection::channels).value(), 0u);
}

TEST_F(StorageAlertStore, WriteSurvivesSigkillRightAfterItReturns) {
  {
    auto db = open_db();  // create the file and schema first
    ASSERT_TRUE(AlertStore::open(*db).ok());
  }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = StateDb::open(path_);
    if (!db.ok()) _exit(2);
    auto store = AlertStore::open(**db);
    if (!store.ok() || !store->put(AlertCollection::alerts, "al-9", R"({"status":"acknowledged"})", 99).ok()) _exit(3);
    ::kill(::getpid(), SIGKILL);  // no close, no checkpoint: only what the commit made durable
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  auto db = open_db();
  auto store = AlertStore::open(*db);
  ASSERT_TRUE(store.ok());
  auto alerts = store->load(AlertCollection::alerts);
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].id, "al-9");
  EXPECT_EQ((*alerts)[0].body, R"({"status":"acknowledged"})");
}

TEST_F(StorageAlertStore, EnginesComeBackAsTheyWere) {
  FakeClock clock;
  std::string bottleneck_id;
  {
    auto db = open_db();
    auto store = AlertStore::open(*db);
    ASSERT_TRUE(store.ok());
    alerts::StatePersistence persistence(*store, clock);
    alerts::AlertEngine engine(clock, nullptr);
    engine.set_persistence(&persistence);
    engine.sync_builtin_rules(bottleneck::Thresholds{});

    notify::Channel c;
    c.name = "ops";
    c.url = "https://hooks.example/x";
    c.secret = "k";
    ASSERT_EQ(engine.create_channel(c)->id, "ch-1");
    alerts::AlertRule r;
    r.name = "busy";
    r.selector = alerts::metric_selector(bottleneck::Layer::system, "cpu_percent");
    r.condition = {alerts::ConditionType::threshold, alerts::Comparison::above, 50, 95};
    r.channels = {"ch-1"};
    ASSERT_EQ(engine.create_rule(r)->id, "rule-1");
    alerts::CustomAlertRequest req;
    req.title = "t";
    req.message = "m";
    req.severity = Severity::high;
    ASSERT_EQ(engine.create_custom(req)->id, "al-1");
    ASSERT_TRUE(engine.acknowledge("al-1", "alice").ok());

    bottleneck::BottleneckEngine bn(clock);
    bn.set_store(&persistence);
    bottleneck::MetricsSnapshot m;
    m.system.present = true;
    m.system.cpu_percent = 99;
    bn.evaluate(m);
    bottleneck_id = bn.list({}).bottlenecks.at(0).id;
    ASSERT_TRUE(bn.set_status(bottleneck_id, "ignored", "batch window").ok());
    ASSERT_TRUE(bn.update_thresholds(boost::json::parse(R"({"cpu_percent": 97})")).ok());
  }

  auto db = open_db();
  auto store = AlertStore::open(*db);
  ASSERT_TRUE(store.ok());
  alerts::StatePersistence persistence(*store, clock);
  auto loaded = persistence.load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().text();
  EXPECT_EQ(loaded->skipped, 0u);
  EXPECT_EQ(loaded->rules.size(), 11u);  // ten built-in + one
  ASSERT_EQ(loaded->channels.size(), 1u);
  EXPECT_EQ(loaded->channels[0].secret, "k");
  ASSERT_TRUE(loaded->thresholds);
  EXPECT_EQ(loaded->thresholds->cpu_percent, 97);

  alerts::AlertEngine engine(clock, nullptr);
  engine.set_persistence(&persistence);
  engine.restore(loaded->rules, loaded->channels, loaded->alerts);
  auto a = engine.get("al-1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, alerts::AlertStatus::acknowledged);
  EXPECT_EQ(a->acknowledged_by, "alice");
  EXPECT_EQ(a->history.size(), 2u);
  EXPECT_EQ(engine.rule("rule-1")->channels, (std::vector<std::string>{"ch-1"}));
  EXPECT_TRUE(engine.rule("builtin-api-p95")->builtin);
  EXPECT_EQ(engine.resolve("al-1", "done").value().status, alerts::AlertStatus::resolved);
  alerts::CustomAlertRequest req;
  req.title = "next";
  EXPECT_EQ(engine.create_custom(req)->id, "al-2");  // ids continue, never reused
  EXPECT_EQ(engine.create_channel(notify::Channel{})->id, "ch-2");

  bottleneck::BottleneckEngine bn(clock, *loaded->thresholds);
  bn.restore(loaded->bottlenecks);
  auto b = bn.get(bottleneck_id);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, bottleneck::BottleneckStatus::ignored);
  EXPECT_EQ(b->notes, "batch window");
  EXPECT_EQ(bn.thresholds().cpu_percent, 97);
}

}  // namespace
}  // namespace hs::storage
