#pragma once
// The engine's persistent state: one SQLite database, `<home>/state.db`, holding the library
// (what this peer shares), the downloads, the history, the statistics and the settings.
//
// Every write is one transaction committed with synchronous FULL before the call returns, so
// a crash (or power loss) keeps everything a call reported as done. Writes that must stay
// consistent with each other (a state change and its history line) are one transaction
// together: the record_* calls. Each commit costs an fsync, so hot counters (bytes
// uploaded per chunk) belong in memory, flushed to add_* every few seconds.
//
// Rows are plain data; the store never reads a clock, so callers pass the times (`now`).
// Absent rows are answered with std::nullopt by reads and StateErrc::not_found by updates.
// A row this build cannot read (unknown state text, a damaged manifest) is an error
// (StateErrc::unreadable_row), never a guess.
//
// Thread safety: every call takes an internal mutex, so the engine may call from its disk
// thread and its network thread; the one connection is never used by two threads at once.

#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/manifest.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace swarmshare::client {

/// Failures of the state store beyond SQLite's own (category "swarmshare.client.state").
enum class StateErrc {
  /// An update named a row that does not exist (no such library entry or download).
  not_found = 1,
  /// A stored value this build cannot read: unknown enum text, a manifest that does not
  /// decode or does not match its File ID, a setting that is not of the asked type.
  unreadable_row,
  /// A call that does not fit the row's state (completing a download without a manifest,
  /// sharing a download that has not completed, a terminal state through set_download_state).
  invalid_request,
};

[[nodiscard]] const std::error_category& state_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(StateErrc e) noexcept {
  return {static_cast<int>(e), state_category()};
}

/// Instants as the database keeps them: whole seconds since the Unix epoch.
using UnixTime = std::chrono::sys_seconds;

/// Where a library file came from.
enum class FileSource { shared, downloaded };
/// A library file's condition. missing and changed are found by the engine's checks of the
/// file on disk; a changed file is served no more until it is hashed again.
enum class LibraryStatus { active, paused, missing, changed };
enum class DownloadState { queued, active, paused, completed, failed, cancelled };
/// The user's answer to "Share this file?" after a download completed.
enum class ShareAnswer { not_asked, yes, no };
enum class HistoryOutcome { downloaded, shared, share_declined, unshared, failed, cancelled };

// The text stored in the database (and fit for logs). from_string refuses any other text
// with StateErrc::unreadable_row.
[[nodiscard]] std::string_view to_string(FileSource value) noexcept;
[[nodiscard]] std::string_view to_string(LibraryStatus value) noexcept;
[[nodiscard]] std::string_view to_string(DownloadState value) noexcept;
[[nodiscard]] std::string_view to_string(ShareAnswer value) noexcept;
[[nodiscard]] std::string_view to_string(HistoryOutcome value) noexcept;

template <class Enum>
[[nodiscard]] core::Result<Enum> from_string(std::string_view text);
template <>
[[nodiscard]] core::Result<FileSource> from_string<FileSource>(std::string_view text);
template <>
[[nodiscard]] core::Result<LibraryStatus> from_string<LibraryStatus>(std::string_view text);
template <>
[[nodiscard]] core::Result<DownloadState> from_string<DownloadState>(std::string_view text);
template <>
[[nodiscard]] core::Result<ShareAnswer> from_string<ShareAnswer>(std::string_view text);
template <>
[[nodiscard]] core::Result<HistoryOutcome> from_string<HistoryOutcome>(std::string_view text);

/// Per-file counters of a library entry.
struct FileStatistics {
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t peers_served = 0;
  std::uint64_t seconds_seeded = 0;
};

/// A shared file. Its File ID is its manifest's.
struct LibraryEntry {
  // A manifest has no empty state, so neither has an entry: it starts from its manifest.
  explicit LibraryEntry(core::Manifest file_manifest) : manifest(std::move(file_manifest)) {}

  core::Manifest manifest;
  std::filesystem::path path; ///< absolute
  /// Size and modification time (transfer::modification_time_ns: nanoseconds since the epoch) of
  /// the file when it was hashed: while both still match, a re-share may skip hashing again.
  std::uint64_t file_size = 0;
  std::int64_t modified_ns = 0;
  FileSource source = FileSource::shared;
  bool listed = true;
  LibraryStatus status = LibraryStatus::active;
  UnixTime added_at{};
  /// Kept by the store: ignored when an entry is written, read back as stored.
  FileStatistics statistics;

