#include "daemon/daemon.h"

#include <unistd.h>

#include <csignal>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "web/server/event_hub.h"

namespace hs::daemon {

Daemon::Daemon(config::DaemonOptions options) : options_(std::move(options)), monitoring_(options_.monitoring) {}

Daemon::~Daemon() = default;

monitoring::EngineSettings Daemon::engine_settings(const config::MonitoringConfig& c) {
  monitoring::EngineSettings s;
  s.interval_ms = c.interval_ms;
  s.fine_retention_s = c.fine_retention_s;
  s.coarse_retention_s = c.coarse_retention_s;
  s.exited_retention_s = c.exited_retention_s;
  s.max_remotes_per_process = c.max_remotes_per_process;
  s.slow_query_threshold_ms = c.slow_query_threshold_ms;
  s.capture_literals = c.capture_literals;
  s.max_fingerprints_per_process = c.max_fingerprints_per_process;
  s.max_routes_per_process = c.max_routes_per_process;
  return s;
}

Status Daemon::init() {
  if (Status st = ensure_state_dir(options_.state_dir); !st.ok()) return st;
  auto db = storage::StateDb::open(options_.state_dir + "/state.db");
  if (!db.ok()) return db.status();
  db_ = std::move(db.value());
  tokens_ = std::make_unique<Tokens>(*db_);
  if (Status st = tokens_->bootstrap(options_.state_dir); !st.ok()) return st;
  auto persisted = load_persisted_config(*db_, monitoring_);
  if (!persisted.ok()) return persisted.status();
  monitoring_ = persisted.value();
  alerting_ = std::make_unique<Alerting>(clock_, *db_, options_.alerts);
  if (Status st = alerting_->open(); !st.ok()) return st;

  engine_ = std::make_unique<monitoring::MonitoringEngine>(clock_, inspector_, engine_settings(monitoring_));
  capture_ = std::make_unique<SyscallCapture>(*engine_);
  if (Status st = capture_->set_config(monitoring_); !st.ok()) {
    // A persisted cgroup filter whose cgroup is gone must not keep the daemon down.
    spdlog::warn("monitoring filters not applied: {}", st.text());
    monitoring_.filters.cgroups.clear();
    (void)capture_->set_config(monitoring_);
  }
  network_ = std::make_unique<NetCapture>(*engine_);
  (void)network_->set_config(monitoring_, false);
  l7_ = std::make_unique<L7Capture>(*engine_);
  (void)l7_->set_config(monitoring_, false);
  // Busy traffic fills the L7 rings faster than one interval: read them in between.
  l7_->set_read_request([this] { boost::asio::post(io_, [this] { l7_->poll(); }); });
  captures_ = std::make_unique<Captures>(*capture_, *network_, *l7_);
  // A probe that cannot load leaves the daemon up, degraded, with the reason in status.
  if (Status st = capture_->start(); !st.ok()) spdlog::warn("running degraded: {}", st.text());
  if (Status st = network_->start(); !st.ok()) spdlog::warn("running without network capture: {}", st.text());
  if (Status st = l7_->start(); !st.ok()) spdlog::warn("running without L7 capture: {}", st.text());
  publish_health();

  ctx_ = std::make_unique<web::AppContext>(web::AppContext{
      clock_, *engine_, *captures_, *this, *tokens_, options_.http.metrics_require_token, "0.1.0", ::getpid()});
  std::string web_root = options_.web_root.empty() ? HOSTSCOPE_WEB_ROOT : options_.web_root;
  if (Status st = static_files_.load(web_root); !st.ok()) spdlog::warn("dashboard not served: {}", st.text());
  spdlog::info("dashboard: {} files from {}", static_files_.size(), web_root);
  ctx_->static_files = &static_files_;
  ctx_->alerts = &alerting_->alerts();
  ctx_->bottlenecks = &alerting_->bottlenecks();
  api_ = std::make_unique<web::Api>(*ctx_);
  web::ServerOptions so;
  so.address = options_.http.address;
  so.port = options_.http.port;
  so.body_limit = options_.http.body_limit;
  so.read_timeout = std::chrono::milliseconds(options_.http.read_timeout_ms);
  so.max_connections = options_.http.max_connections;
  server_ = std::make_unique<web::HttpServer>(io_, so, [this](web::Request& r) { return api_->handle(r); });
  if (Status st = server_->start(); !st.ok()) return st;
  // The hub, not the server: deliveries publish from their own thread.
  alerting_->start([hub = server_->event_hub()](std::string event, std::string data) {
    if (hub) hub->publish(std::move(event), std::move(data));
  });
  return {};
}

Status Daemon::apply_monitoring_config(const config::MonitoringConfig& next) {
  // Filters first: they are the part that can fail (unknown cgroup).
  if (Status st = capture_->set_config(next); !st.ok()) return st;
  if (Status st = persist_config(*db_, next); !st.ok()) {
    (void)capture_->set_config(monitoring_);
    return st;
  }
  if (Status st = network_->set_config(next, captures_->wanted()); !st.ok())
    spdlog::warn("network capture: {}", st.text());
  if (Status st = l7_->set_config(next, captures_->wanted()); !st.ok()) spdlog::warn("L7 capture: {}", st.text());
  bool interval_changed = next.interval_ms != monitoring_.interval_ms;
  monitoring_ = next;
  engine_->set_settings(engine_settings(monitoring_));
  if (interval_changed) schedule_tick();
  spdlog::info("monitoring config applied");
  return {};
}

void Daemon::schedule_tick() {
  timer_.expires_after(std::chrono::milliseconds(monitoring_.interval_ms));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    tick();
    schedule_tick();
  });
}

