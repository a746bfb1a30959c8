#pragma once
// Kademlia's iterative lookup: find the k nodes closest to a key by asking, α at a time, the
// closest nodes known so far for nodes closer still, until the k closest known have all
// answered. A get_peers or get lookup also collects the records those nodes hold, and every
// answering node's token, which the caller needs to announce_peer or put to the k closest.
//
// Runs over an RpcClient (rpc_client.hpp): no sockets, no real clock. A Lookup lives in a
// shared_ptr: its pending queries and timers hold it, so the caller may drop its pointer
// once started and still get the callback. Not thread-safe (the node's thread).
//
// Failover: a node silent after `slow_after` is counted as stalled and another one is asked
// in its place, so α queries stay useful; its reply, if it comes before the RPC timeout,
// is still used. A node silent until the timeout (RpcOptions::timeout) failed and leaves
// the k closest. The lookup ends only when the k closest that did not fail all answered,
// so a stalled node among them is waited for until it answers or times out: if alive, it
// belongs in the result that announces and puts go to.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/dht/contact.hpp"
#include "swarmshare/dht/message.hpp"
#include "swarmshare/dht/node_id.hpp"
#include "swarmshare/dht/records.hpp"
#include "swarmshare/dht/rpc_client.hpp"
#include "swarmshare/dht/token.hpp"
#include "swarmshare/dht/transport.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace swarmshare::dht {

enum class LookupKind {
  find_node, ///< nodes only
  get_peers, ///< a file's peer records (stored under NodeId::of_file)
  get,       ///< signed records under a key (a word's keyword records)
};

/// What a lookup looks for; built by the named constructors so kind and key agree.
struct LookupTarget {
  LookupKind kind = LookupKind::find_node;
  NodeId key;
  core::FileId file; ///< get_peers only

  [[nodiscard]] static LookupTarget find_node(const NodeId& target) noexcept;
  [[nodiscard]] static LookupTarget get_peers(const core::FileId& file) noexcept;
  [[nodiscard]] static LookupTarget get(const NodeId& target) noexcept;
};

struct LookupOptions {
  /// α: queries in flight at once (not counting stalled ones). Kademlia's 3.
  std::size_t alpha = 3;
  /// k: how many closest nodes the lookup finds. Matches the bucket size and the contacts
  /// per reply, so one reply can name the whole answer.
  std::size_t k = 8;
  /// A query unanswered this long is stalled: another node is asked besides. Most round
  /// trips are well under it; waiting the full RPC timeout would stall the lookup on the dead.
  Scheduler::Duration slow_after = std::chrono::milliseconds{300};
  /// The whole lookup ends by then whatever is outstanding (success only if the k closest
  /// answered). A few hops of a second each at worst.
  Scheduler::Duration deadline = std::chrono::seconds{10};
  /// Candidates kept; the farthest unasked ones are dropped beyond it. A lookup rarely
  /// needs more than a few dozen, and replies cannot grow it without bound.
  std::size_t max_candidates = 128;
  /// Records kept (after deduplication): bounds what hostile replies can make us hold.
  std::size_t max_records = 64;
  /// Check records before keeping them (signature, key, expiry). Off only for tests of the
  /// traversal itself; a record that fails is dropped and counted.
  bool verify_records = true;
};

/// A node that answered, and the token it gave us for our address (if any).
struct AnsweredNode {
  NodeContact contact;
  std::optional<Token> token;
};

struct LookupStats {
  std::uint64_t requests = 0;
  std::uint64_t replies = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t errors = 0;  ///< error replies and queries refused by the client
  std::uint64_t stalled = 0; ///< queries that passed slow_after unanswered
  std::uint64_t records_rejected = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  Scheduler::Duration duration{};
};

struct LookupResult {
  LookupTarget target;
  /// Up to k nodes that answered, closest first.
  std::vector<AnsweredNode> closest;
  std::vector<PeerRecord> peers;     ///< get_peers: one per peer, the newest
  std::vector<SignedRecord> records; ///< get: one per (signer, salt), the highest seq
  LookupStats stats;
  /// The k closest nodes the lookup learned of all answered, or fewer than k were reachable
  /// and all of those did (at least one). False after the deadline or a cancel.
  bool success = false;
  bool deadline_reached = false;
  bool cancelled = false;
};

using LookupCallback = std::function<void(const LookupResult&)>;

class Lookup : public std::enable_shared_from_this<Lookup> {
public:
  /// `rpc` (and through it the routing table and scheduler) and `clock` (to check peer
  /// records' expiry) must outlive the lookup. `seeds` join the routing table's closest,
  /// e.g. bootstrap nodes when the table is empty.
  [[nodiscard]] static std::shared_ptr<Lookup> create(RpcClient& rpc, const core::Clock& clock,
                                                      const LookupTarget& target,
                                                      LookupOptions options = {},
                                                      std::vector<NodeContact> seeds = {});

  Lookup(const Lookup&) = delete;
  Lookup& operator=(const Lookup&) = delete;
  Lookup(Lookup&&) = delete;
  Lookup& operator=(Lookup&&) = delete;
  ~Lookup() = default;

  /// Starts asking. `on_done` is called exactly once, from the scheduler (never from inside
  /// start() or cancel()). A second start() is ignored; after cancel() nothing is asked and
  /// the cancelled result is delivered.
  void start(LookupCallback on_done);
  /// Ends the lookup now (result.cancelled); outstanding queries still feed the routing
  /// table when answered.
  void cancel();

  [[nodiscard]] bool finished() const noexcept { return finished_; }
  [[nodiscard]] const LookupStats& stats() const noexcept { return result_.stats; }

private:
  enum class State { unasked, asking, answered, failed };
  struct Candidate {
    NodeContact contact;
    State state = State::unasked;
    bool stalled = false;
    bool retried = false;        ///< asked again after a prove_address error
    bool timed_out_once = false; ///< asked again after a timeout
    std::optional<Token> token;
    Scheduler::TimerId slow_timer{};
  };

  Lookup(RpcClient& rpc, const core::Clock& clock, const LookupTarget& target,
         LookupOptions options);

  void add_candidate(const NodeContact& contact);
  [[nodiscard]] Candidate* find(const NodeId& id) noexcept;
  void step();
  void ask(Candidate& candidate);
  void on_answer(const NodeId& id, core::Result<Answered> answer);
  void on_slow(const NodeId& id);
  void absorb(const Reply& reply);
  void keep_peer(const PeerRecord& record);
  void keep_record(const SignedRecord& record);
  void finish(bool success, bool deadline_reached, bool cancelled);
  void deliver_later();
  [[nodiscard]] RequestBody request_body() const;

  RpcClient* rpc_;
  Scheduler* scheduler_;
  const core::Clock* clock_;
  LookupOptions options_;
  NodeId own_id_;
  std::vector<NodeContact> seeds_;
  std::vector<Candidate> candidates_; ///< closest to the key first
  std::size_t active_ = 0;            ///< asking and not stalled
  LookupResult result_;
  LookupCallback on_done_;
  Scheduler::TimePoint started_at_{};
  Scheduler::TimerId deadline_timer_{};
  bool started_ = false;
  bool finished_ = false;
};

} // namespace swarmshare::dht
