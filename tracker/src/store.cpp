#include "swarmshare/tracker/store.hpp"

#include "store_writer.hpp"

#include "swarmshare/core/hash.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/core/platform/thread.hpp"
#include "swarmshare/core/sqlite.hpp"

#include <boost/outcome/try.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <future>
#include <iterator>
#include <limits>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

namespace swarmshare::tracker {

using core::sqlite::CachedStatement;
using core::sqlite::Database;
using core::sqlite::Statement;

namespace {

// Schema, version 1.
//
// Sizes matter: a public tracker holds millions of entries, and everything per entry costs
// disk and page cache. So a Peer ID (32 bytes) is stored once, in `peers`, and entries refer
// to it by its small integer key; entries are a WITHOUT ROWID table keyed by (file, peer), so
// the key is the row and there is no second b-tree of rowids. An entry keeps only
// `last_seen`: it expires at last_seen + TTL (a store option). Manifests (up to 1 MiB) live
// in their own table so the rows of `files` stay small for search.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE peers (
  peer_key INTEGER PRIMARY KEY,
  peer_id BLOB NOT NULL UNIQUE,
  banned INTEGER NOT NULL DEFAULT 0,
  dht_seen INTEGER,
  dht_endpoints BLOB
);
CREATE INDEX peers_by_dht_seen ON peers (dht_seen) WHERE dht_seen IS NOT NULL;

CREATE TABLE files (
  file_key INTEGER PRIMARY KEY,
  file_id BLOB NOT NULL UNIQUE,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  unlisted INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE manifests (
  file_key INTEGER PRIMARY KEY REFERENCES files (file_key),
  manifest BLOB NOT NULL
);

CREATE TABLE words (
  word TEXT NOT NULL,
  file_key INTEGER NOT NULL REFERENCES files (file_key),
  PRIMARY KEY (word, file_key)
) WITHOUT ROWID;

CREATE TABLE entries (
  file_key INTEGER NOT NULL REFERENCES files (file_key),
  peer_key INTEGER NOT NULL REFERENCES peers (peer_key),
  last_seen INTEGER NOT NULL,
  endpoints BLOB NOT NULL,
  PRIMARY KEY (file_key, peer_key)
) WITHOUT ROWID;
CREATE INDEX entries_by_last_seen ON entries (last_seen);
)sql";

// Version 2: entries lose their index by last_seen. Every announce moved its entry in that
// index (a delete at a random place and an insert), which cost the writer about half its
// time per announce and a second page in the WAL; expiry now sweeps the table in key order
// a window at a time instead (Store::expire), and reads already filter on last_seen.
constexpr std::string_view kSchemaV2 = "DROP INDEX entries_by_last_seen;";

const std::array<core::sqlite::Migration, 2> kMigrations{{{kSchemaV1}, {kSchemaV2}}};

// Internal keys: distinct types so a file key is never passed where a peer key belongs.
struct PeerKey {
  std::int64_t value;
};
struct FileKey {
  std::int64_t value;
};

[[nodiscard]] std::int64_t to_unix(TimePoint time) noexcept {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

[[nodiscard]] TimePoint from_unix(std::int64_t seconds) noexcept {
  return TimePoint{std::chrono::seconds{seconds}};
}

[[nodiscard]] std::int64_t to_sql_count(std::size_t value) noexcept {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(value, kMax));
}

/// Entries seen at or before this instant have expired at `now`.
[[nodiscard]] std::int64_t live_cutoff(TimePoint now, std::chrono::seconds ttl) noexcept {
  return to_unix(now) - ttl.count();
}

// Statement helpers: bind a list of values, then step. Keeps each operation readable.
struct Blob {
  std::span<const std::uint8_t> bytes;
};
struct Null {};

[[nodiscard]] core::Status bind_one(Statement& statement, int index, std::int64_t value) {
  return statement.bind_int64(index, value);
}
[[nodiscard]] core::Status bind_one(Statement& statement, int index, std::string_view value) {
  return statement.bind_text(index, value);
}
[[nodiscard]] core::Status bind_one(Statement& statement, int index, Blob value) {
  return statement.bind_blob(index, value.bytes);
}
[[nodiscard]] core::Status bind_one(Statement& /*statement*/, int /*index*/, Null /*value*/) {
  return boost::outcome_v2::success(); // reset() leaves every parameter NULL
}

// The binding of this file's values, for core::sqlite::query_bound.
struct BindOne {
  template <class Value>
  [[nodiscard]] core::Status operator()(Statement& statement, int index, const Value& value) const {
    return bind_one(statement, index, value);
  }
};

template <class... Values>
[[nodiscard]] core::Result<CachedStatement> query(Database& db, std::string_view sql,
                                                  const Values&... values) {
  return core::sqlite::query_bound(db, sql, BindOne{}, values...);
}

/// Runs a statement that returns no rows.
template <class... Values>
[[nodiscard]] core::Status execute(Database& db, std::string_view sql, const Values&... values) {
  return core::sqlite::execute_bound(db, sql, BindOne{}, values...);
}

Blob blob(const core::FileId& id) { return Blob{id.bytes()}; }
Blob blob(const crypto::PeerId& id) { return Blob{id.bytes()}; }

struct FileRow {
  FileKey key;
  bool unlisted;
  bool deleted;
};

[[nodiscard]] core::Result<std::optional<FileRow>> find_file(Database& db, const core::FileId& id) {
  auto row =
      query(db, "SELECT file_key, unlisted, deleted FROM files WHERE file_id = ?1", blob(id));
  if (!row) {
    return row.error();
  }
  auto step = row.value()->step();
  if (!step) {
    return step.error();
  }
  if (step.value() == Statement::Step::done) {
    return std::optional<FileRow>{};
  }
  const Statement& r = *row.value();
  return std::optional<FileRow>{
      FileRow{FileKey{r.column_int64(0)}, r.column_int64(1) != 0, r.column_int64(2) != 0}};
}

struct PeerRow {
  PeerKey key;
  bool banned;
};

[[nodiscard]] core::Result<std::optional<PeerRow>> find_peer(Database& db,
                                                             const crypto::PeerId& id) {
  auto row = query(db, "SELECT peer_key, banned FROM peers WHERE peer_id = ?1", blob(id));
  if (!row) {
    return row.error();
  }
  auto step = row.value()->step();
  if (!step) {
    return step.error();
  }
  if (step.value() == Statement::Step::done) {
    return std::optional<PeerRow>{};
  }
  return std::optional<PeerRow>{
      PeerRow{PeerKey{row.value()->column_int64(0)}, row.value()->column_int64(1) != 0}};
}

// An announce, checked and decoded on the caller's thread so the writer thread only writes.
struct PreparedAnnounce {
  PreparedAnnounce(const crypto::PeerId& peer_id, const core::FileId& file) noexcept
      : peer(peer_id), file_id(file) {}

