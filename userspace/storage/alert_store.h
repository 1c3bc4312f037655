// Durable documents of the alert and bottleneck engines in the state DB: alert rules,
// channels, alerts, bottlenecks, and their settings (thresholds). Each document is a
// JSON text under an id; the engines own the format. Every put/remove is one
// auto-committed statement under synchronous=FULL: durable when it returns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/state_db.h"

namespace hs::storage {

enum class AlertCollection { rules, channels, alerts, bottlenecks, settings };

struct StoredDocument {
  std::string id;
  std::string body;
  std::int64_t updated_ms = 0;
};

class AlertStore {
 public:
  // Adds the tables (component "alerts") if missing. `db` must outlive the store.
  static Result<AlertStore> open(StateDb& db);

  Status put(AlertCollection c, std::string_view id, std::string_view body, std::int64_t updated_ms);
  Status remove(AlertCollection c, std::string_view id);
  // Every document of a collection, oldest update first.
  Result<std::vector<StoredDocument>> load(AlertCollection c);
  Result<std::size_t> count(AlertCollection c);

 private:
  explicit AlertStore(StateDb& db) : db_(&db) {}
  StateDb* db_;
};

}  // namespace hs::storage
