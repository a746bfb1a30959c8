// The state store's library (shared files) and its statistics (per-file and total
// counters).

#include "state_store_sql.hpp"

namespace swarmshare::client {

using namespace state_sql;

namespace {

// Counters saturate instead of overflowing: SQLite turns an overflowing integer sum into a
// REAL, which would no longer read back as a count.
constexpr std::string_view kAddToCounter =
    "INSERT INTO counters (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET "
    "value = CASE WHEN value > 9223372036854775807 - excluded.value "
    "THEN 9223372036854775807 ELSE value + excluded.value END";

constexpr std::string_view kBytesUploaded = "bytes_uploaded";
constexpr std::string_view kBytesDownloaded = "bytes_downloaded";
constexpr std::string_view kPeersServed = "peers_served";

} // namespace

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

} // namespace swarmshare::client
