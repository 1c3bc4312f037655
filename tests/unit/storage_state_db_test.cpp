// StateDb: file mode, WAL, migrations, settings and tokens, persistence across reopen.
#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "storage/state_db.h"

namespace hs::storage {
namespace {

class StorageStateDb : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hs_storage_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/state.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<StateDb> open_db() {
    auto r = StateDb::open(path_);
    EXPECT_TRUE(r.ok()) << r.status().text();
    return r.ok() ? std::move(r.value()) : nullptr;
  }

  std::string pragma(StateDb& db, const char* sql) {
    auto guard = db.lock();
    auto st = Statement::prepare(db.handle(), sql);
    EXPECT_TRUE(st.ok()) << st.status().text();
    auto row = st->step();
    EXPECT_TRUE(row.ok() && row.value());
    return st->column_text(0);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(StorageStateDb, FileIsPrivateAndWal) {
  const mode_t old = umask(0);  // even with a permissive umask
  auto db = open_db();
  umask(old);
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->put_setting("k", "v").ok());
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((path_ + "-wal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(pragma(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma(*db, "PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(pragma(*db, "PRAGMA foreign_keys"), "1");
  EXPECT_NE(pragma(*db, "PRAGMA busy_timeout"), "0");
}

TEST_F(StorageStateDb, TightensAnExistingLooseFile) {
  {
    auto db = open_db();
  }
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  auto db = open_db();
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(StorageStateDb, RefusesSymlinkAndDirectory) {
  const std::string link = dir_ + "/link.db";
  ASSERT_EQ(symlink(path_.c_str(), link.c_str()), 0);
  EXPECT_FALSE(StateDb::open(link).ok());
  EXPECT_FALSE(StateDb::open(dir_).ok());
  EXPECT_FALSE(StateDb::open(dir_ + "/missing/state.db").ok());
}

TEST_F(StorageStateDb, Settings) {
  auto db = open_db();
  ASSERT_TRUE(db);
  auto missing = db->get_setting("monitoring.config");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(db->put_setting("monitoring.config", R"({"interval_ms":500})").ok());
  ASSERT_TRUE(db->put_setting("monitoring.config", R"({"interval_ms":250})").ok());  // overwrite
  ASSERT_TRUE(db->put_setting("empty", "").ok());
  auto v = db->get_setting("monitoring.config");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value_or("?"), R"({"interval_ms":250})");
  EXPECT_EQ(db->get_setting("empty")->value_or("?"), "");
  EXPECT_FALSE(db->put_setting("", "x").ok());
  ASSERT_TRUE(db->delete_setting("empty").ok());
  EXPECT_FALSE(db->get_setting("empty")->has_value());
  // Binary-safe: embedded NUL and quotes survive.
  const std::string odd("a'b\0c\"", 6);
  ASSERT_TRUE(db->put_setting(odd, odd).ok());
  EXPECT_EQ(db->get_setting(odd)->value_or("?"), odd);
}

TEST_F(StorageStateDb, PersistsAcrossReopen) {
  {
    auto db = open_db();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->put_setting("a", "1").ok());
    ASSERT_TRUE(db->add_token("tok-admin", Scope::admin, "bootstrap").ok());
  }
  auto db = open_db();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->get_setting("a")->value_or("?"), "1");
  EXPECT_EQ(db->find_token("tok-admin")->value_or(Scope::viewer), Scope::admin);
}

TEST_F(StorageStateDb, Tokens) {
  auto db = open_db();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->count_tokens(Scope::admin).value(), 0u);
  const std::string admin = generate_token();
  const std::string viewer = generate_token();
  ASSERT_TRUE(db->add_token(admin, Scope::admin, "admin").ok());
  ASSERT_TRUE(db->add_token(viewer, Scope::viewer, "grafana").ok());
  ASSERT_TRUE(db->add_token(generate_token(), Scope::viewer, "").ok());
  EXPECT_EQ(db->count_tokens(Scope::admin).value(), 1u);
  EXPECT_EQ(db->count_tokens(Scope::viewer).value(), 2u);
  EXPECT_EQ(*db->find_token(admin).value(), Scope::admin);
  EXPECT_EQ(*db->find_token(viewer).value(), Scope::viewer);
  EXPECT_FALSE(db->find_token("nope").value().has_value());
  EXPECT_FALSE(db->find_token("").value().has_value());
  EXPECT_FALSE(db->find_token(admin.substr(0, 63)).value().has_value());  // no prefix match
  EXPECT_FALSE(db->find_token(admin + " ").value().has_value());

  const Status dup = db->add_token(admin, Scope::viewer, "again");
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("already exists"), std::string::npos);
  EXPECT_EQ(*db->find_token(admin).value(), Scope::admin);  // unchanged

