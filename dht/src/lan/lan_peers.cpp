#include "swarmshare/dht/lan_peers.hpp"

#include <algorithm>
#include <iterator>

namespace swarmshare::dht {
namespace {

// The address slot of the datagram's family.
std::optional<LanAddress>& slot_for(LanPeer& peer, const core::Endpoint& endpoint) noexcept {
  return endpoint.is_v4() ? peer.ipv4 : peer.ipv6;
}

LanTime latest(const LanPeer& peer) noexcept {
  LanTime result{};
  for (const auto* address : {&peer.ipv4, &peer.ipv6}) {
    if (address->has_value()) {
      result = std::max(result, (*address)->last_seen);
    }
  }
  return result;
}

} // namespace

std::vector<LanAddress> LanPeer::addresses() const {
  std::vector<LanAddress> result;
  if (ipv4) {
    result.push_back(*ipv4);
  }
  if (ipv6) {
    result.push_back(*ipv6);
  }
  return result;
}

LanPeerTable::LanPeerTable(const core::Clock& clock, LanDuration expire_after,
                           std::size_t max_peers)
    : clock_(clock), expire_after_(expire_after), max_peers_(max_peers) {}

void LanPeerTable::notify(LanPeerEvent event, const LanPeer& peer) const {
  if (listener_) {
    listener_(event, peer);
  }
}

bool LanPeerTable::saw(const crypto::PeerId& peer, const LanSource& source, std::uint16_t peer_port,
                       std::uint16_t dht_port) {
  const auto now = clock_.steady_now();
  const LanAddress address{source.endpoint.with_port(peer_port), source.scope_id, now};
  auto found = peers_.find(peer);
  if (found == peers_.end()) {
    if (peers_.size() >= max_peers_) {
      return false;
    }
    LanPeer entry{peer, peer_port, dht_port, std::nullopt, std::nullopt, now};
    slot_for(entry, address.endpoint) = address;
    const auto& stored = peers_.emplace(peer, std::move(entry)).first->second;
    notify(LanPeerEvent::appeared, stored);
    return true;
  }
  LanPeer& entry = found->second;
  auto& slot = slot_for(entry, address.endpoint);
  const bool changed = entry.peer_port != peer_port || entry.dht_port != dht_port ||
                       !slot.has_value() || slot->endpoint != address.endpoint ||
                       slot->scope_id != address.scope_id;
  entry.peer_port = peer_port;
  entry.dht_port = dht_port;
  slot = address;
  // The other family's address carries the old peer port: a restarted peer moved both.
  for (auto* other : {&entry.ipv4, &entry.ipv6}) {
    if (other->has_value()) {
      (*other)->endpoint = (*other)->endpoint.with_port(peer_port);
    }
  }
  entry.last_seen = latest(entry);
  if (changed) {
    notify(LanPeerEvent::changed, entry);
  }
  return true;
}

void LanPeerTable::expire() {
  const auto now = clock_.steady_now();
  for (auto it = peers_.begin(); it != peers_.end();) {
    LanPeer& entry = it->second;
    bool dropped = false;
    for (auto* address : {&entry.ipv4, &entry.ipv6}) {
      if (address->has_value() && now - (*address)->last_seen >= expire_after_) {
        address->reset();
        dropped = true;
      }
    }
    if (!entry.ipv4 && !entry.ipv6) {
      const LanPeer gone = std::move(entry);
      it = peers_.erase(it);
      notify(LanPeerEvent::expired, gone);
      continue;
    }
    if (dropped) {
      entry.last_seen = latest(entry);
      notify(LanPeerEvent::changed, entry);
    }
    ++it;
  }
}

std::optional<LanTime> LanPeerTable::next_expiry() const {
  std::optional<LanTime> earliest;
  for (const auto& [id, entry] : peers_) {
    for (const auto* address : {&entry.ipv4, &entry.ipv6}) {
      if (address->has_value()) {
        const auto at = (*address)->last_seen + expire_after_;
        earliest = earliest ? std::min(*earliest, at) : at;
      }
    }
  }
  return earliest;
}

std::vector<LanPeer> LanPeerTable::snapshot() const {
  std::vector<LanPeer> result;
  result.reserve(peers_.size());
  std::transform(peers_.begin(), peers_.end(), std::back_inserter(result),
                 [](const auto& item) { return item.second; });
  return result;
}

std::optional<LanPeer> LanPeerTable::find(const crypto::PeerId& peer) const {
  const auto found = peers_.find(peer);
  if (found == peers_.end()) {
    return std::nullopt;
  }
  return found->second;
}

LanReplyLimiter::LanReplyLimiter(const core::Clock& clock, LanReplyLimits limits)
    : clock_(clock), limits_(limits), tokens_(limits.burst), refilled_at_(clock.steady_now()) {}

bool LanReplyLimiter::allow(const LanSource& source) {
  const auto now = clock_.steady_now();
  // Refill the shared bucket for the whole intervals that passed.
  if (limits_.refill_every.count() > 0 && now > refilled_at_) {
    const auto earned = (now - refilled_at_) / limits_.refill_every;
    if (earned > 0) {
      const auto capped = std::min(static_cast<std::size_t>(earned), limits_.burst);
      tokens_ = std::min(limits_.burst, tokens_ + capped);
      refilled_at_ = tokens_ == limits_.burst ? now : refilled_at_ + earned * limits_.refill_every;
    }
  }
  const auto previous = last_reply_.find(source);
  if (previous != last_reply_.end() && now - previous->second < limits_.per_source_interval) {
    return false;
  }
  if (previous == last_reply_.end() && last_reply_.size() >= limits_.max_sources) {
    std::erase_if(last_reply_, [&](const auto& item) {
      return now - item.second >= limits_.per_source_interval;
    });
    if (last_reply_.size() >= limits_.max_sources) {
      return false; // a flood of distinct sources: stay quiet until it passes
    }
  }
  if (tokens_ == 0) {
    return false;
  }
  --tokens_;
  last_reply_[source] = now;
  return true;
}

LanProtocol::LanProtocol(const crypto::PeerId& self, std::uint16_t peer_port,
                         std::uint16_t dht_port, const core::Clock& clock,
                         LanProtocolOptions options)
    : self_{std::move(options.network), LanKind::hello, self, peer_port, dht_port},
      table_(clock, options.expire_after, options.max_peers),
      limiter_(clock, options.reply_limits) {}

core::Result<std::vector<std::uint8_t>> LanProtocol::encode(LanKind kind) const {
  LanMessage message = self_;
  message.kind = kind;
  return encode_lan_message(message);
}

LanVerdict LanProtocol::receive(std::span<const std::uint8_t> datagram, const LanSource& source,
                                LanPath path) {
  LanVerdict verdict;
  auto decoded = decode_lan_message(datagram);
  if (!decoded) {
    const auto& error = decoded.error();
    verdict.drop = error == core::Errc::frame_too_large       ? LanDrop::too_large
                   : error == core::Errc::unsupported_version ? LanDrop::other_version
                                                              : LanDrop::malformed;
    return verdict;
  }
  const LanMessage& message = decoded.value();
  if (message.network != self_.network) {
    verdict.drop = LanDrop::other_network;
    return verdict;
  }
  if (message.peer_id == self_.peer_id) {
    verdict.drop = LanDrop::own_message;
    return verdict;
  }
  const bool on_group = message.kind != LanKind::reply;
  if (on_group != (path == LanPath::group)) {
    verdict.drop = LanDrop::unexpected_kind;
    return verdict;
  }
  if (!table_.saw(message.peer_id, source, message.peer_port, message.dht_port)) {
    verdict.drop = LanDrop::table_full;
    return verdict;
  }
  if (message.kind == LanKind::hello) {
    verdict.reply = limiter_.allow(source);
    verdict.reply_limited = !verdict.reply;
  }
  return verdict;
}

} // namespace swarmshare::dht