  crypto::PeerId peer;
  core::FileId file_id;
  std::vector<std::uint8_t> manifest; // empty: the file must be known
  std::string name;
  std::uint64_t size = 0;
  std::vector<std::string> words;
  std::vector<std::uint8_t> endpoints;
  bool unlisted = false;
  std::vector<std::uint8_t> dht_endpoints; // empty: the peer runs no DHT node
  std::int64_t now = 0;
};

[[nodiscard]] core::Result<PreparedAnnounce> prepare_announce(AnnounceRequest request,
                                                              TimePoint now) {
  if (request.endpoints.empty() || request.endpoints.size() > kMaxEndpointsPerEntry) {
    return Errc::invalid_endpoints;
  }
  PreparedAnnounce prepared(request.peer, request.file_id);
  if (!request.manifest.empty()) {
    // The hash first: it is the refusal the protocol names, and it is cheaper than decoding.
    if (core::FileId{core::blake2b_256(request.manifest)} != request.file_id) {
      return Errc::manifest_mismatch;
    }
    auto manifest = core::Manifest::decode(request.manifest);
    if (!manifest) {
      return manifest.error();
    }
    prepared.name = manifest.value().name();
    prepared.size = manifest.value().file_size();
    prepared.words = split_words(prepared.name);
    prepared.manifest = std::move(request.manifest);
  }
  prepared.endpoints = encode_endpoints(request.endpoints);
  prepared.unlisted = request.unlisted;
  if (request.dht_port != 0) {
    std::vector<core::Endpoint> dht_endpoints;
    dht_endpoints.reserve(request.endpoints.size());
    for (const auto& endpoint : request.endpoints) {
      dht_endpoints.push_back(endpoint.with_port(request.dht_port));
    }
    prepared.dht_endpoints = encode_endpoints(dht_endpoints);
  }
  prepared.now = to_unix(now);
  return prepared;
}

[[nodiscard]] core::Result<FileKey> insert_file(Database& db, const PreparedAnnounce& a) {
  BOOST_OUTCOME_TRY(execute(db,
                            "INSERT INTO files (file_id, name, size, first_seen, unlisted) "
                            "VALUES (?1, ?2, ?3, ?4, ?5)",
                            blob(a.file_id), std::string_view{a.name},
                            static_cast<std::int64_t>(a.size), a.now,
                            std::int64_t{a.unlisted ? 1 : 0}));
  const FileKey key{db.last_insert_rowid()};
  BOOST_OUTCOME_TRY(execute(db, "INSERT INTO manifests (file_key, manifest) VALUES (?1, ?2)",
                            key.value, Blob{a.manifest}));
  for (const auto& word : a.words) {
    BOOST_OUTCOME_TRY(execute(db, "INSERT INTO words (word, file_key) VALUES (?1, ?2)",
                              std::string_view{word}, key.value));
  }
  return key;
}

// Every refusal is decided before the first change, so a refused announce leaves nothing
// to undo and the writer needs no savepoint for it (store_writer.hpp).
[[nodiscard]] core::Status apply_announce(Database& db, const PreparedAnnounce& a) {
  auto peer = find_peer(db, a.peer);
  if (!peer) {
    return peer.error();
  }
  if (peer.value() && peer.value()->banned) {
    return Errc::peer_banned;
  }
  auto file = find_file(db, a.file_id);
  if (!file) {
    return file.error();
  }
  if (file.value() && file.value()->deleted) {
    return Errc::file_deleted;
  }
  if (!file.value() && a.manifest.empty()) {
    return Errc::unknown_file;
  }

  PeerKey peer_key{0};
  if (peer.value()) {
    peer_key = peer.value()->key;
  } else {
    BOOST_OUTCOME_TRY(execute(db, "INSERT INTO peers (peer_id) VALUES (?1)", blob(a.peer)));
    peer_key = PeerKey{db.last_insert_rowid()};
  }
  FileKey file_key{0};
  if (file.value()) {
    file_key = file.value()->key;
    if (file.value()->unlisted && !a.unlisted) {
      BOOST_OUTCOME_TRY(
          execute(db, "UPDATE files SET unlisted = 0 WHERE file_key = ?1", file_key.value));
    }
  } else {
    auto inserted = insert_file(db, a);
    if (!inserted) {
      return inserted.error();
    }
    file_key = inserted.value();
  }

  BOOST_OUTCOME_TRY(execute(db,
                            "INSERT INTO entries (file_key, peer_key, last_seen, endpoints) "
                            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (file_key, peer_key) DO UPDATE "
                            "SET last_seen = excluded.last_seen, endpoints = excluded.endpoints",
                            file_key.value, peer_key.value, a.now, Blob{a.endpoints}));
  if (!a.dht_endpoints.empty()) {
    return execute(db, "UPDATE peers SET dht_seen = ?1, dht_endpoints = ?2 WHERE peer_key = ?3",
                   a.now, Blob{a.dht_endpoints}, peer_key.value);
  }
  return boost::outcome_v2::success();
}

enum class EntryChange { refresh, remove };

// Refresh and unannounce: only the owner's own entry can change. When the asker has none,
// "someone else's" (not_owner) and "nobody's" (no_entry) are told apart so a client that
// tries to remove another peer's entry learns it may not.
[[nodiscard]] core::Status apply_entry_change(Database& db, const crypto::PeerId& asker,
                                              const core::FileId& file_id, std::int64_t now,
                                              std::int64_t cutoff, EntryChange change) {
  auto file = find_file(db, file_id);
  if (!file) {
    return file.error();
  }
  if (!file.value()) {
    return Errc::unknown_file;
  }
  if (file.value()->deleted) {
    return Errc::file_deleted;
  }
  const FileKey file_key = file.value()->key;
  auto peer = find_peer(db, asker);
  if (!peer) {
    return peer.error();
  }
  if (peer.value() && peer.value()->banned) {
    return Errc::peer_banned;
  }
  if (peer.value()) {
    const PeerKey peer_key = peer.value()->key;
    core::Status status =
        change == EntryChange::refresh
            ? execute(db,
                      "UPDATE entries SET last_seen = ?1 "
                      "WHERE file_key = ?2 AND peer_key = ?3 AND last_seen > ?4",
                      now, file_key.value, peer_key.value, cutoff)
            : execute(db, "DELETE FROM entries WHERE file_key = ?1 AND peer_key = ?2",
                      file_key.value, peer_key.value);
    if (!status) {
      return status;
    }
    if (db.changes() > 0) {
      return boost::outcome_v2::success();
    }
    // Its own entry, expired but not yet removed: the asker is the owner, the entry is gone.
    auto own = query(db, "SELECT 1 FROM entries WHERE file_key = ?1 AND peer_key = ?2",
                     file_key.value, peer_key.value);
    if (!own) {
      return own.error();
    }
    auto own_step = own.value()->step();
    if (!own_step) {
      return own_step.error();
    }
    if (own_step.value() == Statement::Step::row) {
      return Errc::no_entry;
    }
  }
  auto others = query(db, "SELECT 1 FROM entries WHERE file_key = ?1 AND last_seen > ?2 LIMIT 1",
                      file_key.value, cutoff);
  if (!others) {
    return others.error();
  }
  auto step = others.value()->step();
  if (!step) {
    return step.error();
  }
  return step.value() == Statement::Step::row ? Errc::not_owner : Errc::no_entry;
}

[[nodiscard]] core::Status apply_delete_file(Database& db, const core::FileId& file_id,
                                             std::int64_t now) {
  auto file = find_file(db, file_id);
  if (!file) {
    return file.error();
  }
  if (!file.value()) {
    // Blocked in advance: a row that refuses the File ID when someone announces it.
    return execute(db,
                   "INSERT INTO files (file_id, name, size, first_seen, unlisted, deleted) "
                   "VALUES (?1, '', 0, ?2, 1, 1)",
                   blob(file_id), now);
  }
  const std::int64_t key = file.value()->key.value;
  // The words are found through the name (the index is keyed by word), so read it first.
  std::vector<std::string> words;
  {
    auto name = query(db, "SELECT name FROM files WHERE file_key = ?1", key);
    if (!name) {
      return name.error();
    }
    auto step = name.value()->step();
    if (!step) {
      return step.error();
    }
    if (step.value() == Statement::Step::row) {
      words = split_words(name.value()->column_text(0));
    }
  }
  for (const auto& word : words) {
    BOOST_OUTCOME_TRY(execute(db, "DELETE FROM words WHERE word = ?1 AND file_key = ?2",
                              std::string_view{word}, key));
  }
  BOOST_OUTCOME_TRY(execute(db, "DELETE FROM entries WHERE file_key = ?1", key));
  BOOST_OUTCOME_TRY(execute(db, "DELETE FROM manifests WHERE file_key = ?1", key));
  return execute(db, "UPDATE files SET deleted = 1, unlisted = 1, name = '' WHERE file_key = ?1",
                 key);
}

[[nodiscard]] core::Status apply_ban_peer(Database& db, const crypto::PeerId& peer) {
  BOOST_OUTCOME_TRY(execute(db,
                            "INSERT INTO peers (peer_id, banned) VALUES (?1, 1) "
                            "ON CONFLICT (peer_id) DO UPDATE "
                            "SET banned = 1, dht_seen = NULL, dht_endpoints = NULL",
                            blob(peer)));
  // Entries are keyed by file first, so this scans them; a ban is a rare operator action,
  // and an index by peer would cost every one of millions of entries.
  return execute(db,
                 "DELETE FROM entries WHERE peer_key = "
                 "(SELECT peer_key FROM peers WHERE peer_id = ?1)",
                 blob(peer));
}

[[nodiscard]] std::optional<crypto::PeerId> peer_id_from(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != crypto::kPeerIdBytes) {
    return std::nullopt;
  }
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return crypto::PeerId{key};
}

