// Fakes of the daemon's control interfaces, and a harness that sends requests
// through the real Api over a real engine, for route tests.
#pragma once

#include <map>
#include <string>
#include <string_view>

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
