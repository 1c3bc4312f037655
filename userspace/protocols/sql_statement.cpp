#include "protocols/sql_statement.h"

#include "protocols/text.h"

namespace hs::protocols {

SqlStatementPtr make_sql_statement(std::string_view sql, bool cut, SqlDialect dialect) {
  auto s = std::make_shared<SqlStatement>();
  cut = !append_clean(s->text, sql, kMaxSqlText, Controls::keep_layout) || cut;
  std::string_view kept = sql.substr(0, kMaxSqlText);
  s->fingerprint = fingerprint_sql(kept, dialect);
  s->method = std::string(sql_verb(kept, dialect));
  s->truncated = cut;
  return s;
}

Operation sql_operation(Protocol system, const SqlStatement& s) {
  Operation op;
  op.protocol = system;
  op.text = s.text;
  op.fingerprint = s.fingerprint;
  op.method = s.method;
  op.truncated = s.truncated;
  return op;
}

}  // namespace hs::protocols
