#pragma once
// The Kademlia routing table: which DHT nodes we know, grouped in k-buckets by how many
// leading bits their ID shares with ours (BEP 5's design, with Swarmshare's defences).
//
// A pure data structure: no sockets, no threads, no timers. The DHT node tells it what
// happened (a node answered, a node queried us, a query timed out) and asks it whom to
// contact (closest(), the ping it requests in on_response(), refresh_targets()). Time comes
// from the injected Clock and random choices from the injected Random, so tests drive both.
// Not thread-safe: the node owns it on one strand.
//
// Why nodes enter only by answering: anyone can send us a query with any Peer ID and a
// forged source address, but only a node that really listens at an address can answer a
// query we sent there. Admitting query senders would let one host fill our buckets.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/random.hpp"
#include "swarmshare/dht/contact.hpp"
#include "swarmshare/dht/node_id.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace swarmshare::dht {

struct RoutingTableOptions {
  /// k: nodes per bucket. Also how many nodes a lookup asks for (closest()).
  std::size_t bucket_size = 8;
  /// Nodes that answered while their bucket was full, kept to fill the first free place.
  /// At least 1 (a smaller value is raised): the ping-before-evict exchange needs it.
  std::size_t replacement_cache_size = 4;
  /// Consecutive timeouts after which a node is bad. One lost UDP datagram is common; two in
  /// a row with no answer between them rarely is.
  std::uint32_t timeouts_until_bad = 2;
  /// A node is good for this long after its last answer.
  std::chrono::steady_clock::duration good_for = std::chrono::minutes{15};
  /// A bucket nobody answered from or looked up into for this long needs a refresh lookup.
  std::chrono::steady_clock::duration bucket_stale_after = std::chrono::minutes{15};
  /// Nodes one public IPv4 /24 or IPv6 /64 may hold in one bucket. One host can create any
  /// number of identities, but rarely owns many networks: this keeps a bucket diverse.
  std::size_t max_nodes_per_subnet = 2;
};

enum class NodeStatus {
  good,         ///< answered within RoutingTableOptions::good_for
  questionable, ///< silent for longer, or restored from a saved table and not heard yet
  bad,          ///< timeouts_until_bad consecutive timeouts: replaced by the next newcomer
};

/// What on_response() did with the node that answered.
enum class Admission {
  inserted,          ///< a new node took a free place (after splitting our bucket if needed)
  refreshed,         ///< already in the table: it is good again and its timeouts are forgotten
  relocated,         ///< already in the table as bad and answered from a new endpoint: moved there
  replaced_bad,      ///< took the place of a bad node
  ping_questionable, ///< full bucket with a questionable node: ping ResponseOutcome::ping
  cached,            ///< full bucket: kept as a candidate for the next free place
  dropped,           ///< full bucket and every cached candidate is awaiting a ping already
  endpoint_mismatch, ///< a known Peer ID at another endpoint; the entry was not moved
  subnet_full,       ///< its subnet already has max_nodes_per_subnet nodes in the bucket
  own_id,            ///< our own ID: never in our table
};

/// The result of on_response(). When `admission` is ping_questionable the caller must ping
/// `ping` and report the result: on_response() if it answers (the newcomer is then dropped),
/// on_timeout() if not (the newcomer takes its place). Nothing is evicted blindly: a node
/// that merely went quiet for 15 minutes is often still there, and old nodes are the most
/// likely to stay (Kademlia's observation).
struct [[nodiscard]] ResponseOutcome {
  Admission admission = Admission::inserted;
  std::optional<NodeContact> ping;
};

/// What on_timeout() did.
enum class TimeoutOutcome {
  not_in_table,          ///< unknown ID (or our own): nothing to do
  counted,               ///< one more timeout, still not bad
  now_bad,               ///< bad now, and no candidate was there to replace it
  replaced_by_candidate, ///< removed; a candidate from the replacement cache took its place
  candidate_dropped,     ///< a candidate (not yet in the table) is forgotten
};

/// One node as the UI lists it ("DHT nodes known").
struct KnownNode {
  NodeContact contact;
  NodeStatus status = NodeStatus::questionable;
};

class RoutingTable {
public:
  /// The clock and random source must outlive the table.
  RoutingTable(const NodeId& own_id, const core::Clock& clock, core::Random& random,
               RoutingTableOptions options = {});

  [[nodiscard]] const NodeId& own_id() const noexcept { return own_id_; }
  [[nodiscard]] const RoutingTableOptions& options() const noexcept { return options_; }

  /// `contact` answered one of our queries from contact.endpoint: the only way into the table.
  ResponseOutcome on_response(const NodeContact& contact);
  /// `contact` sent us a query. Refreshes it (BEP 5: a node that answered us in this run and
  /// queries us stays good) when it is in the table at that endpoint; never inserts. Returns
  /// whether anything was refreshed; the answer to the query does not depend on it.
  bool on_query_from(const NodeContact& contact);
  /// A query we sent to `id` got no answer in time.
  TimeoutOutcome on_timeout(const NodeId& id);

