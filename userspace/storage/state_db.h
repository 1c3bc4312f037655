// The daemon's durable state: one SQLite file in WAL mode under the state dir.
// Holds settings (key/value text), API tokens, and whatever tables engines add
// through migrate(). Thread-safe: every method serialises on one mutex.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/sqlite_statement.h"

struct sqlite3;

namespace hs::storage {

enum class Scope { viewer, admin };

std::string_view scope_name(Scope s);                        // "viewer" | "admin"
std::optional<Scope> parse_scope(std::string_view name);

// 32 bytes from getrandom() as 64 lowercase hex characters.
std::string generate_token();

class StateDb {
 public:
  // Opens (creating if needed, mode 0600, symlinks refused) and migrates the base schema.
  // ":memory:" gives a private in-memory database (tests).
  static Result<std::unique_ptr<StateDb>> open(const std::string& path);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  // Engine schemas. steps[i] is the SQL that takes `component` from version i to i+1;
  // append new steps, never edit old ones. All pending steps run in one transaction,
  // and a database newer than `steps` is refused. The base schema itself is versioned by
  // PRAGMA user_version; components are versioned in the schema_versions table so
  // independent engines never contend for one counter.
  Status migrate(std::string_view component, std::span<const std::string_view> steps);
  Result<std::size_t> schema_version(std::string_view component);
  Result<std::size_t> base_schema_version();  // PRAGMA user_version

  Result<std::optional<std::string>> get_setting(std::string_view key);
  Status put_setting(std::string_view key, std::string_view value);
  Status delete_setting(std::string_view key);

  // Tokens are stored as given: the file is 0600 inside a 0700 state dir, and no
  // hashing library is in the stack. 1..512 visible ASCII bytes (an HTTP header value).
  Status add_token(std::string_view token, Scope scope, std::string_view name);
  Result<std::optional<Scope>> find_token(std::string_view token);
  Result<std::size_t> count_tokens(Scope scope);
  Status remove_token(std::string_view token);

  // For engines with their own tables: hold lock() for as long as the handle or any
  // Statement prepared on it is in use. (Or open a second StateDb on the same file:
  // WAL lets connections read concurrently and busy_timeout queues writers.)
  std::unique_lock<std::mutex> lock() { return std::unique_lock<std::mutex>(mu_); }
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  StateDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status configure();

  std::mutex mu_;
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace hs::storage