  [[nodiscard]] const core::FileId& file_id() const noexcept { return manifest.file_id(); }
};

struct DownloadRecord {
  core::FileId file_id;
  std::filesystem::path destination; ///< the folder the file goes to
  std::filesystem::path part_path;   ///< the file being written
  /// Absent while the manifest is being fetched; when present, its File ID is file_id.
  std::optional<core::Manifest> manifest;
  DownloadState state = DownloadState::queued;
  std::uint64_t bytes_verified = 0;
  UnixTime added_at{};
  std::optional<UnixTime> finished_at;             ///< set by completed, failed and cancelled
  std::optional<std::filesystem::path> final_path; ///< set once completed
  std::string last_error;                          ///< empty when none
  ShareAnswer share_answer = ShareAnswer::not_asked;
};

struct HistoryEntry {
  std::int64_t id = 0; ///< assigned by the store; ignored by add_history
  UnixTime at{};
  core::FileId file_id;
  std::string name; ///< empty when unknown (a download that failed before its manifest)
  std::uint64_t size = 0;
  std::filesystem::path path;
  HistoryOutcome outcome = HistoryOutcome::downloaded;
  std::string reason; ///< why it failed; empty otherwise
};

struct Totals {
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t bytes_downloaded = 0;
  std::uint64_t peers_served = 0;

  /// Uploaded over downloaded; absent while nothing has been downloaded (no finite ratio).
  [[nodiscard]] std::optional<double> ratio() const noexcept;
};

class StateStore {
public:
  /// The database's name inside the home directory.
  static constexpr const char* kFileName = "state.db";
  /// The schema version this build writes (PRAGMA user_version).
  static constexpr std::int64_t kSchemaVersion = 2;

  /// Opens (creating it if needed; its folder must exist) the database and migrates it to
  /// kSchemaVersion. A database written by a newer build is refused with
  /// core::Errc::unsupported_version. The home's lock (HomeLock) keeps a second process out.
  [[nodiscard]] static core::Result<StateStore> open(const std::filesystem::path& db_path);

  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;
  StateStore(StateStore&& other) noexcept;
  StateStore& operator=(StateStore&& other) noexcept;
  ~StateStore();

  // Library

  /// Adds the entry, or replaces the one with the same File ID (a re-share at a new path
  /// keeps the file's counters and its added_at).
  [[nodiscard]] core::Status put_library_entry(const LibraryEntry& entry);
  [[nodiscard]] core::Result<std::optional<LibraryEntry>>
  library_entry(const core::FileId& file_id);
  /// Every entry, oldest first.
  [[nodiscard]] core::Result<std::vector<LibraryEntry>> library();
  [[nodiscard]] core::Status set_library_status(const core::FileId& file_id, LibraryStatus status);
  [[nodiscard]] core::Status set_library_listed(const core::FileId& file_id, bool listed);
  /// After a re-hash found the same content: the file as it is now.
  [[nodiscard]] core::Status set_library_file_info(const core::FileId& file_id,
                                                   std::uint64_t file_size,
                                                   std::int64_t modified_ns);

  // Downloads

  /// Adds a new download; a download of the same File ID must not exist (remove it first).
  [[nodiscard]] core::Status add_download(const DownloadRecord& record);
  [[nodiscard]] core::Result<std::optional<DownloadRecord>> download(const core::FileId& file_id);
  /// Every download, oldest first.
  [[nodiscard]] core::Result<std::vector<DownloadRecord>> downloads();
  /// The queued downloads in the order they were queued (add_download with state queued, or
  /// set_download_state(queued)), first to start first.
  [[nodiscard]] core::Result<std::vector<DownloadRecord>> queued_downloads();
  /// Completed downloads whose "Share this file?" was never answered (the GUI closed, the
  /// process died): ask again.
  [[nodiscard]] core::Result<std::vector<DownloadRecord>> downloads_awaiting_share_answer();
  [[nodiscard]] core::Status set_download_manifest(const core::Manifest& manifest);
  /// queued, active or paused only; the terminal states go through record_download_*,
  /// which write their history line with them. Clears finished_at (a retry). queued puts
  /// the download at the back of the queue (queued_downloads), even when it was queued.
  [[nodiscard]] core::Status set_download_state(const core::FileId& file_id, DownloadState state);
  [[nodiscard]] core::Status set_bytes_verified(const core::FileId& file_id,
                                                std::uint64_t bytes_verified);
  [[nodiscard]] core::Status remove_download(const core::FileId& file_id);

