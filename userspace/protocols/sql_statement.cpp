#include "protocols/sql_statement.h"

#include <algorithm>

#include "protocols/sql_shape.h"
#include "protocols/text.h"

namespace hs::protocols {

SqlStatement describe_sql(std::string_view sql, bool cut, SqlDialect dialect, bool with_text) {
  SqlStatement s;
  if (with_text) {
    s.text.reserve(std::min(sql.size(), kMaxSqlText));
    cut = !append_clean(s.text, sql, kMaxSqlText, Controls::keep_layout) || cut;
  } else {
    cut = cut || sql.size() > kMaxSqlText;  // what append_clean would say: it writes a byte per byte
  }
  std::string_view kept = sql.substr(0, kMaxSqlText);
  // One per thread: the reader decodes on one, and shapes repeat across connections.
  static thread_local SqlShapeCache shapes;
  const SqlShapeCache::Described& d = shapes.describe(kept, dialect);
  s.fingerprint = d.fingerprint;
  s.method = std::string(d.verb);
  s.truncated = cut;
  return s;
}

SqlStatementPtr make_sql_statement(std::string_view sql, bool cut, SqlDialect dialect) {
  return std::make_shared<const SqlStatement>(describe_sql(sql, cut, dialect));
}

Operation sql_operation(Protocol system, const SqlStatement& s, bool with_text) {
  return sql_operation(system, SqlStatement{with_text ? s.text : std::string(), s.fingerprint, s.method, s.truncated});
}

Operation sql_operation(Protocol system, SqlStatement&& s) {
  Operation op;
  op.protocol = system;
  op.text = std::move(s.text);
  op.fingerprint = std::move(s.fingerprint);
  op.method = std::move(s.method);
  op.truncated = s.truncated;
  return op;
}

}  // namespace hs::protocols
