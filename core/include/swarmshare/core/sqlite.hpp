#pragma once
// A thin RAII layer over the SQLite C API, shared by every database of the project.
//
// Errors are values: SQLite failures are std::error_code values of the "swarmshare.sqlite"
// category carrying SQLite's extended result code (message from sqlite3_errstr); nothing
// here throws. A Database is used by one thread at a time (connections are opened without
// SQLite's own mutex); give each thread that needs one its own connection.
//
// Schemas are versioned in PRAGMA user_version and migrated forward on open, one step per
// transaction (docs/ARCHITECTURE.md, "Versioned formats").

#include "swarmshare/core/error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace swarmshare::core::sqlite {

[[nodiscard]] const std::error_category& sqlite_category() noexcept;

/// An error code for a SQLite (extended) result code.
[[nodiscard]] inline std::error_code make_sqlite_error(int result_code) noexcept {
  return {result_code, sqlite_category()};
}

class Database;

/// A prepared statement. Parameter indexes are 1-based, column indexes 0-based (as in
/// SQLite). Text and blob values read from a row stay valid until the next step(), reset()
/// or destruction.
class Statement {
public:
  enum class Step { row, done };

  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // Bound text and blobs are copied, so the caller's buffer may go away before step().
  [[nodiscard]] Status bind_int64(int index, std::int64_t value) noexcept;
  [[nodiscard]] Status bind_text(int index, std::string_view value) noexcept;
  [[nodiscard]] Status bind_blob(int index, std::span<const std::uint8_t> value) noexcept;
  [[nodiscard]] Status bind_null(int index) noexcept;

  /// One step: a row is ready to read, or the statement has finished.
  [[nodiscard]] Result<Step> step() noexcept;
  /// step() until done, for statements that return no rows (or whose rows are not needed).
  [[nodiscard]] Status run() noexcept;

  [[nodiscard]] int column_count() const noexcept;
  [[nodiscard]] bool column_is_null(int column) const noexcept;
  [[nodiscard]] std::int64_t column_int64(int column) const noexcept;
  [[nodiscard]] std::string_view column_text(int column) const noexcept;
  [[nodiscard]] std::span<const std::uint8_t> column_blob(int column) const noexcept;

  /// Back to before the first step, with every parameter unbound (NULL). A statement that
  /// is not reset after use keeps its read snapshot open, which holds back WAL checkpoints.
  void reset() noexcept;

  [[nodiscard]] sqlite3_stmt* handle() const noexcept { return stmt_; }

private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, sqlite3* db) noexcept : stmt_(stmt), db_(db) {}
  [[nodiscard]] Status check_bind(int rc) const noexcept;

  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

/// A statement from a Database's cache, reset (and unbound) when this handle goes away.
class CachedStatement {
public:
  explicit CachedStatement(Statement& statement) noexcept : statement_(&statement) {}
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  CachedStatement(CachedStatement&& other) noexcept
      : statement_(std::exchange(other.statement_, nullptr)) {}
  CachedStatement& operator=(CachedStatement&&) = delete;
  ~CachedStatement() {
    if (statement_ != nullptr) {
      statement_->reset();
    }
  }

  // The analyzer loses track of the pointer through Boost.Outcome's storage; it is set by the
  // constructor and only a moved-from handle (never dereferenced) holds null.
  // NOLINTNEXTLINE(clang-analyzer-core.uninitialized.UndefReturn)
  Statement& operator*() const noexcept { return *statement_; }
  Statement* operator->() const noexcept { return statement_; }

private:
  Statement* statement_ = nullptr;
};

enum class Synchronous {
  /// fsync at every commit: a committed transaction survives power loss.
  full,
  /// In WAL mode, fsync only at checkpoints: commits survive a process crash (kill -9) but
  /// the last ones may be lost on power loss.
  normal,
};

struct OpenOptions {
  Synchronous synchronous = Synchronous::full;
  /// How long a statement waits for another connection's lock before failing with
  /// SQLITE_BUSY.
  std::chrono::milliseconds busy_timeout{5000};
  /// Caps this connection's page cache, in KiB (PRAGMA cache_size = -N). Unset keeps
  /// SQLite's default (2,000 KiB).
  std::optional<std::size_t> cache_size_kib;
  /// Page size of a database this open creates (a power of two, 512 to 65,536); an existing
  /// database keeps its own. Small pages suit tables updated at random places: each change
  /// writes a whole page to the WAL. Unset keeps SQLite's default (4,096).
  std::optional<std::uint32_t> page_size;
  /// Opens without write access: no migration runs, and a database that is not at exactly
  /// the schema version of the migrations given is refused. For extra reader connections
  /// beside the one writer.
  bool read_only = false;
};