[[nodiscard]] std::optional<core::FileId> file_id_from(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != core::kHashSize) {
    return std::nullopt;
  }
  core::Hash256 digest{};
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return core::FileId{digest};
}

// Reads rows of (peer_id, endpoints, seen) into entries. A row that does not decode (which
// only a damaged database holds) is skipped rather than failing the whole answer.
[[nodiscard]] core::Result<std::vector<PeerEntry>> read_peer_entries(Statement& rows) {
  std::vector<PeerEntry> entries;
  for (;;) {
    auto step = rows.step();
    if (!step) {
      return step.error();
    }
    if (step.value() == Statement::Step::done) {
      return entries;
    }
    auto peer = peer_id_from(rows.column_blob(0));
    auto endpoints = decode_endpoints(rows.column_blob(1));
    if (peer && endpoints) {
      entries.push_back(
          PeerEntry{*peer, std::move(endpoints).value(), from_unix(rows.column_int64(2))});
    }
  }
}

[[nodiscard]] bool is_hex_digit(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

[[nodiscard]] std::string_view trim(std::string_view text) noexcept {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

constexpr std::string_view kSearchColumns =
    "SELECT f.file_id, f.name, f.size, f.first_seen, "
    "(SELECT count(*) FROM entries e WHERE e.file_key = f.file_key AND e.last_seen > ?1) "
    "AS seeders FROM files f WHERE f.unlisted = 0 AND f.deleted = 0";
constexpr std::string_view kSearchOrder =
    " ORDER BY seeders DESC, f.first_seen ASC, f.file_key ASC LIMIT ?2 OFFSET ?3";

} // namespace

// Store

// Copies the WAL back into the database on its own thread and connection. Left to the
// writer (SQLite's auto-checkpoint), every thousandth page written would make one commit
// also copy and fsync the whole backlog, and every announce waiting behind it would see
// that as latency. A PASSIVE checkpoint never blocks the writer or the readers.
class Checkpointer {
public:
  static constexpr std::chrono::milliseconds kInterval{100};
  /// WAL frames (pages) after which the writer is asked to let the WAL start over (a WAL of
  /// about 68 MB). Each restart costs the writer a short checkpoint of its own, and so a
  /// pause of the announces behind it: the longer the WAL, the rarer those pauses.
  static constexpr std::int64_t kRestartAfterFrames = std::int64_t{64} * 1024;
  /// Frames not yet copied that the writer may be left to copy itself (a few milliseconds).
  static constexpr std::int64_t kLeftForTheWriterFrames = 512;
  /// Passes after which a long WAL waits for the next interval (writes outpace copying).
  static constexpr int kMaxCatchUpPasses = 20;

  Checkpointer(Database db, StoreWriter& writer)
      : db_(std::move(db)), writer_(writer), thread_([this] { run(); }) {}
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  Checkpointer(Checkpointer&&) = delete;
  Checkpointer& operator=(Checkpointer&&) = delete;
  ~Checkpointer() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

private:
  void run() {
    core::platform::lower_current_thread_priority();
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, kInterval, [this] { return stopping_; })) {
      lock.unlock();
      catch_up();
      lock.lock();
    }
  }

  // Copies the WAL back. Once it has grown long, keeps copying until what is left is small
  // and only then asks the writer to finish: the writer's own copy holds up announces, so it
  // must find almost nothing left to do.
  void catch_up() {
    for (int pass = 0; pass < kMaxCatchUpPasses; ++pass) {
      auto progress = checkpoint();
      if (!progress) {
        // The disk, say: the writer's next commit meets the same failure and reports it.
        return;
      }
      const auto [frames, copied] = progress.value();
      if (copied != synced_copied_) {
        if (!sync_database_file()) {
          return; // as above: the writer's own checkpoint syncs, and fails the same way
        }
        synced_copied_ = copied;
      }
      if (frames <= kRestartAfterFrames) {
        return;
      }
      if (frames - copied <= kLeftForTheWriterFrames) {
        writer_.request_wal_restart();
        return;
      }
    }
  }

  struct Progress {
    std::int64_t frames; ///< in the WAL
    std::int64_t copied; ///< of those, already in the database
  };

  // SQLite syncs the database file only after a checkpoint that reached the end of the WAL.
  // Under steady writes that is only the writer's own last one before a restart, which then
  // flushed every page copied since the previous restart (9-15 ms measured) while announces
  // waited. Syncing after each of our passes leaves it only the pages it copies itself.
  [[nodiscard]] core::Status sync_database_file() {
    sqlite3_file* file = nullptr;
    if (const int rc = sqlite3_file_control(db_.handle(), "main", SQLITE_FCNTL_FILE_POINTER, &file);
        rc != SQLITE_OK) {
      return core::sqlite::make_sqlite_error(rc);
    }
    if (file == nullptr || file->pMethods == nullptr) {
      return core::sqlite::make_sqlite_error(SQLITE_MISUSE);
    }
    const int rc = file->pMethods->xSync(file, SQLITE_SYNC_NORMAL | SQLITE_SYNC_DATAONLY);
    if (rc != SQLITE_OK) {
      return core::sqlite::make_sqlite_error(rc);
    }
    return boost::outcome_v2::success();
  }

  [[nodiscard]] core::Result<Progress> checkpoint() {
    auto statement = db_.prepare("PRAGMA wal_checkpoint(PASSIVE)");
    if (!statement) {
      return statement.error();
    }
    auto step = statement.value().step();
    if (!step) {
      return step.error();
    }
    return Progress{statement.value().column_int64(1), statement.value().column_int64(2)};
  }

  Database db_;
  StoreWriter& writer_;
  std::int64_t synced_copied_ = -1; ///< `copied` at our last sync of the database file
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_; // last: starts once everything above exists
};

