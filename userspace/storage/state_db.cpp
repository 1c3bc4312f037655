#include "storage/state_db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace hs::storage {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr std::size_t kMaxTokenBytes = 512;
constexpr std::size_t kMaxNameBytes = 256;

// Base schema, versioned by PRAGMA user_version. Append; never edit a shipped step.
constexpr std::string_view kBaseSchema[] = {
    // v1
    R"sql(
    CREATE TABLE settings (
      key        TEXT PRIMARY KEY NOT NULL,
      value      TEXT NOT NULL,
      updated_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER))
    );
    CREATE TABLE tokens (
      token      TEXT PRIMARY KEY NOT NULL,
      scope      TEXT NOT NULL CHECK (scope IN ('viewer', 'admin')),
      name       TEXT NOT NULL,
      created_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER))
    );
    CREATE INDEX tokens_by_scope ON tokens(scope);
    CREATE TABLE schema_versions (
      component TEXT PRIMARY KEY NOT NULL,
      version   INTEGER NOT NULL
    );
    )sql",
};

Status errno_status(std::string where, const std::string& what, int err) {
  return Status::error(std::move(where), what + ": " + std::strerror(err), err);
}

// Creates the file ourselves so its mode is 0600 from the first byte, whatever the umask;
// SQLite gives the -wal and -shm files the same mode as the database.
Status create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return errno_status("storage/open", path, errno);
  struct stat st {};
  Status s;
  if (::fstat(fd, &st) != 0) {
    s = errno_status("storage/open", path, errno);
  } else if (!S_ISREG(st.st_mode)) {
    s = Status::error("storage/open", path + ": not a regular file");
  } else if ((st.st_mode & 07777) != 0600 && ::fchmod(fd, 0600) != 0) {
    s = errno_status("storage/open", path + " (chmod 0600)", errno);
  }
  ::close(fd);
  return s;
}

Result<std::string> query_text(sqlite3* db, std::string_view sql) {
  auto st = Statement::prepare(db, sql);
  if (!st.ok()) return st.status();
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return Status::error("sqlite/query", "no row from: " + std::string(sql));
  return st->column_text(0);
}

Result<std::size_t> read_user_version(sqlite3* db) {
  auto st = Statement::prepare(db, "PRAGMA user_version");
  if (!st.ok()) return st.status();
  auto row = st->step();
  if (!row.ok()) return row.status();
  return static_cast<std::size_t>(row.value() ? st->column_int64(0) : 0);
}

Result<std::size_t> read_component_version(sqlite3* db, std::string_view component) {
  auto st = Statement::prepare(db, "SELECT version FROM schema_versions WHERE component = ?1");
  if (!st.ok()) return st.status();
  if (Status s = st->bind(1, component); !s.ok()) return s;
  auto row = st->step();
  if (!row.ok()) return row.status();
  return static_cast<std::size_t>(row.value() ? st->column_int64(0) : 0);
}

Status write_component_version(sqlite3* db, std::string_view component, std::size_t version) {
  auto st = Statement::prepare(db,
                               "INSERT INTO schema_versions(component, version) VALUES (?1, ?2) "
                               "ON CONFLICT(component) DO UPDATE SET version = excluded.version");
  if (!st.ok()) return st.status();
  if (Status s = st->bind(1, component); !s.ok()) return s;
  if (Status s = st->bind(2, static_cast<std::int64_t>(version)); !s.ok()) return s;
  return st->run();
}

// Shared by the base schema and the components: one transaction, version read inside it
// so two daemons opening the same file at once cannot both apply a step.
template <typename Read, typename Write>
Status apply_steps(sqlite3* db, std::string_view component, std::span<const std::string_view> steps, Read read,
                   Write write) {
  const std::string where = "storage/migrate " + std::string(component);
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return Status::error(where, tx.status().message(), tx.status().err());
  auto current = read();
  if (!current.ok()) return Status::error(where, current.status().message());
  const std::size_t from = current.value();
  if (from > steps.size()) {
    return Status::error(where, "database schema v" + std::to_string(from) + " is newer than this build (v" +
                                    std::to_string(steps.size()) + ")");
  }
  if (from == steps.size()) return {};  // nothing to do; the destructor rolls back the empty transaction
  for (std::size_t i = from; i < steps.size(); ++i) {
    if (Status s = exec(db, steps[i]); !s.ok()) {
      return Status::error(where, "step " + std::to_string(i + 1) + ": " + s.message(), s.err());
    }
  }
  if (Status s = write(steps.size()); !s.ok()) return Status::error(where, s.message(), s.err());
  if (Status s = tx->commit(); !s.ok()) return Status::error(where, s.message(), s.err());
  return {};
}

bool valid_token_text(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return false;
  for (const char c : token) {
    if (c < 0x21 || c > 0x7e) return false;  // visible ASCII: it travels in an HTTP header
  }
  return true;
}

}  // namespace

std::string_view scope_name(Scope s) { return s == Scope::admin ? "admin" : "viewer"; }

std::optional<Scope> parse_scope(std::string_view name) {
  if (name == "admin") return Scope::admin;
  if (name == "viewer") return Scope::viewer;
  return std::nullopt;
}

std::string generate_token() {
  std::array<unsigned char, 32> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      // getrandom(2) cannot fail on a supported kernel; a weak token would be worse than dying.
      std::abort();
    }
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

