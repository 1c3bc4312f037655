// What the fingerprint and verb of a statement depend on: its text with each
// literal (a plain number, a plain quoted string, a $n parameter) replaced by one
// marker byte. Two statements of the same shape lex alike but for their literals'
// contents, and fingerprint_sql writes every literal as "?", so they have the same
// fingerprint and verb: an application sending one statement with different values
// pays for its fingerprint once (SqlShapeCache).
//
// The reader is deliberately narrow: it gives no shape for anything whose lexing
// could depend on what a literal holds or on what surrounds it (comments, quoted
// identifiers, prefixed or dollar-quoted strings, backslashes, exponents, radix
// prefixes, a literal touching a word or a dot, bytes outside printable ASCII).
// Those statements are fingerprinted in full every time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocols/sql_fingerprint.h"

namespace hs::protocols {

inline constexpr char kSqlShapeLiteral = '\x01';

// Appends the shape of `sql` to `out`; false when it has none (out then ends
// with part of it).
bool sql_shape(std::string_view sql, std::string& out);

// Fingerprints and verbs by statement shape, a bounded number of shapes per
// dialect; once full it starts over. Statements without a shape, or longer than
// kMaxShapeBytes, are not cached.
class SqlShapeCache {
 public:
  struct Described {
    std::string fingerprint;
    std::string_view verb;  // one of sql_verb's static strings
  };
  static constexpr std::size_t kMaxShapes = 512;
  static constexpr std::size_t kMaxShapeBytes = 1024;

  // fingerprint_sql and sql_verb of sql, from the cache when its shape was seen.
  const Described& describe(std::string_view sql, SqlDialect dialect);
  std::size_t size() const { return shapes_.size(); }
  std::size_t hits() const { return hits_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, Described, Hash, std::equal_to<>>;

  Map shapes_;
  std::string shape_;   // scratch: the shape being looked up (dialect byte first)
  Described uncached_;  // the answer for a statement not cached
  std::size_t hits_ = 0;
};

}  // namespace hs::protocols
