// Fakes of the daemon's control interfaces, and a harness that sends requests
// through the real Api over a real engine, for route tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/clock.h"
#include "monitoring/monitoring_engine.h"
#include "web/routes/api.h"
#include "web/routes/app_context.h"

namespace hs::test {

using web::CaptureControl;
using web::ConfigControl;
using web::Scope;
using web::TokenAuthority;

// Every pid is a live process named "proc<pid>".
class AlwaysAliveInspector : public monitoring::ProcessInspector {
 public:
  std::optional<monitoring::ProcessMeta> inspect(std::uint32_t pid) override {
    monitoring::ProcessMeta m;
    m.pid = pid;
    m.comm = "proc" + std::to_string(pid);
    m.start_time_ticks = 1;
    return m;
  }
  bool alive(std::uint32_t, std::uint64_t) override { return true; }
};

class FakeCapture : public CaptureControl {
 public:
  bool on = true;
  int starts = 0, stops = 0;
  Status start() override {
    ++starts;
    on = true;
    return {};
  }
  Status stop() override {
    ++stops;
    on = false;
    return {};
  }
  bool running() const override { return on; }
};

class FakeConfig : public ConfigControl {
 public:
  config::MonitoringConfig cfg;
  int applied = 0;
  const config::MonitoringConfig& monitoring_config() const override { return cfg; }
  Status apply_monitoring_config(const config::MonitoringConfig& next) override {
    for (const auto& c : next.filters.cgroups)
      if (c == "/missing") return Status::error("validate", "filters.cgroups[0]: no cgroup '/missing'");
    cfg = next;
    ++applied;
    return {};
  }
};

class FakeTokens : public TokenAuthority {
 public:
  Scope scope_of(std::string_view t) override {
    return t == "admin-token" ? Scope::admin : t == "viewer-token" ? Scope::viewer : Scope::none;
  }
};

// How many lines of an exposition start with `prefix` ("name{" counts a family's series).
inline std::size_t count_lines(const std::string& body, const std::string& prefix) {
  std::size_t n = body.rfind(prefix, 0) == 0 ? 1 : 0;
  for (std::size_t at = body.find("\n" + prefix); at != std::string::npos; at = body.find("\n" + prefix, at + 1)) ++n;
  return n;
}

// A real engine and Api over fake controls.
class ApiHarness {
 public:
  ApiHarness() : engine(clock, inspector), ctx{clock, engine, capture, cfg, tokens}, api(ctx) {}

  // One request through authentication and routing (admin token unless told).
  web::Response call(std::string method, std::string path, std::map<std::string, std::string> query = {},
                     std::string body = "", std::string token = "admin-token") {
    web::Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    r.body = std::move(body);
    r.bearer_token = std::move(token);
    if (!r.body.empty()) r.content_type = "application/json";
    return api.handle(r);
  }

  // Reports the health of one probe (and no other).
  void set_probe(std::string name, std::string state, std::string reason = "") {
    monitoring::ProbeHealth h;
    h.name = std::move(name);
    h.state = std::move(state);
    h.reason = std::move(reason);
    engine.set_probe_health({h});
  }

  // A GET that must answer 200, parsed.
  boost::json::object get_ok(const std::string& path, std::map<std::string, std::string> query = {}) {
    auto r = call("GET", path, std::move(query));
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
    return r.status == 200 ? boost::json::parse(r.body).as_object() : boost::json::object{};
  }

  // A GET that must answer 400 with a message naming query parameter `param`.
  void expect_bad_param(const std::string& path, std::map<std::string, std::string> query, const std::string& param) {
    auto r = call("GET", path, std::move(query));
    ASSERT_EQ(r.status, 400) << param << " " << r.body;
    auto msg = std::string(boost::json::parse(r.body).at("error").at("message").as_string());
    EXPECT_NE(msg.find("'" + param + "'"), std::string::npos) << msg;
  }

  FakeClock clock;
  AlwaysAliveInspector inspector;
  monitoring::MonitoringEngine engine;
  FakeCapture capture;
  FakeConfig cfg;
  FakeTokens tokens;
  web::AppContext ctx;
  web::Api api;
};

}  // namespace hs::test
