#pragma once
// The answering side of a DHT node: one received datagram in, at most one datagram out.
//
// Pure logic: no sockets, no timers, no threads. The node hands every datagram its
// transport delivers to on_datagram() and sends the answer it gets back, if any, to the
// same address; it also calls Storage::expire() now and then (a minute apart is plenty). Replies to
// the node's own queries are decoded here too (one decoder, one set of limits) and handed back for
// the node's RPC client to match.
//
// Order of the defences, cheapest first: the size cap and the rate limits before any
// parsing (a flood costs a table lookup per datagram), then the strict decoder, then the
// token before any signature check, then the anti-amplification cap on what is sent.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/contact.hpp"
#include "swarmshare/dht/message.hpp"
#include "swarmshare/dht/records.hpp"
#include "swarmshare/dht/routing_table.hpp"
#include "swarmshare/dht/storage.hpp"
#include "swarmshare/dht/token.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <span>

namespace swarmshare::dht {

/// The files this node shares itself, so get_peers finds us among the peers of our own
/// files without our announcing to ourselves.
class LocalShares {
public:
  LocalShares() = default;
  LocalShares(const LocalShares&) = delete;
  LocalShares& operator=(const LocalShares&) = delete;
  LocalShares(LocalShares&&) = delete;
  LocalShares& operator=(LocalShares&&) = delete;
  virtual ~LocalShares() = default;

  /// Our own current, signed peer record for `file_id` when we share it (not verified by
  /// the handler: it is ours); nothing when we do not.
  [[nodiscard]] virtual std::optional<PeerRecord> own_record(const core::FileId& file_id) = 0;
};

struct RequestHandlerOptions {
  /// Per source address (IPv4, or IPv6 /64 as SourceAddress groups them): a token bucket
  /// refilled at this rate, holding at most `source_burst` datagrams. A lookup sends one
  /// node a few queries; 20 a second is far above any honest use.
  std::uint32_t source_rate_per_second = 20;
  std::uint32_t source_burst = 40;
  /// Sources tracked at once; a new one evicts the least recently seen (which then starts
  /// again with a full bucket: the global cap bounds what that can win).
  std::size_t max_tracked_sources = 4'096;
  /// All sources together: bounds the work spoofed floods from many addresses can cause.
  std::uint32_t global_rate_per_second = 1'000;
  std::uint32_t global_burst = 2'000;
  /// Contacts in nodes, peers and values replies.
  std::size_t contacts_per_reply = kMaxContactsPerReply;
};

/// Datagrams by what became of them, for tests and the UI. Every received datagram lands in
/// exactly one of the first group of counters.
struct RequestHandlerCounters {
  std::uint64_t received = 0;
  // What became of them:
  std::uint64_t too_large = 0;           ///< over kMaxReceivedDatagramBytes, not parsed
  std::uint64_t rate_limited_source = 0; ///< its source's bucket was empty, not parsed
  std::uint64_t rate_limited_global = 0; ///< the global bucket was empty, not parsed
  std::uint64_t malformed = 0;           ///< malformed_message or limit_exceeded
  std::uint64_t wrong_network = 0;
  std::uint64_t unsupported_version = 0;
  std::uint64_t unknown_type = 0;
  std::uint64_t from_ourselves = 0; ///< a request naming our own Peer ID: never answered
  std::uint64_t replies = 0;        ///< replies handed back to the caller
  std::uint64_t requests = 0;       ///< well-formed requests (answered or not)
  // What the requests got:
  std::uint64_t answered = 0;      ///< an answer was produced
  std::uint64_t errors_sent = 0;   ///< of which error replies (prove_address included)
  std::uint64_t prove_address = 0; ///< of which a prove_address error, nothing else fit
  std::uint64_t trimmed = 0;       ///< answers shortened to fit (anti-amplification)
  std::uint64_t unanswered = 0;    ///< not even the smallest answer fitted, or encoding failed
  std::uint64_t stored_peer_records = 0;
  std::uint64_t stored_signed_records = 0;
};

/// What on_datagram() did with one datagram.
struct [[nodiscard]] Handled {
  /// A decoded reply: the caller's RPC client matches it to its query (by transaction and
  /// source) and checks it answers what was asked (answers()). Nothing here trusts it.
  std::optional<Reply> reply;
  /// The datagram to send back to the source address; empty when nothing is sent.
  Bytes answer;
  /// The sender of a well-formed request as seen (Peer ID and source address). It entered
  /// no table: only answering our own query does that (routing_table.hpp).
  std::optional<NodeContact> querier;
};

class RequestHandler {
public:
  /// Everything passed by reference must outlive the handler. `shares` may be null.
  RequestHandler(const crypto::PeerId& own_peer, const crypto::NetworkId& network,
                 const core::Clock& clock, RoutingTable& routing, Storage& storage,
                 WriteTokens& tokens, LocalShares* shares = nullptr,
                 RequestHandlerOptions options = {});

  RequestHandler(const RequestHandler&) = delete;
  RequestHandler& operator=(const RequestHandler&) = delete;
  RequestHandler(RequestHandler&&) = delete;
  RequestHandler& operator=(RequestHandler&&) = delete;
  ~RequestHandler() = default;

  /// One datagram as it arrived from `from`. Never throws on any bytes.
  Handled on_datagram(const core::Endpoint& from, std::span<const std::uint8_t> datagram);

  [[nodiscard]] const RequestHandlerCounters& counters() const noexcept { return counters_; }
  [[nodiscard]] const RequestHandlerOptions& options() const noexcept { return options_; }

private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  /// Whole datagrams scaled by kScale, so refills at any rate stay integer arithmetic.
  struct Bucket {
    std::uint64_t tokens = 0;
    SteadyTime refilled_at;
  };
  struct Tracked {
    Bucket bucket;
    std::list<SourceAddress>::iterator lru; ///< its place in `lru_`
  };

  [[nodiscard]] bool admit(const core::Endpoint& from);
  [[nodiscard]] static bool take(Bucket& bucket, std::uint32_t rate, std::uint32_t burst,
                                 SteadyTime now) noexcept;
  [[nodiscard]] Handled on_request(const core::Endpoint& from, Request request,
                                   std::size_t request_bytes);
  /// `proven`: the request echoed a valid token for `from` (what writes require).
  [[nodiscard]] ReplyBody answer_body(const core::Endpoint& from, const Request& request,
                                      bool proven);
  [[nodiscard]] ReplyBody announce(const core::Endpoint& from, const Request& request,
                                   const PeerRecord& record, bool proven);
  [[nodiscard]] ReplyBody put(const core::Endpoint& from, const SignedRecord& record, bool proven);
  [[nodiscard]] std::vector<NodeContact> closest_to(const NodeId& target,
                                                    const NodeId& requester) const;
  [[nodiscard]] Bytes encode_within(Reply reply, std::size_t budget, bool proven);

  crypto::PeerId own_peer_;
  NodeId own_id_;
  crypto::NetworkId network_;
  const core::Clock* clock_;
  RoutingTable* routing_;
  Storage* storage_;
  WriteTokens* tokens_;
  LocalShares* shares_;
  RequestHandlerOptions options_;
  RequestHandlerCounters counters_;

  Bucket global_;
  std::map<SourceAddress, Tracked> sources_;
  std::list<SourceAddress> lru_; ///< least recently seen first
};

} // namespace swarmshare::dht
