// What route functions may see and ask for: read-only engine snapshots plus a
// few narrow control interfaces the daemon implements (and tests fake).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "config/monitoring_config.h"
#include "monitoring/monitoring_engine.h"
#include "web/routes/static_files.h"

namespace hs::alerts {
class AlertEngine;
}
namespace hs::bottleneck {
class BottleneckEngine;
}

namespace hs::web {

enum class Scope { none, viewer, admin };

class CaptureControl {
 public:
  virtual ~CaptureControl() = default;
  virtual Status start() = 0;  // attach the probes (idempotent)
  virtual Status stop() = 0;   // detach them (idempotent)
  virtual bool running() const = 0;
};

class ConfigControl {
 public:
  virtual ~ConfigControl() = default;
  virtual const config::MonitoringConfig& monitoring_config() const = 0;
  // Applies live and persists; an error Status means nothing changed.
  virtual Status apply_monitoring_config(const config::MonitoringConfig& next) = 0;
};

class TokenAuthority {
 public:
  virtual ~TokenAuthority() = default;
  virtual Scope scope_of(std::string_view token) = 0;
};

struct AppContext {
  const Clock& clock;
  const monitoring::MonitoringEngine& engine;
  CaptureControl& capture;
  ConfigControl& config;
  TokenAuthority& tokens;
  bool metrics_require_token = false;
  std::string version = "0.1.0";
  std::int64_t daemon_pid = 0;
  const StaticFiles* static_files = nullptr;  // dashboard, served without a token
  // Bottleneck and alert endpoints (they change state, so not const); null answers 503.
  // Both engines live on the daemon's executor, like the handlers that call them.
  alerts::AlertEngine* alerts = nullptr;
  bottleneck::BottleneckEngine* bottlenecks = nullptr;
};

}  // namespace hs::web
