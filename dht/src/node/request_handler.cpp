#include "swarmshare/dht/request_handler.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

namespace swarmshare::dht {
namespace {

/// Bucket tokens are datagrams times this (nanoseconds per second), so a refill is
/// elapsed nanoseconds times the rate, in integers.
constexpr std::uint64_t kScale = 1'000'000'000;

[[nodiscard]] ReplyBody error_body(ErrorCode code) {
  return ErrorReply{code, std::string{default_error_text(code)}};
}

/// Contacts plus records: what fit_reply() may drop.
[[nodiscard]] std::size_t item_count(const ReplyBody& body) noexcept {
  if (const auto* nodes = std::get_if<NodesReply>(&body)) {
    return nodes->contacts.size();
  }
  if (const auto* peers = std::get_if<PeersReply>(&body)) {
    return peers->records.size() + peers->contacts.size();
  }
  if (const auto* values = std::get_if<ValuesReply>(&body)) {
    return values->records.size() + values->contacts.size();
  }
  return 0;
}

[[nodiscard]] ReplyBody answer_to_store(const StoreResult& result) {
  switch (result.outcome) {
  case StoreOutcome::stored:
  case StoreOutcome::replaced:
  case StoreOutcome::unchanged: return StoredReply{};
  case StoreOutcome::invalid_record: return error_body(ErrorCode::invalid_record);
  case StoreOutcome::stale: return error_body(ErrorCode::stale_sequence);
  case StoreOutcome::key_full:
  case StoreOutcome::node_full:
  case StoreOutcome::source_full: return error_body(ErrorCode::storage_full);
  }
  return error_body(ErrorCode::internal_error);
}

} // namespace

RequestHandler::RequestHandler(const crypto::PeerId& own_peer, const crypto::NetworkId& network,
                               const core::Clock& clock, RoutingTable& routing, Storage& storage,
                               WriteTokens& tokens, LocalShares* shares,
                               RequestHandlerOptions options)
    : own_peer_(own_peer), own_id_(NodeId::of_peer(own_peer)), network_(network), clock_(&clock),
      routing_(&routing), storage_(&storage), tokens_(&tokens), shares_(shares),
      options_(options), global_{std::uint64_t{options.global_burst} * kScale, clock.steady_now()} {
}

bool RequestHandler::take(Bucket& bucket, std::uint32_t rate, std::uint32_t burst,
                          SteadyTime now) noexcept {
  const std::uint64_t capacity = std::uint64_t{burst} * kScale;
  if (now > bucket.refilled_at && rate > 0) {
    // Capping the elapsed time at what refills an empty bucket keeps the product in range.
    const auto full_after = capacity / rate + 1;
    const auto elapsed = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - bucket.refilled_at).count());
    bucket.tokens = std::min(capacity, bucket.tokens + std::min(elapsed, full_after) * rate);
  }
  bucket.refilled_at = std::max(bucket.refilled_at, now);
  if (bucket.tokens < kScale) {
    return false;
  }
  bucket.tokens -= kScale;
  return true;
}

namespace {

// 127.0.0.0/8 and ::1: this host itself.
[[nodiscard]] bool is_loopback(const core::Endpoint& endpoint) noexcept {
  const auto& bytes = endpoint.mapped_address();
  if (endpoint.is_v4()) {
    return bytes[12] == 127;
  }
  return endpoint.with_port(0) ==
         core::Endpoint::ipv6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0);
}

} // namespace

bool RequestHandler::admit(const core::Endpoint& from) {
  const auto now = clock_->steady_now();
  // Loopback is this host: no remote flood comes from it, and every client on the host (a
  // desktop client beside a CLI, test swarms) would otherwise share one source's allowance.
  // The global cap still applies.
  if (is_loopback(from)) {
    if (!take(global_, options_.global_rate_per_second, options_.global_burst, now)) {
      ++counters_.rate_limited_global;
      return false;
    }
    return true;
  }
  const auto source = SourceAddress::of(from);
  auto it = sources_.find(source);
  if (it == sources_.end()) {
    // A bounded table: under a flood of (spoofed) sources the least recently seen goes.
    if (sources_.size() >= std::max<std::size_t>(1, options_.max_tracked_sources)) {
      sources_.erase(lru_.front());
      lru_.pop_front();
    }
    lru_.push_back(source);
    const Bucket full{std::uint64_t{options_.source_burst} * kScale, now};
    it = sources_.emplace(source, Tracked{full, std::prev(lru_.end())}).first;
  } else {
    lru_.splice(lru_.end(), lru_, it->second.lru);
  }
  if (!take(it->second.bucket, options_.source_rate_per_second, options_.source_burst, now)) {
    ++counters_.rate_limited_source;
    return false;
  }
  if (!take(global_, options_.global_rate_per_second, options_.global_burst, now)) {
    ++counters_.rate_limited_global;
    return false;
  }
  return true;
}

