// Network routes: type=network metrics, network/connections, the summary's
// network KPIs and the TCP families of /metrics, over a real engine.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "net_test_readings.h"
#include "promtool.h"
#include "route_fakes.h"
#include "web/routes/prometheus_text.h"

namespace hs::web {
namespace {

namespace json = boost::json;
using test::add_bytes;
using test::add_connects;
using test::add_round_trips;
using test::add_srtt;
using test::connection;
using test::net_reading;

const std::string kMetrics = "/api/performance/monitoring/metrics";
const std::string kConnections = "/api/performance/network/connections";

class NetworkRoutesTest : public ::testing::Test, protected test::ApiHarness {
 protected:
  NetworkRoutesTest() {
    auto client = net_reading(100, HS_NET_ROLE_CLIENT, "10.0.0.5", 5432);
    add_connects(client, 2, 300'000);
    client.val.connect_failures = 1;
    add_srtt(client, 4, 200, 50);
    client.val.retransmits = 3;
    client.val.resets_sent = 1;
    client.val.resets_received = 2;
    add_round_trips(client, 10, 1'000'000);
    add_bytes(client, 1000, 2000);
    auto server = net_reading(200, HS_NET_ROLE_SERVER, "::1", 8080);
    server.val.connects = 5;
    add_round_trips(server, 4, 2'000'000);
    add_bytes(server, 10, 20);
    std::vector<NetReading> v{client, server};
    engine.ingest_network(v);
    engine.set_connections({connection(100, 1, HS_NET_ROLE_CLIENT, "10.0.0.9", 41000, "10.0.0.5", 5432),
                            connection(200, 10, HS_NET_ROLE_SERVER, "::", 8080, "::", 0)});
    attach_network_probe("attached", "");
    clock.advance_ms(1000);
    engine.finish_interval();
  }

  void attach_network_probe(std::string state, std::string reason) {
    monitoring::ProbeHealth h;
    h.name = "network";
    h.state = std::move(state);
    h.reason = std::move(reason);
    engine.set_probe_health({h});
  }

  json::object get(const std::string& path, std::map<std::string, std::string> query = {}) {
    auto r = call("GET", path, std::move(query));
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  }
};

TEST_F(NetworkRoutesTest, NetworkMetricsCarryTheContractFieldsWithExactNumbers) {
  auto v = get(kMetrics, {{"type", "network"}});
  EXPECT_EQ(v["type"].as_string(), "network");
  EXPECT_FALSE(v.contains("available"));
  auto& m = v["metrics"].as_array();
  ASSERT_EQ(m.size(), 2u);
  auto& e = m[0].as_object();  // most bytes first
  for (const char* f : {"pid", "comm", "remote", "connects", "connect_failures", "connect_p50_ns", "srtt_p50_ns",
                        "srtt_p99_ns", "retransmits", "resets", "round_trips", "rtt_p50_ns", "rtt_p95_ns",
                        "rtt_p99_ns", "direction", "local_port", "family", "connect_p95_ns", "connect_p99_ns",
                        "srtt_avg_ns", "rttvar_avg_ns", "resets_sent", "resets_received", "rtt_max_ns", "bytes_sent",
                        "bytes_received", "exited"})
    EXPECT_TRUE(e.contains(f)) << f;
  EXPECT_EQ(e["pid"].as_int64(), 100);
  EXPECT_EQ(e["comm"].as_string(), "proc100");
  EXPECT_EQ(e["remote"].as_string(), "10.0.0.5:5432");
  EXPECT_EQ(e["direction"].as_string(), "outbound");
  EXPECT_EQ(e["family"].as_string(), "ipv4");
  EXPECT_EQ(e["connects"].as_int64(), 2);
  EXPECT_EQ(e["connect_failures"].as_int64(), 1);
  EXPECT_EQ(e["retransmits"].as_int64(), 3);
  EXPECT_EQ(e["resets"].as_int64(), 3);
  EXPECT_EQ(e["resets_sent"].as_int64(), 1);
  EXPECT_EQ(e["round_trips"].as_int64(), 10);
  EXPECT_EQ(e["rtt_max_ns"].as_int64(), 1'000'000);
  EXPECT_EQ(e["srtt_avg_ns"].as_int64(), 200'000);
  EXPECT_EQ(e["rttvar_avg_ns"].as_int64(), 50'000);
  EXPECT_EQ(e["bytes_received"].as_int64(), 2000);
  EXPECT_NEAR(static_cast<double>(e["rtt_p95_ns"].as_int64()), 1e6, 1e6 * 0.125);
  EXPECT_NEAR(static_cast<double>(e["connect_p50_ns"].as_int64()), 3e5, 3e5 * 0.125);
  auto& s = m[1].as_object();
  EXPECT_EQ(s["remote"].as_string(), "[::1]:*");
  EXPECT_EQ(s["direction"].as_string(), "inbound");
  EXPECT_EQ(s["local_port"].as_int64(), 8080);
  EXPECT_EQ(s["family"].as_string(), "ipv6");
}

TEST_F(NetworkRoutesTest, NetworkMetricsFilters) {
  auto count = [&](std::map<std::string, std::string> q) {
    q["type"] = "network";
    return get(kMetrics, q)["metrics"].as_array().size();
  };
  EXPECT_EQ(count({{"pid", "200"}}), 1u);
  EXPECT_EQ(count({{"comm", "proc100"}}), 1u);
  EXPECT_EQ(count({{"remote", "[::1]:*"}}), 1u);
  EXPECT_EQ(count({{"remote", "10.9.9.9:1"}}), 0u);
  EXPECT_EQ(count({{"direction", "inbound"}}), 1u);
  EXPECT_EQ(count({{"direction", "outbound"}, {"pid", "200"}}), 0u);
  EXPECT_EQ(count({{"limit", "1"}}), 1u);
}

TEST_F(NetworkRoutesTest, BadParametersAre400NamingTheParameter) {
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> cases{
      {"direction", {{"type", "network"}, {"direction", "sideways"}}},
      {"remote", {{"type", "network"}, {"remote", ""}}},
      {"limit", {{"type", "network"}, {"limit", "0"}}},
      {"pid", {{"type", "network"}, {"pid", "x"}}},
      {"bogus", {{"type", "network"}, {"bogus", "1"}}},
  };
  for (const auto& [param, query] : cases) {
    auto r = call("GET", kMetrics, query);
    EXPECT_EQ(r.status, 400) << param;
    auto msg = std::string(json::parse(r.body).as_object()["error"].as_object()["message"].as_string());
    EXPECT_NE(msg.find(param), std::string::npos) << msg;
  }
}

TEST_F(NetworkRoutesTest, WithoutAnAttachedNetworkProbeTotalsAreListedButUnavailable) {
  engine.set_probe_health({});
  auto v = get(kMetrics, {{"type", "network"}});
  EXPECT_FALSE(v["available"].as_bool());
  EXPECT_FALSE(v["reason"].as_string().empty());
  EXPECT_EQ(v["metrics"].as_array().size(), 2u);
  attach_network_probe("failed", "network/load: Operation not permitted");
  v = get(kMetrics, {{"type", "network"}});
  EXPECT_FALSE(v["available"].as_bool());
  EXPECT_EQ(v["reason"].as_string(), "network/load: Operation not permitted");
  auto summary = get("/api/performance/monitoring/summary")["network"].as_object();
  EXPECT_FALSE(summary["available"].as_bool());
}

TEST_F(NetworkRoutesTest, ConnectionsListFiltersAndPages) {
  auto v = get(kConnections);
  EXPECT_EQ(v["total"].as_int64(), 2);
  auto& c = v["connections"].as_array();
  ASSERT_EQ(c.size(), 2u);
  auto& first = c[0].as_object();
  for (const char* f : {"pid", "comm", "local", "remote", "state", "direction", "srtt_us", "rttvar_us", "retransmits",
                        "bytes_acked", "bytes_received", "cwnd"})
    EXPECT_TRUE(first.contains(f)) << f;
  EXPECT_EQ(first["pid"].as_int64(), 100);
  EXPECT_EQ(first["comm"].as_string(), "proc100");
  EXPECT_EQ(first["local"].as_string(), "10.0.0.9:41000");
  EXPECT_EQ(first["remote"].as_string(), "10.0.0.5:5432");
  EXPECT_EQ(first["state"].as_string(), "ESTABLISHED");
  EXPECT_EQ(c[1].as_object()["local"].as_string(), "[::]:8080");
  EXPECT_EQ(get(kConnections, {{"state", "LISTEN"}})["total"].as_int64(), 1);
  EXPECT_EQ(get(kConnections, {{"port", "5432"}})["total"].as_int64(), 1);
  EXPECT_EQ(get(kConnections, {{"pid", "200"}})["total"].as_int64(), 1);
  EXPECT_EQ(get(kConnections, {{"comm", "proc200"}})["total"].as_int64(), 1);
  auto page = get(kConnections, {{"limit", "1"}, {"offset", "1"}});
  EXPECT_EQ(page["total"].as_int64(), 2);
  ASSERT_EQ(page["connections"].as_array().size(), 1u);
  EXPECT_EQ(page["connections"].as_array()[0].as_object()["pid"].as_int64(), 200);
  for (auto [k, val] : std::vector<std::pair<std::string, std::string>>{
           {"state", "established"}, {"port", "0"}, {"port", "65536"}, {"limit", "0"}, {"offset", "-1"}, {"x", "1"}}) {
    auto r = call("GET", kConnections, {{k, val}});
    EXPECT_EQ(r.status, 400) << k << "=" << val;
  }
  EXPECT_EQ(call("GET", kConnections, {}, "", "").status, 401);
}

TEST_F(NetworkRoutesTest, SummaryAndSeriesCarryNetwork) {
  auto n = get("/api/performance/monitoring/summary")["network"].as_object();
  EXPECT_TRUE(n["available"].as_bool());
  EXPECT_EQ(n["connects"].as_int64(), 7);
  EXPECT_EQ(n["connect_failures"].as_int64(), 1);
  EXPECT_EQ(n["retransmits"].as_int64(), 3);
  EXPECT_EQ(n["resets"].as_int64(), 3);
  EXPECT_EQ(n["round_trips"].as_int64(), 14);
  EXPECT_EQ(n["bytes_sent"].as_int64(), 1010);
  EXPECT_EQ(n["established"].as_int64(), 1);
  EXPECT_EQ(n["connections"].as_int64(), 2);
  EXPECT_DOUBLE_EQ(n["round_trips_per_s"].as_double(), 14.0);
  EXPECT_NEAR(static_cast<double>(n["rtt_p99_ns"].as_int64()), 2e6, 2e6 * 0.125);
  auto points = get("/api/performance/monitoring/series")["points"].as_array();
  ASSERT_EQ(points.size(), 1u);
  EXPECT_DOUBLE_EQ(points[0].as_object()["net_connects_per_s"].as_double(), 7.0);
  EXPECT_GT(points[0].as_object()["net_rtt_p95_ns"].as_int64(), 0);
}

TEST_F(NetworkRoutesTest, PrometheusTcpFamiliesHaveExactBuckets) {
  auto r = call("GET", "/metrics", {}, "", "");
  ASSERT_EQ(r.status, 200);
  const std::string& b = r.body;
  for (const char* family :
       {"# TYPE hostscope_tcp_connect_duration_seconds histogram", "# TYPE hostscope_tcp_srtt_seconds histogram",
        "# TYPE hostscope_tcp_round_trip_seconds histogram", "# TYPE hostscope_tcp_retransmits_total counter",
        "# TYPE hostscope_tcp_connect_failures_total counter", "# TYPE hostscope_tcp_resets_total counter",
        "# TYPE hostscope_tcp_bytes_total counter", "# TYPE hostscope_tcp_connections gauge"})
    EXPECT_NE(b.find(family), std::string::npos) << family;
  const std::string client = "comm=\"proc100\",remote=\"10.0.0.5:5432\"";
  auto le = [](std::uint64_t ns) { return prom::format_value(static_cast<double>(ns) / 1e9); };
  // 1 ms round trips: above the 262 us bound, below the 1.05 ms one.
  EXPECT_NE(b.find("hostscope_tcp_round_trip_seconds_bucket{" + client + ",direction=\"outbound\",le=\"" +
                   le(1ull << 18) + "\"} 0"),
            std::string::npos)
      << b;
  EXPECT_NE(b.find("hostscope_tcp_round_trip_seconds_bucket{" + client + ",direction=\"outbound\",le=\"" +
                   le(1ull << 20) + "\"} 10"),
            std::string::npos);
  EXPECT_NE(b.find("hostscope_tcp_round_trip_seconds_count{" + client + ",direction=\"outbound\"} 10"),
            std::string::npos);
  EXPECT_NE(b.find("hostscope_tcp_round_trip_seconds_sum{" + client + ",direction=\"outbound\"} 0.01"),
            std::string::npos);
  // 300 us connects and 200 us smoothed RTT land between 262 us and 1.05 ms.
  EXPECT_NE(b.find("hostscope_tcp_connect_duration_seconds_bucket{" + client + ",le=\"" + le(1ull << 20) + "\"} 2"),
            std::string::npos);
  EXPECT_NE(b.find("hostscope_tcp_srtt_seconds_bucket{" + client + ",le=\"" + le(1ull << 18) + "\"} 4"),
            std::string::npos);
  EXPECT_NE(b.find("hostscope_tcp_retransmits_total{" + client + "} 3"), std::string::npos);
  EXPECT_NE(b.find("hostscope_tcp_connect_failures_total{" + client + "} 1"), std::string::npos);
  EXPECT_NE(b.find("hostscope_tcp_resets_total{" + client + ",kind=\"received\"} 2"), std::string::npos);
  EXPECT_NE(b.find("hostscope_tcp_bytes_total{" + client + ",direction=\"sent\"} 1000"), std::string::npos);
  EXPECT_NE(b.find("hostscope_tcp_connections{state=\"ESTABLISHED\"} 1"), std::string::npos);
  EXPECT_NE(b.find("hostscope_tcp_connections{state=\"LISTEN\"} 1"), std::string::npos);
  // The inbound side never connected as a client: no connect histogram for it.
  EXPECT_EQ(b.find("hostscope_tcp_connect_duration_seconds_count{comm=\"proc200\""), std::string::npos);
  if (test::promtool_available()) {
    std::string output;
    EXPECT_EQ(test::promtool_check(b, output), 0) << output;
  }
}

TEST_F(NetworkRoutesTest, PrometheusSeriesAreBoundedByConfiguration) {
  std::vector<NetReading> v;
  for (int i = 1; i <= 20; ++i) {
    auto r = net_reading(300 + static_cast<std::uint32_t>(i), HS_NET_ROLE_CLIENT, "10.1.0.1", 80);
    add_round_trips(r, 1, 1000);
    v.push_back(r);
  }
  engine.ingest_network(v);
  cfg.cfg.prometheus_max_series = 4;
  auto b = call("GET", "/metrics", {}, "", "").body;
  auto count = [&](const std::string& prefix) {
    std::size_t n = 0;
    for (std::size_t at = b.find("\n" + prefix); at != std::string::npos; at = b.find("\n" + prefix, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("hostscope_tcp_round_trip_seconds_count{"), 4u);
  EXPECT_EQ(count("hostscope_tcp_retransmits_total{"), 4u);
  EXPECT_EQ(count("hostscope_tcp_bytes_total{"), 4u);  // two per (comm, remote), so two pairs
  EXPECT_NE(b.find("hostscope_tcp_retransmits_total{comm=\"other\",remote=\"other\"}"), std::string::npos);
}

}  // namespace
}  // namespace hs::web
