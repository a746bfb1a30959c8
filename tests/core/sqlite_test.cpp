#include "swarmshare/core/sqlite.hpp"

#include "temp_dir.hpp"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace swarmshare::core::sqlite {
namespace {

const std::array<Migration, 3> kMigrations{{
    {"CREATE TABLE a (x INTEGER PRIMARY KEY, y TEXT NOT NULL)"},
    {"CREATE TABLE b (k BLOB PRIMARY KEY) WITHOUT ROWID; INSERT INTO a (y) VALUES ('v2')"},
    {"ALTER TABLE a ADD COLUMN z INTEGER NOT NULL DEFAULT 7"},
}};

bool has_table(Database& db, const std::string& name) {
  auto count = db.query_int64("SELECT count(*) FROM sqlite_schema WHERE name = '" + name + "'");
  return count && count.value() == 1;
}

TEST(Sqlite, migratesAnEmptyDatabaseToTheLatestVersion) {
  test::TempDir dir;
  auto db = open_database(dir.path() / "db.sqlite", kMigrations);
  ASSERT_TRUE(db) << db.error().message();
  EXPECT_EQ(db.value().user_version().value(), 3);
  EXPECT_TRUE(has_table(db.value(), "a"));
  EXPECT_TRUE(has_table(db.value(), "b"));
  EXPECT_EQ(db.value().query_int64("SELECT z FROM a").value(), 7);
}

TEST(Sqlite, migratesFromAMiddleVersionRunningOnlyTheMissingSteps) {
  test::TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  {
    auto db = open_database(path, std::span{kMigrations}.first(2));
    ASSERT_TRUE(db);
    EXPECT_EQ(db.value().user_version().value(), 2);
    ASSERT_TRUE(db.value().exec("INSERT INTO a (y) VALUES ('kept')"));
  }
  auto db = open_database(path, kMigrations);
  ASSERT_TRUE(db);
  EXPECT_EQ(db.value().user_version().value(), 3);
  // Step 2's insert ran once, not again: two rows (its own and ours).
  EXPECT_EQ(db.value().query_int64("SELECT count(*) FROM a").value(), 2);
  EXPECT_EQ(db.value().query_int64("SELECT count(*) FROM a WHERE z = 7").value(), 2);
}

TEST(Sqlite, emptyTextIsBoundAsEmptyNotNull) {
  test::TempDir dir;
  auto db = open_database(dir.path() / "db.sqlite", kMigrations).value();
  for (const std::string_view empty : {std::string_view{}, std::string_view{""}}) {
    auto statement = db.prepare("SELECT ?1 IS NULL, length(?1)").value();
    ASSERT_TRUE(statement.bind_text(1, empty));
    ASSERT_TRUE(statement.step());
    EXPECT_EQ(statement.column_int64(0), 0);
    EXPECT_EQ(statement.column_int64(1), 0);
  }
}

TEST(Sqlite, refusesADatabaseNewerThanTheProgram) {
  test::TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  ASSERT_TRUE(open_database(path, kMigrations));
  auto db = open_database(path, std::span{kMigrations}.first(1));
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error(), Errc::unsupported_version);
  // And it was left alone.
  EXPECT_EQ(open_database(path, kMigrations).value().user_version().value(), 3);
}

TEST(Sqlite, aFailingMigrationLeavesThePreviousVersionIntact) {
  test::TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  ASSERT_TRUE(open_database(path, std::span{kMigrations}.first(1)));
  const std::array<Migration, 3> broken{{
      kMigrations[0],
      // The first statement succeeds, the second fails: neither may remain.
      {"CREATE TABLE half (x); INSERT INTO no_such_table VALUES (1)"},
      kMigrations[2],
  }};
  auto db = open_database(path, broken);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().category(), sqlite_category());

  auto reopened = open_database(path, std::span{kMigrations}.first(1));
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened.value().user_version().value(), 1);
  EXPECT_FALSE(has_table(reopened.value(), "half"));
}