struct Store::Impl {
  Impl(StoreOptions store_options, Database reader_db, Database writer_db, Database checkpoint_db)
      : options(store_options),
        writer(std::make_unique<StoreWriter>(std::move(writer_db), store_options.max_batch)),
        reader(std::move(reader_db)),
        checkpointer(std::make_unique<Checkpointer>(std::move(checkpoint_db), *writer)) {}

  /// Queues a write and waits for its durable outcome.
  core::Status write_and_wait(StoreWriter::Apply apply) const {
    auto done = std::make_shared<std::promise<core::Status>>();
    auto outcome = done->get_future();
    writer->submit(std::move(apply), [done](core::Status status) { done->set_value(status); });
    return outcome.get();
  }

  StoreOptions options;
  // Destroyed last: queued writes drain first, and the writer is the last connection to
  // close, which checkpoints the WAL into the database (a read-only one cannot).
  std::unique_ptr<StoreWriter> writer;
  // One reader connection shared by the calling threads; SQLite connections are not used
  // by two threads at once.
  std::mutex reader_mutex;
  Database reader;
  /// Where get_peers starts its window; guarded by reader_mutex.
  std::mt19937_64 sample_random{std::random_device{}()};
  /// Where the expiry sweep goes on: the last entry key its previous pass examined (0, 0:
  /// from the start). Guarded by expiry_mutex, which also keeps passes one at a time.
  std::mutex expiry_mutex;
  std::int64_t expiry_cursor_file = 0;
  std::int64_t expiry_cursor_peer = 0;
  // Destroyed first: it stops before the writer's closing checkpoint.
  std::unique_ptr<Checkpointer> checkpointer;
};

