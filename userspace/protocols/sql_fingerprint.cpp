#include "protocols/sql_fingerprint.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <vector>

#include "protocols/sql_lexer.h"
#include "protocols/text.h"

namespace hs::protocols {
namespace {

// Only this much of a statement is read: the fingerprint is 2 KiB at most, and the
// extra room lets a long IN list or VALUES run still collapse.
constexpr std::size_t kMaxSqlScan = 64 * 1024;
constexpr std::size_t kMaxKeyword = 24;

// Upper-cased on output (sorted once, on first use).
constexpr std::string_view kKeywords[] = {
    "ABORT", "ADD", "ALL", "ALTER", "ANALYZE", "AND", "ANY", "ARRAY", "AS", "ASC",
    "ASYMMETRIC", "BEGIN", "BETWEEN", "BIGINT", "BOOLEAN", "BOTH", "BY", "CALL", "CASCADE", "CASE",
    "CAST", "CHECK", "CLOSE", "COALESCE", "COLLATE", "COLUMN", "COMMIT", "CONCURRENTLY", "CONFLICT", "CONSTRAINT",
    "COPY", "COUNT", "CREATE", "CROSS", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "CURSOR", "DATABASE",
    "DEALLOCATE", "DECLARE", "DEFAULT", "DELETE", "DESC", "DISTINCT", "DO", "DROP", "DUPLICATE", "ELSE",
    "END", "ESCAPE", "EXCEPT", "EXECUTE", "EXISTS", "EXPLAIN", "EXTRACT", "FALSE", "FETCH", "FILTER",
    "FIRST", "FOR", "FOREIGN", "FROM", "FULL", "FUNCTION", "GRANT", "GROUP", "HAVING", "IF",
    "IGNORE", "ILIKE", "IN", "INDEX", "INNER", "INSERT", "INTEGER", "INTERSECT", "INTERVAL", "INTO",
    "IS", "ISNULL", "ISOLATION", "JOIN", "KEY", "LAST", "LATERAL", "LEFT", "LEVEL", "LIKE",
    "LIMIT", "LOCK", "LOCKED", "MATERIALIZED", "MERGE", "NATURAL", "NEXT", "NOT", "NOTHING", "NOTNULL",
    "NOWAIT", "NULL", "NULLS", "OFFSET", "ON", "ONLY", "OR", "ORDER", "OUTER", "OVER",
    "PARTITION", "PREPARE", "PRIMARY", "READ", "RECURSIVE", "REFERENCES", "RELEASE", "RENAME", "REPLACE", "RESET",
    "RETURNING", "REVOKE", "RIGHT", "ROLLBACK", "ROW", "ROWS", "SAVEPOINT", "SCHEMA", "SELECT", "SET",
    "SHARE", "SHOW", "SIMILAR", "SKIP", "SOME", "START", "TABLE", "THEN", "TO", "TRANSACTION",
    "TRUE", "TRUNCATE", "UNION", "UNIQUE", "UPDATE", "USING", "VACUUM", "VALUES", "VIEW", "WHEN",
    "WHERE", "WINDOW", "WITH", "WORK", "WRITE", "ZONE", "USE", "LOW_PRIORITY", "HIGH_PRIORITY", "DELAYED",
};

// Keywords by length and first letter: a word is compared with the few that
// could match it (it is looked up once per word of every statement captured).
bool is_keyword(std::string_view word) {
  constexpr std::size_t kLetters = 26;
  static const auto table = [] {
    std::array<std::vector<std::string_view>, (kMaxKeyword + 1) * kLetters> t;
    for (std::string_view k : kKeywords) t[k.size() * kLetters + static_cast<std::size_t>(k[0] - 'A')].push_back(k);
    return t;
  }();
  if (word.empty() || word.size() > kMaxKeyword) return false;
  const char first = ascii_upper(word[0]);
  if (first < 'A' || first > 'Z') return false;
  for (std::string_view k : table[word.size() * kLetters + static_cast<std::size_t>(first - 'A')]) {
    if (iequals(word, k)) return true;
  }
  return false;
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

bool word_is(const SqlToken& t, std::string_view upper) {
  return t.kind == SqlTokenKind::word && iequals(t.text, upper);
}

bool is_sign(const SqlToken& t) { return t.kind == SqlTokenKind::op && (t.text == "-" || t.text == "+"); }

bool is_punct(const SqlToken& t, char c) { return t.kind == SqlTokenKind::punct && t.text.size() == 1 && t.text[0] == c; }

// IN (...) / VALUES (...) collapsing, driven one token at a time.
struct ListState {
  enum class Mode : std::uint8_t { normal, armed, open, after_row, after_comma };
  Mode mode = Mode::normal;
  bool values = false;   // VALUES rows (several may follow) rather than an IN list
  bool swallow = false;  // a further VALUES row: drop it entirely when it collapses
  std::size_t mark = 0;  // where to cut the output when the list collapses
  std::size_t items = 0;
};

class Fingerprinter {
 public:
  explicit Fingerprinter(SqlDialect d) : dialect_(d) {}

  std::string run(std::string_view sql) {
    bool cut = sql.size() > kMaxSqlScan;
    out_.reserve(std::min(sql.size(), kMaxFingerprint + 64) + 16);  // the output is rarely longer than the input
    SqlLexer lex(sql.substr(0, kMaxSqlScan), dialect_);
    SqlToken t;
    while (lex.next(t)) {
      bool literal = t.kind == SqlTokenKind::string || t.kind == SqlTokenKind::number ||
                     t.kind == SqlTokenKind::param;
      if (is_sign(t) && !prev_value_ && plain_signs_ == 0) {
        // Signs where no value precedes them belong to the literal: "= -5", "(-1, 2)",
        // "+ -1", however many there are (so the output folds the same way again).
        SqlLexer peek = lex;
        SqlToken n;
        std::size_t signs = 0;
        while (peek.next(n)) {
          if (n.kind == SqlTokenKind::number || n.kind == SqlTokenKind::param || n.kind == SqlTokenKind::string) {
            lex = peek;
            literal = true;
            break;
          }
          if (!is_sign(n)) break;
          ++signs;
        }
        // No literal after this run: its other signs need not look again.
        if (!literal) plain_signs_ = signs;
      } else if (is_sign(t) && plain_signs_ > 0) {
        --plain_signs_;
      }
      feed(t, literal);
      if (list_.mode == ListState::Mode::normal && out_.size() > kMaxFingerprint + 64) {
        cut = true;  // the rest cannot appear in the output anyway
        break;
      }
    }
    if (list_.mode == ListState::Mode::open && list_.items > 0) collapse();  // a list cut by the capture
    std::string clean;
    if (out_.size() <= kMaxFingerprint + 8 && printable_ascii(out_)) {
      clean = std::move(out_);  // what append_clean would copy unchanged
    } else {
      clean.reserve(std::min(out_.size(), kMaxFingerprint + 8));
      if (!append_clean(clean, out_, kMaxFingerprint + 8, Controls::to_space)) cut = true;
    }
    // After cleaning: a quoted identifier cut by the capture may end in a control byte.
    while (!clean.empty() && (clean.back() == ' ' || clean.back() == ';')) clean.pop_back();
    if (clean.size() > kMaxFingerprint) {
      truncate_with_ellipsis(clean, kMaxFingerprint);
    } else if (cut) {
      if (clean.size() + 3 > kMaxFingerprint) truncate_with_ellipsis(clean, kMaxFingerprint - 3);
      clean += "...";
      if (clean.size() > kMaxFingerprint) truncate_with_ellipsis(clean, kMaxFingerprint);
    }
    return clean;
  }

 private:
  void emit(std::string_view text, bool space_before) {
    // The output must lex as it did: tokens that were apart (a comment between them)
    // must not join into a comment start, and in MySQL "--" followed by a space is one.
    bool mysql = dialect_ == SqlDialect::mysql;
    bool joins_comment = !out_.empty() && !text.empty() &&
                         ((!mysql && out_.back() == '-' && text.front() == '-') ||
                          (out_.back() == '/' && text.front() == '*'));
    bool after_dashes = mysql && out_.size() >= 2 && out_.ends_with("--");
    if ((space_before || joins_comment) && !out_.empty() && !after_dashes) out_ += ' ';
    out_ += text;
  }

  void emit_token(const SqlToken& t, bool literal) {
    const bool keyword = !literal && t.kind == SqlTokenKind::word && is_keyword(t.text);
    if (literal) {
      emit("?", t.space_before);
    } else if (keyword) {
      emit(t.text, t.space_before);
      for (std::size_t i = out_.size() - t.text.size(); i < out_.size(); ++i) out_[i] = ascii_upper(out_[i]);
    } else {
      emit(t.text, t.space_before);
    }
    prev_value_ = literal || (t.kind == SqlTokenKind::word && !keyword) || t.kind == SqlTokenKind::quoted_ident ||
                  is_punct(t, ')') || is_punct(t, ']');
  }

  void collapse() {
    out_.resize(list_.mark);
    if (!list_.swallow) out_ += " (?)";
    prev_value_ = true;
    list_.mode = list_.values ? ListState::Mode::after_row : ListState::Mode::normal;
  }

  void feed(const SqlToken& t, bool literal) {
    using Mode = ListState::Mode;
    switch (list_.mode) {
      case Mode::armed:
        if (is_punct(t, '(')) {
          emit_token(t, false);
          list_.mode = Mode::open;
          list_.items = 0;
          return;
        }
        list_.mode = Mode::normal;
        break;
      case Mode::open: {
        bool item = literal || word_is(t, "NULL") || word_is(t, "DEFAULT") || word_is(t, "TRUE") ||
                    word_is(t, "FALSE");
        if (is_punct(t, ')') && list_.items > 0) {
          collapse();
          return;
        }
        if (is_punct(t, ';') && list_.items > 0) {
          collapse();  // the statement ended inside the list: as if the capture had cut it
          list_.mode = ListState::Mode::normal;
          break;
        }
        if (item || is_punct(t, ',')) {
          list_.items += item ? 1 : 0;
          emit_token(t, literal);
          return;
        }
        list_.mode = Mode::normal;  // not a list of literals: keep it as written
        break;
      }
      case Mode::after_row:
        if (is_punct(t, ',')) {
          list_.mark = out_.size();
          emit_token(t, false);
          list_.mode = Mode::after_comma;
          return;
        }
        list_.mode = Mode::normal;
        break;
      case Mode::after_comma:
        if (is_punct(t, '(')) {
          emit_token(t, false);
          list_.mode = Mode::open;
          list_.swallow = true;
          list_.items = 0;
          return;
        }
        list_.mode = Mode::normal;
        break;
      case Mode::normal:
        break;
    }
    emit_token(t, literal);
    if (word_is(t, "IN") || word_is(t, "VALUES")) {
      list_.mode = Mode::armed;
      list_.values = word_is(t, "VALUES");
      list_.swallow = false;
      list_.mark = out_.size();
    }
  }

  SqlDialect dialect_;
  std::string out_;
  bool prev_value_ = false;
  std::size_t plain_signs_ = 0;  // signs still to come in a run known to lead to no literal
  ListState list_;
};

struct VerbAlias {
  std::string_view word;
  std::string_view verb;
};

constexpr VerbAlias kVerbs[] = {
    {"SELECT", "SELECT"},   {"INSERT", "INSERT"},       {"UPDATE", "UPDATE"},     {"DELETE", "DELETE"},
    {"MERGE", "MERGE"},     {"VALUES", "SELECT"},       {"TABLE", "SELECT"},      {"COPY", "COPY"},
    {"BEGIN", "BEGIN"},     {"START", "BEGIN"},         {"COMMIT", "COMMIT"},     {"END", "COMMIT"},
    {"ROLLBACK", "ROLLBACK"}, {"ABORT", "ROLLBACK"},    {"SAVEPOINT", "SAVEPOINT"}, {"RELEASE", "RELEASE"},
    {"CREATE", "CREATE"},   {"ALTER", "ALTER"},         {"DROP", "DROP"},         {"TRUNCATE", "TRUNCATE"},
    {"SET", "SET"},         {"SHOW", "SHOW"},           {"RESET", "RESET"},       {"EXPLAIN", "EXPLAIN"},
    {"ANALYZE", "ANALYZE"}, {"VACUUM", "VACUUM"},       {"GRANT", "GRANT"},       {"REVOKE", "REVOKE"},
    {"LOCK", "LOCK"},       {"PREPARE", "PREPARE"},     {"EXECUTE", "EXECUTE"},   {"DEALLOCATE", "DEALLOCATE"},
    {"DECLARE", "DECLARE"}, {"FETCH", "FETCH"},         {"MOVE", "MOVE"},         {"CLOSE", "CLOSE"},
    {"LISTEN", "LISTEN"},   {"NOTIFY", "NOTIFY"},       {"UNLISTEN", "UNLISTEN"}, {"DO", "DO"},
    {"CALL", "CALL"},       {"DISCARD", "DISCARD"},     {"REFRESH", "REFRESH"},   {"REINDEX", "REINDEX"},
    {"COMMENT", "COMMENT"}, {"REPLACE", "REPLACE"},     {"USE", "USE"},
};

std::string_view verb_of(std::string_view word) {
  for (const VerbAlias& v : kVerbs) {
    if (iequals(word, v.word)) return v.verb;
  }
  return {};
}

constexpr std::size_t kMaxVerbTokens = 4096;

}  // namespace

std::string fingerprint_sql(std::string_view sql, SqlDialect dialect) { return Fingerprinter(dialect).run(sql); }

std::string_view sql_verb(std::string_view sql, SqlDialect dialect) {
  SqlLexer lex(sql.substr(0, kMaxSqlScan), dialect);
  SqlToken t;
  bool found = false;
  while (lex.next(t)) {
    if (!is_punct(t, '(')) {  // "(SELECT ...) UNION ..." starts with a parenthesis
      found = true;
      break;
    }
  }
  if (!found) return {};
  if (t.kind != SqlTokenKind::word) return "OTHER";
  if (!iequals(t.text, "WITH")) {
    std::string_view v = verb_of(t.text);
    return v.empty() ? std::string_view("OTHER") : v;
  }
  // WITH: the verb is the first statement keyword outside the CTE bodies' parentheses.
  std::size_t depth = 0;
  for (std::size_t i = 0; i < kMaxVerbTokens && lex.next(t); ++i) {
    if (is_punct(t, '(')) {
      ++depth;
    } else if (is_punct(t, ')')) {
      depth = depth > 0 ? depth - 1 : 0;
    } else if (depth == 0 && t.kind == SqlTokenKind::word) {
      for (std::string_view v : {"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE"}) {
        if (iequals(t.text, v)) return verb_of(v);
      }
    }
  }
  return "SELECT";
}

}  // namespace hs::protocols
