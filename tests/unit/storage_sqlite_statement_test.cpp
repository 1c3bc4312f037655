// The Statement / Transaction helpers that engines reuse.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "storage/sqlite_statement.h"

namespace hs::storage {
namespace {

class StorageStatement : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_TRUE(exec(db_, "CREATE TABLE t(i INTEGER, d REAL, s TEXT, b BLOB)").ok());
  }
  void TearDown() override { sqlite3_close(db_); }
  std::int64_t count() {
    auto st = Statement::prepare(db_, "SELECT COUNT(*) FROM t");
    EXPECT_TRUE(st->step().value());
    return st->column_int64(0);
  }
  sqlite3* db_ = nullptr;
};

TEST_F(StorageStatement, BindStepColumns) {
  auto ins = Statement::prepare(db_, "INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(ins.ok()) << ins.status().text();
  ASSERT_TRUE(ins->bind(1, std::int64_t{-5}).ok());
  ASSERT_TRUE(ins->bind(2, 2.5).ok());
  ASSERT_TRUE(ins->bind(3, "text").ok());
  ASSERT_TRUE(ins->bind_blob(4, "\0\1", 2).ok());
  ASSERT_TRUE(ins->run().ok());
  EXPECT_EQ(ins->changes(), 1);
  ins->reset();
  ASSERT_TRUE(ins->bind(1, std::int64_t{7}).ok());
  ASSERT_TRUE(ins->bind_null(3).ok());
  ASSERT_TRUE(ins->bind_blob(4, nullptr, 0).ok());
  ASSERT_TRUE(ins->run().ok());

  auto sel = Statement::prepare(db_, "SELECT i, d, s, b FROM t ORDER BY i");
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(sel->column_count(), 4);
  ASSERT_TRUE(sel->step().value());
  EXPECT_EQ(sel->column_int64(0), -5);
  EXPECT_DOUBLE_EQ(sel->column_double(1), 2.5);
  EXPECT_EQ(sel->column_text(2), "text");
  EXPECT_EQ(sel->column_blob(3), std::string("\0\1", 2));
  ASSERT_TRUE(sel->step().value());
  EXPECT_EQ(sel->column_int64(0), 7);
  EXPECT_TRUE(sel->column_is_null(1));  // cleared by reset()
  EXPECT_FALSE(sel->column_optional_text(2).has_value());
  EXPECT_FALSE(sel->column_is_null(3));  // an empty blob, not NULL
  EXPECT_EQ(sel->column_blob(3), "");
  EXPECT_FALSE(sel->step().value());
}

TEST_F(StorageStatement, Errors) {
  auto bad = Statement::prepare(db_, "SELEKT 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().where(), "sqlite/prepare");
  EXPECT_FALSE(Statement::prepare(db_, "").ok());
  EXPECT_FALSE(Statement::prepare(db_, "SELECT 1; SELECT 2").ok());
  EXPECT_TRUE(Statement::prepare(db_, "SELECT 1;  ").ok());
  auto st = Statement::prepare(db_, "SELECT ?1");
  EXPECT_FALSE(st->bind(2, std::int64_t{1}).ok());  // out of range
  ASSERT_TRUE(exec(db_, "CREATE TABLE u(x INTEGER NOT NULL)").ok());
  auto ins = Statement::prepare(db_, "INSERT INTO u VALUES (?1)");
  const Status s = ins->run();  // NULL into NOT NULL
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.where(), "sqlite/step");
  EXPECT_FALSE(exec(db_, "NOT SQL").ok());
}

TEST_F(StorageStatement, MoveKeepsOneOwner) {
  auto a = Statement::prepare(db_, "SELECT 1");
  Statement s = std::move(a.value());
  Statement t = std::move(s);
  EXPECT_EQ(s.raw(), nullptr);
  ASSERT_TRUE(t.step().value());
  EXPECT_EQ(t.column_int64(0), 1);
}

TEST_F(StorageStatement, TransactionCommitAndRollback) {
  {
    auto tx = Transaction::begin(db_);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(exec(db_, "INSERT INTO t(i) VALUES (1)").ok());
  }  // no commit: rolled back
  EXPECT_EQ(count(), 0);
  {
    auto tx = Transaction::begin(db_);
    ASSERT_TRUE(exec(db_, "INSERT INTO t(i) VALUES (1)").ok());
    ASSERT_TRUE(tx->commit().ok());
    EXPECT_FALSE(tx->commit().ok());
  }
  EXPECT_EQ(count(), 1);
}

}  // namespace
}  // namespace hs::storage
