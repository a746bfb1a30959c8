#include "swarmshare/client/state_store.hpp"

#include "swarmshare/core/sqlite.hpp"

#include <boost/outcome/try.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <mutex>
#include <type_traits>
#include <utility>

namespace swarmshare::client {

using core::sqlite::CachedStatement;
using core::sqlite::Database;
using core::sqlite::Statement;

namespace {

// Schema, version 1.
//
// Enums are stored as their text (to_string), not as numbers: a damaged or foreign value is
// then recognisable, and adding a state later needs no renumbering. There are no CHECK
// constraints on them because SQLite cannot change a CHECK without rebuilding the table;
// rows are validated when read instead. File IDs are UNIQUE rather than the key so that
// rowid order is insertion order (lists come back oldest first). History lines are never
// updated; newest first is rowid order read backwards, which needs no index and does not
// depend on the wall clock (which can be set back). Totals are named counters, so a new one
// is a new row rather than a schema change.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE library (
  entry_key INTEGER PRIMARY KEY,
  file_id BLOB NOT NULL UNIQUE,
  path TEXT NOT NULL,
  manifest BLOB NOT NULL,
  file_size INTEGER NOT NULL,
  modified_ns INTEGER NOT NULL,
  source TEXT NOT NULL,
  listed INTEGER NOT NULL,
  status TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  bytes_uploaded INTEGER NOT NULL DEFAULT 0,
  peers_served INTEGER NOT NULL DEFAULT 0,
  seconds_seeded INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE downloads (
  download_key INTEGER PRIMARY KEY,
  file_id BLOB NOT NULL UNIQUE,
  destination TEXT NOT NULL,
  part_path TEXT NOT NULL,
  manifest BLOB,
  state TEXT NOT NULL,
  bytes_verified INTEGER NOT NULL,
  added_at INTEGER NOT NULL,
  finished_at INTEGER,
  final_path TEXT,
  last_error TEXT NOT NULL,
  share_answer TEXT NOT NULL
);

CREATE TABLE history (
  line_key INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  file_id BLOB NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  path TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL
);

CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql";

const std::array<core::sqlite::Migration, 1> kMigrations{{{kSchemaV1}}};
static_assert(kMigrations.size() == StateStore::kSchemaVersion);

constexpr std::string_view kLibraryColumns =
    "SELECT file_id, path, manifest, file_size, modified_ns, source, listed, status, added_at, "
    "bytes_uploaded, peers_served, seconds_seeded FROM library";
constexpr std::string_view kDownloadColumns =
    "SELECT file_id, destination, part_path, manifest, state, bytes_verified, added_at, "
    "finished_at, final_path, last_error, share_answer FROM downloads";

// Counters saturate instead of overflowing: SQLite turns an overflowing integer sum into a
// REAL, which would no longer read back as a count.
constexpr std::string_view kAddToCounter =
    "INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET "
    "value = CASE WHEN value > 9223372036854775807 - excluded.value "
    "THEN 9223372036854775807 ELSE value + excluded.value END";

constexpr std::string_view kBytesUploaded = "bytes_uploaded";
constexpr std::string_view kBytesDownloaded = "bytes_downloaded";
constexpr std::string_view kPeersServed = "peers_served";

[[nodiscard]] std::int64_t to_sql(std::uint64_t value) noexcept {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(value, kMax));
}

// Statement helpers (as in tracker/src/store.cpp): bind a list of values, then step.
struct Null {};

[[nodiscard]] core::Status bind_one(Statement& s, int index, std::int64_t value) {
  return s.bind_int64(index, value);
}
[[nodiscard]] core::Status bind_one(Statement& s, int index, std::uint64_t value) {
  return s.bind_int64(index, to_sql(value));
}
[[nodiscard]] core::Status bind_one(Statement& s, int index, bool value) {
  return s.bind_int64(index, value ? 1 : 0);
}
[[nodiscard]] core::Status bind_one(Statement& s, int index, std::string_view value) {
  // An empty string_view may have a null data(), which SQLite binds as NULL, not ''.
  return s.bind_text(index, value.empty() ? std::string_view{""} : value);
}
[[nodiscard]] core::Status bind_one(Statement& s, int index, const std::string& value) {
  return s.bind_text(index, value);
}
[[nodiscard]] core::Status bind_one(Statement& s, int index, const std::filesystem::path& value) {
  return s.bind_text(index, value.string());
}
[[nodiscard]] core::Status bind_one(Statement& s, int index, const core::FileId& value) {
  return s.bind_blob(index, value.bytes());
}
[[nodiscard]] core::Status bind_one(Statement& s, int index, const core::Manifest& value) {
  return s.bind_blob(index, value.encoded());
}
[[nodiscard]] core::Status bind_one(Statement& s, int index, UnixTime value) {
  return s.bind_int64(index, static_cast<std::int64_t>(value.time_since_epoch().count()));
}
[[nodiscard]] core::Status bind_one(Statement& /*s*/, int /*index*/, Null /*value*/) {
  return boost::outcome_v2::success(); // reset() leaves every parameter NULL
}
template <class Enum>
requires std::is_enum_v<Enum>
[[nodiscard]] core::Status bind_one(Statement& s, int index, Enum value) {
  return s.bind_text(index, to_string(value));
}
template <class T>
[[nodiscard]] core::Status bind_one(Statement& s, int index, const std::optional<T>& value) {
  return value ? bind_one(s, index, *value) : bind_one(s, index, Null{});
}

template <class... Values>
[[nodiscard]] core::Result<CachedStatement> query(Database& db, std::string_view sql,
                                                  const Values&... values) {
  auto statement = db.cached(sql);
  if (!statement) {
    return statement.error();
  }
  int index = 0;
  core::Status bound = boost::outcome_v2::success();
  ((bound = bound ? bind_one(*statement.value(), ++index, values) : bound), ...);
  if (!bound) {
    return bound.error();
  }
  return statement;
}

template <class... Values>
[[nodiscard]] core::Status execute(Database& db, std::string_view sql, const Values&... values) {
  auto statement = query(db, sql, values...);
  if (!statement) {
    return statement.error();
  }
  return statement.value()->run();
}

/// An UPDATE or DELETE of one named row: not_found when it matched none.
template <class... Values>
[[nodiscard]] core::Status change_one(Database& db, std::string_view sql, const Values&... values) {
  BOOST_OUTCOME_TRY(execute(db, sql, values...));
  if (db.changes() == 0) {
    return StateErrc::not_found;
  }
  return boost::outcome_v2::success();
}

/// One transaction around `apply`, under the store's lock: committed when apply succeeds,
/// rolled back (by the Transaction's destructor) when it fails.
template <class Apply>
[[nodiscard]] core::Status write_transaction(std::mutex& mutex, Database& db, Apply&& apply) {
  const std::lock_guard lock(mutex);
  auto transaction = core::sqlite::Transaction::begin(db);
  if (!transaction) {
    return transaction.error();
  }
  if (core::Status applied = std::forward<Apply>(apply)(db); !applied) {
    return applied;
  }
  return transaction.value().commit();
}

// Row readers. Whatever a damaged database could hold is checked: a value of the wrong
// shape is StateErrc::unreadable_row.

[[nodiscard]] core::Result<core::FileId> read_file_id(const Statement& r, int column) {
  const auto bytes = r.column_blob(column);
  core::Hash256 digest{};
  if (bytes.size() != digest.size()) {
    return StateErrc::unreadable_row;
  }
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return core::FileId{digest};
}

[[nodiscard]] core::Result<std::uint64_t> read_count(const Statement& r, int column) {
  const std::int64_t value = r.column_int64(column);
  if (value < 0) {
    return StateErrc::unreadable_row;
  }
  return static_cast<std::uint64_t>(value);
}

[[nodiscard]] UnixTime read_time(const Statement& r, int column) {
  return UnixTime{std::chrono::seconds{r.column_int64(column)}};
}

[[nodiscard]] std::filesystem::path read_path(const Statement& r, int column) {
  return std::filesystem::path{std::string{r.column_text(column)}};
}

/// The stored manifest, which must decode and be the one of `file_id`.
[[nodiscard]] core::Result<core::Manifest> read_manifest(const Statement& r, int column,
                                                         const core::FileId& file_id) {
  auto manifest = core::Manifest::decode(r.column_blob(column));
  if (!manifest || manifest.value().file_id() != file_id) {
    return StateErrc::unreadable_row;
  }
  return manifest;
}

/// A row of kLibraryColumns.
[[nodiscard]] core::Result<LibraryEntry> read_library_entry(const Statement& r) {
  auto file_id = read_file_id(r, 0);
  if (!file_id) {
    return file_id.error();
  }
  auto manifest = read_manifest(r, 2, file_id.value());
  auto file_size = read_count(r, 3);
  auto source = from_string<FileSource>(r.column_text(5));
  auto status = from_string<LibraryStatus>(r.column_text(7));
  auto uploaded = read_count(r, 9);
  auto served = read_count(r, 10);
  auto seeded = read_count(r, 11);
  if (!manifest || !file_size || !source || !status || !uploaded || !served || !seeded) {
    return StateErrc::unreadable_row;
  }
  LibraryEntry entry{std::move(manifest).value()};
  entry.path = read_path(r, 1);
  entry.file_size = file_size.value();
  entry.modified_ns = r.column_int64(4);
  entry.source = source.value();
  entry.listed = r.column_int64(6) != 0;
  entry.status = status.value();
  entry.added_at = read_time(r, 8);
  entry.statistics = FileStatistics{uploaded.value(), served.value(), seeded.value()};
  return entry;
}

/// A row of kDownloadColumns.
[[nodiscard]] core::Result<DownloadRecord> read_download(const Statement& r) {
  auto file_id = read_file_id(r, 0);
  if (!file_id) {
    return file_id.error();
  }
  DownloadRecord record;
  record.file_id = file_id.value();
  record.destination = read_path(r, 1);
  record.part_path = read_path(r, 2);
  if (!r.column_is_null(3)) {
    auto manifest = read_manifest(r, 3, record.file_id);
    if (!manifest) {
      return manifest.error();
    }
    record.manifest = std::move(manifest).value();
  }
  auto state = from_string<DownloadState>(r.column_text(4));
  auto verified = read_count(r, 5);
  auto answer = from_string<ShareAnswer>(r.column_text(10));
  if (!state || !verified || !answer) {
    return StateErrc::unreadable_row;
  }
  record.state = state.value();
  record.bytes_verified = verified.value();
  record.added_at = read_time(r, 6);
  if (!r.column_is_null(7)) {
    record.finished_at = read_time(r, 7);
  }
  if (!r.column_is_null(8)) {
    record.final_path = read_path(r, 8);
  }
  record.last_error = std::string{r.column_text(9)};
  record.share_answer = answer.value();
  return record;
}

/// Every row a statement returns, through `read_row`.
template <class Row, class Reader>
[[nodiscard]] core::Result<std::vector<Row>> read_all(Statement& rows, Reader read_row) {
  std::vector<Row> out;
  for (;;) {
    auto step = rows.step();
    if (!step) {
      return step.error();
    }
    if (step.value() == Statement::Step::done) {
      return out;
    }
    auto row = read_row(rows);
    if (!row) {
      return row.error();
    }
    out.push_back(std::move(row).value());
  }
}

/// At most one row (a lookup by a unique key).
template <class Row, class Reader>
[[nodiscard]] core::Result<std::optional<Row>> read_optional(Statement& rows, Reader read_row) {
  auto step = rows.step();
  if (!step) {
    return step.error();
  }
  if (step.value() == Statement::Step::done) {
    return std::optional<Row>{};
  }
  auto row = read_row(rows);
  if (!row) {
    return row.error();
  }
  return std::optional<Row>{std::move(row).value()};
}

[[nodiscard]] const std::string& library_by_id_sql() {
  static const std::string sql = std::string{kLibraryColumns} + " WHERE file_id = ?1";
  return sql;
}

[[nodiscard]] const std::string& download_by_id_sql() {
  static const std::string sql = std::string{kDownloadColumns} + " WHERE file_id = ?1";
  return sql;
}

[[nodiscard]] core::Result<std::optional<LibraryEntry>> find_library_entry(Database& db,
                                                                           const core::FileId& id) {
  auto rows = query(db, library_by_id_sql(), id);
  if (!rows) {
    return rows.error();
  }
  return read_optional<LibraryEntry>(*rows.value(), read_library_entry);
}

[[nodiscard]] core::Result<std::optional<DownloadRecord>> find_download(Database& db,
                                                                        const core::FileId& id) {
  auto rows = query(db, download_by_id_sql(), id);
  if (!rows) {
    return rows.error();
  }
  return read_optional<DownloadRecord>(*rows.value(), read_download);
}

/// The download, which must exist.
[[nodiscard]] core::Result<DownloadRecord> existing_download(Database& db, const core::FileId& id) {
  auto found = find_download(db, id);
  if (!found) {
    return found.error();
  }
  if (!found.value()) {
    return StateErrc::not_found;
  }
  return std::move(*found.value());
}

[[nodiscard]] bool is_terminal(DownloadState state) noexcept {
  return state == DownloadState::completed || state == DownloadState::failed ||
         state == DownloadState::cancelled;
}

[[nodiscard]] core::Result<std::int64_t> insert_history(Database& db, const HistoryEntry& e) {
  BOOST_OUTCOME_TRY(execute(db,
                            "INSERT INTO history (at, file_id, name, size, path, outcome, reason) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            e.at, e.file_id, e.name, e.size, e.path, e.outcome, e.reason));
  return db.last_insert_rowid();
}

/// A history line about a download: name and size from its manifest when it has one.
[[nodiscard]] core::Status insert_download_history(Database& db, const DownloadRecord& record,
                                                   HistoryOutcome outcome,
                                                   const std::filesystem::path& path,
                                                   std::string_view reason, UnixTime now) {
  HistoryEntry line;
  line.at = now;
  line.file_id = record.file_id;
  if (record.manifest) {
    line.name = record.manifest->name();
    line.size = record.manifest->file_size();
  }
  line.path = path;
  line.outcome = outcome;
  line.reason = std::string{reason};
  auto id = insert_history(db, line);
  if (!id) {
    return id.error();
  }
  return boost::outcome_v2::success();
}

[[nodiscard]] core::Status upsert_library_entry(Database& db, const LibraryEntry& e) {
  // The manifest is not rewritten on conflict: the same File ID has the same (canonical)
  // manifest bytes, and they may be a megabyte.
  return execute(db,
                 "INSERT INTO library (file_id, path, manifest, file_size, modified_ns, source, "
                 "listed, status, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                 "ON CONFLICT (file_id) DO UPDATE SET path = excluded.path, "
                 "file_size = excluded.file_size, modified_ns = excluded.modified_ns, "
                 "source = excluded.source, listed = excluded.listed, status = excluded.status",
                 e.file_id(), e.path, e.manifest, e.file_size, e.modified_ns, e.source, e.listed,
                 e.status, e.added_at);
}

[[nodiscard]] core::Status insert_shared_history(Database& db, const LibraryEntry& e,
                                                 UnixTime now) {
  HistoryEntry line;
  line.at = now;
  line.file_id = e.file_id();
  line.name = e.manifest.name();
  line.size = e.manifest.file_size();
  line.path = e.path;
  line.outcome = HistoryOutcome::shared;
  auto id = insert_history(db, line);
  if (!id) {
    return id.error();
  }
  return boost::outcome_v2::success();
}

/// Ends a download that is still under way (queued, active or paused) with its history line.
[[nodiscard]] core::Status finish_download(Database& db, const core::FileId& file_id,
                                           DownloadState state, std::string_view reason,
                                           UnixTime now) {
  auto record = existing_download(db, file_id);
  if (!record) {
    return record.error();
  }
  // A download ends once: a second end would write a second history line.
  if (is_terminal(record.value().state)) {
    return StateErrc::invalid_request;
  }
  BOOST_OUTCOME_TRY(execute(db,
                            "UPDATE downloads SET state = ?2, finished_at = ?3, last_error = ?4 "
                            "WHERE file_id = ?1",
                            file_id, state, now, reason));
  const HistoryOutcome outcome =
      state == DownloadState::failed ? HistoryOutcome::failed : HistoryOutcome::cancelled;
  return insert_download_history(db, record.value(), outcome, record.value().destination, reason,
                                 now);
}

} // namespace

struct StateStore::Impl {
  explicit Impl(Database database) noexcept : db(std::move(database)) {}

  std::mutex mutex;
  Database db;

  template <class Apply>
  [[nodiscard]] core::Status write(Apply&& apply) {
    return write_transaction(mutex, db, std::forward<Apply>(apply));
  }
};

StateStore::StateStore(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
StateStore::StateStore(StateStore&&) noexcept = default;
StateStore& StateStore::operator=(StateStore&&) noexcept = default;
StateStore::~StateStore() = default;

core::Result<StateStore> StateStore::open(const std::filesystem::path& db_path) {
  // Synchronous FULL: a call that returned has its commit on disk, power loss included.
  core::sqlite::OpenOptions options;
  options.synchronous = core::sqlite::Synchronous::full;
  auto db = core::sqlite::open_database(db_path, kMigrations, options);
  if (!db) {
    return db.error();
  }
  return StateStore{std::make_unique<Impl>(std::move(db).value())};
}

// Library

core::Status StateStore::put_library_entry(const LibraryEntry& entry) {
  return impl_->write([&](Database& db) { return upsert_library_entry(db, entry); });
}

core::Result<std::optional<LibraryEntry>> StateStore::library_entry(const core::FileId& file_id) {
  const std::lock_guard lock(impl_->mutex);
  return find_library_entry(impl_->db, file_id);
}

core::Result<std::vector<LibraryEntry>> StateStore::library() {
  static const std::string sql = std::string{kLibraryColumns} + " ORDER BY entry_key";
  const std::lock_guard lock(impl_->mutex);
  auto rows = query(impl_->db, sql);
  if (!rows) {
    return rows.error();
  }
  return read_all<LibraryEntry>(*rows.value(), read_library_entry);
}

core::Status StateStore::set_library_status(const core::FileId& file_id, LibraryStatus status) {
  return impl_->write([&](Database& db) {
    return change_one(db, "UPDATE library SET status = ?2 WHERE file_id = ?1", file_id, status);
  });
}

core::Status StateStore::set_library_listed(const core::FileId& file_id, bool listed) {
  return impl_->write([&](Database& db) {
    return change_one(db, "UPDATE library SET listed = ?2 WHERE file_id = ?1", file_id, listed);
  });
}

core::Status StateStore::set_library_file_info(const core::FileId& file_id, std::uint64_t file_size,
                                               std::int64_t modified_ns) {
  return impl_->write([&](Database& db) {
    return change_one(db, "UPDATE library SET file_size = ?2, modified_ns = ?3 WHERE file_id = ?1",
                      file_id, file_size, modified_ns);
  });
}

// Downloads

core::Status StateStore::add_download(const DownloadRecord& r) {
  if (r.manifest && r.manifest->file_id() != r.file_id) {
    return StateErrc::invalid_request;
  }
  return impl_->write([&](Database& db) {
    return execute(db,
                   "INSERT INTO downloads (file_id, destination, part_path, manifest, state, "
                   "bytes_verified, added_at, finished_at, final_path, last_error, share_answer) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                   r.file_id, r.destination, r.part_path, r.manifest, r.state, r.bytes_verified,
                   r.added_at, r.finished_at, r.final_path, r.last_error, r.share_answer);
  });
}

core::Result<std::optional<DownloadRecord>> StateStore::download(const core::FileId& file_id) {
  const std::lock_guard lock(impl_->mutex);
  return find_download(impl_->db, file_id);
}

core::Result<std::vector<DownloadRecord>> StateStore::downloads() {
  static const std::string sql = std::string{kDownloadColumns} + " ORDER BY download_key";
  const std::lock_guard lock(impl_->mutex);
  auto rows = query(impl_->db, sql);
  if (!rows) {
    return rows.error();
  }
  return read_all<DownloadRecord>(*rows.value(), read_download);
}

core::Result<std::vector<DownloadRecord>> StateStore::downloads_awaiting_share_answer() {
  static const std::string sql = std::string{kDownloadColumns} +
                                 " WHERE state = ?1 AND share_answer = ?2 ORDER BY download_key";
  const std::lock_guard lock(impl_->mutex);
  auto rows = query(impl_->db, sql, DownloadState::completed, ShareAnswer::not_asked);
  if (!rows) {
    return rows.error();
  }
  return read_all<DownloadRecord>(*rows.value(), read_download);
}

core::Status StateStore::set_download_manifest(const core::Manifest& manifest) {
  return impl_->write([&](Database& db) {
    return change_one(db, "UPDATE downloads SET manifest = ?2 WHERE file_id = ?1",
                      manifest.file_id(), manifest);
  });
}

core::Status StateStore::set_download_state(const core::FileId& file_id, DownloadState state) {
  if (is_terminal(state)) {
    return StateErrc::invalid_request;
  }
  return impl_->write([&](Database& db) {
    return change_one(db, "UPDATE downloads SET state = ?2, finished_at = NULL WHERE file_id = ?1",
                      file_id, state);
  });
}

core::Status StateStore::set_bytes_verified(const core::FileId& file_id,
                                            std::uint64_t bytes_verified) {
  return impl_->write([&](Database& db) {
    return change_one(db, "UPDATE downloads SET bytes_verified = ?2 WHERE file_id = ?1", file_id,
                      bytes_verified);
  });
}

core::Status StateStore::remove_download(const core::FileId& file_id) {
  return impl_->write([&](Database& db) {
    return change_one(db, "DELETE FROM downloads WHERE file_id = ?1", file_id);
  });
}

// State changes with their history line

core::Status StateStore::record_download_completed(const core::FileId& file_id,
                                                   const std::filesystem::path& final_path,
                                                   UnixTime now) {
  return impl_->write([&](Database& db) -> core::Status {
    auto record = existing_download(db, file_id);
    if (!record) {
      return record.error();
    }
    // Without its manifest nothing was verified; and it ends once (one history line).
    if (!record.value().manifest || is_terminal(record.value().state)) {
      return StateErrc::invalid_request;
    }
    BOOST_OUTCOME_TRY(execute(db,
                              "UPDATE downloads SET state = ?2, finished_at = ?3, "
                              "final_path = ?4, last_error = '' WHERE file_id = ?1",
                              file_id, DownloadState::completed, now, final_path));
    return insert_download_history(db, record.value(), HistoryOutcome::downloaded, final_path, {},
                                   now);
  });
}

core::Status StateStore::record_download_failed(const core::FileId& file_id,
                                                std::string_view reason, UnixTime now) {
  return impl_->write([&](Database& db) {
    return finish_download(db, file_id, DownloadState::failed, reason, now);
  });
}

core::Status StateStore::record_download_cancelled(const core::FileId& file_id, UnixTime now) {
  return impl_->write([&](Database& db) {
    return finish_download(db, file_id, DownloadState::cancelled, {}, now);
  });
}

core::Status StateStore::record_download_shared(const LibraryEntry& entry, UnixTime now) {
  LibraryEntry shared = entry;
  shared.source = FileSource::downloaded;
  return impl_->write([&](Database& db) -> core::Status {
    auto record = existing_download(db, shared.file_id());
    if (!record) {
      return record.error();
    }
    if (record.value().state != DownloadState::completed) {
      return StateErrc::invalid_request;
    }
    BOOST_OUTCOME_TRY(execute(db, "UPDATE downloads SET share_answer = ?2 WHERE file_id = ?1",
                              shared.file_id(), ShareAnswer::yes));
    BOOST_OUTCOME_TRY(upsert_library_entry(db, shared));
    return insert_shared_history(db, shared, now);
  });
}

core::Status StateStore::record_share_declined(const core::FileId& file_id, UnixTime now) {
  return impl_->write([&](Database& db) -> core::Status {
    auto record = existing_download(db, file_id);
    if (!record) {
      return record.error();
    }
    if (record.value().state != DownloadState::completed) {
      return StateErrc::invalid_request;
    }
    BOOST_OUTCOME_TRY(execute(db, "UPDATE downloads SET share_answer = ?2 WHERE file_id = ?1",
                              file_id, ShareAnswer::no));
    return insert_download_history(db, record.value(), HistoryOutcome::share_declined,
                                   record.value().final_path.value_or(record.value().destination),
                                   {}, now);
  });
}

core::Status StateStore::record_shared(const LibraryEntry& entry, UnixTime now) {
  return impl_->write([&](Database& db) -> core::Status {
    BOOST_OUTCOME_TRY(upsert_library_entry(db, entry));
    return insert_shared_history(db, entry, now);
  });
}

core::Status StateStore::record_unshared(const core::FileId& file_id, UnixTime now) {
  return impl_->write([&](Database& db) -> core::Status {
    auto entry = find_library_entry(db, file_id);
    if (!entry) {
      return entry.error();
    }
    if (!entry.value()) {
      return StateErrc::not_found;
    }
    BOOST_OUTCOME_TRY(change_one(db, "DELETE FROM library WHERE file_id = ?1", file_id));
    HistoryEntry line;
    line.at = now;
    line.file_id = file_id;
    line.name = entry.value()->manifest.name();
    line.size = entry.value()->manifest.file_size();
    line.path = entry.value()->path;
    line.outcome = HistoryOutcome::unshared;
    auto id = insert_history(db, line);
    if (!id) {
      return id.error();
    }
    return boost::outcome_v2::success();
  });
}

// History

core::Result<std::int64_t> StateStore::add_history(const HistoryEntry& entry) {
  std::int64_t id = 0;
  auto status = impl_->write([&](Database& db) -> core::Status {
    auto inserted = insert_history(db, entry);
    if (!inserted) {
      return inserted.error();
    }
    id = inserted.value();
    return boost::outcome_v2::success();
  });
  if (!status) {
    return status.error();
  }
  return id;
}

core::Result<std::vector<HistoryEntry>> StateStore::history(std::size_t limit,
                                                            std::optional<std::int64_t> before_id) {
  const std::lock_guard lock(impl_->mutex);
  // "Before the newest" is before the largest key: one statement, a range of the rowid.
  auto rows = query(impl_->db,
                    "SELECT line_key, at, file_id, name, size, path, outcome, reason FROM history "
                    "WHERE line_key < ?1 ORDER BY line_key DESC LIMIT ?2",
                    before_id.value_or(std::numeric_limits<std::int64_t>::max()), to_sql(limit));
  if (!rows) {
    return rows.error();
  }
  return read_all<HistoryEntry>(
      *rows.value(), [](const Statement& r) -> core::Result<HistoryEntry> {
        auto file_id = read_file_id(r, 2);
        auto size = read_count(r, 4);
        auto outcome = from_string<HistoryOutcome>(r.column_text(6));
        if (!file_id || !size || !outcome) {
          return StateErrc::unreadable_row;
        }
        return HistoryEntry{
            r.column_int64(0), read_time(r, 1), file_id.value(), std::string{r.column_text(3)},
            size.value(),      read_path(r, 5), outcome.value(), std::string{r.column_text(7)}};
      });
}

core::Result<std::uint64_t> StateStore::history_count() {
  const std::lock_guard lock(impl_->mutex);
  auto count = impl_->db.query_int64("SELECT count(*) FROM history");
  if (!count) {
    return count.error();
  }
  return static_cast<std::uint64_t>(count.value());
}

// Statistics

core::Status StateStore::add_uploaded(const core::FileId& file_id, std::uint64_t bytes) {
  return impl_->write([&](Database& db) -> core::Status {
    BOOST_OUTCOME_TRY(execute(db,
                              "UPDATE library SET bytes_uploaded = CASE WHEN bytes_uploaded > "
                              "9223372036854775807 - ?2 THEN 9223372036854775807 "
                              "ELSE bytes_uploaded + ?2 END WHERE file_id = ?1",
                              file_id, bytes));
    return execute(db, kAddToCounter, kBytesUploaded, bytes);
  });
}

core::Status StateStore::add_peers_served(const core::FileId& file_id, std::uint64_t peers) {
  return impl_->write([&](Database& db) -> core::Status {
    BOOST_OUTCOME_TRY(execute(db,
                              "UPDATE library SET peers_served = CASE WHEN peers_served > "
                              "9223372036854775807 - ?2 THEN 9223372036854775807 "
                              "ELSE peers_served + ?2 END WHERE file_id = ?1",
                              file_id, peers));
    return execute(db, kAddToCounter, kPeersServed, peers);
  });
}

core::Status StateStore::add_seconds_seeded(const core::FileId& file_id, std::uint64_t seconds) {
  return impl_->write([&](Database& db) {
    return execute(db,
                   "UPDATE library SET seconds_seeded = CASE WHEN seconds_seeded > "
                   "9223372036854775807 - ?2 THEN 9223372036854775807 "
                   "ELSE seconds_seeded + ?2 END WHERE file_id = ?1",
                   file_id, seconds);
  });
}

core::Status StateStore::add_downloaded(std::uint64_t bytes) {
  return impl_->write(
      [&](Database& db) { return execute(db, kAddToCounter, kBytesDownloaded, bytes); });
}

core::Result<std::optional<FileStatistics>>
StateStore::file_statistics(const core::FileId& file_id) {
  // Not through library_entry: a front end polls this, and decoding the manifest (up to a
  // megabyte) for three counters would be waste.
  const std::lock_guard lock(impl_->mutex);
  auto rows = query(impl_->db,
                    "SELECT bytes_uploaded, peers_served, seconds_seeded FROM library "
                    "WHERE file_id = ?1",
                    file_id);
  if (!rows) {
    return rows.error();
  }
  return read_optional<FileStatistics>(
      *rows.value(), [](const Statement& r) -> core::Result<FileStatistics> {
        auto uploaded = read_count(r, 0);
        auto served = read_count(r, 1);
        auto seeded = read_count(r, 2);
        if (!uploaded || !served || !seeded) {
          return StateErrc::unreadable_row;
        }
        return FileStatistics{uploaded.value(), served.value(), seeded.value()};
      });
}

core::Result<Totals> StateStore::totals() {
  const std::lock_guard lock(impl_->mutex);
  auto rows = query(impl_->db, "SELECT name, value FROM counters");
  if (!rows) {
    return rows.error();
  }
  Totals totals;
  Statement& r = *rows.value();
  for (;;) {
    auto step = r.step();
    if (!step) {
      return step.error();
    }
    if (step.value() == Statement::Step::done) {
      return totals;
    }
    auto value = read_count(r, 1);
    if (!value) {
      return value.error();
    }
    const std::string_view name = r.column_text(0);
    // Counters of a later build (a newer name) are not this build's to read.
    if (name == kBytesUploaded) {
      totals.bytes_uploaded = value.value();
    } else if (name == kBytesDownloaded) {
      totals.bytes_downloaded = value.value();
    } else if (name == kPeersServed) {
      totals.peers_served = value.value();
    }
  }
}

// Settings

core::Result<std::optional<std::string>> StateStore::setting(std::string_view key) {
  const std::lock_guard lock(impl_->mutex);
  auto rows = query(impl_->db, "SELECT value FROM settings WHERE key = ?1", key);
  if (!rows) {
    return rows.error();
  }
  return read_optional<std::string>(*rows.value(),
                                    [](const Statement& r) -> core::Result<std::string> {
                                      return std::string{r.column_text(0)};
                                    });
}

core::Result<std::string> StateStore::get_string(std::string_view key,
                                                 std::string_view default_value) {
  auto value = setting(key);
  if (!value) {
    return value.error();
  }
  return value.value().value_or(std::string{default_value});
}

core::Result<bool> StateStore::get_bool(std::string_view key, bool default_value) {
  auto value = setting(key);
  if (!value) {
    return value.error();
  }
  if (!value.value()) {
    return default_value;
  }
  if (*value.value() == "true") {
    return true;
  }
  if (*value.value() == "false") {
    return false;
  }
  return StateErrc::unreadable_row;
}

core::Result<std::int64_t> StateStore::get_int(std::string_view key, std::int64_t default_value) {
  auto value = setting(key);
  if (!value) {
    return value.error();
  }
  if (!value.value()) {
    return default_value;
  }
  const std::string& text = *value.value();
  std::int64_t parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) {
    return StateErrc::unreadable_row;
  }
  return parsed;
}

core::Status StateStore::set_string(std::string_view key, std::string_view value) {
  return impl_->write([&](Database& db) {
    return execute(db,
                   "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   key, value);
  });
}

core::Status StateStore::set_bool(std::string_view key, bool value) {
  return set_string(key, value ? "true" : "false");
}

core::Status StateStore::set_int(std::string_view key, std::int64_t value) {
  return set_string(key, std::to_string(value));
}

core::Status StateStore::remove_setting(std::string_view key) {
  return impl_->write(
      [&](Database& db) { return execute(db, "DELETE FROM settings WHERE key = ?1", key); });
}

} // namespace swarmshare::client