Result<std::unique_ptr<StateDb>> StateDb::open(const std::string& path) {
  const bool in_memory = path == ":memory:";
  if (!in_memory) {
    if (Status s = create_private_file(path); !s.ok()) return s;
  }
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    return Status::error("storage/open", path + ": " + msg, rc);
  }
  std::unique_ptr<StateDb> db(new StateDb(raw, path));
  if (Status s = db->configure(); !s.ok()) return s;
  std::lock_guard<std::mutex> guard(db->mu_);
  Status s = apply_steps(
      raw, "base", kBaseSchema, [raw] { return read_user_version(raw); },
      [raw](std::size_t v) { return exec(raw, "PRAGMA user_version = " + std::to_string(v)); });
  if (!s.ok()) return s;
  return db;
}

StateDb::~StateDb() { sqlite3_close_v2(db_); }

Status StateDb::configure() {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  auto mode = query_text(db_, "PRAGMA journal_mode = WAL");
  if (!mode.ok()) return Status::error("storage/open", "journal_mode: " + mode.status().message());
  if (path_ != ":memory:" && mode.value() != "wal") {
    return Status::error("storage/open", path_ + ": cannot enable WAL (journal_mode=" + mode.value() + ")");
  }
  // FULL: the WAL is fsync'd at every commit, so an acknowledged write survives a crash.
  if (Status s = exec(db_, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"); !s.ok()) {
    return Status::error("storage/open", s.message(), s.err());
  }
  return {};
}

Status StateDb::migrate(std::string_view component, std::span<const std::string_view> steps) {
  if (component.empty()) return Status::error("storage/migrate", "component name is empty");
  std::lock_guard<std::mutex> guard(mu_);
  sqlite3* db = db_;
  return apply_steps(
      db, component, steps, [db, component] { return read_component_version(db, component); },
      [db, component](std::size_t v) { return write_component_version(db, component, v); });
}

Result<std::size_t> StateDb::schema_version(std::string_view component) {
  std::lock_guard<std::mutex> guard(mu_);
  return read_component_version(db_, component);
}

Result<std::size_t> StateDb::base_schema_version() {
  std::lock_guard<std::mutex> guard(mu_);
  return read_user_version(db_);
}

Result<std::optional<std::string>> StateDb::get_setting(std::string_view key) {
  std::lock_guard<std::mutex> guard(mu_);
  auto st = Statement::prepare(db_, "SELECT value FROM settings WHERE key = ?1");
  if (!st.ok()) return st.status();
  if (Status s = st->bind(1, key); !s.ok()) return s;
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<std::string>();
  return std::optional<std::string>(st->column_text(0));
}

Status StateDb::put_setting(std::string_view key, std::string_view value) {
  if (key.empty()) return Status::error("storage/put_setting", "key is empty");
  std::lock_guard<std::mutex> guard(mu_);
  auto st = Statement::prepare(db_,
                               "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET "
                               "value = excluded.value, updated_at = CAST(strftime('%s','now') AS INTEGER)");
  if (!st.ok()) return st.status();
  if (Status s = st->bind(1, key); !s.ok()) return s;
  if (Status s = st->bind(2, value); !s.ok()) return s;
  return st->run();
}

Status StateDb::delete_setting(std::string_view key) {
  std::lock_guard<std::mutex> guard(mu_);
  auto st = Statement::prepare(db_, "DELETE FROM settings WHERE key = ?1");
  if (!st.ok()) return st.status();
  if (Status s = st->bind(1, key); !s.ok()) return s;
  return st->run();
}

Status StateDb::add_token(std::string_view token, Scope scope, std::string_view name) {
  if (!valid_token_text(token)) {
    return Status::error("storage/add_token", "token must be 1..512 visible ASCII characters");
  }
  if (name.size() > kMaxNameBytes) return Status::error("storage/add_token", "name longer than 256 bytes");
  std::lock_guard<std::mutex> guard(mu_);
  auto st = Statement::prepare(db_, "INSERT INTO tokens(token, scope, name) VALUES (?1, ?2, ?3)");
  if (!st.ok()) return st.status();
  if (Status s = st->bind(1, token); !s.ok()) return s;
  if (Status s = st->bind(2, scope_name(scope)); !s.ok()) return s;
  if (Status s = st->bind(3, name); !s.ok()) return s;
  Status s = st->run();
  if (!s.ok() && s.err() == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Status::error("storage/add_token", "token already exists", s.err());
  }
  return s;
}

Result<std::optional<Scope>> StateDb::find_token(std::string_view token) {
  // An indexed equality lookup: timing reveals nothing useful about a 256-bit random token.
  if (!valid_token_text(token)) return std::optional<Scope>();
  std::lock_guard<std::mutex> guard(mu_);
  auto st = Statement::prepare(db_, "SELECT scope FROM tokens WHERE token = ?1");
  if (!st.ok()) return st.status();
  if (Status s = st->bind(1, token); !s.ok()) return s;
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<Scope>();
  return parse_scope(st->column_text(0));
}

Result<std::size_t> StateDb::count_tokens(Scope scope) {
  std::lock_guard<std::mutex> guard(mu_);
  auto st = Statement::prepare(db_, "SELECT COUNT(*) FROM tokens WHERE scope = ?1");
  if (!st.ok()) return st.status();
  if (Status s = st->bind(1, scope_name(scope)); !s.ok()) return s;
  auto row = st->step();
  if (!row.ok()) return row.status();
  return static_cast<std::size_t>(row.value() ? st->column_int64(0) : 0);
}

Status StateDb::remove_token(std::string_view token) {
  std::lock_guard<std::mutex> guard(mu_);
  auto st = Statement::prepare(db_, "DELETE FROM tokens WHERE token = ?1");
  if (!st.ok()) return st.status();
  if (Status s = st->bind(1, token); !s.ok()) return s;
  return st->run();
}

}  // namespace hs::storage
