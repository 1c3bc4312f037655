// The daemon's durable state: bearer tokens (bootstrapped into files at first
// start) and the persisted monitoring configuration, both in the SQLite DB.
#pragma once

#include <memory>
#include <string>

#include "config/monitoring_config.h"
#include "storage/state_db.h"
#include "web/routes/app_context.h"

namespace hs::daemon {

class Tokens final : public web::TokenAuthority {
 public:
  explicit Tokens(storage::StateDb& db) : db_(db) {}
  // Creates an admin and a viewer token on first start and writes them to
  // <state_dir>/admin.token and viewer.token (mode 0600).
  Status bootstrap(const std::string& state_dir);
  web::Scope scope_of(std::string_view token) override;

 private:
  storage::StateDb& db_;
};

// Persisted runtime monitoring config ("monitoring_config" setting, JSON).
Result<config::MonitoringConfig> load_persisted_config(storage::StateDb& db, const config::MonitoringConfig& base);
Status persist_config(storage::StateDb& db, const config::MonitoringConfig& cfg);

// Creates the state directory (0700) if needed.
Status ensure_state_dir(const std::string& dir);

}  // namespace hs::daemon
