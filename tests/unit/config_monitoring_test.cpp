// MonitoringConfig JSON: every field's validation names that field; partial updates; round trip.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "config/monitoring_config.h"

namespace hs::config {
namespace {

MonitoringConfig apply_ok(const MonitoringConfig& base, std::string_view json) {
  auto r = monitoring_config_from_json(base, json);
  if (const auto* e = std::get_if<FieldError>(&r)) {
    ADD_FAILURE() << json << " -> " << e->field << ": " << e->message;
    return base;
  }
  return std::get<MonitoringConfig>(r);
}

struct BadCase {
  const char* json;
  const char* field;
};

class ConfigMonitoringBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigMonitoringBad, NamesTheField) {
  const BadCase& c = GetParam();
  const MonitoringConfig base;
  auto r = monitoring_config_from_json(base, c.json);
  ASSERT_TRUE(std::holds_alternative<FieldError>(r)) << c.json;
  const auto& e = std::get<FieldError>(r);
  EXPECT_EQ(e.field, c.field) << c.json << " -> " << e.message;
  EXPECT_FALSE(e.message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    ConfigFields, ConfigMonitoringBad,
    ::testing::Values(
        // interval_ms 100..60000
        BadCase{R"({"interval_ms":99})", "interval_ms"}, BadCase{R"({"interval_ms":60001})", "interval_ms"},
        BadCase{R"({"interval_ms":-1})", "interval_ms"}, BadCase{R"({"interval_ms":"1000"})", "interval_ms"},
        BadCase{R"({"interval_ms":1000.5})", "interval_ms"}, BadCase{R"({"interval_ms":1000.0})", "interval_ms"},
        BadCase{R"({"interval_ms":true})", "interval_ms"}, BadCase{R"({"interval_ms":null})", "interval_ms"},
        BadCase{R"({"interval_ms":1e20})", "interval_ms"},
        BadCase{R"({"interval_ms":18446744073709551615})", "interval_ms"},
        // fine_retention_s 60..86400
        BadCase{R"({"fine_retention_s":59})", "fine_retention_s"},
        BadCase{R"({"fine_retention_s":86401})", "fine_retention_s"},
        BadCase{R"({"fine_retention_s":[]})", "fine_retention_s"},
        // coarse_retention_s 3600..2592000 and >= fine
        BadCase{R"({"coarse_retention_s":3599})", "coarse_retention_s"},
        BadCase{R"({"coarse_retention_s":2592001})", "coarse_retention_s"},
        BadCase{R"({"coarse_retention_s":{}})", "coarse_retention_s"},
        BadCase{R"({"fine_retention_s":7200,"coarse_retention_s":3600})", "coarse_retention_s"},
        // exited_retention_s 0..604800
        BadCase{R"({"exited_retention_s":604801})", "exited_retention_s"},
        BadCase{R"({"exited_retention_s":-5})", "exited_retention_s"},
        // max_syscall_entries 64..1048576
        BadCase{R"({"max_syscall_entries":63})", "max_syscall_entries"},
        BadCase{R"({"max_syscall_entries":1048577})", "max_syscall_entries"},
        // prometheus_max_series 1..100000
        BadCase{R"({"prometheus_max_series":0})", "prometheus_max_series"},
        BadCase{R"({"prometheus_max_series":100001})", "prometheus_max_series"},
        BadCase{R"({"prometheus_max_series":false})", "prometheus_max_series"},
        // network_enabled: a boolean only
        BadCase{R"({"network_enabled":1})", "network_enabled"},
        BadCase{R"({"network_enabled":"true"})", "network_enabled"},
        BadCase{R"({"network_enabled":null})", "network_enabled"},
        // max_network_entries 64..1048576
        BadCase{R"({"max_network_entries":63})", "max_network_entries"},
        BadCase{R"({"max_network_entries":1048577})", "max_network_entries"},
        BadCase{R"({"max_network_entries":true})", "max_network_entries"},
        // max_remotes_per_process 1..10000
        BadCase{R"({"max_remotes_per_process":0})", "max_remotes_per_process"},
        BadCase{R"({"max_remotes_per_process":10001})", "max_remotes_per_process"},
        BadCase{R"({"max_remotes_per_process":32.0})", "max_remotes_per_process"},
        // filters
        BadCase{R"({"filters":[]})", "filters"}, BadCase{R"({"filters":null})", "filters"},
        BadCase{R"({"filters":{"bogus":1}})", "filters.bogus"},
        BadCase{R"({"filters":{"pids":5}})", "filters.pids"},
        BadCase{R"({"filters":{"pids":[1,2,0]}})", "filters.pids[2]"},
        BadCase{R"({"filters":{"pids":[4194305]}})", "filters.pids[0]"},
        BadCase{R"({"filters":{"pids":[1,"2"]}})", "filters.pids[1]"},
        BadCase{R"({"filters":{"pids":[-1]}})", "filters.pids[0]"},
        BadCase{R"({"filters":{"pids":[1.5]}})", "filters.pids[0]"},
        BadCase{R"({"filters":{"comms":"bash"}})", "filters.comms"},
        BadCase{R"({"filters":{"comms":["bash",""]}})", "filters.comms[1]"},
        BadCase{R"({"filters":{"comms":["0123456789abcdef"]}})", "filters.comms[0]"},
        BadCase{R"({"filters":{"comms":["a\nb"]}})", "filters.comms[0]"},
        BadCase{R"({"filters":{"comms":[7]}})", "filters.comms[0]"},
        BadCase{R"({"filters":{"cgroups":["relative/path"]}})", "filters.cgroups[0]"},
        BadCase{R"({"filters":{"cgroups":["/a/../b"]}})", "filters.cgroups[0]"},
        BadCase{R"({"filters":{"cgroups":["/ok","/.."]}})", "filters.cgroups[1]"},
        BadCase{R"({"filters":{"cgroups":[""]}})", "filters.cgroups[0]"},
        BadCase{R"({"filters":{"cgroups":[null]}})", "filters.cgroups[0]"},
        BadCase{R"({"filters":{"min_latency_ns":60000000001}})", "filters.min_latency_ns"},
        BadCase{R"({"filters":{"min_latency_ns":"1"}})", "filters.min_latency_ns"},
        // unknown fields, bodies
        BadCase{R"({"bogus":1})", "bogus"}, BadCase{R"({"":1})", R"("")"},
        BadCase{R"({"filters":{"":1}})", R"(filters."")"}, BadCase{R"({"interval_ms":1000,"Interval_ms":1000})", "Interval_ms"},
        BadCase{R"([])", "body"}, BadCase{R"("x")", "body"}, BadCase{R"(42)", "body"}, BadCase{R"(null)", "body"},
        BadCase{R"({"interval_ms":)", "body"}, BadCase{"", "body"}, BadCase{R"({} trailing)", "body"},
        BadCase{R"({"a":1,})", "body"}));

TEST(ConfigMonitoring, ListLimits) {
  std::string pids = R"({"filters":{"pids":[)";
  for (int i = 1; i <= 1025; ++i) pids += (i > 1 ? "," : "") + std::to_string(i);
  pids += "]}}";
  auto r = monitoring_config_from_json({}, pids);
  ASSERT_TRUE(std::holds_alternative<FieldError>(r));
  EXPECT_EQ(std::get<FieldError>(r).field, "filters.pids");

  std::string cgroups = R"({"filters":{"cgroups":[)";
  for (int i = 0; i < 257; ++i) cgroups += std::string(i > 0 ? "," : "") + "\"/c" + std::to_string(i) + "\"";
  cgroups += "]}}";
  r = monitoring_config_from_json({}, cgroups);
  ASSERT_TRUE(std::holds_alternative<FieldError>(r));
  EXPECT_EQ(std::get<FieldError>(r).field, "filters.cgroups");

  // Exactly at the limit is fine.
  std::string ok = R"({"filters":{"pids":[)";
  for (int i = 1; i <= 1024; ++i) ok += (i > 1 ? "," : "") + std::to_string(i);
  ok += "]}}";
  EXPECT_EQ(apply_ok({}, ok).filters.pids.size(), 1024u);
}

TEST(ConfigMonitoring, BoundsAreInclusive) {
  const auto lo = apply_ok({}, R"({"interval_ms":100,"fine_retention_s":60,"coarse_retention_s":3600,
      "exited_retention_s":0,"max_syscall_entries":64,"prometheus_max_series":1,
      "filters":{"min_latency_ns":0,"comms":["a"],"pids":[1]}})");
  EXPECT_EQ(lo.interval_ms, 100u);
  EXPECT_EQ(lo.exited_retention_s, 0u);
  const auto hi = apply_ok({}, R"({"interval_ms":60000,"fine_retention_s":86400,"coarse_retention_s":2592000,
      "exited_retention_s":604800,"max_syscall_entries":1048576,"prometheus_max_series":100000,
      "filters":{"min_latency_ns":60000000000,"comms":["abcdefghijklmno"],"pids":[4194304]}})");
  EXPECT_EQ(hi.coarse_retention_s, 2592000u);
  EXPECT_EQ(hi.filters.min_latency_ns, 60'000'000'000ULL);
}

TEST(ConfigMonitoring, EmptyObjectKeepsBase) {
  MonitoringConfig base;
  base.interval_ms = 250;
  base.filters.comms = {"nginx"};
  EXPECT_EQ(apply_ok(base, "{}"), base);
}

TEST(ConfigMonitoring, PartialUpdateKeepsOtherFields) {
  MonitoringConfig base;
  base.filters.pids = {10, 20};
  base.filters.comms = {"postgres"};
  base.filters.min_latency_ns = 500;
  const auto c = apply_ok(base, R"({"interval_ms":500,"filters":{"comms":["redis-server","nginx"]}})");
  EXPECT_EQ(c.interval_ms, 500u);
  EXPECT_EQ(c.fine_retention_s, base.fine_retention_s);
  EXPECT_EQ(c.coarse_retention_s, base.coarse_retention_s);
  EXPECT_EQ(c.filters.pids, (std::vector<std::uint32_t>{10, 20}));  // untouched inside filters too
  EXPECT_EQ(c.filters.comms, (std::vector<std::string>{"redis-server", "nginx"}));
  EXPECT_EQ(c.filters.min_latency_ns, 500u);
  // An empty array clears the list.
  EXPECT_TRUE(apply_ok(c, R"({"filters":{"pids":[]}})").filters.pids.empty());
}

TEST(ConfigMonitoring, ErrorLeavesBaseUntouchedAndAppliesNothing) {
  MonitoringConfig base;
  auto r = monitoring_config_from_json(base, R"({"interval_ms":500,"filters":{"pids":[0]}})");
  ASSERT_TRUE(std::holds_alternative<FieldError>(r));
  EXPECT_EQ(base, MonitoringConfig{});
}

TEST(ConfigMonitoring, RetentionOrderingNamesTheFieldThatWasSent) {
  MonitoringConfig base;  // fine 900, coarse 86400
  base.coarse_retention_s = 3600;
  auto r = monitoring_config_from_json(base, R"({"fine_retention_s":7200})");
  ASSERT_TRUE(std::holds_alternative<FieldError>(r));
  EXPECT_EQ(std::get<FieldError>(r).field, "fine_retention_s");
  // Raising both together is fine.
  const auto c = apply_ok(base, R"({"fine_retention_s":7200,"coarse_retention_s":7200})");
  EXPECT_EQ(c.fine_retention_s, 7200u);
}

TEST(ConfigMonitoring, UnknownKeyIsTruncatedInTheError) {
  const std::string key(1000, 'k');
  auto r = monitoring_config_from_json({}, "{\"" + key + "\":1}");
  ASSERT_TRUE(std::holds_alternative<FieldError>(r));
  EXPECT_LT(std::get<FieldError>(r).field.size(), 100u);
}

TEST(ConfigMonitoring, ToJsonShape) {
  const auto v = to_json(MonitoringConfig{});
  ASSERT_TRUE(v.is_object());
  const auto& o = v.as_object();
  EXPECT_EQ(o.size(), 17u);  // the L7 settings are checked in monitoring_l7_config_test.cpp
  EXPECT_EQ(o.at("interval_ms").as_int64(), 1000);
  EXPECT_EQ(o.at("fine_retention_s").as_int64(), 900);
  EXPECT_EQ(o.at("coarse_retention_s").as_int64(), 86400);
  EXPECT_EQ(o.at("exited_retention_s").as_int64(), 3600);
  EXPECT_EQ(o.at("max_syscall_entries").as_int64(), 8192);
  EXPECT_EQ(o.at("prometheus_max_series").as_int64(), 500);
  EXPECT_TRUE(o.at("network_enabled").as_bool());
  EXPECT_EQ(o.at("max_network_entries").as_int64(), 4096);
  EXPECT_EQ(o.at("max_remotes_per_process").as_int64(), 32);
  const auto& f = o.at("filters").as_object();
  EXPECT_EQ(f.size(), 4u);
  EXPECT_TRUE(f.at("pids").as_array().empty());
  EXPECT_TRUE(f.at("comms").as_array().empty());
  EXPECT_TRUE(f.at("cgroups").as_array().empty());
  EXPECT_EQ(f.at("min_latency_ns").as_int64(), 0);
}

TEST(ConfigMonitoring, RoundTrip) {
  MonitoringConfig c;
  c.interval_ms = 250;
  c.fine_retention_s = 1800;
  c.coarse_retention_s = 604800;
  c.exited_retention_s = 0;
  c.filters.pids = {1, 4194304, 77};
  c.filters.comms = {"postgres", "redis-server", "a b~"};
  c.filters.cgroups = {"/system.slice/nginx.service", "/"};
  c.filters.min_latency_ns = 60'000'000'000ULL;
  c.max_syscall_entries = 65536;
  c.prometheus_max_series = 100000;
  c.network_enabled = false;
  c.max_network_entries = 1048576;
  c.max_remotes_per_process = 1;
  // Through a value, and through text (what the API actually sends).
  auto r = monitoring_config_from_value(MonitoringConfig{}, to_json(c));
  ASSERT_TRUE(std::holds_alternative<MonitoringConfig>(r));
  EXPECT_EQ(std::get<MonitoringConfig>(r), c);
  EXPECT_EQ(apply_ok(MonitoringConfig{}, boost::json::serialize(to_json(c))), c);
  EXPECT_EQ(apply_ok(c, boost::json::serialize(to_json(MonitoringConfig{}))), MonitoringConfig{});
}

TEST(ConfigMonitoring, NetworkSettingsApplyPartially) {
  MonitoringConfig c = apply_ok({}, R"({"network_enabled":false,"max_remotes_per_process":10000})");
  EXPECT_FALSE(c.network_enabled);
  EXPECT_EQ(c.max_remotes_per_process, 10000u);
  EXPECT_EQ(c.max_network_entries, 4096u);
  c = apply_ok(c, R"({"max_network_entries":64})");
  EXPECT_FALSE(c.network_enabled);  // absent fields keep their values
  EXPECT_EQ(c.max_network_entries, 64u);
}

}  // namespace
}  // namespace hs::config