Store::Store(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

core::Result<Store> Store::open(const std::filesystem::path& path, const StoreOptions& options) {
  core::sqlite::OpenOptions writer_options;
  writer_options.synchronous = core::sqlite::Synchronous::full;
  writer_options.cache_size_kib = options.page_cache_kib;
  // Announces update entries at random places: every entry changed costs its whole page in
  // the WAL (and again when checkpointed). 1 KiB pages cut that write volume by four
  // against the default 4 KiB, for a b-tree one level deeper whose upper levels stay cached.
  writer_options.page_size = 1024;
  auto writer = core::sqlite::open_database(path, kMigrations, writer_options);
  if (!writer) {
    return writer.error();
  }
  // The Checkpointer does it; a WAL that grew during a burst is cut back once it restarts.
  if (auto manual = writer.value().exec("PRAGMA wal_autocheckpoint = 0; "
                                        "PRAGMA journal_size_limit = 134217728");
      !manual) {
    return manual.error();
  }
  auto checkpoint_db = core::sqlite::open_database(path, kMigrations, writer_options);
  if (!checkpoint_db) {
    return checkpoint_db.error();
  }
  core::sqlite::OpenOptions reader_options = writer_options;
  reader_options.read_only = true;
  auto reader = core::sqlite::open_database(path, kMigrations, reader_options);
  if (!reader) {
    return reader.error();
  }
  try {
    return Store{std::make_unique<Impl>(options, std::move(reader).value(),
                                        std::move(writer).value(),
                                        std::move(checkpoint_db).value())};
  } catch (const std::system_error& e) { // the writer thread could not start
    return e.code();
  }
}

core::Status Store::announce(AnnounceRequest request, TimePoint now) {
  auto prepared = prepare_announce(std::move(request), now);
  if (!prepared) {
    return prepared.error();
  }
  return impl_->write_and_wait(
      [a = std::move(prepared).value()](Database& db) { return apply_announce(db, a); });
}

void Store::announce_async(AnnounceRequest request, TimePoint now, WriteCallback done) {
  auto prepared = prepare_announce(std::move(request), now);
  if (!prepared) {
    done(prepared.error());
    return;
  }
  impl_->writer->submit(
      [a = std::move(prepared).value()](Database& db) { return apply_announce(db, a); },
      std::move(done));
}

core::Status Store::refresh(const crypto::PeerId& asker, const core::FileId& file_id,
                            TimePoint now) {
  const auto cutoff = live_cutoff(now, impl_->options.entry_ttl);
  return impl_->write_and_wait([asker, file_id, now = to_unix(now), cutoff](Database& db) {
    return apply_entry_change(db, asker, file_id, now, cutoff, EntryChange::refresh);
  });
}

void Store::refresh_async(const crypto::PeerId& asker, const core::FileId& file_id, TimePoint now,
                          WriteCallback done) {
  const auto cutoff = live_cutoff(now, impl_->options.entry_ttl);
  impl_->writer->submit(
      [asker, file_id, now = to_unix(now), cutoff](Database& db) {
        return apply_entry_change(db, asker, file_id, now, cutoff, EntryChange::refresh);
      },
      std::move(done));
}

core::Status Store::unannounce(const crypto::PeerId& asker, const core::FileId& file_id,
                               TimePoint now) {
  const auto cutoff = live_cutoff(now, impl_->options.entry_ttl);
  return impl_->write_and_wait([asker, file_id, now = to_unix(now), cutoff](Database& db) {
    return apply_entry_change(db, asker, file_id, now, cutoff, EntryChange::remove);
  });
}

void Store::unannounce_async(const crypto::PeerId& asker, const core::FileId& file_id,
                             TimePoint now, WriteCallback done) {
  const auto cutoff = live_cutoff(now, impl_->options.entry_ttl);
  impl_->writer->submit(
      [asker, file_id, now = to_unix(now), cutoff](Database& db) {
        return apply_entry_change(db, asker, file_id, now, cutoff, EntryChange::remove);
      },
      std::move(done));
}

namespace {

struct EntryKey {
  std::int64_t file_key = 0;
  std::int64_t peer_key = 0;
};

// One window of the sweep: reads the next `window` entries after `after` in key order and
// deletes the expired ones among them.
[[nodiscard]] core::Status expire_window(Database& db, EntryKey after, std::int64_t window,
                                         std::int64_t cutoff, ExpiryPass& pass, EntryKey& last) {
  std::vector<EntryKey> expired;
  {
    auto rows = query(db,
                      "SELECT file_key, peer_key, last_seen FROM entries "
                      "WHERE (file_key, peer_key) > (?1, ?2) "
                      "ORDER BY file_key, peer_key LIMIT ?3",
                      after.file_key, after.peer_key, window);
    if (!rows) {
      return rows.error();
    }
    for (;;) {
      auto step = rows.value()->step();
      if (!step) {
        return step.error();
      }
      if (step.value() == Statement::Step::done) {
        break;
      }
      const Statement& row = *rows.value();
      last = EntryKey{row.column_int64(0), row.column_int64(1)};
      ++pass.examined;
      if (row.column_int64(2) <= cutoff) {
        expired.push_back(last);
      }
    }
  } // the read is finished (reset) before the deletes
  for (const auto& key : expired) {
    BOOST_OUTCOME_TRY(execute(db, "DELETE FROM entries WHERE file_key = ?1 AND peer_key = ?2",
                              key.file_key, key.peer_key));
  }
  pass.removed = expired.size();
  pass.wrapped = pass.examined < static_cast<std::uint64_t>(window);
  return boost::outcome_v2::success();
}

} // namespace

core::Result<ExpiryPass> Store::expire(TimePoint now, std::size_t window) {
  const std::lock_guard lock(impl_->expiry_mutex);
  const auto cutoff = live_cutoff(now, impl_->options.entry_ttl);
  const EntryKey after{impl_->expiry_cursor_file, impl_->expiry_cursor_peer};
  // Filled on the writer thread, read here once the write completed. The cursor moves only
  // when the pass committed, so a pass that failed (or was retried) covers the same window.
  struct Outcome {
    ExpiryPass pass;
    EntryKey last;
  };
  auto outcome = std::make_shared<Outcome>();
  auto status =
      impl_->write_and_wait([after, window = to_sql_count(std::max<std::size_t>(window, 1)), cutoff,
                             outcome](Database& db) {
        *outcome = Outcome{ExpiryPass{}, after};
        return expire_window(db, after, window, cutoff, outcome->pass, outcome->last);
      });
  if (!status) {
    return status.error();
  }
  const EntryKey next = outcome->pass.wrapped ? EntryKey{} : outcome->last;
  impl_->expiry_cursor_file = next.file_key;
  impl_->expiry_cursor_peer = next.peer_key;
  return outcome->pass;
}

core::Status Store::delete_file(const core::FileId& file_id, TimePoint now) {
  return impl_->write_and_wait(
      [file_id, now = to_unix(now)](Database& db) { return apply_delete_file(db, file_id, now); });
}

core::Status Store::ban_peer(const crypto::PeerId& peer) {
  return impl_->write_and_wait([peer](Database& db) { return apply_ban_peer(db, peer); });
}

core::Result<std::vector<PeerEntry>> Store::get_peers(const core::FileId& file_id,
                                                      std::size_t limit,
                                                      const std::optional<crypto::PeerId>& exclude,
                                                      TimePoint now) {
  const std::lock_guard lock(impl_->reader_mutex);
  Database& db = impl_->reader;
  auto file = find_file(db, file_id);
  if (!file) {
    return file.error();
  }
  if (!file.value()) {
    return Errc::unknown_file;
  }
  if (file.value()->deleted) {
    return Errc::file_deleted;
  }
  // A popular file has thousands of live entries; sorting them all per request capped a
  // tracker at a few thousand get_peers a second. So the answer is a window of the file's
  // (file, peer) key range that starts at a random peer key and wraps around: it costs
  // `limit` rows, and successive askers get different peers (spread, not exactly uniform).
  // The unary + keeps the planner on the key rather than the last_seen index.
  constexpr std::string_view kFromStart =
      "SELECT p.peer_id, e.endpoints, e.last_seen FROM entries e "
      "JOIN peers p ON p.peer_key = e.peer_key "
      "WHERE e.file_key = ?1 AND e.peer_key >= ?5 AND +e.last_seen > ?2 AND p.peer_id IS NOT ?3 "
      "LIMIT ?4";
  constexpr std::string_view kBeforeStart =
      "SELECT p.peer_id, e.endpoints, e.last_seen FROM entries e "
      "JOIN peers p ON p.peer_key = e.peer_key "
      "WHERE e.file_key = ?1 AND e.peer_key < ?5 AND +e.last_seen > ?2 AND p.peer_id IS NOT ?3 "
      "LIMIT ?4";
  const std::int64_t file_key = file.value()->key.value;
  const std::int64_t cutoff = live_cutoff(now, impl_->options.entry_ttl);
  auto max_key = query(db, "SELECT max(peer_key) FROM peers");
  if (!max_key) {
    return max_key.error();
  }
  if (auto stepped = max_key.value()->step(); !stepped) {
    return stepped.error();
  }
  const auto key_count = static_cast<std::uint64_t>(max_key.value()->column_int64(0)) + 1;
  const auto start = static_cast<std::int64_t>(impl_->sample_random() % key_count);
  std::vector<PeerEntry> entries;
  for (const auto sql : {kFromStart, kBeforeStart}) {
    if (entries.size() >= limit) {
      break;
    }
    const auto wanted = to_sql_count(limit - entries.size());
    auto rows = exclude ? query(db, sql, file_key, cutoff, blob(*exclude), wanted, start)
                        : query(db, sql, file_key, cutoff, Null{}, wanted, start);
    if (!rows) {
      return rows.error();
    }
    auto part = read_peer_entries(*rows.value());
    if (!part) {
      return part.error();
    }
    std::move(part.value().begin(), part.value().end(), std::back_inserter(entries));
  }
  std::sort(entries.begin(), entries.end(),
            [](const PeerEntry& a, const PeerEntry& b) { return a.last_seen > b.last_seen; });
  return entries;
}

core::Result<std::vector<std::uint8_t>> Store::get_manifest(const core::FileId& file_id) {
  const std::lock_guard lock(impl_->reader_mutex);
  auto row = query(impl_->reader,
                   "SELECT f.deleted, m.manifest FROM files f "
                   "LEFT JOIN manifests m ON m.file_key = f.file_key WHERE f.file_id = ?1",
                   blob(file_id));
  if (!row) {
    return row.error();
  }
  auto step = row.value()->step();
  if (!step) {
    return step.error();
  }
  if (step.value() == Statement::Step::done) {
    return Errc::unknown_file;
  }
  if (row.value()->column_int64(0) != 0) {
    return Errc::file_deleted;
  }
  const auto bytes = row.value()->column_blob(1);
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

core::Result<std::vector<SearchHit>> Store::search(std::string_view text, std::size_t limit,
                                                   std::size_t offset, TimePoint now) {
  const std::int64_t cutoff = live_cutoff(now, impl_->options.entry_ttl);
  const std::string_view trimmed = trim(text);
  const bool is_prefix = trimmed.size() >= kMinFileIdPrefixDigits &&
                         trimmed.size() <= core::FileId::kHexLength &&
                         std::all_of(trimmed.begin(), trimmed.end(), is_hex_digit);

  std::vector<std::string> words;
  if (!is_prefix) {
    words = split_words(text);
    if (words.empty()) {
      return Errc::empty_query;
    }
    if (words.size() > kMaxSearchWords) {
      words.resize(kMaxSearchWords);
    }
  }

  const std::lock_guard lock(impl_->reader_mutex);
  Database& db = impl_->reader;
  auto run_query = [&]() -> core::Result<CachedStatement> {
    std::string sql{kSearchColumns};
    if (is_prefix) {
      // A prefix is the range [prefix000..., prefixfff...] of File IDs: one index seek.
      std::string low{trimmed};
      std::string high{trimmed};
      low.resize(core::FileId::kHexLength, '0');
      high.resize(core::FileId::kHexLength, 'f');
      core::Hash256 low_bytes{};
      core::Hash256 high_bytes{};
      (void)core::from_hex(low, low_bytes); // hex by construction
      (void)core::from_hex(high, high_bytes);
      sql += " AND f.file_id BETWEEN ?4 AND ?5";
      sql += kSearchOrder;
      return query(db, sql, cutoff, to_sql_count(limit), to_sql_count(offset), Blob{low_bytes},
                   Blob{high_bytes});
    }
    // One statement per number of words, each cached after its first use.
    for (std::size_t i = 0; i < words.size(); ++i) {
      sql += " AND f.file_key IN (SELECT file_key FROM words WHERE word = ?" +
             std::to_string(i + 4) + ")";
    }
    sql += kSearchOrder;
    auto statement = query(db, sql, cutoff, to_sql_count(limit), to_sql_count(offset));
    for (std::size_t i = 0; statement && i < words.size(); ++i) {
      if (auto status = statement.value()->bind_text(static_cast<int>(i + 4), words[i]); !status) {
        return status.error();
      }
    }
    return statement;
  };
  auto rows = run_query();
  if (!rows) {
    return rows.error();
  }
  Statement& r = *rows.value();
  std::vector<SearchHit> hits;
  for (;;) {
    auto step = r.step();
    if (!step) {
      return step.error();
    }
    if (step.value() == Statement::Step::done) {
      return hits;
    }
    auto id = file_id_from(r.column_blob(0));
    if (!id) {
      continue;
    }
    hits.push_back(
        SearchHit{std::string{r.column_text(1)}, static_cast<std::uint64_t>(r.column_int64(2)), *id,
                  static_cast<std::uint32_t>(r.column_int64(4)), from_unix(r.column_int64(3))});
  }
}

core::Result<StoreStats> Store::stats(TimePoint now) {
  const std::lock_guard lock(impl_->reader_mutex);
  auto row = query(impl_->reader,
                   "SELECT (SELECT count(*) FROM files WHERE deleted = 0), "
                   "(SELECT count(*) FROM entries WHERE last_seen > ?1), "
                   "(SELECT count(*) FROM peers WHERE banned = 0), "
                   "(SELECT count(DISTINCT peer_key) FROM entries WHERE last_seen > ?1)",
                   live_cutoff(now, impl_->options.entry_ttl));
  if (!row) {
    return row.error();
  }
  auto step = row.value()->step();
  if (!step) {
    return step.error();
  }
  const Statement& r = *row.value();
  return StoreStats{
      static_cast<std::uint64_t>(r.column_int64(0)), static_cast<std::uint64_t>(r.column_int64(1)),
      static_cast<std::uint64_t>(r.column_int64(2)), static_cast<std::uint64_t>(r.column_int64(3))};
}

core::Result<bool> Store::is_banned(const crypto::PeerId& peer) {
  const std::lock_guard lock(impl_->reader_mutex);
  auto found = find_peer(impl_->reader, peer);
  if (!found) {
    return found.error();
  }
  return found.value().has_value() && found.value()->banned;
}

core::Result<std::vector<PeerEntry>> Store::recent_dht_peers(std::size_t limit, TimePoint now) {
  const std::lock_guard lock(impl_->reader_mutex);
  auto rows = query(impl_->reader,
                    "SELECT peer_id, dht_endpoints, dht_seen FROM peers "
                    "WHERE dht_seen > ?1 AND banned = 0 ORDER BY dht_seen DESC LIMIT ?2",
                    live_cutoff(now, impl_->options.entry_ttl), to_sql_count(limit));
  if (!rows) {
    return rows.error();
  }
  return read_peer_entries(*rows.value());
}

std::chrono::seconds Store::entry_ttl() const noexcept { return impl_->options.entry_ttl; }

std::uint64_t Store::commit_count() const noexcept { return impl_->writer->commit_count(); }

// Formats

std::vector<std::string> split_words(std::string_view name) {
  const auto is_word_byte = [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
  };
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < name.size() && words.size() < kMaxWordsPerName) {
    while (i < name.size() && !is_word_byte(name[i])) {
      ++i;
    }
    std::string word;
    while (i < name.size() && is_word_byte(name[i])) {
      char c = name[i++];
      if (c >= 'A' && c <= 'Z') {
        c = static_cast<char>(c - 'A' + 'a');
      }
      if (word.size() < kMaxWordBytes) {
        word.push_back(c);
      }
    }
    // A cut may split a multi-byte character; both the index and queries cut the same way,
    // so matches are unaffected.
    if (!word.empty() && std::find(words.begin(), words.end(), word) == words.end()) {
      words.push_back(std::move(word));
    }
  }
  return words;
}

std::vector<std::uint8_t> encode_endpoints(std::span<const core::Endpoint> list) {
  std::vector<std::uint8_t> out;
  out.reserve(1 + list.size() * 19);
  out.push_back(static_cast<std::uint8_t>(list.size()));
  for (const auto& endpoint : list) {
    const auto address = endpoint.address_bytes();
    out.push_back(static_cast<std::uint8_t>(address.size()));
    out.insert(out.end(), address.begin(), address.end());
    out.push_back(static_cast<std::uint8_t>(endpoint.port() >> 8U));
    out.push_back(static_cast<std::uint8_t>(endpoint.port() & 0xFFU));
  }
  return out;
}

core::Result<std::vector<core::Endpoint>> decode_endpoints(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) {
    return core::Errc::invalid_endpoint;
  }
  const std::size_t count = bytes[0];
  std::vector<core::Endpoint> list;
  list.reserve(count);
  std::size_t at = 1;
  for (std::size_t i = 0; i < count; ++i) {
    if (at >= bytes.size()) {
      return core::Errc::invalid_endpoint;
    }
    const std::size_t length = bytes[at++];
    if (bytes.size() - at < length + 2) {
      return core::Errc::invalid_endpoint;
    }
    const auto port =
        static_cast<std::uint16_t>((bytes[at + length] << 8U) | bytes[at + length + 1]);
    auto endpoint = core::Endpoint::from_bytes(bytes.subspan(at, length), port);
    if (!endpoint) {
      return endpoint.error();
    }
    list.push_back(endpoint.value());
    at += length + 2;
  }
  if (at != bytes.size()) {
    return core::Errc::invalid_endpoint;
  }
  return list;
}

} // namespace swarmshare::tracker
