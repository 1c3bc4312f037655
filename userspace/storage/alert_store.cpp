#include "storage/alert_store.h"

namespace hs::storage {

namespace {
// Component "alerts", versioned in schema_versions. Append; never edit a shipped step.
constexpr std::string_view kSchema[] = {
    // v1
    R"sql(
    CREATE TABLE alert_rules (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL, updated_ms INTEGER NOT NULL);
    CREATE TABLE alert_channels (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL, updated_ms INTEGER NOT NULL);
    CREATE TABLE alerts (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL, updated_ms INTEGER NOT NULL);
    CREATE TABLE bottlenecks (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL, updated_ms INTEGER NOT NULL);
    CREATE TABLE alert_settings (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL, updated_ms INTEGER NOT NULL);
    )sql",
};

// Table names come from this fixed list only, never from input.
std::string_view table_of(AlertCollection c) {
  switch (c) {
    case AlertCollection::rules: return "alert_rules";
    case AlertCollection::channels: return "alert_channels";
    case AlertCollection::alerts: return "alerts";
    case AlertCollection::bottlenecks: return "bottlenecks";
    case AlertCollection::settings: return "alert_settings";
  }
  return "alert_settings";
}

Status named(Status s, std::string_view step) {
  return s.ok() ? s : Status::error("storage/alerts " + std::string(step), s.message(), s.err());
}
}  // namespace

Result<AlertStore> AlertStore::open(StateDb& db) {
  if (Status s = db.migrate("alerts", kSchema); !s.ok()) return s;
  return AlertStore(db);
}

Status AlertStore::put(AlertCollection c, std::string_view id, std::string_view body, std::int64_t updated_ms) {
  if (id.empty()) return Status::error("storage/alerts put", "id is empty");
  auto guard = db_->lock();
  const std::string sql = "INSERT INTO " + std::string(table_of(c)) +
                          "(id, body, updated_ms) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET "
                          "body = excluded.body, updated_ms = excluded.updated_ms";
  auto st = Statement::prepare(db_->handle(), sql);
  if (!st.ok()) return named(st.status(), "put");
  if (Status s = st->bind(1, id); !s.ok()) return named(s, "put");
  if (Status s = st->bind(2, body); !s.ok()) return named(s, "put");
  if (Status s = st->bind(3, updated_ms); !s.ok()) return named(s, "put");
  return named(st->run(), "put");
}

Status AlertStore::remove(AlertCollection c, std::string_view id) {
  auto guard = db_->lock();
  auto st = Statement::prepare(db_->handle(), "DELETE FROM " + std::string(table_of(c)) + " WHERE id = ?1");
  if (!st.ok()) return named(st.status(), "remove");
  if (Status s = st->bind(1, id); !s.ok()) return named(s, "remove");
  return named(st->run(), "remove");
}

Result<std::vector<StoredDocument>> AlertStore::load(AlertCollection c) {
  auto guard = db_->lock();
  auto st = Statement::prepare(db_->handle(),
                               "SELECT id, body, updated_ms FROM " + std::string(table_of(c)) + " ORDER BY updated_ms, id");
  if (!st.ok()) return named(st.status(), "load");
  std::vector<StoredDocument> out;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return named(row.status(), "load");
    if (!row.value()) break;
    out.push_back({st->column_text(0), st->column_text(1), st->column_int64(2)});
  }
  return out;
}

Result<std::size_t> AlertStore::count(AlertCollection c) {
  auto guard = db_->lock();
  auto st = Statement::prepare(db_->handle(), "SELECT COUNT(*) FROM " + std::string(table_of(c)));
  if (!st.ok()) return named(st.status(), "count");
  auto row = st->step();
  if (!row.ok()) return named(row.status(), "count");
  return static_cast<std::size_t>(row.value() ? st->column_int64(0) : 0);
}

}  // namespace hs::storage
