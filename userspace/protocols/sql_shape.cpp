#include "protocols/sql_shape.h"

#include "protocols/text.h"

namespace hs::protocols {
namespace {

bool word_start(char c) { return is_alpha(c) || c == '_'; }
bool word_char(char c) { return word_start(c) || is_digit(c) || c == '$'; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A literal is replaced only between these: each of them ends the token before it
// and starts a token after it whatever the literal holds (no word, dot, quote or
// comment can join it).
bool before_literal(char c) {
  switch (c) {
    case '(': case ',': case '=': case '<': case '>': case '+': case '-': case '*': case '/': case '%': case '[':
      return true;
    default:
      return space(c);
  }
}

bool after_literal(char c) {
  switch (c) {
    case ')': case ',': case ';': case ':': case '=': case '<': case '>': case '+': case '-': case '*': case '/':
    case '%': case ']':
      return true;
    default:
      return space(c);
  }
}

// The end of the literal starting at sql[i] (a digit, a quote or '$'), or npos
// when it is not one this reader vouches for.
std::size_t literal_end(std::string_view sql, std::size_t i) {
  const std::size_t n = sql.size();
  std::size_t j = i + 1;
  if (sql[i] == '\'') {
    for (;;) {
      if (j >= n || sql[j] == '\\') return std::string_view::npos;  // cut by the capture; an escape in MySQL
      if (sql[j] != '\'') {
        ++j;
      } else if (j + 1 < n && sql[j + 1] == '\'') {
        j += 2;  // a doubled quote: part of the string
      } else {
        return j + 1;
      }
    }
  }
  if (sql[i] == '$') {  // $n; anything else after '$' (a dollar quote) is not read here
    if (j >= n || !is_digit(sql[j])) return std::string_view::npos;
    while (j < n && is_digit(sql[j])) ++j;
    return j;
  }
  while (j < n && is_digit(sql[j])) ++j;
  if (j < n && sql[j] == '.') {
    if (++j >= n || !is_digit(sql[j])) return std::string_view::npos;
    while (j < n && is_digit(sql[j])) ++j;
  }
  return j;
}

SqlShapeCache::Described describe_directly(std::string_view sql, SqlDialect dialect) {
  return {fingerprint_sql(sql, dialect), sql_verb(sql, dialect)};
}

}  // namespace

bool sql_shape(std::string_view sql, std::string& out) {
  const std::size_t n = sql.size();
  std::size_t i = 0;
  while (i < n) {
    const char c = sql[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x7f || (byte < 0x20 && !space(c))) return false;
    if (c == '"' || c == '`' || c == '\\' || c == '#') return false;
    if (i + 1 < n && ((c == '-' && sql[i + 1] == '-') || (c == '/' && sql[i + 1] == '*'))) return false;
    if (word_start(c)) {
      const std::size_t start = i;
      while (i < n && word_char(sql[i])) ++i;
      out.append(sql.substr(start, i - start));
      continue;
    }
    if (!is_digit(c) && c != '\'' && c != '$') {
      out += c;
      ++i;
      continue;
    }
    if (i > 0 && !before_literal(sql[i - 1])) return false;
    const std::size_t end = literal_end(sql, i);
    if (end == std::string_view::npos || (end < n && !after_literal(sql[end]))) return false;
    out += kSqlShapeLiteral;
    i = end;
  }
  return true;
}

const SqlShapeCache::Described& SqlShapeCache::describe(std::string_view sql, SqlDialect dialect) {
  shape_.assign(1, static_cast<char>(dialect));
  if (sql.size() > kMaxShapeBytes || !sql_shape(sql, shape_)) {
    uncached_ = describe_directly(sql, dialect);
    return uncached_;
  }
  if (auto it = shapes_.find(std::string_view(shape_)); it != shapes_.end()) {
    ++hits_;
    return it->second;
  }
  if (shapes_.size() >= kMaxShapes) shapes_.clear();
  return shapes_.emplace(shape_, describe_directly(sql, dialect)).first->second;
}

}  // namespace hs::protocols
