#include "daemon/alerting.h"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "bottleneck/bottleneck_json.h"
#include "storage/alert_store.h"

namespace hs::daemon {
namespace json = boost::json;

Alerting::Alerting(const Clock& clock, storage::StateDb& db, config::AlertsOptions options)
    : clock_(clock), db_(db), options_(options) {}

Alerting::~Alerting() { stop(); }

Status Alerting::open() {
  auto store = storage::AlertStore::open(db_);
  if (!store.ok()) return store.status();
  persistence_ = std::make_unique<alerts::StatePersistence>(store.value(), clock_);
  auto loaded = persistence_->load();
  if (!loaded.ok()) return loaded.status();
  if (loaded->skipped > 0) spdlog::warn("alerting: {} stored documents no longer parse; not loaded", loaded->skipped);

  bottlenecks_ = std::make_unique<bottleneck::BottleneckEngine>(
      clock_, loaded->thresholds.value_or(bottleneck::Thresholds{}));
  bottlenecks_->set_store(persistence_.get());
  bottlenecks_->restore(std::move(loaded->bottlenecks));

  dispatcher_ = std::make_unique<notify::Dispatcher>(clock_, transport_);
  alerts_ = std::make_unique<alerts::AlertEngine>(clock_, dispatcher_.get());
  alerts_->set_persistence(persistence_.get());
  alerts_->restore(std::move(loaded->rules), std::move(loaded->channels), std::move(loaded->alerts));
  alerts_->sync_builtin_rules(bottlenecks_->thresholds());

  bottlenecks_->set_listener([this](const bottleneck::BottleneckEvent& e) {
    alerts_->on_bottleneck(e);
    publish("bottleneck", json::serialize(bottleneck::to_json(e)));
  });
  // Called with the alert engine's lock held: publish only.
  alerts_->set_listener([this](std::string_view event, const alerts::Alert& a) {
    publish("alert", json::serialize(json::object{{"event", event}, {"alert", alerts::to_json(a)}}));
  });
  dispatcher_->set_outcome_handler([this](const notify::DeliveryAttempt& d) { alerts_->record_delivery(d); });
  dispatcher_->set_dashboard([this](const notify::Notification& n) {
    publish("alert_notification", json::serialize(json::object{{"event", n.event}, {"alert", n.alert}}));
  });
  spdlog::info("alerting: {} rules, {} channels, {} bottlenecks restored; evaluating every {} ms",
               alerts_->rules().size(), alerts_->channels().size(), bottlenecks_->size(),
               options_.evaluation_interval_ms);
  last_evaluation_ns_ = clock_.mono_ns();
  return {};
}

void Alerting::start(Publish publish) {
  publish_ = std::move(publish);
  if (dispatcher_) dispatcher_->start();
}

void Alerting::stop() {
  if (dispatcher_) dispatcher_->stop();
}

void Alerting::publish(std::string event, std::string data) const {
  if (publish_) publish_(std::move(event), std::move(data));
}

void Alerting::on_interval(const monitoring::MonitoringEngine& engine, std::uint32_t interval_ms) {
  if (!alerts_) return;
  const std::int64_t now_ns = clock_.mono_ns();
  const std::int64_t elapsed_ns = now_ns - last_evaluation_ns_;
  // Timer jitter must not push an evaluation to the interval after the one it is due in.
  if (elapsed_ns + static_cast<std::int64_t>(interval_ms) * 500'000 <
      static_cast<std::int64_t>(options_.evaluation_interval_ms) * 1'000'000) {
    alerts_->tick();
    return;
  }
  last_evaluation_ns_ = now_ns;
  auto snapshot = snapshot_.build(engine, clock_.now_ms(), static_cast<double>(elapsed_ns) / 1e9);
  bottlenecks_->evaluate(snapshot);  // its listener hands the events to the alert engine
  alerts_->evaluate(snapshot);
  ++evaluations_;
}

}  // namespace hs::daemon