Handled RequestHandler::on_datagram(const core::Endpoint& from,
                                    std::span<const std::uint8_t> datagram) {
  ++counters_.received;
  if (datagram.size() > kMaxReceivedDatagramBytes) {
    ++counters_.too_large;
    return {};
  }
  if (!admit(from)) {
    return {};
  }
  auto message = decode_message(datagram, network_);
  if (!message) {
    const auto error = message.error();
    if (error == Errc::wrong_network) {
      ++counters_.wrong_network;
    } else if (error == Errc::unsupported_version) {
      ++counters_.unsupported_version;
    } else if (error == Errc::unknown_message_type) {
      ++counters_.unknown_type;
    } else {
      ++counters_.malformed; // malformed_message, limit_exceeded (too_large was checked)
    }
    return {};
  }
  if (auto* reply = std::get_if<Reply>(&message.value())) {
    ++counters_.replies;
    return Handled{std::move(*reply), {}, std::nullopt};
  }
  return on_request(from, std::get<Request>(std::move(message).value()), datagram.size());
}

Handled RequestHandler::on_request(const core::Endpoint& from, Request request,
                                   std::size_t request_bytes) {
  if (request.sender == own_peer_) {
    // Our own ID from elsewhere is a reflection or a forgery: answering could loop.
    ++counters_.from_ourselves;
    return {};
  }
  ++counters_.requests;
  const auto querier = NodeContact::of(request.sender, from);
  // BEP 5: a node in our table that queries us is alive. Never an insertion (anyone can
  // send a query with any ID), and the answer does not depend on it.
  static_cast<void>(routing_->on_query_from(querier));

  const bool proven = request.token && tokens_->proves_address(*request.token, from);
  // Every reply carries a fresh token: get_peers and get need it for the write that
  // follows, and any requester can echo it to prove its address next time.
  Reply reply{request.transaction, own_peer_, from, tokens_->issue(from),
              answer_body(from, request, proven)};
  return Handled{std::nullopt,
                 encode_within(std::move(reply), reply_budget(request_bytes, proven), proven),
                 querier};
}

ReplyBody RequestHandler::answer_body(const core::Endpoint& from, const Request& request,
                                      bool proven) {
  const auto now = clock_->system_now();
  const auto requester = NodeId::of_peer(request.sender);
  const auto& body = request.body;
  if (std::holds_alternative<PingRequest>(body)) {
    return PongReply{};
  }
  if (const auto* find = std::get_if<FindNodeRequest>(&body)) {
    return NodesReply{closest_to(find->target, requester)};
  }
  if (const auto* get_peers = std::get_if<GetPeersRequest>(&body)) {
    PeersReply reply;
    std::optional<PeerRecord> own;
    if (shares_ != nullptr) {
      own = shares_->own_record(get_peers->file_id);
    }
    if (own) {
      reply.records.push_back(*own); // first: the one peer we know is there right now
    }
    for (auto& record : storage_->peers_for(get_peers->file_id, kMaxRecordsPerReply, now)) {
      if (reply.records.size() < kMaxRecordsPerReply && !(own && record.peer == own->peer)) {
        reply.records.push_back(std::move(record));
      }
    }
    // Records or contacts, not both: fit_reply drops records first, and a lookup that
    // found records needs them more than contacts.
    if (reply.records.empty()) {
      reply.contacts = closest_to(NodeId::of_file(get_peers->file_id), requester);
    }
    return reply;
  }
  if (const auto* announce_peer = std::get_if<AnnouncePeerRequest>(&body)) {
    return announce(from, request, announce_peer->record, proven);
  }
  if (const auto* get = std::get_if<GetRequest>(&body)) {
    ValuesReply reply;
    reply.records = storage_->records_for(get->target, kMaxRecordsPerReply, now);
    if (reply.records.empty()) {
      reply.contacts = closest_to(get->target, requester);
    }
    return reply;
  }
  if (const auto* put_request = std::get_if<PutRequest>(&body)) {
    return put(from, put_request->record, proven);
  }
  return error_body(ErrorCode::internal_error); // unreachable: every request type is above
}

