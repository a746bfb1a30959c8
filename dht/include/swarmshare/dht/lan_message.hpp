#pragma once
// The LAN discovery datagram: what a peer multicasts on its local link (and unicasts back to
// a newcomer) so peers on one LAN find each other without a tracker.
//
// Wire form, one msgpack array of 7 elements, at most kMaxLanMessageBytes:
//   [ "SWSH-LAN" (str, the magic), version (uint, = 1), network (str, 1..32 bytes),
//     kind (uint: 1 hello, 2 announce, 3 reply), Peer ID (bin 32),
//     peer port (uint 1..65535, TCP), DHT port (uint 0..65535, UDP; 0 = no DHT) ]
// A message of a newer version may append elements (up to kMaxLanMessageElements); the
// first seven keep their meaning, so we read those and ignore the rest. Version 1 is exact.
//
// The message is not authenticated: anyone on the link can claim any Peer ID. That is
// accepted because a LAN peer found this way is only a hint of where to dial; the secure
// channel proves the Peer ID when we connect.

#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/identity.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace swarmshare::dht {

inline constexpr std::string_view kLanMagic = "SWSH-LAN";
inline constexpr std::uint32_t kLanVersion = 1;
/// Ours is about 90 bytes; the slack is for fields a newer version appends. Anything larger
/// is dropped before msgpack sees it.
inline constexpr std::size_t kMaxLanMessageBytes = 300;
inline constexpr std::size_t kMaxLanMessageElements = 16;
inline constexpr std::size_t kMaxLanNetworkBytes = 32;
inline constexpr std::string_view kDefaultLanNetwork = "main";

enum class LanKind : std::uint8_t {
  hello = 1,    ///< Sent once at start, to the group: "answer me", so a newcomer learns at once.
  announce = 2, ///< Sent to the group every interval; never answered.
  reply = 3,    ///< Unicast answer to a hello, sent to the hello's source address and port.
};

struct LanMessage {
  std::string network{kDefaultLanNetwork}; ///< Only peers of the same network see each other.
  LanKind kind = LanKind::announce;
  crypto::PeerId peer_id{std::array<std::uint8_t, crypto::kPeerIdBytes>{}};
  std::uint16_t peer_port = 0; ///< TCP port of the peer (transfer) listener.
  std::uint16_t dht_port = 0;  ///< UDP port of the DHT node; 0 when it runs none.

  friend bool operator==(const LanMessage&, const LanMessage&) = default;
};

/// True for 1..kMaxLanNetworkBytes bytes of printable ASCII: the network ID is compared
/// byte for byte, so it keeps to characters that look the same everywhere.
[[nodiscard]] bool is_valid_lan_network(std::string_view network) noexcept;

/// The datagram for `message`. Errc::frame_malformed for an invalid network or a peer
/// port of 0 (things we must never put on the wire).
[[nodiscard]] core::Result<std::vector<std::uint8_t>> encode_lan_message(const LanMessage& message);

/// Reads one datagram. Errors: frame_too_large (over kMaxLanMessageBytes, checked before
/// parsing), frame_malformed (not exactly the shape above), unsupported_version (0).
[[nodiscard]] core::Result<LanMessage> decode_lan_message(std::span<const std::uint8_t> datagram);

} // namespace swarmshare::dht
