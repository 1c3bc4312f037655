// The [alerts] table of the TOML file: its one key, its range, and its error paths.
#include <gtest/gtest.h>

#include <string>

#include "config/daemon_options.h"

namespace hs::config {
namespace {

std::string alerts_error(const std::string& text) {
  auto r = apply_toml(DaemonOptions{}, text, "alerts.toml");
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? std::string() : r.status().message();
}

TEST(ConfigAlerts, DefaultIsTenSeconds) { EXPECT_EQ(DaemonOptions{}.alerts.evaluation_interval_ms, 10000u); }

TEST(ConfigAlerts, EvaluationIntervalIsRead) {
  auto r = apply_toml(DaemonOptions{}, "[alerts]\nevaluation_interval_ms = 500\n", "a");
  ASSERT_TRUE(r.ok()) << r.status().text();
  EXPECT_EQ(r->alerts.evaluation_interval_ms, 500u);
  EXPECT_EQ(r->monitoring, MonitoringConfig{});
}

TEST(ConfigAlerts, BoundsAreInclusive) {
  auto lo = apply_toml(DaemonOptions{}, "[alerts]\nevaluation_interval_ms = 100\n", "a");
  auto hi = apply_toml(DaemonOptions{}, "[alerts]\nevaluation_interval_ms = 3600000\n", "a");
  ASSERT_TRUE(lo.ok() && hi.ok());
  EXPECT_EQ(lo->alerts.evaluation_interval_ms, 100u);
  EXPECT_EQ(hi->alerts.evaluation_interval_ms, 3600000u);
}

TEST(ConfigAlerts, ErrorsNameTheKey) {
  EXPECT_EQ(alerts_error("[alerts]\nevaluation_interval_ms = 99").rfind("alerts.evaluation_interval_ms:", 0), 0u);
  EXPECT_EQ(alerts_error("[alerts]\nevaluation_interval_ms = 3600001").rfind("alerts.evaluation_interval_ms:", 0),
            0u);
  EXPECT_EQ(alerts_error("[alerts]\nevaluation_interval_ms = \"5\"").rfind("alerts.evaluation_interval_ms:", 0), 0u);
  EXPECT_EQ(alerts_error("[alerts]\nevaluation_interval_ms = 500.0").rfind("alerts.evaluation_interval_ms:", 0), 0u);
  const std::string bogus = alerts_error("[alerts]\n\nbogus = 1");
  EXPECT_EQ(bogus.rfind("alerts.bogus: unknown key", 0), 0u) << bogus;
  EXPECT_NE(bogus.find("line 3"), std::string::npos) << bogus;
  EXPECT_EQ(alerts_error("alerts = 1").rfind("alerts: must be a table", 0), 0u);
}

}  // namespace
}  // namespace hs::config