TEST(Sqlite, aFailingMigrationFunctionRollsBackItsSql) {
  test::TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  const std::array<Migration, 1> failing{{
      {"CREATE TABLE t (x)", [](Database&) -> Status { return Errc::cancelled; }},
  }};
  auto db = open_database(path, failing);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error(), Errc::cancelled);
  auto reopened = open_database(path, {});
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened.value().user_version().value(), 0);
  EXPECT_FALSE(has_table(reopened.value(), "t"));
}

TEST(Sqlite, opensInWalModeWithForeignKeysAndTheRequestedSettings) {
  test::TempDir dir;
  OpenOptions options;
  options.synchronous = Synchronous::normal;
  options.cache_size_kib = 512;
  auto db = open_database(dir.path() / "db.sqlite", kMigrations, options);
  ASSERT_TRUE(db);
  auto mode = db.value().prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode);
  ASSERT_EQ(mode.value().step().value(), Statement::Step::row);
  EXPECT_EQ(mode.value().column_text(0), "wal");
  EXPECT_EQ(db.value().query_int64("PRAGMA foreign_keys").value(), 1);
  EXPECT_EQ(db.value().query_int64("PRAGMA synchronous").value(), 1); // NORMAL
  EXPECT_EQ(db.value().query_int64("PRAGMA cache_size").value(), -512);

  auto full = open_database(dir.path() / "full.sqlite", kMigrations);
  EXPECT_EQ(full.value().query_int64("PRAGMA synchronous").value(), 2); // FULL
}

TEST(Sqlite, statementsBindStepAndReadEveryType) {
  test::TempDir dir;
  auto db = open_database(dir.path() / "db.sqlite", {});
  ASSERT_TRUE(db);
  ASSERT_TRUE(db.value().exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n)"));
  auto insert = db.value().prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(insert);
  const std::vector<std::uint8_t> blob{0, 1, 2, 0, 255};
  const std::string text{"h\xc3\xa9llo"};
  ASSERT_TRUE(insert.value().bind_int64(1, -(std::int64_t{1} << 40)));
  ASSERT_TRUE(insert.value().bind_text(2, text));
  ASSERT_TRUE(insert.value().bind_blob(3, blob));
  ASSERT_TRUE(insert.value().bind_null(4));
  EXPECT_EQ(insert.value().step().value(), Statement::Step::done);
  EXPECT_EQ(db.value().changes(), 1);
  EXPECT_EQ(db.value().last_insert_rowid(), 1);

  // Reused after reset: parameters are unbound (NULL) again, and an empty blob stays a blob.
  insert.value().reset();
  ASSERT_TRUE(insert.value().bind_blob(3, {}));
  ASSERT_TRUE(insert.value().run());

  auto select = db.value().prepare("SELECT i, s, b, n FROM t ORDER BY rowid");
  ASSERT_TRUE(select);
  auto& row = select.value();
  ASSERT_EQ(row.step().value(), Statement::Step::row);
  EXPECT_EQ(row.column_count(), 4);
  EXPECT_EQ(row.column_int64(0), -(std::int64_t{1} << 40));
  EXPECT_EQ(row.column_text(1), text);
  const auto read = row.column_blob(2);
  EXPECT_EQ(std::vector<std::uint8_t>(read.begin(), read.end()), blob);
  EXPECT_TRUE(row.column_is_null(3));
  ASSERT_EQ(row.step().value(), Statement::Step::row);
  EXPECT_TRUE(row.column_is_null(0));
  EXPECT_FALSE(row.column_is_null(2));
  EXPECT_TRUE(row.column_blob(2).empty());
  EXPECT_EQ(row.step().value(), Statement::Step::done);
}

