#pragma once
// The tracker's registry: files (with their manifests), peers and (file, peer) entries, in
// SQLite. No networking here; the server calls it with the Peer ID its secure channel
// authenticated, and with the time ("now") so tests and the server agree on expiry.
//
// Durability: a write (announce, refresh, unannounce, expire, operator actions) completes
// only after the transaction holding it has committed with synchronous=FULL. Writes from all
// callers go through one queue to one writer thread, which applies everything waiting in a
// single transaction (group commit), so one fsync acknowledges many writes. Reads use their
// own connection and see every acknowledged write.

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/tracker/error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace swarmshare::tracker {

using TimePoint = std::chrono::system_clock::time_point;

/// Entries expire this long after their last announce or refresh.
inline constexpr std::chrono::seconds kDefaultEntryTtl{30 * 60};
/// Endpoints one entry may carry.
inline constexpr std::size_t kMaxEndpointsPerEntry = 8;
/// A name is indexed by at most this many distinct words (the first ones), and a search
/// uses at most this many words of its text.
inline constexpr std::size_t kMaxWordsPerName = 64;
inline constexpr std::size_t kMaxSearchWords = 8;
/// Words longer than this are cut to it, in the index and in queries alike.
inline constexpr std::size_t kMaxWordBytes = 64;
/// A search text of at least this many hex digits (and nothing else) is a File ID prefix.
inline constexpr std::size_t kMinFileIdPrefixDigits = 8;

struct StoreOptions {
  std::chrono::seconds entry_ttl = kDefaultEntryTtl;
  /// Page cache per connection (the store has three: writer, reader and checkpointer; the
  /// checkpointer barely uses its own), in KiB. The cache
  /// is what keeps resident memory flat as the registry grows.
  std::size_t page_cache_kib = 4096;
  /// Writes applied in one transaction at most.
  std::size_t max_batch = 4096;
};

struct AnnounceRequest {
  crypto::PeerId peer;
  core::FileId file_id;
  /// The canonical manifest. Empty when the peer expects the tracker to know the file
  /// already (unknown_file otherwise).
  std::vector<std::uint8_t> manifest;
  std::vector<core::Endpoint> endpoints;
  /// Reachable by File ID but never shown by search. A file stays unlisted only while no
  /// peer has announced it listed: anyone who has its bytes may list it.
  bool unlisted = false;
  /// The UDP port of the peer's DHT node, 0 for none. With one, the peer joins the list
  /// recent_dht_peers() gives to bootstrapping nodes, as `endpoints` with this port.
  std::uint16_t dht_port = 0;
};

/// What one pass of the expiry sweep did (Store::expire).
struct ExpiryPass {
  std::uint64_t removed = 0;  ///< expired entries deleted
  std::uint64_t examined = 0; ///< entries looked at
  bool wrapped = false;       ///< the pass reached the last entry: the next one starts over
};

struct PeerEntry {
  crypto::PeerId peer;
  std::vector<core::Endpoint> endpoints;
  TimePoint last_seen;
};

struct SearchHit {
  std::string name;
  std::uint64_t size = 0;
  core::FileId file_id;
  /// Peers with a live entry; 0 for a file whose peers all expired (it stays searchable).
  std::uint32_t live_seeders = 0;
  TimePoint first_seen;
};

struct StoreStats {
  std::uint64_t files = 0;        ///< Known files, not counting deleted ones.
  std::uint64_t live_entries = 0; ///< (file, peer) entries not yet expired.
  std::uint64_t peers = 0;        ///< Peer IDs ever seen, not counting banned ones.
  std::uint64_t live_peers = 0;   ///< Distinct Peer IDs with a live entry.
};

/// Called with a write's outcome once it is durable (or has failed). Runs on the store's
/// writer thread: hand the result off (post it to an executor) rather than block there, and
/// never call a blocking Store write from it (that would wait for itself).
using WriteCallback = std::function<void(core::Status)>;

class Store {
public:
  /// Opens or creates the registry at `path`, migrating its schema.
  [[nodiscard]] static core::Result<Store> open(const std::filesystem::path& path,
                                                const StoreOptions& options = {});

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  /// Completes every write already queued, then closes.
  ~Store();

  // Writes. Each has a blocking form and one that calls back once durable.

  /// Creates or renews the (file, peer) entry with these endpoints. Refused for a banned
  /// peer (peer_banned), a deleted file (file_deleted), a manifest that does not hash to
  /// the File ID (manifest_mismatch) or is not a valid manifest (core codes), an unknown
  /// File ID without a manifest (unknown_file) and an empty or too long endpoint list
  /// (invalid_endpoints).
  [[nodiscard]] core::Status announce(AnnounceRequest request, TimePoint now);
  void announce_async(AnnounceRequest request, TimePoint now, WriteCallback done);

  /// Extends the asker's live entry. no_entry when it has none (expired or never made);
  /// not_owner when it has none but other peers have live entries for the file.
  [[nodiscard]] core::Status refresh(const crypto::PeerId& asker, const core::FileId& file_id,
                                     TimePoint now);
  void refresh_async(const crypto::PeerId& asker, const core::FileId& file_id, TimePoint now,
                     WriteCallback done);

  /// Removes the asker's entry; the same refusals as refresh().
  [[nodiscard]] core::Status unannounce(const crypto::PeerId& asker, const core::FileId& file_id,
                                        TimePoint now);
  void unannounce_async(const crypto::PeerId& asker, const core::FileId& file_id, TimePoint now,
                        WriteCallback done);

  /// One pass of the expiry sweep: looks at the next `window` entries in key order after
  /// where the previous pass stopped (starting over after the last entry) and removes those
  /// that expired. Entries have no index by age, which every announce would have to update;
  /// so instead of finding the expired ones, expiry walks the whole table a window at a
  /// time. A pass of a few thousand entries costs the writer about a millisecond, and an
  /// expired entry, which no read returns from the moment it expires, is gone within one
  /// sweep.
  [[nodiscard]] core::Result<ExpiryPass> expire(TimePoint now, std::size_t window = 2048);

  /// Operator: forgets the manifest, name and entries of a File ID and refuses it from now
  /// on (also a File ID never seen, to block it in advance).
  [[nodiscard]] core::Status delete_file(const core::FileId& file_id, TimePoint now);
  /// Operator: refuses a Peer ID from now on and drops all its entries.
  [[nodiscard]] core::Status ban_peer(const crypto::PeerId& peer);

  // Reads. The store applies no caps of its own: the server passes its configured limits.

  /// Up to `limit` live entries of a file, without `exclude` (the asker), most recently seen
  /// first. When the file has more, which ones is random (a window of the file's entries
  /// at a random place), so that askers spread over the swarm at a cost of `limit` rows.
  [[nodiscard]] core::Result<std::vector<PeerEntry>>
  get_peers(const core::FileId& file_id, std::size_t limit,
            const std::optional<crypto::PeerId>& exclude, TimePoint now);
  [[nodiscard]] core::Result<std::vector<std::uint8_t>> get_manifest(const core::FileId& file_id);
  /// Listed files whose name holds every word of `text` (case-insensitive ASCII, split as
  /// split_words() does), or, when `text` is at least kMinFileIdPrefixDigits hex digits and
  /// nothing else, whose File ID starts with it. Ranked by live seeders (most first), then
  /// first seen (oldest first).
  [[nodiscard]] core::Result<std::vector<SearchHit>>
  search(std::string_view text, std::size_t limit, std::size_t offset, TimePoint now);
  /// Counts live entries: a scan of every entry, for an occasional stats request rather
  /// than every request.
  [[nodiscard]] core::Result<StoreStats> stats(TimePoint now);
  /// Whether the operator banned this Peer ID (the server refuses its connections).
  [[nodiscard]] core::Result<bool> is_banned(const crypto::PeerId& peer);
  /// The `limit` most recently seen DHT-capable peers with a live announce, with the
  /// endpoints of their last DHT-capable announce (their DHT node's, see
  /// AnnounceRequest::dht_port).
  [[nodiscard]] core::Result<std::vector<PeerEntry>> recent_dht_peers(std::size_t limit,
                                                                      TimePoint now);

  /// How long an entry lives after its last announce or refresh.
  [[nodiscard]] std::chrono::seconds entry_ttl() const noexcept;

  /// Transactions committed by the writer so far (fewer than writes when grouping works).
  [[nodiscard]] std::uint64_t commit_count() const noexcept;

private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

/// A name's search words: split at every byte that is not an ASCII letter or digit (bytes
/// of multi-byte UTF-8 characters count as letters, so non-Latin words stay whole),
/// lowercased (ASCII), each cut to kMaxWordBytes, duplicates removed, in order of first
/// appearance. "Holiday-Video 2026.bin" gives holiday, video, 2026, bin.
[[nodiscard]] std::vector<std::string> split_words(std::string_view name);

/// Endpoints in their storage form: a count byte, then per endpoint a length byte (4 or 16),
/// the address and the port (big-endian).
[[nodiscard]] std::vector<std::uint8_t> encode_endpoints(std::span<const core::Endpoint> list);
[[nodiscard]] core::Result<std::vector<core::Endpoint>>
decode_endpoints(std::span<const std::uint8_t> bytes);

} // namespace swarmshare::tracker
