#pragma once
// What a DHT node stores for others: peer records (who serves a file) and signed records
// (BEP 44 style values, keyword records among them), with the limits that keep a node's
// memory bounded whatever strangers send it.
//
// Pure logic: no sockets, no timers. Every call takes the wall-clock time `now` (peer
// records carry unix issue times, so their expiry is wall-clock time anyway), and the node
// calls expire() now and then. Not thread-safe: the node owns it on its one thread.
//
// Every record is verified before it is stored, and the cheap refusals (stale, quota) come
// before the signature check, so a flood of junk costs little.

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/dht/message.hpp"
#include "swarmshare/dht/node_id.hpp"
#include "swarmshare/dht/records.hpp"

#include <array>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <system_error>
#include <vector>

namespace swarmshare::dht {

/// Who a quota is charged to: an IPv4 address, or the /64 prefix of an IPv6 address (one
/// host usually gets a whole /64, so counting single IPv6 addresses would cap nothing).
/// Ports are left out: NATs change them, and one host can use any number of them.
class SourceAddress {
public:
  [[nodiscard]] static SourceAddress of(const core::Endpoint& endpoint) noexcept;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const SourceAddress&, const SourceAddress&) = default;

private:
  std::array<std::uint8_t, 16> bytes_{};
};

struct StorageOptions {
  /// Peer records kept per File ID; when full, a newer record evicts the oldest issued.
  std::size_t max_peer_records_per_file = 64;
  /// Peer records in all (about 200 bytes each: some 10 MB at most).
  std::size_t max_peer_records = 50'000;
  /// Peer records one source address may have stored (counting its live records).
  std::size_t max_peer_records_per_source = 256;
  /// Signed records kept per target; when full, a new record evicts the least recently
  /// stored one, so a word's records stay current.
  std::size_t max_signed_records_per_target = 64;
  /// Signed records in all. Lower than for peer records: one holds up to ~1,150 bytes.
  std::size_t max_signed_records = 10'000;
  std::size_t max_signed_records_per_source = 256;
  /// How long a signed record is kept after it was stored (records carry no time of their
  /// own); signers republish. Peer records expire kPeerRecordLifetime after their issue.
  std::chrono::seconds signed_record_lifetime = kPeerRecordLifetime;
};

/// What a store call did. Only the first three mean the record is held now.
enum class StoreOutcome {
  stored,         ///< a new record
  replaced,       ///< replaced an older record of the same peer (issue time) or key (seq)
  unchanged,      ///< exactly the record stored already: its storage time restarts
  invalid_record, ///< did not verify: StoreResult::error says why (records.hpp errors)
  stale,          ///< not newer than the stored record: issue time or seq not above it
  key_full,       ///< the file's or target's list is full of newer records
  node_full,      ///< the node's total quota is used
  source_full,    ///< the source address's quota is used
};

struct [[nodiscard]] StoreResult {
  StoreOutcome outcome = StoreOutcome::stored;
  std::error_code error; ///< set for invalid_record only
  [[nodiscard]] bool accepted() const noexcept {
    return outcome == StoreOutcome::stored || outcome == StoreOutcome::replaced ||
           outcome == StoreOutcome::unchanged;
  }
};

/// How much is stored, for tests and the UI.
struct StorageStats {
  std::size_t peer_records = 0;
  std::size_t files = 0;
  std::size_t signed_records = 0;
  std::size_t targets = 0;
};

class Storage {
public:
  using TimePoint = std::chrono::system_clock::time_point;

  /// Records are verified as signed for `network`.
  explicit Storage(const crypto::NetworkId& network, StorageOptions options = {});

  [[nodiscard]] const StorageOptions& options() const noexcept { return options_; }

  /// Stores `record` announced from `source` (the datagram's source address): one per
  /// (file, peer), a later issue time replaces. The caller checks that the announcer is the
  /// record's peer; this checks everything else.
  StoreResult store_peer(const PeerRecord& record, const core::Endpoint& source, TimePoint now);
  /// Up to min(limit, kMaxRecordsPerReply) live peer records of `file_id`, the most
  /// recently issued first (peers behind them are the ones most likely still there).
  [[nodiscard]] std::vector<PeerRecord> peers_for(const core::FileId& file_id, std::size_t limit,
                                                  TimePoint now) const;

  /// Stores `record` put from `source`: one per (target, signer, salt), a higher seq replaces,
  /// a lower or equal one is stale (except the very same record, which is `unchanged`).
  StoreResult store_signed(const SignedRecord& record, const core::Endpoint& source, TimePoint now);
  /// Up to min(limit, kMaxRecordsPerReply) live signed records under `target`, the most
  /// recently stored first.
  [[nodiscard]] std::vector<SignedRecord> records_for(const NodeId& target, std::size_t limit,
                                                      TimePoint now) const;

  /// Drops every expired record. Returns how many went.
  std::size_t expire(TimePoint now);

  [[nodiscard]] StorageStats stats() const noexcept;

private:
  struct PeerEntry {
    PeerRecord record;
    SourceAddress source;
  };
  struct SignedEntry {
    SignedRecord record;
    SourceAddress source;
    TimePoint stored_at;
  };
  using Counts = std::map<SourceAddress, std::size_t>;

  [[nodiscard]] static bool peer_expired(const PeerRecord& record, TimePoint now) noexcept;
  [[nodiscard]] bool signed_expired(const SignedEntry& entry, TimePoint now) const noexcept;
  std::size_t prune_file(std::vector<PeerEntry>& entries, TimePoint now);
  std::size_t prune_target(std::vector<SignedEntry>& entries, TimePoint now);
  static void charge(Counts& counts, const SourceAddress& source);
  static void release(Counts& counts, const SourceAddress& source) noexcept;
  [[nodiscard]] static std::size_t count_of(const Counts& counts,
                                            const SourceAddress& source) noexcept;

  crypto::NetworkId network_;
  StorageOptions options_;
  std::map<core::FileId, std::vector<PeerEntry>> peers_;
  std::map<NodeId, std::vector<SignedEntry>> signed_;
  std::size_t peer_count_ = 0;
  std::size_t signed_count_ = 0;
  Counts peers_by_source_;
  Counts signed_by_source_;
};

} // namespace swarmshare::dht
