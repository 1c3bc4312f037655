// libFuzzer target: SQL fingerprints and verbs. Input: the first byte picks the
// dialect, the rest is the statement. Beyond "no crash, no UB": the output is
// bounded, valid UTF-8 without control bytes, and fingerprinting is idempotent
// (for UTF-8 input). Statements of one shape (sql_shape.h) have one fingerprint and
// verb: the input with every literal replaced by others has the same ones, and
// the cache by shape answers as fingerprint_sql and sql_verb do.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "protocols/sql_fingerprint.h"
#include "protocols/sql_shape.h"

namespace {

using namespace hs::protocols;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool valid_utf8(std::string_view s, bool printable) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (printable && (c < 0x20 || c == 0x7f)) return false;
    std::size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    auto c1 = static_cast<unsigned char>(len > 1 ? s[i + 1] : 0);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
      return false;
    }
    i += len;
  }
  return true;
}

// The statement of `shape` with its literals written as others, picked from `pick` on.
std::string with_other_literals(std::string_view shape, unsigned pick) {
  static constexpr std::string_view kLiterals[] = {"7", "'z'", "$3", "12.5", "''''", "0", "''"};
  std::string out;
  for (char c : shape) {
    if (c == kSqlShapeLiteral) {
      out += kLiterals[pick++ % std::size(kLiterals)];
    } else {
      out += c;
    }
  }
  return out;
}

void check_shapes(std::string_view sql, SqlDialect dialect, unsigned pick, const std::string& fp,
                  std::string_view verb) {
  static SqlShapeCache cache;  // across inputs: hits come from earlier ones
  const SqlShapeCache::Described& d = cache.describe(sql, dialect);
  check(d.fingerprint == fp && d.verb == verb);
  std::string shape;
  // Within what the cache holds (a longer statement could be cut where its variant is not).
  if (sql.size() > SqlShapeCache::kMaxShapeBytes || !sql_shape(sql, shape)) return;
  const std::string other = with_other_literals(shape, pick);
  std::string again;
  check(sql_shape(other, again) && again == shape);
  check(fingerprint_sql(other, dialect) == fp && sql_verb(other, dialect) == verb);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  SqlDialect dialect = data[0] & 1 ? SqlDialect::mysql : SqlDialect::postgresql;
  std::string_view sql(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string fp = fingerprint_sql(sql, dialect);
  check(fp.size() <= kMaxFingerprint);
  check(valid_utf8(fp, true));
  check(fp.empty() || (fp.front() != ' ' && fp.back() != ' '));
  std::string_view verb = sql_verb(sql, dialect);
  check(verb.size() <= 16);
  for (char c : verb) check(c >= 'A' && c <= 'Z');
  check_shapes(sql, dialect, data[0] >> 1, fp, verb);
  // A fingerprint is its own fingerprint (when it was not cut, and the input was
  // UTF-8: invalid bytes become '?', which is a parameter marker in MySQL).
  if (fp.size() < 1024 && (fp.size() < 3 || fp.substr(fp.size() - 3) != "...") && valid_utf8(sql, false)) {
    check(fingerprint_sql(fp, dialect) == fp);
  }
  return 0;
}