  /// Nodes from a saved table (decode_routing_table()). They answered in an earlier run, not
  /// in this one, so they enter as questionable where there is room, never displacing a node
  /// heard in this run. The node should ping them at start. Returns how many entered.
  std::size_t restore(std::span<const NodeContact> contacts);

  /// Up to `count` good or questionable nodes, nearest to `target` first (bad ones are
  /// skipped: they would only cost a lookup a timeout).
  [[nodiscard]] std::vector<NodeContact> closest(const NodeId& target, std::size_t count) const;

  /// A lookup for `target` started: the bucket whose range holds it is fresh again.
  void mark_bucket_used(const NodeId& target);
  /// A random ID inside the range of each bucket that is stale, for a refresh lookup each.
  /// Those buckets count as used from now, so calling this again does not repeat them while
  /// their lookups run.
  [[nodiscard]] std::vector<NodeId> refresh_targets();

  [[nodiscard]] std::optional<NodeStatus> status_of(const NodeId& id) const;
  /// The table's entry for `id` (not the replacement cache).
  [[nodiscard]] std::optional<NodeContact> find(const NodeId& id) const;
  /// Whether `id` waits in a replacement cache.
  [[nodiscard]] bool is_candidate(const NodeId& id) const;

  /// Nodes in the buckets, bad ones included (candidates are not counted).
  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  [[nodiscard]] std::size_t bucket_count() const noexcept { return buckets_.size(); }
  /// A snapshot of every node in the buckets with its status, bucket by bucket.
  [[nodiscard]] std::vector<KnownNode> nodes() const;

private:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Entry {
    NodeContact contact;
    /// When it last answered us in this run; empty for a node restored from a saved table.
    std::optional<TimePoint> last_response;
    std::optional<TimePoint> last_query;
    /// Its last sign of life, or when it entered: orders "least recently seen".
    TimePoint last_seen;
    std::uint32_t consecutive_timeouts = 0;
    /// Set while we wait for the ping on_response() asked for: the newcomer it decides on.
    std::optional<NodeId> eviction_candidate;
  };

  struct Candidate {
    NodeContact contact;
    TimePoint answered_at;
  };

  struct Bucket {
    std::vector<Entry> entries;
    std::vector<Candidate> candidates; ///< oldest first
    TimePoint last_used;
  };

  [[nodiscard]] std::size_t bucket_index(const NodeId& id) const noexcept;
  [[nodiscard]] NodeStatus status(const Entry& entry) const noexcept;
  [[nodiscard]] bool can_split(std::size_t index) const noexcept;
  void split_last_bucket();
  [[nodiscard]] Entry* find_entry(const NodeId& id) noexcept;
  [[nodiscard]] const Entry* find_entry(const NodeId& id) const noexcept;
  [[nodiscard]] std::size_t subnet_neighbours(const Bucket& bucket, const core::Endpoint& endpoint,
                                              const Entry* ignore) const noexcept;
  void record_response(Bucket& bucket, Entry& entry);
  [[nodiscard]] Entry fresh_entry(const NodeContact& contact, bool answered) const;
  ResponseOutcome admit_new(const NodeContact& contact);
  [[nodiscard]] bool cache_candidate(Bucket& bucket, const NodeContact& contact);
  void drop_candidate(Bucket& bucket, const NodeId& id);
  [[nodiscard]] bool promote_candidate(Bucket& bucket, std::size_t slot,
                                       const std::optional<NodeId>& preferred);
  [[nodiscard]] NodeId random_id_in_bucket(std::size_t index);

  NodeId own_id_;
  const core::Clock* clock_;
  core::Random* random_;
  RoutingTableOptions options_;
  /// Bucket i < last holds the IDs sharing exactly i leading bits with ours; the last one
  /// holds every ID sharing at least (bucket_count() - 1) bits: the only one that splits.
  std::vector<Bucket> buckets_;
};

// ----- Saving and restoring -------------------------------------------------------------------

/// The saved table's format version (the first field).
inline constexpr std::uint64_t kRoutingTableFormatVersion = 1;
/// Nodes saved at most: more than a fresh start needs, little enough to read at once.
inline constexpr std::size_t kMaxSavedNodes = 1'000;

/// Hard limits for decode_routing_table(); the bytes are a file another process could write.
struct SavedTableLimits {
  /// A full table of kMaxSavedNodes IPv6 nodes takes under 57 KB.
  std::size_t max_bytes = std::size_t{64} * 1024;
  std::size_t max_nodes = kMaxSavedNodes;
};

/// The good and questionable nodes of `table` (good ones first), at most `max_nodes`, as
/// msgpack: [version, [[peer_id bin 32, address bin 4|16, port], ...]].
[[nodiscard]] std::vector<std::uint8_t>
encode_routing_table(const RoutingTable& table, std::size_t max_nodes = kMaxSavedNodes);

/// The contacts in bytes written by encode_routing_table(). Input over the limits or not of
/// that exact shape is refused whole (core::Errc::frame_too_large / frame_malformed), an
/// unknown version gives core::Errc::unsupported_version; nothing throws.
[[nodiscard]] core::Result<std::vector<NodeContact>>
decode_routing_table(std::span<const std::uint8_t> bytes, const SavedTableLimits& limits = {});

} // namespace swarmshare::dht
