// The state store: opening the database, its schema and migrations, and the settings. The
// library and statistics are in state_store_library.cpp, the downloads and history in
// state_store_downloads.cpp, the values that need no database in state_store_queries.cpp.

#include "state_store_sql.hpp"

#include <array>
#include <charconv>

namespace swarmshare::client {

using namespace state_sql;

namespace {

// Schema, version 1 (version 2 follows it).
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

// Version 2: the queue of downloads waiting for a free slot (Session's max_active_downloads)
// keeps the order they were queued in, across restarts. A download queued again (paused,
// then resumed while every slot is taken) goes to the back, so rowid order is not enough.
// NULL unless the download is queued.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE downloads ADD COLUMN queue_position INTEGER;
)sql";

const std::array<core::sqlite::Migration, 2> kMigrations{{{kSchemaV1}, {kSchemaV2}}};
static_assert(kMigrations.size() == StateStore::kSchemaVersion);

} // namespace

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

core::Status StateStore::set_settings(std::span<const SettingValue> values) {
  return impl_->write([&](Database& db) -> core::Status {
    for (const auto& [key, value] : values) {
      if (value) {
        BOOST_OUTCOME_TRY(execute(db,
                                  "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                  key, *value));
      } else {
        BOOST_OUTCOME_TRY(execute(db, "DELETE FROM settings WHERE key = ?1", key));
      }
    }
    return boost::outcome_v2::success();
  });
}

core::Status StateStore::remove_setting(std::string_view key) {
  return impl_->write(
      [&](Database& db) { return execute(db, "DELETE FROM settings WHERE key = ?1", key); });
}

} // namespace swarmshare::client
