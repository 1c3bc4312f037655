// SQL text -> fingerprint (the statement's shape, literals as ?) and verb.
// Pure functions over hostile bytes: bounded output, valid UTF-8, never throw
// (other than std::bad_alloc).
//
//   fingerprint_sql("select * from t where id = 42 and name = 'x'")
//     == "SELECT * FROM t WHERE id = ? AND name = ?"
//   fingerprint_sql("... WHERE aid = $1") == fingerprint_sql("... WHERE aid = 42")
//   fingerprint_sql("SELECT 1 FROM t WHERE a IN (1, 2, 3)") == "SELECT ? FROM t WHERE a IN (?)"
//   fingerprint_sql("INSERT INTO t VALUES (1, 'a'), (2, 'b');") == "INSERT INTO t VALUES (?)"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hs::protocols {

// Longest fingerprint; a longer one is cut and ends with "...".
inline constexpr std::size_t kMaxFingerprint = 2048;

enum class SqlDialect : std::uint8_t {
  postgresql,  // "x" is an identifier, '' escapes only (E'' for backslashes), nested /* */, $n params
  mysql,       // "x" is a string, backslash escapes, # comments, ? params
};

// Literals (strings, numbers incl. a leading sign, hex/bit strings, dollar-quoted
// bodies) and parameters ($1, ?) become ?; IN lists and VALUES rows of literals
// collapse to (?); comments and whitespace runs become one space; keywords are
// upper-cased; identifiers and quoted identifiers are kept as written; NULL,
// TRUE, FALSE stay keywords; a trailing ';' is dropped.
std::string fingerprint_sql(std::string_view sql, SqlDialect dialect = SqlDialect::postgresql);

// The statement's verb: "SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN",
// "COMMIT", "CREATE", ... (WITH ... resolves to the main statement's verb);
// "OTHER" for an unrecognised first word, "" for an empty statement.
std::string_view sql_verb(std::string_view sql, SqlDialect dialect = SqlDialect::postgresql);

}  // namespace hs::protocols
