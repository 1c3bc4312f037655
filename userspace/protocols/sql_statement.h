// A SQL statement as the decoders keep it: its text (bounded), fingerprint and
// verb, computed once and shared (a prepared statement runs many times).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "protocols/exchange.h"
#include "protocols/sql_fingerprint.h"

namespace hs::protocols {

inline constexpr std::size_t kMaxSqlText = 4096;  // Operation::text of a statement

struct SqlStatement {
  std::string text;
  std::string fingerprint;
  std::string method;
  bool truncated = false;
};
using SqlStatementPtr = std::shared_ptr<const SqlStatement>;

// `cut`: the capture already cut the text. Without with_text, text stays empty
// (it holds the literals, which only capture_literals keeps: see Exchange::keep_text).
SqlStatement describe_sql(std::string_view sql, bool cut, SqlDialect dialect, bool with_text = true);
SqlStatementPtr make_sql_statement(std::string_view sql, bool cut, SqlDialect dialect);
// An operation of `system` running `s` (moved from when it is run once and not
// kept); its text only with_text.
Operation sql_operation(Protocol system, const SqlStatement& s, bool with_text = true);
Operation sql_operation(Protocol system, SqlStatement&& s);

}  // namespace hs::protocols