void Daemon::sample_system() {
  auto snap = system_reader_.read(clock_.mono_ns());
  if (!snap.ok()) {
    spdlog::debug("system sample: {}", snap.status().text());
    return;
  }
  const auto& prev = last_system_ ? *last_system_ : snap.value();
  procfs::SystemMetrics m = procfs::derive(prev, snap.value());
  last_system_ = std::move(snap.value());
  monitoring::SystemPoint p;
  p.cpu_percent = m.cpu_percent;
  p.steal_percent = m.steal_percent;
  p.iowait_percent = m.iowait_percent;
  p.mem_used_bytes = m.mem_used_bytes;
  p.mem_total_bytes = m.mem_total_bytes;
  p.mem_available_bytes = m.mem_available_bytes;
  p.swap_used_bytes = m.swap_used_bytes;
  p.swap_total_bytes = m.swap_total_bytes;
  p.load1 = m.load1;
  p.load5 = m.load5;
  p.load15 = m.load15;
  p.psi_available = m.psi_available;
  p.psi_cpu_some = m.psi_cpu_some;
  p.psi_mem_some = m.psi_mem_some;
  p.psi_io_some = m.psi_io_some;
  p.disk_read_bytes = m.disk_read_bytes;
  p.disk_write_bytes = m.disk_write_bytes;
  p.disk_read_bytes_per_s = m.disk_read_bytes_per_s;
  p.disk_write_bytes_per_s = m.disk_write_bytes_per_s;
  std::vector<monitoring::CoreLoad> cores;
  for (const auto& c : m.cores) cores.push_back({c.cpu, c.busy_percent, c.steal_percent});
  engine_->ingest_system(p, std::move(cores));
}

void Daemon::publish_health() {
  engine_->set_probe_health({capture_->health(), network_->health(), l7_->health(), l7_->tls_health()});
}

void Daemon::tick() {
  capture_->poll();
  network_->poll();
  l7_->poll();
  sample_system();
  publish_health();
  engine_->finish_interval();
  alerting_->on_interval(*engine_, monitoring_.interval_ms);
  const auto& fine = engine_->series().fine();
  if (!fine.empty() && server_->event_hub()) {
    const auto& p = fine.back();
    server_->events().publish("tick", "{\"ts_ms\":" + std::to_string(p.ts_ms) + ",\"syscalls_per_s\":" +
                                          std::to_string(p.syscalls_per_s) + "}");
  }
}

void Daemon::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("shutting down");
  timer_.cancel();
  if (server_) server_->stop();
  if (alerting_) alerting_->stop();
  if (capture_) (void)capture_->stop();
  if (network_) (void)network_->stop();
  if (l7_) (void)l7_->stop();
  io_.stop();
}

int Daemon::run() {
  if (Status st = init(); !st.ok()) {
    spdlog::critical("cannot start: {}", st.text());
    if (alerting_) alerting_->stop();
    if (capture_) (void)capture_->stop();
    if (network_) (void)network_->stop();
    if (l7_) (void)l7_->stop();
    return 1;
  }
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {} received", sig);
    shutdown();
  });
  sample_system();
  schedule_tick();
  std::string host = options_.http.address.find(':') != std::string::npos ? "[" + options_.http.address + "]"
                                                                            : options_.http.address;
  spdlog::info("hostscoped listening on http://{}:{}/ (admin token: {}/admin.token, viewer token: {}/viewer.token)",
               host, server_->port(), options_.state_dir, options_.state_dir);
  io_.run();
  return 0;
}

}  // namespace hs::daemon
