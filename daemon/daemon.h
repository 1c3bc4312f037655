// Lifecycle of hostscoped: start order (state → alerting → engine → capture → HTTP →
// deliveries), the sampling timer, signals, and shutdown order (HTTP → deliveries →
// capture → state).
#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.h"
#include "config/daemon_options.h"
#include "daemon/alerting.h"
#include "daemon/captures.h"
#include "daemon/l7_capture.h"
#include "daemon/net_capture.h"
#include "daemon/procfs_inspector.h"
#include "daemon/state.h"
#include "daemon/syscall_capture.h"
#include "monitoring/monitoring_engine.h"
#include "procfs/system.h"
#include "web/routes/api.h"
#include "web/server/http_server.h"

namespace hs::daemon {

class Daemon final : public web::ConfigControl {
 public:
  explicit Daemon(config::DaemonOptions options);
  ~Daemon() override;
  // Runs until SIGTERM/SIGINT. Returns the process exit code.
  int run();

  const config::MonitoringConfig& monitoring_config() const override { return monitoring_; }
  Status apply_monitoring_config(const config::MonitoringConfig& next) override;

 private:
  Status init();
  void schedule_tick();
  void tick();
  void sample_system();
  void publish_health();
  void shutdown();
  static monitoring::EngineSettings engine_settings(const config::MonitoringConfig& c);

  config::DaemonOptions options_;
  config::MonitoringConfig monitoring_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_{io_};
  boost::asio::steady_timer timer_{io_};
  SystemClock clock_;
  ProcfsInspector inspector_;
  std::unique_ptr<storage::StateDb> db_;
  std::unique_ptr<Tokens> tokens_;
  std::unique_ptr<monitoring::MonitoringEngine> engine_;
  std::unique_ptr<SyscallCapture> capture_;
  std::unique_ptr<NetCapture> network_;
  std::unique_ptr<L7Capture> l7_;
  std::unique_ptr<Captures> captures_;
  web::StaticFiles static_files_;
  std::unique_ptr<web::AppContext> ctx_;
  std::unique_ptr<web::Api> api_;
  std::unique_ptr<web::HttpServer> server_;
  procfs::SystemReader system_reader_;
  std::optional<procfs::SystemSnapshot> last_system_;
  bool stopping_ = false;
  // Last: destroyed first, so its delivery thread is gone before the server and the engines.
  std::unique_ptr<Alerting> alerting_;
};

}  // namespace hs::daemon
