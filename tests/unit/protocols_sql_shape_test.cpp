// Statement shapes (literals replaced by one marker) and the fingerprint cache by shape.
#include "protocols/sql_shape.h"

#include <gtest/gtest.h>

#include <string>

namespace hs::protocols {
namespace {

std::string shape_of(std::string_view sql) {
  std::string out;
  return sql_shape(sql, out) ? out : std::string("<none>");
}

std::string marked(std::string s) {
  for (char& c : s) {
    if (c == '@') c = kSqlShapeLiteral;
  }
  return s;
}

TEST(SqlShape, LiteralsBecomeOneMarkerAndTheRestStaysAsWritten) {
  EXPECT_EQ(shape_of("SELECT abalance FROM pgbench_accounts WHERE aid = 4711;"),
            marked("SELECT abalance FROM pgbench_accounts WHERE aid = @;"));
  EXPECT_EQ(shape_of("select * from t1 where a in (1, 2.5,'x') and b='it''s'"),
            marked("select * from t1 where a in (@, @,@) and b=@"));
  EXPECT_EQ(shape_of("UPDATE t SET v = v + $1 WHERE id = $2"), marked("UPDATE t SET v = v + @ WHERE id = @"));
  EXPECT_EQ(shape_of("SELECT '2024-01-01'::date, x-5, -7"), marked("SELECT @::date, x-@, -@"));
  EXPECT_EQ(shape_of("SELECT col_9, a$1 FROM t"), "SELECT col_9, a$1 FROM t");  // digits of words are no literals
  EXPECT_EQ(shape_of("SELECT 'caf\xc3\xa9'"), marked("SELECT @"));            // a string may hold any byte
  EXPECT_EQ(shape_of(""), "");
}

TEST(SqlShape, NoShapeWhereLexingCouldDependOnALiteralOrItsNeighbours) {
  for (const char* sql : {
           "SELECT 1 -- comment",
           "SELECT /* c */ 1",
           "SELECT 1 # comment",
           "SELECT \"Name\" FROM t",
           "SELECT `name` FROM t",
           "SELECT E'a\\nb'",
           "SELECT N'x'",
           "SELECT 'a\\'b'",       // a backslash escape in MySQL
           "SELECT 'cut by the capt",
           "SELECT $$body$$",
           "SELECT $tag$body$tag$",
           "SELECT 1e5",
           "SELECT 0x1F",
           "SELECT 1_000",
           "SELECT t.5",
           "SELECT t.5.5",
           "SELECT .5",
           "SELECT 5.",
           "SELECT 5abc",
           "SELECT 'a'b",
           "SELECT caf\xc3\xa9 FROM t",
           "SELECT 1\x01",
       }) {
    EXPECT_EQ(shape_of(sql), "<none>") << sql;
  }
}

TEST(SqlShape, StatementsOfOneShapeShareFingerprintAndVerb) {
  const std::pair<const char*, const char*> same_shape[] = {
      {"SELECT abalance FROM pgbench_accounts WHERE aid = 4711;",
       "SELECT abalance FROM pgbench_accounts WHERE aid = 1;"},
      {"select * from t where a in (1, 2, 3)", "select * from t where a in ('x', $1, 2.25)"},
      {"INSERT INTO t VALUES (1, 'a'), (2, 'b')", "INSERT INTO t VALUES ($1, 'it''s'), (0, '')"},
      {"SELECT x - 5, -5 FROM t", "SELECT x - $9, -'5' FROM t"},
      {"VALUES (1)", "VALUES ('a')"},
  };
  for (SqlDialect d : {SqlDialect::postgresql, SqlDialect::mysql}) {
    for (const auto& [a, b] : same_shape) {
      ASSERT_EQ(shape_of(a), shape_of(b)) << a;
      ASSERT_NE(shape_of(a), "<none>") << a;
      EXPECT_EQ(fingerprint_sql(a, d), fingerprint_sql(b, d)) << a;
      EXPECT_EQ(sql_verb(a, d), sql_verb(b, d)) << a;
    }
  }
}

TEST(SqlShapeCache, AStatementSeenWithOtherLiteralsIsAnsweredFromTheCache) {
  SqlShapeCache cache;
  const auto& first = cache.describe("SELECT v FROM t WHERE id = 42", SqlDialect::postgresql);
  EXPECT_EQ(first.fingerprint, "SELECT v FROM t WHERE id = ?");
  EXPECT_EQ(first.verb, "SELECT");
  EXPECT_EQ(cache.hits(), 0u);
  const auto& again = cache.describe("SELECT v FROM t WHERE id = 'abc'", SqlDialect::postgresql);
  EXPECT_EQ(again.fingerprint, "SELECT v FROM t WHERE id = ?");
  EXPECT_EQ(cache.hits(), 1u);
  // The dialect is part of the shape.
  cache.describe("SELECT v FROM t WHERE id = 7", SqlDialect::mysql);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.size(), 2u);
  // Without a shape: answered in full, not kept.
  const auto& commented = cache.describe("SELECT v /* why */ FROM t WHERE id = 7", SqlDialect::postgresql);
  EXPECT_EQ(commented.fingerprint, "SELECT v FROM t WHERE id = ?");
  EXPECT_EQ(commented.verb, "SELECT");
  EXPECT_EQ(cache.size(), 2u);
}

TEST(SqlShapeCache, HoldsABoundedNumberOfShapesAndLongStatementsNotAtAll) {
  SqlShapeCache cache;
  for (std::size_t i = 0; i <= SqlShapeCache::kMaxShapes; ++i) {
    const std::string sql = "SELECT c" + std::to_string(i) + " FROM t WHERE id = 1";
    EXPECT_EQ(cache.describe(sql, SqlDialect::postgresql).fingerprint, "SELECT c" + std::to_string(i) +
                                                                           " FROM t WHERE id = ?");
    EXPECT_LE(cache.size(), SqlShapeCache::kMaxShapes);
  }
  EXPECT_EQ(cache.size(), 1u);  // full: it started over
  const std::string long_sql = "SELECT '" + std::string(SqlShapeCache::kMaxShapeBytes, 'x') + "'";
  EXPECT_EQ(cache.describe(long_sql, SqlDialect::postgresql).fingerprint, "SELECT ?");
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace hs::protocols
