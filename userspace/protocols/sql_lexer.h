// A forgiving SQL tokenizer for fingerprints and verbs: it never fails, never reads
// past the input, and treats an unterminated string, comment or identifier as
// running to the end (captured queries are often cut). Internal to hs_protocols.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocols/sql_fingerprint.h"

namespace hs::protocols {

enum class SqlTokenKind : std::uint8_t {
  word,          // identifier or keyword, as written
  quoted_ident,  // "Name", `name`, U&"x" (kept verbatim)
  string,        // 'x', E'x', B'01', X'ff', N'x', U&'x', $$x$$, $tag$x$tag$ (MySQL: "x" too)
  number,        // 42, 4.2e-1, .5, 0x1F, 1_000
  param,         // $1 (PostgreSQL), ? (MySQL)
  op,            // a run of operator characters: =, <>, ->>, ||, -
  punct,         // ( ) , ; . [ ] :: and any other single byte
};

struct SqlToken {
  SqlTokenKind kind = SqlTokenKind::punct;
  std::string_view text;
  bool space_before = false;  // whitespace or a comment separated it from the previous token
};

class SqlLexer {
 public:
  SqlLexer(std::string_view sql, SqlDialect dialect) : sql_(sql), dialect_(dialect) {}
  // The next token; false at the end of the input.
  bool next(SqlToken& tok);
  std::size_t position() const { return pos_; }

 private:
  bool comment_at(std::size_t i) const;  // "--" or "/*" (as the dialect reads them) starts at i
  bool skip_space_and_comments();        // true if anything was skipped
  std::size_t quoted_end(std::size_t start, char quote, bool backslash) const;
  std::size_t dollar_tag_end(std::size_t start) const;  // end of "$tag$", or npos if not a tag
  std::size_t number_end(std::size_t start) const;
  std::size_t word_end(std::size_t start) const;
  std::size_t op_end(std::size_t start) const;

  std::string_view sql_;
  SqlDialect dialect_;
  std::size_t pos_ = 0;
};

}  // namespace hs::protocols
