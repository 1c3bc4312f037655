#include "protocols/sql_lexer.h"

#include <algorithm>

#include "protocols/text.h"

namespace hs::protocols {
namespace {

constexpr std::size_t kMaxDollarTag = 64;  // PostgreSQL identifiers are at most 63 bytes

bool ident_start(char c) { return is_alpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }
bool ident_char(char c) { return ident_start(c) || is_digit(c) || c == '$'; }

bool op_char(char c, SqlDialect d) {
  std::string_view ops = d == SqlDialect::mysql ? "+-*/<>=~!@%^&|" : "+-*/<>=~!@#%^&|?";
  return ops.find(c) != std::string_view::npos;
}

}  // namespace

bool SqlLexer::comment_at(std::size_t i) const {
  const std::size_t n = sql_.size();
  if (i + 1 >= n) return false;
  if (sql_[i] == '/' && sql_[i + 1] == '*') return true;
  if (sql_[i] != '-' || sql_[i + 1] != '-') return false;
  // MySQL wants whitespace after "--" (at the very end we read an operator: the
  // capture may have cut what followed, and a fingerprint must lex the same again).
  return dialect_ == SqlDialect::postgresql || (i + 2 < n && static_cast<unsigned char>(sql_[i + 2]) <= 0x20);
}

bool SqlLexer::skip_space_and_comments() {
  const std::size_t start = pos_;
  const std::size_t n = sql_.size();
  while (pos_ < n) {
    char c = sql_[pos_];
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {  // spaces and control bytes
      ++pos_;
      continue;
    }
    if ((c == '-' && comment_at(pos_)) || (c == '#' && dialect_ == SqlDialect::mysql)) {
      std::size_t nl = sql_.find('\n', pos_);
      pos_ = nl == std::string_view::npos ? n : nl + 1;
      continue;
    }
    if (c == '/' && comment_at(pos_)) {
      // PostgreSQL nests block comments; MySQL does not.
      bool nests = dialect_ == SqlDialect::postgresql;
      std::size_t depth = 1;
      pos_ += 2;
      while (pos_ < n && depth > 0) {
        if (nests && sql_[pos_] == '/' && pos_ + 1 < n && sql_[pos_ + 1] == '*') {
          ++depth;
          pos_ += 2;
        } else if (sql_[pos_] == '*' && pos_ + 1 < n && sql_[pos_ + 1] == '/') {
          --depth;
          pos_ += 2;
        } else {
          ++pos_;
        }
      }
      continue;
    }
    break;
  }
  return pos_ != start;
}

std::size_t SqlLexer::quoted_end(std::size_t start, char quote, bool backslash) const {
  const std::size_t n = sql_.size();
  std::size_t i = start + 1;
  while (i < n) {
    char c = sql_[i];
    if (backslash && c == '\\') {
      i = std::min(n, i + 2);
    } else if (c == quote) {
      if (i + 1 < n && sql_[i + 1] == quote) {
        i += 2;  // doubled quote: an escaped one
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return n;  // unterminated: runs to the end of what was captured
}

std::size_t SqlLexer::dollar_tag_end(std::size_t start) const {
  const std::size_t n = sql_.size();
  std::size_t i = start + 1;
  if (i < n && sql_[i] == '$') return i + 1;  // $$
  if (i >= n || !ident_start(sql_[i])) return std::string_view::npos;
  while (i < n && i - start <= kMaxDollarTag && (ident_start(sql_[i]) || is_digit(sql_[i]))) ++i;
  if (i < n && sql_[i] == '$' && i - start <= kMaxDollarTag) return i + 1;
  return std::string_view::npos;
}

std::size_t SqlLexer::number_end(std::size_t start) const {
  const std::size_t n = sql_.size();
  std::size_t i = start;
  auto digits = [&](auto accept) {
    while (i < n && (accept(sql_[i]) || (sql_[i] == '_' && i > start))) ++i;
  };
  if (sql_[i] == '0' && i + 2 < n) {
    char radix = ascii_upper(sql_[i + 1]);
    char first = sql_[i + 2];
    bool ok = (radix == 'X' && is_hex(first)) || (radix == 'B' && (first == '0' || first == '1')) ||
              (radix == 'O' && first >= '0' && first <= '7');
    if (ok) {
      i += 2;
      digits(is_hex);  // lenient: a bad digit of a non-hex radix still belongs to the literal
      return i;
    }
  }
  digits(is_digit);
  if (i < n && sql_[i] == '.') {
    ++i;
    digits(is_digit);
  }
  if (i < n && ascii_upper(sql_[i]) == 'E') {
    std::size_t j = i + 1;
    if (j < n && (sql_[j] == '+' || sql_[j] == '-')) ++j;
    if (j < n && is_digit(sql_[j])) {
      i = j;
      digits(is_digit);
    }
  }
  return i;
}

std::size_t SqlLexer::word_end(std::size_t start) const {
  std::size_t i = start;
  while (i < sql_.size() && ident_char(sql_[i])) ++i;
  return i;
}

std::size_t SqlLexer::op_end(std::size_t start) const {
  const std::size_t n = sql_.size();
  std::size_t i = start + 1;
  while (i < n && op_char(sql_[i], dialect_)) {
    if (comment_at(i)) break;  // a comment start ends the operator
    ++i;
  }
  if (dialect_ == SqlDialect::postgresql) {
    // PostgreSQL: a multi-character operator ends in + or - only if it also holds one
    // of ~ ! @ # % ^ & | ` ?, so "=-5" is "=" then "-5".
    std::string_view run = sql_.substr(start, i - start);
    if (run.find_first_of("~!@#%^&|`?") == std::string_view::npos) {
      while (i - start > 1 && (sql_[i - 1] == '+' || sql_[i - 1] == '-')) --i;
    }
  }
  return i;
}

bool SqlLexer::next(SqlToken& tok) {
  tok.space_before = skip_space_and_comments();
  const std::size_t n = sql_.size();
  if (pos_ >= n) return false;
  const std::size_t start = pos_;
  const char c = sql_[pos_];
  const bool mysql = dialect_ == SqlDialect::mysql;
  std::size_t end = start + 1;
  SqlTokenKind kind = SqlTokenKind::punct;

  if (c == '\'') {
    kind = SqlTokenKind::string;
    end = quoted_end(start, '\'', mysql);
  } else if (c == '"') {
    kind = mysql ? SqlTokenKind::string : SqlTokenKind::quoted_ident;
    end = quoted_end(start, '"', mysql);
  } else if (c == '`') {
    kind = SqlTokenKind::quoted_ident;
    end = quoted_end(start, '`', false);
  } else if (c == '$' && start + 1 < n && is_digit(sql_[start + 1])) {
    kind = SqlTokenKind::param;
    end = start + 1;
    while (end < n && is_digit(sql_[end])) ++end;
  } else if (c == '$' && dollar_tag_end(start) != std::string_view::npos) {
    kind = SqlTokenKind::string;
    std::size_t body = dollar_tag_end(start);
    std::string_view tag = sql_.substr(start, body - start);
    std::size_t close = sql_.find(tag, body);
    end = close == std::string_view::npos ? n : close + tag.size();
  } else if (is_digit(c) || (c == '.' && start + 1 < n && is_digit(sql_[start + 1]))) {
    kind = SqlTokenKind::number;
    end = number_end(start);
    if (end < n && ident_start(sql_[end])) {
      kind = SqlTokenKind::word;  // "1abc": a MySQL identifier, PostgreSQL junk; either way not a literal
      end = word_end(end);
    }
  } else if (ident_start(c)) {
    kind = SqlTokenKind::word;
    end = word_end(start);
    char u = ascii_upper(c);
    if (end == start + 1 && end < n) {
      // Prefixed strings: E'..' (backslash escapes), B'..', X'..', N'..'; U&'..' and U&"..".
      if (sql_[end] == '\'' && (u == 'E' || u == 'B' || u == 'X' || u == 'N')) {
        kind = SqlTokenKind::string;
        end = quoted_end(end, '\'', u == 'E' || mysql);
      } else if (u == 'U' && end + 1 < n && sql_[end] == '&' && (sql_[end + 1] == '\'' || sql_[end + 1] == '"')) {
        kind = sql_[end + 1] == '\'' ? SqlTokenKind::string : SqlTokenKind::quoted_ident;
        end = quoted_end(end + 1, sql_[end + 1], false);
      }
    }
  } else if (c == '?' && mysql) {
    kind = SqlTokenKind::param;
  } else if (op_char(c, dialect_)) {
    kind = SqlTokenKind::op;
    end = op_end(start);
  } else if (c == ':' && start + 1 < n && sql_[start + 1] == ':') {
    end = start + 2;  // the :: cast
  }
  pos_ = end;
  tok.kind = kind;
  tok.text = sql_.substr(start, end - start);
  return true;
}

}  // namespace hs::protocols