/// One step of a schema: moves user_version from its 1-based position minus one to its
/// position. `sql` runs first (may hold several statements), then `apply` if set.
struct Migration {
  std::string_view sql;
  std::function<Status(Database&)> apply = {};
};

/// One connection. Move-only; closed on destruction.
class Database {
public:
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  ~Database();

  /// Runs SQL text that may hold several statements and returns no rows.
  [[nodiscard]] Status exec(std::string_view sql) noexcept;
  [[nodiscard]] Result<Statement> prepare(std::string_view sql) noexcept;
  /// A statement prepared once per connection and kept for reuse: for the hot paths. The
  /// same SQL must not be in use twice at once.
  [[nodiscard]] Result<CachedStatement> cached(std::string_view sql) noexcept;

  /// The first column of the first row of a query, as an integer (for PRAGMA values).
  [[nodiscard]] Result<std::int64_t> query_int64(std::string_view sql) noexcept;
  /// The schema version (PRAGMA user_version).
  [[nodiscard]] Result<std::int64_t> user_version() noexcept;

  [[nodiscard]] std::int64_t last_insert_rowid() const noexcept;
  /// Rows changed by the last INSERT, UPDATE or DELETE.
  [[nodiscard]] std::int64_t changes() const noexcept;
  /// SQLite's text for the last error of this connection (more detail than the code, such
  /// as the failing constraint), for logs.
  [[nodiscard]] std::string last_error_message() const;

  [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

private:
  friend Result<Database> open_database(const std::filesystem::path&, std::span<const Migration>,
                                        const OpenOptions&);
  explicit Database(sqlite3* db) noexcept;
  [[nodiscard]] std::error_code last_error() const noexcept;
  void close() noexcept;

  sqlite3* db_ = nullptr;
  // unique_ptr keeps each Statement at a fixed address while the map grows.
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

/// Opens (creating it if needed, unless read_only) the database at `path` in WAL mode with
/// foreign keys on, and migrates it to migrations.size(). A database whose user_version is
/// higher than migrations.size() was written by a newer program and is refused with
/// Errc::unsupported_version. Migration i runs in one transaction with the bump of
/// user_version to i, so an interruption leaves the database at i-1 or i, never between.
[[nodiscard]] Result<Database> open_database(const std::filesystem::path& path,
                                             std::span<const Migration> migrations,
                                             const OpenOptions& options = {});

/// BEGIN IMMEDIATE (the write lock is taken at once, so a busy wait happens at begin(), not
/// at a later statement); rolled back on destruction unless committed.
class Transaction {
public:
  [[nodiscard]] static Result<Transaction> begin(Database& db) noexcept;

  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  [[nodiscard]] Status commit() noexcept;
  /// Rolls back now; the destructor then does nothing.
  void rollback() noexcept;

private:
  explicit Transaction(Database& db) noexcept : db_(&db) {}
  Database* db_;
};

/// Prepares `sql` (cached per connection) and binds `values` to ?1, ?2, ... in order, each
/// through `bind(statement, index, value)`: a part passes a binder that knows its own types
/// (File IDs, times, enums) and the SQL types it stores them as. The first failure wins.
template <class Binder, class... Values>
[[nodiscard]] Result<CachedStatement> query_bound(Database& db, std::string_view sql,
                                                  [[maybe_unused]] Binder bind,
                                                  const Values&... values) {
  auto statement = db.cached(sql);
  if (!statement) {
    return statement.error();
  }
  int index = 0;
  Status bound = boost::outcome_v2::success();
  ((bound = bound ? bind(*statement.value(), ++index, values) : bound), ...);
  if (!bound) {
    return bound.error();
  }
  return statement;
}

/// query_bound, then runs the statement (one that returns no rows).
template <class Binder, class... Values>
[[nodiscard]] Status execute_bound(Database& db, std::string_view sql, Binder bind,
                                   const Values&... values) {
  auto statement = query_bound(db, sql, bind, values...);
  if (!statement) {
    return statement.error();
  }
  return statement.value()->run();
}

} // namespace swarmshare::core::sqlite
