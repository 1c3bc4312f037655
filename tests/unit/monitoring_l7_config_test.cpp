// The L7 monitoring settings: defaults, validation naming the field (JSON and
// TOML share it), partial updates and round trip.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "config/daemon_options.h"
#include "config/monitoring_config.h"

namespace hs::config {
namespace {

std::variant<MonitoringConfig, FieldError> apply(std::string_view json) {
  return monitoring_config_from_json(MonitoringConfig{}, json);
}

TEST(L7Config, Defaults) {
  const MonitoringConfig c;
  EXPECT_TRUE(c.l7_enabled);
  EXPECT_TRUE(c.tls_enabled);
  EXPECT_EQ(c.slow_query_threshold_ms, 100u);
  EXPECT_FALSE(c.capture_literals);
  EXPECT_EQ(c.max_fingerprints_per_process, 200u);
  EXPECT_EQ(c.max_routes_per_process, 200u);
  EXPECT_EQ(c.l7_ring_buffer_kb, 8192u);
  const auto o = to_json(c).as_object();
  EXPECT_TRUE(o.at("l7_enabled").as_bool());
  EXPECT_TRUE(o.at("tls_enabled").as_bool());
  EXPECT_EQ(o.at("slow_query_threshold_ms").as_int64(), 100);
  EXPECT_FALSE(o.at("capture_literals").as_bool());
  EXPECT_EQ(o.at("max_fingerprints_per_process").as_int64(), 200);
  EXPECT_EQ(o.at("max_routes_per_process").as_int64(), 200);
  EXPECT_EQ(o.at("l7_ring_buffer_kb").as_int64(), 8192);
}

TEST(L7Config, BadValuesNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"l7_enabled":1})", "l7_enabled"},
      {R"({"l7_enabled":"true"})", "l7_enabled"},
      {R"({"tls_enabled":0})", "tls_enabled"},
      {R"({"capture_literals":null})", "capture_literals"},
      {R"({"slow_query_threshold_ms":0})", "slow_query_threshold_ms"},
      {R"({"slow_query_threshold_ms":600001})", "slow_query_threshold_ms"},
      {R"({"slow_query_threshold_ms":100.0})", "slow_query_threshold_ms"},
      {R"({"max_fingerprints_per_process":0})", "max_fingerprints_per_process"},
      {R"({"max_fingerprints_per_process":100001})", "max_fingerprints_per_process"},
      {R"({"max_routes_per_process":0})", "max_routes_per_process"},
      {R"({"max_routes_per_process":100001})", "max_routes_per_process"},
      {R"({"max_routes_per_process":false})", "max_routes_per_process"},
      {R"({"l7_ring_buffer_kb":32})", "l7_ring_buffer_kb"},
      {R"({"l7_ring_buffer_kb":524288})", "l7_ring_buffer_kb"},
      {R"({"l7_ring_buffer_kb":1000})", "l7_ring_buffer_kb"},  // not a power of two
  };
  for (const auto& [json, field] : cases) {
    auto r = apply(json);
    ASSERT_TRUE(std::holds_alternative<FieldError>(r)) << json;
    EXPECT_EQ(std::get<FieldError>(r).field, field) << json;
  }
  auto r = apply(R"({"l7_ring_buffer_kb":1000})");
  EXPECT_EQ(std::get<FieldError>(r).message, "must be a power of two (got 1000)");
}

TEST(L7Config, BoundsAreAcceptedAndUpdatesArePartial) {
  auto r = apply(R"({"slow_query_threshold_ms":1,"max_fingerprints_per_process":100000,)"
                 R"("max_routes_per_process":1,"l7_ring_buffer_kb":64,"capture_literals":true})");
  ASSERT_TRUE(std::holds_alternative<MonitoringConfig>(r));
  auto c = std::get<MonitoringConfig>(r);
  EXPECT_EQ(c.slow_query_threshold_ms, 1u);
  EXPECT_EQ(c.max_fingerprints_per_process, 100000u);
  EXPECT_EQ(c.max_routes_per_process, 1u);
  EXPECT_EQ(c.l7_ring_buffer_kb, 64u);
  EXPECT_TRUE(c.capture_literals);
  EXPECT_TRUE(c.l7_enabled);
  auto next = monitoring_config_from_json(c, R"({"l7_enabled":false,"l7_ring_buffer_kb":262144,)"
                                             R"("slow_query_threshold_ms":600000})");
  ASSERT_TRUE(std::holds_alternative<MonitoringConfig>(next));
  c = std::get<MonitoringConfig>(next);
  EXPECT_FALSE(c.l7_enabled);
  EXPECT_TRUE(c.capture_literals);  // absent: kept
  EXPECT_EQ(c.max_routes_per_process, 1u);
  EXPECT_EQ(c.l7_ring_buffer_kb, 262144u);
  EXPECT_EQ(c.slow_query_threshold_ms, 600000u);
  // Round trip through the JSON every field is written to.
  auto again = monitoring_config_from_value(MonitoringConfig{}, to_json(c));
  ASSERT_TRUE(std::holds_alternative<MonitoringConfig>(again));
  EXPECT_EQ(std::get<MonitoringConfig>(again), c);
}

TEST(L7Config, TomlUsesTheSameRules) {
  auto ok = apply_toml(DaemonOptions{},
                       "[monitoring]\nl7_enabled = false\ncapture_literals = true\n"
                       "slow_query_threshold_ms = 250\nl7_ring_buffer_kb = 1024\n",
                       "l7.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().text();
  EXPECT_FALSE(ok->monitoring.l7_enabled);
  EXPECT_TRUE(ok->monitoring.capture_literals);
  EXPECT_EQ(ok->monitoring.slow_query_threshold_ms, 250u);
  EXPECT_EQ(ok->monitoring.l7_ring_buffer_kb, 1024u);
  auto bad = apply_toml(DaemonOptions{}, "[monitoring]\nl7_ring_buffer_kb = 100\n", "l7.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("monitoring.l7_ring_buffer_kb:", 0), 0u) << bad.status().message();
}

}  // namespace
}  // namespace hs::config
