// SQL fingerprints and verbs (pure functions over hostile text).
#include "protocols/sql_fingerprint.h"

#include <gtest/gtest.h>

#include <string>

namespace hs::protocols {
namespace {

struct Case {
  const char* sql;
  const char* fingerprint;
};

TEST(SqlFingerprint, Table) {
  const Case cases[] = {
      {"select * from t where id = 42 and name = 'x'", "SELECT * FROM t WHERE id = ? AND name = ?"},
      {"SELECT abalance FROM pgbench_accounts WHERE aid = $1", "SELECT abalance FROM pgbench_accounts WHERE aid = ?"},
      {"SELECT abalance FROM pgbench_accounts WHERE aid = 42", "SELECT abalance FROM pgbench_accounts WHERE aid = ?"},
      {"SELECT 1 FROM t WHERE a IN (1, 2, 3)", "SELECT ? FROM t WHERE a IN (?)"},
      {"SELECT 1 FROM t WHERE a in(1,2,3)", "SELECT ? FROM t WHERE a IN (?)"},
      {"SELECT * FROM t WHERE id IN ($1, $2, $3)", "SELECT * FROM t WHERE id IN (?)"},
      {"SELECT * FROM t WHERE id IN (-1, 'a', NULL)", "SELECT * FROM t WHERE id IN (?)"},
      {"SELECT * FROM t WHERE id IN (SELECT id FROM u)", "SELECT * FROM t WHERE id IN (SELECT id FROM u)"},
      {"INSERT INTO t VALUES (1, 'a'), (2, 'b');", "INSERT INTO t VALUES (?)"},
      {"INSERT INTO t (a, b) VALUES ($1, $2)", "INSERT INTO t (a, b) VALUES (?)"},
      {"insert into t values (1, now())", "INSERT INTO t VALUES (?, now())"},
      {"INSERT INTO t VALUES (1), (2) RETURNING id", "INSERT INTO t VALUES (?) RETURNING id"},
      {"SELECT /* hi */ a -- c\nFROM t", "SELECT a FROM t"},
      {"SELECT /* a /* nested */ b */ 1", "SELECT ?"},
      {"SELECT\n\t a,\n  b   FROM t", "SELECT a, b FROM t"},
      {"SELECT * FROM t WHERE a = -5 AND b > -1.5e3 AND c=-2", "SELECT * FROM t WHERE a = ? AND b > ? AND c=?"},
      {"SELECT a-1, a - 2, (-3) FROM t", "SELECT a-?, a - ?, (?) FROM t"},
      {"SELECT .5, 1., 1e10, 1_000, 0x1F, 0b101, 0o17", "SELECT ?, ?, ?, ?, ?, ?, ?"},
      {"SELECT E'it\\'s', 'it''s', e'\\n' FROM t", "SELECT ?, ?, ? FROM t"},
      {"SELECT $$a;b$$, $tag$x$y$ $tag$, 1", "SELECT ?, ?, ?"},
      {"SELECT X'1F', B'101', N'nat', U&'d\\0061t'", "SELECT ?, ?, ?, ?"},
      {"select true, false, null", "SELECT TRUE, FALSE, NULL"},
      {"SELECT \"MyCol\" FROM \"My Table\" WHERE \"x\" = 'y'", "SELECT \"MyCol\" FROM \"My Table\" WHERE \"x\" = ?"},
      {"Select Foo.Bar from Foo", "SELECT Foo.Bar FROM Foo"},
      {"SELECT t1.c2 FROM t1", "SELECT t1.c2 FROM t1"},
      {"SELECT * FROM t WHERE id = ANY($1)", "SELECT * FROM t WHERE id = ANY(?)"},
      {"SELECT '1'::int, $1::text", "SELECT ?::int, ?::text"},
      {"SELECT now() - interval '1 day'", "SELECT now() - INTERVAL ?"},
      {"SELECT 1; SELECT 2;", "SELECT ?; SELECT ?"},
      {"BEGIN;", "BEGIN"},
      {"END;", "END"},
      {"select count(*) from t", "SELECT COUNT(*) FROM t"},
      {"SELECT 'abc", "SELECT ?"},
      {"SELECT \"unterminated", "SELECT \"unterminated"},
      {"INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c", "INSERT INTO t VALUES (?)"},
      {"SELECT * FROM t WHERE id IN (1, 2, 3", "SELECT * FROM t WHERE id IN (?)"},
      {"SELECT data->>'name', data ? 'k' FROM t", "SELECT data->>?, data ? ? FROM t"},
      {"", ""},
      {"  ;  ", ""},
      {"-- only a comment", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(fingerprint_sql(c.sql), c.fingerprint) << c.sql;
}

TEST(SqlFingerprint, PgbenchSimpleAndExtendedShareAFingerprint) {
  const Case pairs[] = {
      {"UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 12345;",
       "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2"},
      {"SELECT abalance FROM pgbench_accounts WHERE aid = 12345;", "SELECT abalance FROM pgbench_accounts WHERE aid = $1"},
      {"UPDATE pgbench_tellers SET tbalance = tbalance + 77 WHERE tid = 3;",
       "UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2"},
      {"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (7, 1, 12345, -2345, CURRENT_TIMESTAMP);",
       "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)"},
  };
  for (const Case& p : pairs) EXPECT_EQ(fingerprint_sql(p.sql), fingerprint_sql(p.fingerprint)) << p.sql;
  EXPECT_EQ(fingerprint_sql(pairs[0].sql), "UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?");
  EXPECT_EQ(fingerprint_sql(pairs[3].sql),
            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)");
}

TEST(SqlFingerprint, MysqlDialect) {
  EXPECT_EQ(fingerprint_sql("SELECT * FROM t WHERE a = \"x\" AND b = 'it\\'s' # note", SqlDialect::mysql),
            "SELECT * FROM t WHERE a = ? AND b = ?");
  EXPECT_EQ(fingerprint_sql("SELECT * FROM `t` WHERE id IN (?, ?) -- c", SqlDialect::mysql),
            "SELECT * FROM `t` WHERE id IN (?)");
  EXPECT_EQ(fingerprint_sql("SELECT 1--1", SqlDialect::mysql), "SELECT ?--?");
}

// Inputs the fuzzer found: a fingerprint must fingerprint to itself.
TEST(SqlFingerprint, FuzzRegressions) {
  EXPECT_EQ(fingerprint_sql("SELECT a + -1, (+ -2), - 'x'"), "SELECT a + ?, (?), ?");
  EXPECT_EQ(fingerprint_sql("SELECT * FROM t WHERE a IN (1, 2; SELECT 1"), "SELECT * FROM t WHERE a IN (?); SELECT ?");
  EXPECT_EQ(fingerprint_sql("SELECT \"open\n"), "SELECT \"open");
  EXPECT_EQ(fingerprint_sql("SELECT 1 -/* c */-1"), "SELECT ? - ?");
  EXPECT_EQ(fingerprint_sql("-------\nW2@H", SqlDialect::mysql), "-----W2@H");
  EXPECT_EQ(fingerprint_sql("SELECT 1 --", SqlDialect::mysql), "SELECT ? --");
  for (const char* sql : {"SELECT a + -1, (+ -2)", "SELECT 1 -/* c */-1", "x IN (?, ?", "$- - 'x8"}) {
    for (SqlDialect d : {SqlDialect::postgresql, SqlDialect::mysql}) {
      std::string fp = fingerprint_sql(sql, d);
      EXPECT_EQ(fingerprint_sql(fp, d), fp) << sql;
    }
  }
}

TEST(SqlFingerprint, LongInputIsBoundedAndMarked) {
  std::string sql = "SELECT ";
  for (int i = 0; i < 2000; ++i) sql += "col" + std::to_string(i) + ", ";
  sql += "x FROM t";
  std::string fp = fingerprint_sql(sql);
  EXPECT_LE(fp.size(), kMaxFingerprint);
  EXPECT_EQ(fp.substr(fp.size() - 3), "...");
  EXPECT_EQ(fp.substr(0, 17), "SELECT col0, col1");

  // A long IN list still collapses.
  std::string in = "SELECT * FROM t WHERE id IN (";
  for (int i = 0; i < 5000; ++i) in += std::to_string(i) + ", ";
  in += "0) AND x = 1";
  EXPECT_EQ(fingerprint_sql(in), "SELECT * FROM t WHERE id IN (?) AND x = ?");
}

TEST(SqlFingerprint, OutputIsValidUtf8WithoutControls) {
  std::string fp = fingerprint_sql("SELECT \"a\x01\xff\" FROM t\x7f WHERE x = '\xc3\xa9'");
  EXPECT_EQ(fp, "SELECT \"a ?\" FROM t WHERE x = ?");
  EXPECT_EQ(fingerprint_sql("SELECT caf\xc3\xa9 FROM t"), "SELECT caf\xc3\xa9 FROM t");
}

TEST(SqlFingerprint, EveryPrefixIsSafe) {
  const std::string sql =
      "WITH x AS (SELECT $1::int AS a) INSERT INTO t (a, b) VALUES (1, E'q\\'s'), (-2, $$d$$) "
      "/* c */ RETURNING \"id\" -- end";
  for (std::size_t i = 0; i <= sql.size(); ++i) {
    std::string fp = fingerprint_sql(std::string_view(sql).substr(0, i));
    EXPECT_LE(fp.size(), kMaxFingerprint);
  }
}

TEST(SqlVerb, Table) {
  EXPECT_EQ(sql_verb("select 1"), "SELECT");
  EXPECT_EQ(sql_verb("  /* c */ (SELECT 1) UNION (SELECT 2)"), "SELECT");
  EXPECT_EQ(sql_verb("INSERT INTO t VALUES (1)"), "INSERT");
  EXPECT_EQ(sql_verb("update t set a = 1"), "UPDATE");
  EXPECT_EQ(sql_verb("delete from t"), "DELETE");
  EXPECT_EQ(sql_verb("WITH x AS (DELETE FROM t RETURNING *) INSERT INTO u SELECT * FROM x"), "INSERT");
  EXPECT_EQ(sql_verb("WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n + 1 FROM r) SELECT * FROM r"), "SELECT");
  EXPECT_EQ(sql_verb("begin"), "BEGIN");
  EXPECT_EQ(sql_verb("START TRANSACTION"), "BEGIN");
  EXPECT_EQ(sql_verb("end"), "COMMIT");
  EXPECT_EQ(sql_verb("ABORT"), "ROLLBACK");
  EXPECT_EQ(sql_verb("vacuum analyze t"), "VACUUM");
  EXPECT_EQ(sql_verb("frobnicate"), "OTHER");
  EXPECT_EQ(sql_verb("42"), "OTHER");
  EXPECT_EQ(sql_verb(""), "");
  EXPECT_EQ(sql_verb(" -- nothing\n"), "");
}

}  // namespace
}  // namespace hs::protocols

namespace hs::protocols {
namespace {

// However long a run of signs before a literal, it folds into the literal, and the
// output folds the same way again (the fuzzer found a run longer than a lookahead).
TEST(SqlFingerprint, LongSignRunsFoldIntoTheLiteral) {
  std::string run;
  for (int i = 0; i < 14; ++i) run += "- ";
  for (SqlDialect d : {SqlDialect::postgresql, SqlDialect::mysql}) {
    EXPECT_EQ(fingerprint_sql("SELECT x = " + run + "5", d), "SELECT x = ?");
    std::string fp = fingerprint_sql("SELECT x- " + run + "'a", d);
    EXPECT_EQ(fp, "SELECT x- ?");
    EXPECT_EQ(fingerprint_sql(fp, d), fp);
    EXPECT_EQ(fingerprint_sql("SELECT x = " + run + "y", d), "SELECT x = " + run + "y");
  }
}

}  // namespace
}  // namespace hs::protocols
