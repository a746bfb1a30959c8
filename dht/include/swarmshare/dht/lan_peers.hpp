#pragma once
// The socket-free half of LAN discovery: the table of peers seen on the link, the limit on
// unicast replies, and LanProtocol, which turns one received datagram into table updates and
// a "reply now" decision. Time comes from an injected clock, so all of it runs in unit tests.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/lan_message.hpp"

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace swarmshare::dht {

using LanTime = std::chrono::steady_clock::time_point;
using LanDuration = std::chrono::steady_clock::duration;

/// Where a datagram came from: its source address and port, and for an IPv6 link-local
/// address the interface index it arrived on (0 otherwise), without which fe80:: addresses
/// cannot be dialled.
struct LanSource {
  core::Endpoint endpoint;
  std::uint32_t scope_id = 0;

  friend auto operator<=>(const LanSource&, const LanSource&) = default;
};

/// One address of a LAN peer: the datagram's source IP with the peer's announced TCP port.
struct LanAddress {
  core::Endpoint endpoint;
  std::uint32_t scope_id = 0; ///< see LanSource
  LanTime last_seen{};

  friend bool operator==(const LanAddress&, const LanAddress&) = default;
};

struct LanPeer {
  crypto::PeerId peer_id;
  std::uint16_t peer_port = 0;
  std::uint16_t dht_port = 0; ///< 0: the peer runs no DHT node
  /// A peer heard over both IPv4 and IPv6 keeps one address of each, so alternating
  /// datagrams do not make it "change" every time.
  std::optional<LanAddress> ipv4;
  std::optional<LanAddress> ipv6;
  LanTime last_seen{}; ///< the latest of the addresses' last_seen

  /// Addresses to dial, IPv4 first (it needs no scope id).
  [[nodiscard]] std::vector<LanAddress> addresses() const;
};

enum class LanPeerEvent {
  appeared, ///< first datagram from this Peer ID (or first since it expired)
  changed,  ///< a port or an address changed, or one family's address expired
  expired,  ///< nothing heard for the expiry time: gone
};

using LanPeerListener = std::function<void(LanPeerEvent, const LanPeer&)>;

/// Peer ID -> where it was last heard. Not thread-safe: one executor owns it.
class LanPeerTable {
public:
  /// `expire_after`: silence after which an address (and with its last address, the peer)
  /// is dropped. `max_peers` bounds what unauthenticated datagrams can make us store.
  LanPeerTable(const core::Clock& clock, LanDuration expire_after, std::size_t max_peers = 1024);

  /// Called on every event; it must not change the table (it may read it).
  void set_listener(LanPeerListener listener) { listener_ = std::move(listener); }

  /// Records a datagram of `peer` from `source`; false when the table is full and the peer
  /// new (it is then ignored).
  bool saw(const crypto::PeerId& peer, const LanSource& source, std::uint16_t peer_port,
           std::uint16_t dht_port);
  /// Drops what has been silent for the expiry time, with events.
  void expire();
  /// When the next address would expire, if any: where the socket part sets its timer.
  [[nodiscard]] std::optional<LanTime> next_expiry() const;
  /// All peers, ordered by Peer ID: the UI's "LAN peers seen".
  [[nodiscard]] std::vector<LanPeer> snapshot() const;
  [[nodiscard]] std::optional<LanPeer> find(const crypto::PeerId& peer) const;
  [[nodiscard]] std::size_t size() const noexcept { return peers_.size(); }
  /// Forgets everything, without events (stop()).
  void clear() noexcept { peers_.clear(); }

private:
  void notify(LanPeerEvent event, const LanPeer& peer) const;

  const core::Clock& clock_;
  LanDuration expire_after_;
  std::size_t max_peers_;
  std::map<crypto::PeerId, LanPeer> peers_;
  LanPeerListener listener_;
};

/// How often we answer hellos by unicast. A hello is cheap to forge, so without a limit a
/// flood of them would make us a flood source.
struct LanReplyLimits {
  /// One reply per source address and port per this interval.
  LanDuration per_source_interval = std::chrono::seconds{1};
  /// And for all sources together a token bucket: `burst` replies at once, then one per
  /// `refill_every`.
  std::size_t burst = 16;
  LanDuration refill_every = std::chrono::milliseconds{250};
  /// Sources remembered at once; when full (of recent sources) further hellos go unanswered.
  std::size_t max_sources = 256;
};

class LanReplyLimiter {
public:
  LanReplyLimiter(const core::Clock& clock, LanReplyLimits limits);

  /// True when a reply to `source` may be sent now (and counts it).
  [[nodiscard]] bool allow(const LanSource& source);

private:
  const core::Clock& clock_;
  LanReplyLimits limits_;
  std::size_t tokens_;
  LanTime refilled_at_;
  std::map<LanSource, LanTime> last_reply_;
};

/// Which socket a datagram arrived on.
enum class LanPath {
  group,   ///< the multicast group socket: hellos and announces
  unicast, ///< our own unicast socket: replies to our hello
};

enum class LanDrop {
  none,            ///< accepted
  too_large,       ///< over kMaxLanMessageBytes
  malformed,       ///< not a LAN message of a known shape
  other_version,   ///< a version this build cannot read
  other_network,   ///< another network ID
  own_message,     ///< our own Peer ID (multicast loops back to us)
  unexpected_kind, ///< a reply on the group socket, or a hello/announce on the unicast one
  table_full,      ///< a new peer while the table is full
};

struct LanVerdict {
  LanDrop drop = LanDrop::none;
  bool reply = false;         ///< answer the source with a reply now
  bool reply_limited = false; ///< a hello that the rate limit leaves unanswered
};

struct LanProtocolOptions {
  std::string network{kDefaultLanNetwork};
  LanDuration expire_after = std::chrono::seconds{90};
  std::size_t max_peers = 1024;
  LanReplyLimits reply_limits;
};

/// Our side of the protocol, without sockets.
class LanProtocol {
public:
  LanProtocol(const crypto::PeerId& self, std::uint16_t peer_port, std::uint16_t dht_port,
              const core::Clock& clock, LanProtocolOptions options);

  /// Our message of `kind`; Errc::frame_malformed when the options cannot go on the wire.
  [[nodiscard]] core::Result<std::vector<std::uint8_t>> encode(LanKind kind) const;
  /// Handles one received datagram: updates the table, says whether to reply.
  [[nodiscard]] LanVerdict receive(std::span<const std::uint8_t> datagram, const LanSource& source,
                                   LanPath path);

  [[nodiscard]] LanPeerTable& table() noexcept { return table_; }
  [[nodiscard]] const LanPeerTable& table() const noexcept { return table_; }

private:
  LanMessage self_;
  LanPeerTable table_;
  LanReplyLimiter limiter_;
};

} // namespace swarmshare::dht
