#include "swarmshare/core/sqlite.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <climits>
#include <string>

namespace swarmshare::core::sqlite {
namespace {

class SqliteCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.sqlite"; }

  [[nodiscard]] std::string message(int value) const override {
    return std::string{"database: "} + sqlite3_errstr(value);
  }
};

// SQLite takes lengths as int; anything longer than INT_MAX is refused by SQLite's own
// limits (SQLITE_MAX_LENGTH) long before, so this only keeps the conversion defined.
[[nodiscard]] int int_length(std::size_t size) noexcept {
  return size > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(size);
}

} // namespace

const std::error_category& sqlite_category() noexcept {
  static const SqliteCategory category;
  return category;
}

// Statement

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(std::exchange(other.db_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::check_bind(int rc) const noexcept {
  if (rc == SQLITE_OK) {
    return boost::outcome_v2::success();
  }
  return make_sqlite_error(sqlite3_extended_errcode(db_));
}

Status Statement::bind_int64(int index, std::int64_t value) noexcept {
  return check_bind(sqlite3_bind_int64(stmt_, index, value));
}

Status Statement::bind_text(int index, std::string_view value) noexcept {
  // An empty string_view may have a null data pointer, which SQLite would bind as NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  return check_bind(
      sqlite3_bind_text(stmt_, index, data, int_length(value.size()), SQLITE_TRANSIENT));
}

Status Statement::bind_blob(int index, std::span<const std::uint8_t> value) noexcept {
  // A zero-length blob must still be a blob, not NULL: SQLite binds NULL for a null pointer.
  static constexpr std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  return check_bind(
      sqlite3_bind_blob(stmt_, index, data, int_length(value.size()), SQLITE_TRANSIENT));
}

Status Statement::bind_null(int index) noexcept {
  return check_bind(sqlite3_bind_null(stmt_, index));
}

Result<Statement::Step> Statement::step() noexcept {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return Step::row;
  }
  if (rc == SQLITE_DONE) {
    return Step::done;
  }
  return make_sqlite_error(sqlite3_extended_errcode(db_));
}

Status Statement::run() noexcept {
  for (;;) {
    auto step_result = step();
    if (!step_result) {
      return step_result.error();
    }
    if (step_result.value() == Step::done) {
      return boost::outcome_v2::success();
    }
  }
}

int Statement::column_count() const noexcept { return sqlite3_column_count(stmt_); }

bool Statement::column_is_null(int column) const noexcept {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const noexcept {
  return sqlite3_column_int64(stmt_, column);
}

std::string_view Statement::column_text(int column) const noexcept {
  // Pointer first, then length: the documented order that avoids a second conversion.
  const auto* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::span<const std::uint8_t> Statement::column_blob(int column) const noexcept {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) {
    return {};
  }
  return {data, static_cast<std::size_t>(size)};
}

void Statement::reset() noexcept {
  if (stmt_ != nullptr) {
    // The return value repeats the last step()'s error, which step() already reported.
    (void)sqlite3_reset(stmt_);
    (void)sqlite3_clear_bindings(stmt_);
  }
}

// Database

Database::Database(sqlite3* db) noexcept : db_(db) {}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), cache_(std::move(other.cache_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

Database::~Database() { close(); }

void Database::close() noexcept {
  // Statements first: sqlite3_close refuses a connection with unfinalized statements.
  cache_.clear();
  if (db_ != nullptr) {
    (void)sqlite3_close_v2(db_);
    db_ = nullptr;
  }
}

std::error_code Database::last_error() const noexcept {
  const int rc = sqlite3_extended_errcode(db_);
  // Some failures (misuse, out of memory before the connection records anything) leave
  // SQLITE_OK behind; an error must still come out as an error.
  return make_sqlite_error(rc == SQLITE_OK ? SQLITE_ERROR : rc);
}

Status Database::exec(std::string_view sql) noexcept {
  try {
    const std::string text{sql};
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      return last_error();
    }
    return boost::outcome_v2::success();
  } catch (const std::bad_alloc&) {
    return make_sqlite_error(SQLITE_NOMEM);
  }
}

Result<Statement> Database::prepare(std::string_view sql) noexcept {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), int_length(sql.size()), &stmt, &tail) != SQLITE_OK) {
    return last_error();
  }
  if (stmt == nullptr) {
    // Only whitespace or comments: there is nothing to run, which a caller never means.
    return make_sqlite_error(SQLITE_MISUSE);
  }
  return Statement{stmt, db_};
}

Result<CachedStatement> Database::cached(std::string_view sql) noexcept {
  try {
    auto found = cache_.find(sql);
    if (found == cache_.end()) {
      auto prepared = prepare(sql);
      if (!prepared) {
        return prepared.error();
      }
      found =
          cache_.emplace(std::string{sql}, std::make_unique<Statement>(std::move(prepared).value()))
              .first;
    }
    return CachedStatement{*found->second};
  } catch (const std::bad_alloc&) {
    return make_sqlite_error(SQLITE_NOMEM);
  }
}

Result<std::int64_t> Database::query_int64(std::string_view sql) noexcept {
  auto statement = prepare(sql);
  if (!statement) {
    return statement.error();
  }
  auto step_result = statement.value().step();
  if (!step_result) {
    return step_result.error();
  }
  if (step_result.value() != Statement::Step::row) {
    return make_sqlite_error(SQLITE_NOTFOUND);
  }
  return statement.value().column_int64(0);
}

Result<std::int64_t> Database::user_version() noexcept {
  return query_int64("PRAGMA user_version");
}

std::int64_t Database::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }

std::int64_t Database::changes() const noexcept { return sqlite3_changes64(db_); }

