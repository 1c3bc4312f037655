#include "storage/sqlite_statement.h"

#include <sqlite3.h>

#include <cctype>
#include <utility>

namespace hs::storage {
namespace {

Status sqlite_error(std::string where, sqlite3* db, int rc) {
  std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status::error(std::move(where), std::move(msg), rc);
}

bool only_space_or_semicolons(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (std::isspace(static_cast<unsigned char>(*p)) == 0 && *p != ';') return false;
  }
  return true;
}

}  // namespace

Status exec(sqlite3* db, std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a NUL-terminated string
  char* err = nullptr;
  const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return {};
  std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Status::error("sqlite/exec", std::move(msg), rc);
}

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
  if (rc != SQLITE_OK) return sqlite_error("sqlite/prepare", db, rc);
  if (stmt == nullptr) return Status::error("sqlite/prepare", "empty statement");
  Statement s(db, stmt);
  // A second statement after the first would be silently ignored: refuse it instead.
  if (tail != nullptr && !only_space_or_semicolons(tail, sql.data() + sql.size())) {
    return Status::error("sqlite/prepare", "more than one statement in: " + std::string(sql));
  }
  return s;
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::bind_result(int rc, int index) {
  if (rc == SQLITE_OK) return {};
  return Status::error("sqlite/bind", "parameter " + std::to_string(index) + ": " + sqlite3_errstr(rc), rc);
}

Status Statement::bind(int index, std::int64_t v) {
  return bind_result(sqlite3_bind_int64(stmt_, index, v), index);
}

Status Statement::bind(int index, double v) {
  return bind_result(sqlite3_bind_double(stmt_, index, v), index);
}

Status Statement::bind(int index, std::string_view text) {
  return bind_result(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
                     index);
}

Status Statement::bind_blob(int index, const void* data, std::size_t size) {
  // A null pointer would bind SQL NULL; an empty blob must stay a zero-length blob.
  static const char kEmpty = 0;
  return bind_result(sqlite3_bind_blob64(stmt_, index, size == 0 ? &kEmpty : data, size, SQLITE_TRANSIENT),
                     index);
}

Status Statement::bind_null(int index) { return bind_result(sqlite3_bind_null(stmt_, index), index); }

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error("sqlite/step", db_, rc);
}

Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r.ok()) return r.status();
    if (!r.value()) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }

bool Statement::column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::int64_t Statement::column_int64(int col) const { return sqlite3_column_int64(stmt_, col); }

double Statement::column_double(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Statement::column_text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);  // after _text(), as SQLite requires
  return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::string Statement::column_blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p != nullptr ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::optional<std::string> Statement::column_optional_text(int col) const {
  if (column_is_null(col)) return std::nullopt;
  return column_text(col);
}

std::int64_t Statement::changes() const { return sqlite3_changes64(db_); }

Result<Transaction> Transaction::begin(sqlite3* db) {
  if (Status s = exec(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)exec(db_, "ROLLBACK");
}

Status Transaction::commit() {
  if (db_ == nullptr) return Status::error("sqlite/commit", "transaction already finished");
  Status s = exec(db_, "COMMIT");
  if (s.ok()) db_ = nullptr;  // on failure the destructor still rolls back
  return s;
}

}  // namespace hs::storage
