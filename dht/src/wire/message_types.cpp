// Message type helpers and the anti-amplification budget.

#include "swarmshare/dht/message.hpp"

#include <algorithm>
#include <utility>

namespace swarmshare::dht {
namespace {

template <class Variant>
constexpr bool is_type_of(std::uint64_t type) noexcept {
  return [type]<std::size_t... I>(std::index_sequence<I...>) {
    return ((std::variant_alternative_t<I, Variant>::kType == type) || ...);
  }
  (std::make_index_sequence<std::variant_size_v<Variant>>{});
}

// Drops the last element of the longest droppable list: records before contacts.
bool drop_one(ReplyBody& body) {
  return std::visit(
      [](auto& b) -> bool {
        using Body = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<Body, PeersReply> || std::is_same_v<Body, ValuesReply>) {
          if (!b.records.empty()) {
            b.records.pop_back();
            return true;
          }
        }
        if constexpr (std::is_same_v<Body, NodesReply> || std::is_same_v<Body, PeersReply> ||
                      std::is_same_v<Body, ValuesReply>) {
          if (!b.contacts.empty()) {
            b.contacts.pop_back();
            return true;
          }
        }
        return false;
      },
      body);
}

} // namespace

std::uint16_t message_type(const RequestBody& body) noexcept {
  return std::visit([](const auto& b) { return std::decay_t<decltype(b)>::kType; }, body);
}

std::uint16_t message_type(const ReplyBody& body) noexcept {
  return std::visit([](const auto& b) { return std::decay_t<decltype(b)>::kType; }, body);
}

bool is_request_type(std::uint64_t type) noexcept { return is_type_of<RequestBody>(type); }

bool is_reply_type(std::uint64_t type) noexcept { return is_type_of<ReplyBody>(type); }

bool answers(const RequestBody& request, const ReplyBody& reply) noexcept {
  const std::uint16_t expected = [&request] {
    switch (message_type(request)) {
    case PingRequest::kType: return PongReply::kType;
    case FindNodeRequest::kType: return NodesReply::kType;
    case GetPeersRequest::kType: return PeersReply::kType;
    case GetRequest::kType: return ValuesReply::kType;
    default: return StoredReply::kType; // announce_peer, put
    }
  }();
  const std::uint16_t type = message_type(reply);
  return type == expected || type == ErrorReply::kType;
}

std::string_view default_error_text(ErrorCode code) noexcept {
  switch (code) {
  case ErrorCode::invalid_token: return "invalid or expired token";
  case ErrorCode::invalid_record: return "invalid record";
  case ErrorCode::stale_sequence: return "sequence number not newer than the stored one";
  case ErrorCode::prove_address: return "echo the token or pad the request";
  case ErrorCode::rate_limited: return "too many requests";
  case ErrorCode::storage_full: return "storage full";
  case ErrorCode::internal_error: return "internal error";
  }
  return "dht error";
}

std::size_t reply_budget(std::size_t request_bytes, bool address_proven) noexcept {
  return address_proven ? kMaxDatagramBytes : std::min(request_bytes, kMaxDatagramBytes);
}

bool fit_reply(Reply& reply, std::size_t max_bytes, const crypto::NetworkId& network) {
  Reply trimmed = reply;
  for (;;) {
    auto size = encoded_size(trimmed, network);
    if (size && size.value() <= max_bytes) {
      reply = std::move(trimmed);
      return true;
    }
    // Too large for the cap is worth trimming; any other refusal is not.
    if (!size && size.error() != Errc::message_too_large) {
      return false;
    }
    if (!drop_one(trimmed.body)) {
      return false;
    }
  }
}

} // namespace swarmshare::dht
