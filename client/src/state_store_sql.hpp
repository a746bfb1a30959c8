#pragma once
// Internals of the state store shared by its source files (state_store.cpp: open, schema,
// settings; state_store_library.cpp: library and statistics; state_store_downloads.cpp:
// downloads, the record_* changes and history): the Impl, the statement helpers and the row
// readers. Private to the client library.

#include "swarmshare/client/state_store.hpp"

#include "swarmshare/core/sqlite.hpp"

#include <boost/outcome/try.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace swarmshare::client {
namespace state_sql {

using core::sqlite::CachedStatement;
using core::sqlite::Database;
using core::sqlite::Statement;

inline constexpr std::string_view kLibraryColumns =
    "SELECT file_id, path, manifest, file_size, modified_ns, source, listed, status, added_at, "
    "bytes_uploaded, peers_served, seconds_seeded FROM library";
inline constexpr std::string_view kDownloadColumns =
    "SELECT file_id, destination, part_path, manifest, state, bytes_verified, added_at, "
    "finished_at, final_path, last_error, share_answer FROM downloads";

[[nodiscard]] inline std::int64_t to_sql(std::uint64_t value) noexcept {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(value, kMax));
}

// Statement helpers (as in tracker/src/store.cpp): bind a list of values, then step.
struct Null {};

[[nodiscard]] inline core::Status bind_one(Statement& s, int index, std::int64_t value) {
  return s.bind_int64(index, value);
}
[[nodiscard]] inline core::Status bind_one(Statement& s, int index, std::uint64_t value) {
  return s.bind_int64(index, to_sql(value));
}
[[nodiscard]] inline core::Status bind_one(Statement& s, int index, bool value) {
  return s.bind_int64(index, value ? 1 : 0);
}
[[nodiscard]] inline core::Status bind_one(Statement& s, int index, std::string_view value) {
  // An empty string_view may have a null data(), which SQLite binds as NULL, not ''.
  return s.bind_text(index, value.empty() ? std::string_view{""} : value);
}
[[nodiscard]] inline core::Status bind_one(Statement& s, int index, const std::string& value) {
  return s.bind_text(index, value);
}
[[nodiscard]] inline core::Status bind_one(Statement& s, int index,
                                           const std::filesystem::path& value) {
  return s.bind_text(index, value.string());
}
[[nodiscard]] inline core::Status bind_one(Statement& s, int index, const core::FileId& value) {
  return s.bind_blob(index, value.bytes());
}
[[nodiscard]] inline core::Status bind_one(Statement& s, int index, const core::Manifest& value) {
  return s.bind_blob(index, value.encoded());
}
[[nodiscard]] inline core::Status bind_one(Statement& s, int index, UnixTime value) {
  return s.bind_int64(index, static_cast<std::int64_t>(value.time_since_epoch().count()));
}
[[nodiscard]] inline core::Status bind_one(Statement& /*s*/, int /*index*/, Null /*value*/) {
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

// The binding of the state's values, for core::sqlite::query_bound.
struct BindOne {
  template <class Value>
  [[nodiscard]] core::Status operator()(Statement& s, int index, const Value& value) const {
    return bind_one(s, index, value);
  }
};

template <class... Values>
[[nodiscard]] core::Result<CachedStatement> query(Database& db, std::string_view sql,
                                                  const Values&... values) {
  return core::sqlite::query_bound(db, sql, BindOne{}, values...);
}

template <class... Values>
[[nodiscard]] core::Status execute(Database& db, std::string_view sql, const Values&... values) {
  return core::sqlite::execute_bound(db, sql, BindOne{}, values...);
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

[[nodiscard]] inline core::Result<core::FileId> read_file_id(const Statement& r, int column) {
  const auto bytes = r.column_blob(column);
  core::Hash256 digest{};
  if (bytes.size() != digest.size()) {
    return StateErrc::unreadable_row;
  }
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return core::FileId{digest};
}

[[nodiscard]] inline core::Result<std::uint64_t> read_count(const Statement& r, int column) {
  const std::int64_t value = r.column_int64(column);
  if (value < 0) {
    return StateErrc::unreadable_row;
  }
  return static_cast<std::uint64_t>(value);
}

[[nodiscard]] inline UnixTime read_time(const Statement& r, int column) {
  return UnixTime{std::chrono::seconds{r.column_int64(column)}};
}

[[nodiscard]] inline std::filesystem::path read_path(const Statement& r, int column) {
  return std::filesystem::path{std::string{r.column_text(column)}};
}

/// The stored manifest, which must decode and be the one of `file_id`.
[[nodiscard]] inline core::Result<core::Manifest> read_manifest(const Statement& r, int column,
                                                                const core::FileId& file_id) {
  auto manifest = core::Manifest::decode(r.column_blob(column));
  if (!manifest || manifest.value().file_id() != file_id) {
    return StateErrc::unreadable_row;
  }
  return manifest;
}

/// A row of kLibraryColumns.
[[nodiscard]] inline core::Result<LibraryEntry> read_library_entry(const Statement& r) {
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
[[nodiscard]] inline core::Result<DownloadRecord> read_download(const Statement& r) {
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

[[nodiscard]] inline const std::string& library_by_id_sql() {
  static const std::string sql = std::string{kLibraryColumns} + " WHERE file_id = ?1";
  return sql;
}

[[nodiscard]] inline core::Result<std::optional<LibraryEntry>>
find_library_entry(Database& db, const core::FileId& id) {
  auto rows = query(db, library_by_id_sql(), id);
  if (!rows) {
    return rows.error();
  }
  return read_optional<LibraryEntry>(*rows.value(), read_library_entry);
}

[[nodiscard]] inline core::Status upsert_library_entry(Database& db, const LibraryEntry& e) {
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

} // namespace state_sql

struct StateStore::Impl {
  explicit Impl(core::sqlite::Database database) noexcept : db(std::move(database)) {}

  std::mutex mutex;
  core::sqlite::Database db;

  template <class Apply>
  [[nodiscard]] core::Status write(Apply&& apply) {
    return state_sql::write_transaction(mutex, db, std::forward<Apply>(apply));
  }
};

} // namespace swarmshare::client
