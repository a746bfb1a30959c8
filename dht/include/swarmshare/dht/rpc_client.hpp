#pragma once
// The asking side of a DHT node: sends one query per datagram, matches replies to them and
// reports each query's outcome exactly once. Pure logic over the injected Transport and
// Scheduler (transport.hpp): no sockets, no real clock, so it runs the same over UDP and in
// a simulated network on a virtual clock.
//
// A reply counts only when it echoes an outstanding transaction ID, comes from the address
// the query went to, is an answer to that request type (answers()), and, when the caller
// named the Peer ID it expects, is sent by it. Anything else is counted and dropped: a
// transaction ID alone is 32 guessable bits, and an off-path attacker who cannot receive at
// the queried address cannot make its reply come from there.
//
// Threads: one thread, the node's, like the Transport and Scheduler it uses.

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/random.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/message.hpp"
#include "swarmshare/dht/node_id.hpp"
#include "swarmshare/dht/routing_table.hpp"
#include "swarmshare/dht/token.hpp"
#include "swarmshare/dht/transport.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

namespace swarmshare::dht {

struct RpcOptions {
  /// How long a query waits for its reply at most. Round trips on the Internet are mostly
  /// under 300 ms; a second leaves room for a slow path without making lookups wait on the
  /// dead.
  Scheduler::Duration timeout = std::chrono::seconds{1};
  /// Once replies have been timed, a query waits kTimeoutRoundTrips smoothed round trips
  /// instead, within [min_timeout, timeout].
  bool adaptive_timeout = true;
  Scheduler::Duration min_timeout = std::chrono::milliseconds{250};
  /// Queries awaiting a reply at most; more are refused (too_many_queries). Bounds memory
  /// and timers whatever a caller does.
  std::size_t max_outstanding = 1024;
  /// Nodes whose latest token we remember (for a later announce_peer or put, and to prove
  /// our address instead of padding). The least recently received is forgotten first.
  std::size_t token_cache_size = 256;
  /// A token is echoed only this long after we got it. A node accepts its tokens for 5 to
  /// 10 minutes (token.hpp), so one younger than 5 minutes is always still good.
  Scheduler::Duration token_lifetime = kTokenRotation;
  /// Pad get_peers and get to this size when the node never gave us a token: their answers
  /// (records) may fill a whole datagram, and the nodes closest to a key, which hold the
  /// records, are mostly ones we have never talked to. A smaller value saves bytes at the
  /// cost of truncated answers (or a prove_address round trip).
  std::size_t record_request_padding = kMaxDatagramBytes;
  /// When the routing table asks (a full bucket with a questionable node), ping that node
  /// ourselves, so on_response()'s ping-before-evict happens without the caller's help.
  bool ping_questionable = true;
};

/// What a matched reply brings, beside the reply itself.
struct Answered {
  Reply reply;
  core::Endpoint from;
  std::size_t bytes_received = 0; ///< as on_reply() was told (0 when not)
  Scheduler::Duration round_trip{};
};

/// Called exactly once per query accepted by query(): with the matched reply (an ErrorReply
/// body included: the node answered, it refused), or with dht::Errc::timed_out, or with
/// core::Errc::cancelled from cancel_all().
using ReplyHandler = std::function<void(core::Result<Answered>)>;

/// A query that left: its transaction and the datagram's size.
struct QueryTicket {
  TransactionId transaction;
  std::size_t bytes_sent = 0;
};

struct RpcStats {
  std::uint64_t queries_sent = 0;
  std::uint64_t replies = 0;           ///< matched replies (errors included)
  std::uint64_t unmatched_replies = 0; ///< unknown transaction, wrong address, type or sender
  std::uint64_t timeouts = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t eviction_pings = 0; ///< pings the routing table asked for
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0; ///< every reply given to on_reply(), matched or not
};

class RpcClient {
public:
  /// Everything passed must outlive the client.
  RpcClient(Transport& transport, Scheduler& scheduler, RoutingTable& table, core::Random& random,
            const crypto::PeerId& self, const crypto::NetworkId& network, RpcOptions options = {});
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;
  RpcClient(RpcClient&&) = delete;
  RpcClient& operator=(RpcClient&&) = delete;
  /// Cancels every timer; handlers of queries still outstanding are destroyed uncalled
  /// (what they refer to may be going away too). Call cancel_all() first to have them run.
  ~RpcClient();