std::string Database::last_error_message() const { return sqlite3_errmsg(db_); }

// Opening and migrating

namespace {

// The pragmas that hold for every connection of the project, whatever its schema.
Status configure(Database& db, const OpenOptions& options) {
  if (!options.read_only && options.page_size) {
    // Only an empty database takes it, and only before WAL is switched on below.
    if (auto status = db.exec("PRAGMA page_size = " + std::to_string(*options.page_size));
        !status) {
      return status;
    }
  }
  if (!options.read_only) {
    // journal_mode answers with the mode now in force; a database that cannot use WAL (for
    // example on a file system without shared memory) says so instead of failing.
    auto mode = db.prepare("PRAGMA journal_mode = WAL");
    if (!mode) {
      return mode.error();
    }
    auto step_result = mode.value().step();
    if (!step_result) {
      return step_result.error();
    }
    if (step_result.value() != Statement::Step::row || mode.value().column_text(0) != "wal") {
      return make_sqlite_error(SQLITE_CANTOPEN);
    }
  }
  const char* synchronous = options.synchronous == Synchronous::full
                                ? "PRAGMA synchronous = FULL"
                                : "PRAGMA synchronous = NORMAL";
  if (auto status = db.exec(synchronous); !status) {
    return status;
  }
  if (auto status = db.exec("PRAGMA foreign_keys = ON"); !status) {
    return status;
  }
  if (options.cache_size_kib) {
    // A negative cache_size is a size in KiB rather than a number of pages.
    const std::string pragma =
        "PRAGMA cache_size = -" + std::to_string(std::max<std::size_t>(*options.cache_size_kib, 1));
    if (auto status = db.exec(pragma); !status) {
      return status;
    }
  }
  return boost::outcome_v2::success();
}

Status migrate(Database& db, std::span<const Migration> migrations) {
  const auto target = static_cast<std::int64_t>(migrations.size());
  for (;;) {
    auto transaction = Transaction::begin(db);
    if (!transaction) {
      return transaction.error();
    }
    // Read inside the write transaction: another process may have migrated meanwhile.
    auto version = db.user_version();
    if (!version) {
      return version.error();
    }
    if (version.value() > target) {
      return Errc::unsupported_version;
    }
    if (version.value() == target) {
      return transaction.value().commit();
    }
    const Migration& step = migrations[static_cast<std::size_t>(version.value())];
    if (!step.sql.empty()) {
      if (auto status = db.exec(step.sql); !status) {
        return status;
      }
    }
    if (step.apply) {
      if (auto status = step.apply(db); !status) {
        return status;
      }
    }
    const std::string bump = "PRAGMA user_version = " + std::to_string(version.value() + 1);
    if (auto status = db.exec(bump); !status) {
      return status;
    }
    if (auto status = transaction.value().commit(); !status) {
      return status;
    }
  }
}

} // namespace

Result<Database> open_database(const std::filesystem::path& path,
                               std::span<const Migration> migrations, const OpenOptions& options) {
  try {
    sqlite3* handle = nullptr;
    const int flags =
        (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
        SQLITE_OPEN_NOMUTEX;
#ifdef _WIN32
    // SQLite takes UTF-8 file names; a Windows path is UTF-16.
    const auto utf8 = path.u8string();
    const std::string name(utf8.begin(), utf8.end());
#else
    const std::string& name = path.native();
#endif
    const int rc = sqlite3_open_v2(name.c_str(), &handle, flags, nullptr);
    // Even a failed open may allocate a handle, which must be closed; the Database owns it
    // from here on.
    Database db{handle};
    if (rc != SQLITE_OK) {
      if (handle == nullptr) {
        return make_sqlite_error(rc);
      }
      return db.last_error();
    }
    (void)sqlite3_extended_result_codes(handle, 1);
    const auto timeout_ms = options.busy_timeout.count();
    (void)sqlite3_busy_timeout(handle,
                               timeout_ms > INT_MAX ? INT_MAX : static_cast<int>(timeout_ms));
    if (auto status = configure(db, options); !status) {
      return status.error();
    }
    if (options.read_only) {
      auto version = db.user_version();
      if (!version) {
        return version.error();
      }
      const auto target = static_cast<std::int64_t>(migrations.size());
      if (version.value() > target) {
        return Errc::unsupported_version;
      }
      if (version.value() < target) {
        // Migrating needs write access; the caller opens the writer first.
        return make_sqlite_error(SQLITE_READONLY);
      }
    } else if (auto status = migrate(db, migrations); !status) {
      return status.error();
    }
    return db;
  } catch (const std::bad_alloc&) {
    return make_sqlite_error(SQLITE_NOMEM);
  }
}

// Transaction

Result<Transaction> Transaction::begin(Database& db) noexcept {
  if (auto status = db.exec("BEGIN IMMEDIATE"); !status) {
    return status.error();
  }
  return Transaction{db};
}

Transaction::~Transaction() { rollback(); }

Status Transaction::commit() noexcept {
  if (db_ == nullptr) {
    return make_sqlite_error(SQLITE_MISUSE);
  }
  auto status = db_->exec("COMMIT");
  if (status) {
    db_ = nullptr;
  }
  // A failed COMMIT (SQLITE_BUSY, SQLITE_FULL ...) leaves the transaction open; the
  // destructor or rollback() ends it.
  return status;
}

void Transaction::rollback() noexcept {
  if (db_ != nullptr) {
    // ROLLBACK fails only when no transaction is open (SQLite may have rolled back by
    // itself after an I/O error); either way none is open afterwards.
    (void)db_->exec("ROLLBACK");
    db_ = nullptr;
  }
}

} // namespace swarmshare::core::sqlite
