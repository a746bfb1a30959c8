// The state store's downloads, the state changes that write a history line with them
// (record_*), and the history.

#include "state_store_sql.hpp"

namespace swarmshare::client {

using namespace state_sql;

namespace {

[[nodiscard]] const std::string& download_by_id_sql() {
  static const std::string sql = std::string{kDownloadColumns} + " WHERE file_id = ?1";
  return sql;
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

// The position after the last queued download's (1 for an empty queue).
constexpr std::string_view kNextQueuePosition =
    "(SELECT COALESCE(MAX(queue_position), 0) + 1 FROM downloads WHERE state = 'queued')";

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

// Downloads

core::Status StateStore::add_download(const DownloadRecord& r) {
  if (r.manifest && r.manifest->file_id() != r.file_id) {
    return StateErrc::invalid_request;
  }
  // A download added as queued goes to the back of the queue.
  static const std::string sql =
      "INSERT INTO downloads (file_id, destination, part_path, manifest, state, bytes_verified, "
      "added_at, finished_at, final_path, last_error, share_answer, queue_position) VALUES (?1, "
      "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, CASE WHEN ?5 = 'queued' THEN " +
      std::string{kNextQueuePosition} + " END)";
  return impl_->write([&](Database& db) {
    return execute(db, sql, r.file_id, r.destination, r.part_path, r.manifest, r.state,
                   r.bytes_verified, r.added_at, r.finished_at, r.final_path, r.last_error,
                   r.share_answer);
  });
}

core::Result<std::vector<DownloadRecord>> StateStore::queued_downloads() {
  static const std::string sql = std::string{kDownloadColumns} +
                                 " WHERE state = 'queued' ORDER BY queue_position, download_key";
  const std::lock_guard lock(impl_->mutex);
  auto rows = query(impl_->db, sql);
  if (!rows) {
    return rows.error();
  }
  return read_all<DownloadRecord>(*rows.value(), read_download);
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
    // Every state change moves the queue position: to the back when queued, else none.
    static const std::string sql =
        "UPDATE downloads SET state = ?2, finished_at = NULL, queue_position = CASE WHEN ?2 = "
        "'queued' THEN " +
        std::string{kNextQueuePosition} + " END WHERE file_id = ?1";
    return change_one(db, sql, file_id, state);
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

namespace {

core::Result<HistoryEntry> read_history_row(const Statement& r) {
  auto file_id = read_file_id(r, 2);
  auto size = read_count(r, 4);
  auto outcome = from_string<HistoryOutcome>(r.column_text(6));
  if (!file_id || !size || !outcome) {
    return StateErrc::unreadable_row;
  }
  return HistoryEntry{
      r.column_int64(0), read_time(r, 1), file_id.value(), std::string{r.column_text(3)},
      size.value(),      read_path(r, 5), outcome.value(), std::string{r.column_text(7)}};
}

} // namespace

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
  return read_all<HistoryEntry>(*rows.value(), read_history_row);
}

core::Result<std::optional<HistoryEntry>> StateStore::last_download(const core::FileId& file_id) {
  const std::lock_guard lock(impl_->mutex);
  auto rows = query(impl_->db,
                    "SELECT line_key, at, file_id, name, size, path, outcome, reason FROM history "
                    "WHERE file_id = ?1 AND outcome = ?2 ORDER BY line_key DESC LIMIT 1",
                    file_id, HistoryOutcome::downloaded);
  if (!rows) {
    return rows.error();
  }
  auto found = read_all<HistoryEntry>(*rows.value(), read_history_row);
  if (!found) {
    return found.error();
  }
  if (found.value().empty()) {
    return std::optional<HistoryEntry>{};
  }
  return std::optional<HistoryEntry>{std::move(found.value().front())};
}

core::Result<std::uint64_t> StateStore::history_count() {
  const std::lock_guard lock(impl_->mutex);
  auto count = impl_->db.query_int64("SELECT count(*) FROM history");
  if (!count) {
    return count.error();
  }
  return static_cast<std::uint64_t>(count.value());
}

} // namespace swarmshare::client