  /// Sends `body` to `to`. `expected_peer`, when known, is the only sender whose reply
  /// counts, and the node the routing table is told about on a timeout. `token` is echoed
  /// (announce_peer and put need one); without it the latest token `to` gave us is echoed
  /// when fresh, and else the request is padded so that the answer fits the replier's
  /// anti-amplification budget (padding_target()). Errors (the handler is then never
  /// called): too_many_queries, and the encoder's (invalid_message, message_too_large).
  [[nodiscard]] core::Result<QueryTicket> query(const core::Endpoint& to,
                                                std::optional<crypto::PeerId> expected_peer,
                                                RequestBody body, std::optional<Token> token,
                                                ReplyHandler on_done);

  /// Every decoded reply the node receives, from `from`, `datagram_bytes` long. Returns true
  /// when it completed an outstanding query; false when it was counted and dropped.
  bool on_reply(const core::Endpoint& from, const Reply& reply, std::size_t datagram_bytes = 0);

  /// Completes every outstanding query with core::Errc::cancelled, for shutdown. Queries a
  /// handler starts meanwhile are not cancelled by this call (call it again if needed).
  void cancel_all();

  /// The latest token `node` gave us, if we still hold one younger than token_lifetime.
  [[nodiscard]] std::optional<Token> token_for(const NodeId& node) const;
  /// The size a request of this kind is padded to when the node never gave us a token.
  [[nodiscard]] std::size_t padding_target(const RequestBody& body) const noexcept;

  [[nodiscard]] std::size_t outstanding() const noexcept { return pending_.size(); }
  [[nodiscard]] const RpcStats& stats() const noexcept { return stats_; }

  /// The address (port 0) the nodes that answered us lately say they see us at (each reply's
  /// you_are): the most common among the latest answers of kAddressVoters different nodes,
  /// the most recent on a tie. One lying node cannot outvote the others; empty until a
  /// node answered.
  [[nodiscard]] std::optional<core::Endpoint> reported_address() const;
  static constexpr std::size_t kAddressVoters = 16;
  /// How long the next query will wait for its reply.
  [[nodiscard]] Scheduler::Duration timeout() const noexcept;
  [[nodiscard]] const RpcOptions& options() const noexcept { return options_; }
  [[nodiscard]] Scheduler& scheduler() const noexcept { return *scheduler_; }
  [[nodiscard]] RoutingTable& routing_table() const noexcept { return *table_; }
  [[nodiscard]] const crypto::NetworkId& network() const noexcept { return network_; }
  [[nodiscard]] const crypto::PeerId& self() const noexcept { return self_; }

private:
  struct Pending {
    core::Endpoint to;
    std::optional<crypto::PeerId> expected_peer;
    RequestBody body;
    ReplyHandler on_done;
    Scheduler::TimerId timer{};
    Scheduler::TimePoint sent_at;
  };
  struct CachedToken {
    Token token;
    core::Endpoint endpoint; ///< where the node answered from
    Scheduler::TimePoint received_at;
  };

  static constexpr int kTimeoutRoundTrips = 4;

  [[nodiscard]] TransactionId fresh_transaction();
  void learn_round_trip(Scheduler::Duration sample) noexcept;
  void on_timeout(TransactionId transaction);
  void remember_token(const NodeId& node, const core::Endpoint& from, const Token& token);
  [[nodiscard]] std::optional<Token> cached_token(const std::optional<crypto::PeerId>& peer,
                                                  const core::Endpoint& to) const;
  void ping_for_eviction(const NodeContact& contact);
  void note_reported_address(const NodeId& voter, const core::Endpoint& you_are);

  Transport* transport_;
  Scheduler* scheduler_;
  RoutingTable* table_;
  core::Random* random_;
  crypto::PeerId self_;
  crypto::NetworkId network_;
  RpcOptions options_;
  // Padding targets, measured once from worst-case replies (see the constructor).
  std::size_t small_reply_bytes_ = 0;
  std::size_t nodes_reply_bytes_ = 0;
  std::unordered_map<std::uint32_t, Pending> pending_;
  std::unordered_map<NodeId, CachedToken> tokens_;
  RpcStats stats_;
  Scheduler::Duration smoothed_round_trip_{}; ///< zero until the first reply
  struct AddressVote {
    NodeId voter;
    core::Endpoint address; ///< port 0
  };
  std::vector<AddressVote> address_votes_; ///< oldest first, one per voter
};

} // namespace swarmshare::dht
