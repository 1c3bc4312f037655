// Thin RAII over SQLite: prepared statements, one-shot exec, and transactions.
// Every failure is a Status naming the step ("sqlite/prepare", "sqlite/step", ...)
// with SQLite's own message; nothing here throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hs::storage {

// Runs one or more ';'-separated statements that return no rows (DDL, PRAGMA writes).
Status exec(sqlite3* db, std::string_view sql);

class Statement {
 public:
  static Result<Statement> prepare(sqlite3* db, std::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite. Text and blobs are copied (SQLITE_TRANSIENT).
  Status bind(int index, std::int64_t v);
  Status bind(int index, double v);
  Status bind(int index, std::string_view text);
  Status bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Status bind_blob(int index, const void* data, std::size_t size);
  Status bind_null(int index);

  // true: a row is ready for column_*(); false: the statement is done.
  Result<bool> step();
  // Steps to completion, ignoring rows (INSERT/UPDATE/DELETE).
  Status run();
  // Back to the first step and all parameters cleared, for reuse.
  void reset();

  int column_count() const;
  bool column_is_null(int col) const;  // 0-based, as in SQLite
  std::int64_t column_int64(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  std::string column_blob(int col) const;
  std::optional<std::string> column_optional_text(int col) const;

  // Rows changed by the last completed INSERT/UPDATE/DELETE on this connection.
  std::int64_t changes() const;
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Status bind_result(int rc, int index);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE on construction; rolls back in the destructor unless commit() succeeded.
// IMMEDIATE takes the write lock up front so a read-then-write body cannot hit SQLITE_BUSY midway.
class Transaction {
 public:
  static Result<Transaction> begin(sqlite3* db);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;  // null once committed or rolled back
};

}  // namespace hs::storage