ReplyBody RequestHandler::announce(const core::Endpoint& from, const Request& request,
                                   const PeerRecord& record, bool proven) {
  // The token first (a hash), then the sender, and only then the signature (the costly
  // check, inside the store).
  if (!proven) {
    return error_body(ErrorCode::invalid_token);
  }
  if (!(record.peer == request.sender)) {
    return error_body(ErrorCode::invalid_record);
  }
  const auto result = storage_->store_peer(record, from, clock_->system_now());
  if (result.outcome == StoreOutcome::stored || result.outcome == StoreOutcome::replaced) {
    ++counters_.stored_peer_records;
  }
  return answer_to_store(result);
}

ReplyBody RequestHandler::put(const core::Endpoint& from, const SignedRecord& record, bool proven) {
  if (!proven) {
    return error_body(ErrorCode::invalid_token);
  }
  const auto result = storage_->store_signed(record, from, clock_->system_now());
  if (result.outcome == StoreOutcome::stored || result.outcome == StoreOutcome::replaced) {
    ++counters_.stored_signed_records;
  }
  return answer_to_store(result);
}

std::vector<NodeContact> RequestHandler::closest_to(const NodeId& target,
                                                    const NodeId& requester) const {
  const auto wanted = std::min(options_.contacts_per_reply, kMaxContactsPerReply);
  // One more than needed, as the requester itself may be among them: it knows itself.
  auto contacts = routing_->closest(target, wanted + 1);
  std::erase_if(contacts, [&](const NodeContact& contact) { return contact.id == requester; });
  if (contacts.size() > wanted) {
    contacts.erase(contacts.begin() + static_cast<std::ptrdiff_t>(wanted), contacts.end());
  }
  return contacts;
}

// Anti-amplification (docs/PROTOCOL.md 7.5). The answers tried, in order, the first that
// encodes within `budget` being sent:
//  1. the full answer with its token, lists shortened from the end; a list shortened to
//     nothing does not count (an empty list would read "nothing here", which is false);
//  2. for an error, the same with an empty text;
//  3. to an unproven address, a prove_address error with a token and no text: the
//     requester echoes the token and asks again;
//  4. the answer without a token (a ping padded to just a pong's size gets that);
//  5. nothing at all.
// A proven address has the whole kMaxDatagramBytes, where step 1 always succeeds.
Bytes RequestHandler::encode_within(Reply reply, std::size_t budget, bool proven) {
  const auto try_send = [&](Reply candidate) -> std::optional<Bytes> {
    const auto before = item_count(candidate.body);
    if (!fit_reply(candidate, budget, network_)) {
      return std::nullopt;
    }
    const auto after = item_count(candidate.body);
    if (before > 0 && after == 0) {
      return std::nullopt;
    }
    auto bytes = encode_reply(candidate, network_);
    if (!bytes || bytes.value().size() > budget) {
      return std::nullopt;
    }
    ++counters_.answered;
    if (after < before) {
      ++counters_.trimmed;
    }
    if (const auto* error = std::get_if<ErrorReply>(&candidate.body)) {
      ++counters_.errors_sent;
      if (error->code == ErrorCode::prove_address) {
        ++counters_.prove_address;
      }
    }
    return std::move(bytes).value();
  };

  if (auto bytes = try_send(reply)) {
    return std::move(*bytes);
  }
  if (auto* error = std::get_if<ErrorReply>(&reply.body);
      error != nullptr && !error->text.empty()) {
    Reply short_error = reply;
    std::get<ErrorReply>(short_error.body).text.clear();
    if (auto bytes = try_send(std::move(short_error))) {
      return std::move(*bytes);
    }
  }
  if (!proven) {
    Reply prove = reply;
    prove.body = ErrorReply{ErrorCode::prove_address, {}};
    if (auto bytes = try_send(std::move(prove))) {
      return std::move(*bytes);
    }
  }
  reply.token.reset();
  if (auto bytes = try_send(std::move(reply))) {
    return std::move(*bytes);
  }
  ++counters_.unanswered;
  return {};
}

} // namespace swarmshare::dht