  EXPECT_FALSE(db->add_token("", Scope::admin, "x").ok());
  EXPECT_FALSE(db->add_token("has space", Scope::admin, "x").ok());
  EXPECT_FALSE(db->add_token(std::string(513, 'a'), Scope::admin, "x").ok());

  ASSERT_TRUE(db->remove_token(viewer).ok());
  EXPECT_FALSE(db->find_token(viewer).value().has_value());
  EXPECT_EQ(db->count_tokens(Scope::viewer).value(), 1u);
}

TEST(StorageToken, GenerateIs64HexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string t = generate_token();
    ASSERT_EQ(t.size(), 64u);
    EXPECT_EQ(t.find_first_not_of("0123456789abcdef"), std::string::npos) << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(StorageScope, Names) {
  EXPECT_EQ(scope_name(Scope::admin), "admin");
  EXPECT_EQ(scope_name(Scope::viewer), "viewer");
  EXPECT_EQ(parse_scope("admin"), Scope::admin);
  EXPECT_EQ(parse_scope("viewer"), Scope::viewer);
  EXPECT_FALSE(parse_scope("root").has_value());
}

TEST_F(StorageStateDb, BaseSchemaVersionIsStable) {
  std::size_t v = 0;
  {
    auto db = open_db();
    ASSERT_TRUE(db);
    v = db->base_schema_version().value();
    EXPECT_GE(v, 1u);
  }
  auto db = open_db();
  EXPECT_EQ(db->base_schema_version().value(), v);
  EXPECT_EQ(pragma(*db, "PRAGMA user_version"), std::to_string(v));
}

TEST_F(StorageStateDb, RefusesNewerBaseSchema) {
  {
    auto db = open_db();
    auto guard = db->lock();
    ASSERT_TRUE(exec(db->handle(), "PRAGMA user_version = 999").ok());
  }
  auto r = StateDb::open(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("newer"), std::string::npos);
}

TEST_F(StorageStateDb, ComponentMigrationsApplyOnce) {
  constexpr std::string_view v1[] = {
      "CREATE TABLE alerts(id INTEGER PRIMARY KEY, title TEXT NOT NULL)",
  };
  constexpr std::string_view v2[] = {
      "CREATE TABLE alerts(id INTEGER PRIMARY KEY, title TEXT NOT NULL)",
      "ALTER TABLE alerts ADD COLUMN severity TEXT NOT NULL DEFAULT 'low'; "
      "CREATE INDEX alerts_by_severity ON alerts(severity)",
  };
  {
    auto db = open_db();
    ASSERT_TRUE(db);
    EXPECT_EQ(db->schema_version("alerts").value(), 0u);
    ASSERT_TRUE(db->migrate("alerts", v1).ok());
    EXPECT_EQ(db->schema_version("alerts").value(), 1u);
    ASSERT_TRUE(db->migrate("alerts", v1).ok());  // CREATE TABLE again would fail: it must not run
    auto guard = db->lock();
    ASSERT_TRUE(exec(db->handle(), "INSERT INTO alerts(title) VALUES ('x')").ok());
  }
  auto db = open_db();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->migrate("alerts", v2).ok());  // only step 2 runs
  EXPECT_EQ(db->schema_version("alerts").value(), 2u);
  EXPECT_EQ(pragma(*db, "SELECT severity FROM alerts"), "low");
  // Another component keeps its own counter; the base schema version is untouched.
  EXPECT_EQ(db->schema_version("bottlenecks").value(), 0u);
  EXPECT_EQ(db->base_schema_version().value(), 1u);
  // Going backwards is refused.
  EXPECT_FALSE(db->migrate("alerts", v1).ok());
  EXPECT_FALSE(db->migrate("", v1).ok());
}

TEST_F(StorageStateDb, FailedMigrationRollsBackEverything) {
  auto db = open_db();
  ASSERT_TRUE(db);
  constexpr std::string_view steps[] = {
      "CREATE TABLE t1(x INTEGER)",
      "CREATE TABLE t2(x INTEGER); THIS IS NOT SQL",
  };
  const Status s = db->migrate("broken", steps);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("step 2"), std::string::npos) << s.text();
  EXPECT_EQ(db->schema_version("broken").value(), 0u);
  EXPECT_EQ(pragma(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('t1','t2')"), "0");
}

TEST(StorageInMemory, Works) {
  auto r = StateDb::open(":memory:");
  ASSERT_TRUE(r.ok()) << r.status().text();
  ASSERT_TRUE(r.value()->put_setting("k", "v").ok());
  EXPECT_EQ(r.value()->get_setting("k")->value_or("?"), "v");
}

}  // namespace
}  // namespace hs::storage
