#include "swarmshare/dht/rpc_client.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>
#include <utility>

namespace swarmshare::dht {
namespace {

// The largest encoding of each varying field, so a measured reply is a worst case: an
// IPv6 address, the largest port and transaction, a token.
core::Endpoint widest_endpoint() {
  core::Endpoint::Bytes16 address{};
  address.fill(0xFF);
  return core::Endpoint::ipv6(address, std::numeric_limits<std::uint16_t>::max());
}

Reply worst_case_reply(ReplyBody body) {
  Reply reply;
  reply.transaction = TransactionId{std::numeric_limits<std::uint32_t>::max()};
  reply.you_are = widest_endpoint();
  reply.token = Token{};
  reply.body = std::move(body);
  return reply;
}

std::size_t measured(const Reply& reply, const crypto::NetworkId& network) {
  // Cannot fail for these well-formed replies; the cap is the safe answer if it ever did.
  const auto size = encoded_size(reply, network);
  return size ? size.value() : kMaxDatagramBytes;
}

} // namespace

RpcClient::RpcClient(Transport& transport, Scheduler& scheduler, RoutingTable& table,
                     core::Random& random, const crypto::PeerId& self,
                     const crypto::NetworkId& network, RpcOptions options)
    : transport_(&transport), scheduler_(&scheduler), table_(&table), random_(&random), self_(self),
      network_(network), options_(options) {
  // Padding targets come from measuring the largest reply each request may get, rather
  // than from constants: they follow the encoding if it ever changes. A pong or stored is
  // small but still larger than a bare ping (it adds you_are and maybe a token); a nodes
  // reply holds up to kMaxContactsPerReply contacts, all of which we want.
  small_reply_bytes_ = measured(worst_case_reply(PongReply{}), network_);
  NodesReply nodes;
  for (std::size_t i = 0; i < kMaxContactsPerReply; ++i) {
    nodes.contacts.push_back(NodeContact::of(self_, widest_endpoint()));
  }
  nodes_reply_bytes_ = std::min(measured(worst_case_reply(nodes), network_), kMaxDatagramBytes);
  options_.record_request_padding = std::min(options_.record_request_padding, kMaxDatagramBytes);
}

RpcClient::~RpcClient() {
  for (auto& [transaction, pending] : pending_) {
    scheduler_->cancel(pending.timer);
  }
}

std::size_t RpcClient::padding_target(const RequestBody& body) const noexcept {
  return std::visit(
      [this](const auto& request) -> std::size_t {
        using T = std::decay_t<decltype(request)>;
        if constexpr (std::is_same_v<T, FindNodeRequest>) {
          return nodes_reply_bytes_;
        } else if constexpr (std::is_same_v<T, GetPeersRequest> || std::is_same_v<T, GetRequest>) {
          return std::max(options_.record_request_padding, nodes_reply_bytes_);
        } else {
          return small_reply_bytes_; // ping, announce_peer, put: pong or stored
        }
      },
      body);
}

TransactionId RpcClient::fresh_transaction() {
  // Outstanding queries are at most max_outstanding out of 2^32 - 1 values, so a retry is
  // rare; random IDs keep off-path attackers from guessing which reply would be accepted.
  for (;;) {
    const auto value =
        static_cast<std::uint32_t>(random_->below(std::numeric_limits<std::uint32_t>::max()) + 1);
    if (!pending_.contains(value)) {
      return TransactionId{value};
    }
  }
}

std::optional<Token> RpcClient::cached_token(const std::optional<crypto::PeerId>& peer,
                                             const core::Endpoint& to) const {
  if (peer) {
    return token_for(NodeId::of_peer(*peer));
  }
  // Asked by address only (a bootstrap node): any fresh token that node gave us from there.
  const auto now = scheduler_->now();
  for (const auto& [node, cached] : tokens_) {
    if (cached.endpoint == to && now - cached.received_at < options_.token_lifetime) {
      return cached.token;
    }
  }
  return std::nullopt;
}

std::optional<Token> RpcClient::token_for(const NodeId& node) const {
  const auto found = tokens_.find(node);
  if (found == tokens_.end() ||
      scheduler_->now() - found->second.received_at >= options_.token_lifetime) {
    return std::nullopt;
  }
  return found->second.token;
}

core::Result<QueryTicket> RpcClient::query(const core::Endpoint& to,
                                           std::optional<crypto::PeerId> expected_peer,
                                           RequestBody body, std::optional<Token> token,
                                           ReplyHandler on_done) {
  if (pending_.size() >= options_.max_outstanding) {
    return make_error_code(Errc::too_many_queries);
  }
  Request request;
  request.transaction = fresh_transaction();
  request.sender = self_;
  request.token = token ? token : cached_token(expected_peer, to);
  request.body = body;
  if (!request.token) {
    // Never gave us a token: the node may not answer more bytes than we send.
    if (auto padded = pad_request(request, padding_target(request.body), network_); !padded) {
      return padded.error();
    }
  }
  auto datagram = encode_request(request, network_);
  if (!datagram) {
    return datagram.error();
  }

  const TransactionId transaction = request.transaction;
  Pending pending{to, expected_peer, std::move(body), std::move(on_done), {}, scheduler_->now()};
  // `this` outlives the timer: the destructor cancels every timer still pending.
  pending.timer = scheduler_->after(timeout(), [this, transaction] { on_timeout(transaction); });
  pending_.emplace(transaction.value, std::move(pending));

  ++stats_.queries_sent;
  stats_.bytes_sent += datagram.value().size();
  transport_->send(to, datagram.value());
  return QueryTicket{transaction, datagram.value().size()};
}

bool RpcClient::on_reply(const core::Endpoint& from, const Reply& reply,
                         std::size_t datagram_bytes) {
  stats_.bytes_received += datagram_bytes;
  const auto found = pending_.find(reply.transaction.value);
  // Every check must pass before anything changes: a forged reply must not cancel the
  // query it imitates, or it would turn a live node into a timeout.
  if (found == pending_.end() || found->second.to != from ||
      !answers(found->second.body, reply.body) ||
      (found->second.expected_peer && *found->second.expected_peer != reply.sender)) {
    ++stats_.unmatched_replies;
    return false;
  }
  Pending pending = std::move(found->second);
  pending_.erase(found);
  scheduler_->cancel(pending.timer);
  ++stats_.replies;

  // It answered at the address we asked: the one proof of life the routing table accepts.
  // Our own ID never enters (the table refuses it), whoever sends it.
  const NodeContact contact = NodeContact::of(reply.sender, from);
  const ResponseOutcome outcome = table_->on_response(contact);
  if (reply.token) {
    remember_token(contact.id, from, *reply.token);
  }
  note_reported_address(contact.id, reply.you_are);
  if (outcome.admission == Admission::ping_questionable && outcome.ping) {
    ping_for_eviction(*outcome.ping);
  }
  Answered answered{reply, from, datagram_bytes, scheduler_->now() - pending.sent_at};
  learn_round_trip(answered.round_trip);
  if (pending.on_done) {
    pending.on_done(std::move(answered));
  }
  return true;
}

void RpcClient::note_reported_address(const NodeId& voter, const core::Endpoint& you_are) {
  const auto address = you_are.with_port(0);
  if (address == core::Endpoint{} || address == core::Endpoint::ipv4({0, 0, 0, 0}, 0)) {
    return; // says nothing
  }
  std::erase_if(address_votes_, [&](const AddressVote& vote) { return vote.voter == voter; });
  if (address_votes_.size() >= kAddressVoters) {
    address_votes_.erase(address_votes_.begin());
  }
  address_votes_.push_back(AddressVote{voter, address});
}

std::optional<core::Endpoint> RpcClient::reported_address() const {
  std::optional<core::Endpoint> best;
  std::size_t best_votes = 0;
  // Newest first, so that on a tie the most recent address wins.
  for (auto vote = address_votes_.rbegin(); vote != address_votes_.rend(); ++vote) {
    const auto votes = static_cast<std::size_t>(
        std::count_if(address_votes_.begin(), address_votes_.end(),
                      [&](const AddressVote& other) { return other.address == vote->address; }));
    if (votes > best_votes) {
      best = vote->address;
      best_votes = votes;
    }
  }
  return best;
}

Scheduler::Duration RpcClient::timeout() const noexcept {
  if (!options_.adaptive_timeout || smoothed_round_trip_ == Scheduler::Duration::zero()) {
    return options_.timeout;
  }
  // Several round trips of the typical answer: a live node almost never takes longer, and
  // a dead one (or a lost datagram) costs a lookup this much instead of the full timeout.
  return std::clamp(smoothed_round_trip_ * kTimeoutRoundTrips, options_.min_timeout,
                    options_.timeout);
}

void RpcClient::learn_round_trip(Scheduler::Duration sample) noexcept {
  if (smoothed_round_trip_ == Scheduler::Duration::zero()) {
    smoothed_round_trip_ = sample;
    return;
  }
  smoothed_round_trip_ += (sample - smoothed_round_trip_) / 8; // as TCP's SRTT
}

void RpcClient::on_timeout(TransactionId transaction) {
  const auto found = pending_.find(transaction.value);
  if (found == pending_.end()) {
    return;
  }
  Pending pending = std::move(found->second);
  pending_.erase(found);
  ++stats_.timeouts;
  if (pending.expected_peer) {
    // Unknown nodes are ignored by the table; a known one may turn bad and be replaced.
    (void)table_->on_timeout(NodeId::of_peer(*pending.expected_peer));
  }
  if (pending.on_done) {
    pending.on_done(make_error_code(Errc::timed_out));
  }
}

void RpcClient::cancel_all() {
  // Taken out first: a handler may start new queries, which this call leaves alone.
  auto cancelled = std::exchange(pending_, {});
  for (auto& [transaction, pending] : cancelled) {
    scheduler_->cancel(pending.timer);
  }
  for (auto& [transaction, pending] : cancelled) {
    ++stats_.cancelled;
    if (pending.on_done) {
      pending.on_done(make_error_code(core::Errc::cancelled));
    }
  }
}

void RpcClient::remember_token(const NodeId& node, const core::Endpoint& from, const Token& token) {
  const auto now = scheduler_->now();
  if (auto found = tokens_.find(node); found != tokens_.end()) {
    found->second = CachedToken{token, from, now};
    return;
  }
  if (options_.token_cache_size == 0) {
    return;
  }
  if (tokens_.size() >= options_.token_cache_size) {
    // A linear scan over a few hundred entries per new node is cheaper than keeping an
    // ordered index in step; the oldest token is also the first to go stale.
    const auto oldest =
        std::min_element(tokens_.begin(), tokens_.end(), [](const auto& a, const auto& b) {
          return a.second.received_at < b.second.received_at;
        });
    tokens_.erase(oldest);
  }
  tokens_.emplace(node, CachedToken{token, from, now});
}

void RpcClient::ping_for_eviction(const NodeContact& contact) {
  if (!options_.ping_questionable) {
    return;
  }
  ++stats_.eviction_pings;
  // No handler needed: on_reply() reports the answer to the table, on_timeout() the silence,
  // and the table settles the eviction from those. A refused query (too many outstanding)
  // leaves the newcomer cached, which is the safe side.
  (void)query(contact.endpoint, contact.peer, PingRequest{}, std::nullopt, {});
}

} // namespace swarmshare::dht