  // State changes with their history line, each one transaction. A download ends once:
  // completed, failed and cancelled need one still under way (queued, active, paused), else
  // StateErrc::invalid_request, so no end is recorded twice.

  /// Completed at `final_path` (the download must have its manifest); history "downloaded".
  [[nodiscard]] core::Status record_download_completed(const core::FileId& file_id,
                                                       const std::filesystem::path& final_path,
                                                       UnixTime now);
  /// Failed with `reason` (kept as last_error and in the history line).
  [[nodiscard]] core::Status record_download_failed(const core::FileId& file_id,
                                                    std::string_view reason, UnixTime now);
  [[nodiscard]] core::Status record_download_cancelled(const core::FileId& file_id, UnixTime now);
  /// "Share this file?" answered yes: the completed download's answer, its library entry
  /// (source forced to downloaded) and the history line "shared", all or nothing.
  [[nodiscard]] core::Status record_download_shared(const LibraryEntry& entry, UnixTime now);
  /// Answered no: the answer and the history line "share declined".
  [[nodiscard]] core::Status record_share_declined(const core::FileId& file_id, UnixTime now);
  /// A file shared by the user: its library entry and the history line "shared".
  [[nodiscard]] core::Status record_shared(const LibraryEntry& entry, UnixTime now);
  /// The library entry removed (its counters with it; the totals stay) and "unshared".
  [[nodiscard]] core::Status record_unshared(const core::FileId& file_id, UnixTime now);

  // History

  /// Appends a line; returns its id.
  [[nodiscard]] core::Result<std::int64_t> add_history(const HistoryEntry& entry);
  /// Newest first: up to `limit` lines older than the line `before_id` (from the start when
  /// absent). Paging by id, not offset, so lines added meanwhile do not shift the pages.
  [[nodiscard]] core::Result<std::vector<HistoryEntry>>
  history(std::size_t limit, std::optional<std::int64_t> before_id = std::nullopt);
  [[nodiscard]] core::Result<std::uint64_t> history_count();
  /// The newest "downloaded" line of `file_id`; none when it was never downloaded.
  [[nodiscard]] core::Result<std::optional<HistoryEntry>>
  last_download(const core::FileId& file_id);

  // Statistics. The file's counter moves when the file is in the library; the total moves
  // always (an upload of a file unshared meanwhile still happened).

  [[nodiscard]] core::Status add_uploaded(const core::FileId& file_id, std::uint64_t bytes);
  [[nodiscard]] core::Status add_peers_served(const core::FileId& file_id, std::uint64_t peers = 1);
  /// Per file only.
  [[nodiscard]] core::Status add_seconds_seeded(const core::FileId& file_id, std::uint64_t seconds);
  [[nodiscard]] core::Status add_downloaded(std::uint64_t bytes);
  [[nodiscard]] core::Result<std::optional<FileStatistics>>
  file_statistics(const core::FileId& file_id);
  [[nodiscard]] core::Result<Totals> totals();

  // Settings: text under keys the engine chooses; a missing key reads as the default given.

  [[nodiscard]] core::Result<std::optional<std::string>> setting(std::string_view key);
  [[nodiscard]] core::Result<std::string> get_string(std::string_view key,
                                                     std::string_view default_value);
  /// Stored as "true" / "false"; other text is StateErrc::unreadable_row.
  [[nodiscard]] core::Result<bool> get_bool(std::string_view key, bool default_value);
  /// Stored as decimal text; other text (or out of range) is StateErrc::unreadable_row.
  [[nodiscard]] core::Result<std::int64_t> get_int(std::string_view key,
                                                   std::int64_t default_value);
  [[nodiscard]] core::Status set_string(std::string_view key, std::string_view value);
  [[nodiscard]] core::Status set_bool(std::string_view key, bool value);
  [[nodiscard]] core::Status set_int(std::string_view key, std::int64_t value);
  [[nodiscard]] core::Status remove_setting(std::string_view key);
  /// A key and its text; no text removes the key.
  using SettingValue = std::pair<std::string, std::optional<std::string>>;
  /// Several settings in one transaction: all of them or none.
  [[nodiscard]] core::Status set_settings(std::span<const SettingValue> values);

private:
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl) noexcept;

  std::unique_ptr<Impl> impl_;
};

} // namespace swarmshare::client

template <>
struct std::is_error_code_enum<swarmshare::client::StateErrc> : std::true_type {};