TEST(Sqlite, errorsCarryTheExtendedResultCode) {
  test::TempDir dir;
  auto db = open_database(dir.path() / "db.sqlite", {});
  ASSERT_TRUE(db);
  ASSERT_TRUE(db.value().exec("CREATE TABLE t (x INTEGER PRIMARY KEY)"));
  ASSERT_TRUE(db.value().exec("INSERT INTO t VALUES (1)"));
  auto status = db.value().exec("INSERT INTO t VALUES (1)");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().category().name(), std::string{"swarmshare.sqlite"});
  EXPECT_EQ(status.error().value(), SQLITE_CONSTRAINT_PRIMARYKEY);
  EXPECT_NE(status.error().message().find("constraint"), std::string::npos);

  auto bad = db.value().prepare("SELEKT 1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().value(), SQLITE_ERROR);
}

TEST(Sqlite, transactionsRollBackUnlessCommitted) {
  test::TempDir dir;
  auto db = open_database(dir.path() / "db.sqlite", {});
  ASSERT_TRUE(db);
  ASSERT_TRUE(db.value().exec("CREATE TABLE t (x)"));
  {
    auto transaction = Transaction::begin(db.value());
    ASSERT_TRUE(transaction);
    ASSERT_TRUE(db.value().exec("INSERT INTO t VALUES (1)"));
  }
  EXPECT_EQ(db.value().query_int64("SELECT count(*) FROM t").value(), 0);
  {
    auto transaction = Transaction::begin(db.value());
    ASSERT_TRUE(transaction);
    ASSERT_TRUE(db.value().exec("INSERT INTO t VALUES (2)"));
    ASSERT_TRUE(transaction.value().commit());
  }
  EXPECT_EQ(db.value().query_int64("SELECT count(*) FROM t").value(), 1);
}

TEST(Sqlite, cachedStatementsAreResetAfterUse) {
  test::TempDir dir;
  auto db = open_database(dir.path() / "db.sqlite", {});
  ASSERT_TRUE(db);
  ASSERT_TRUE(db.value().exec("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2)"));
  for (int round = 0; round < 2; ++round) {
    auto statement = db.value().cached("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(statement);
    ASSERT_EQ(statement.value()->step().value(), Statement::Step::row);
    EXPECT_EQ(statement.value()->column_int64(0), 1); // starts over every time
  }
}

TEST(Sqlite, aReadOnlyConnectionSeesCommittedWritesAndRefusesAnUnmigratedDatabase) {
  test::TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  OpenOptions read_only;
  read_only.read_only = true;
  {
    auto older = open_database(path, std::span{kMigrations}.first(1));
    ASSERT_TRUE(older);
  }
  auto refused = open_database(path, kMigrations, read_only);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().value(), SQLITE_READONLY);

  auto writer = open_database(path, kMigrations);
  ASSERT_TRUE(writer);
  auto reader = open_database(path, kMigrations, read_only);
  ASSERT_TRUE(reader) << reader.error().message();
  ASSERT_TRUE(writer.value().exec("INSERT INTO a (y) VALUES ('new')"));
  EXPECT_EQ(reader.value().query_int64("SELECT count(*) FROM a").value(), 2);
  EXPECT_FALSE(reader.value().exec("INSERT INTO a (y) VALUES ('no')"));
}

} // namespace
} // namespace swarmshare::core::sqlite

namespace swarmshare::core::sqlite {
namespace {

TEST(Sqlite, pageSizeAppliesToANewDatabaseAndAnExistingOneKeepsItsOwn) {
  test::TempDir dir;
  const auto path = dir.path() / "small-pages.sqlite";
  OpenOptions small;
  small.page_size = 1024;
  {
    auto db = open_database(path, kMigrations, small);
    ASSERT_TRUE(db) << db.error().message();
    EXPECT_EQ(db.value().query_int64("PRAGMA page_size").value(), 1024);
  }
  OpenOptions large;
  large.page_size = 8192;
  auto reopened = open_database(path, kMigrations, large);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened.value().query_int64("PRAGMA page_size").value(), 1024);
}

} // namespace
} // namespace swarmshare::core::sqlite
