// The state DB behind the alert and bottleneck engines: documents in storage::AlertStore,
// written as the API's JSON (with channel secrets), read back at start.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "alerts/alert_persistence.h"
#include "bottleneck/bottleneck_engine.h"
#include "common/clock.h"
#include "storage/alert_store.h"

namespace hs::alerts {

struct LoadedState {
  std::vector<AlertRule> rules;
  std::vector<notify::Channel> channels;
  std::vector<Alert> alerts;
  std::vector<bottleneck::Bottleneck> bottlenecks;
  std::optional<bottleneck::Thresholds> thresholds;  // when they were ever changed
  std::size_t skipped = 0;  // documents that no longer parse (kept in the DB, not loaded)
};

class StatePersistence final : public AlertPersistence, public bottleneck::BottleneckStore {
 public:
  StatePersistence(storage::AlertStore store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<LoadedState> load();

  Status save_rule(const AlertRule& r) override;
  Status remove_rule(const std::string& id) override;
  Status save_channel(const notify::Channel& c) override;
  Status remove_channel(const std::string& id) override;
  Status save_alert(const Alert& a) override;
  Status remove_alert(const std::string& id) override;
  Status save(const bottleneck::Bottleneck& b) override;
  Status remove(const std::string& id) override;
  Status save_thresholds(const bottleneck::Thresholds& t) override;

 private:
  storage::AlertStore store_;
  const Clock& clock_;
};

}  // namespace hs::alerts
