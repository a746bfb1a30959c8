#pragma once
// Where a tracker is, as people write it: "tracker.example.org:7070", "192.0.2.7:7070",
// "[2001:db8::1]:7070", optionally prefixed by the tracker's Peer ID and '@'
// ("PEERID@tracker.example.org:7070"). A Peer ID pins the tracker's identity: the client's
// handshake fails unless the tracker proves it holds that key, so a hijacked name or
// address cannot impersonate it.

#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/identity.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarmshare::tracker {

/// Longest host name accepted (the DNS limit).
inline constexpr std::size_t kMaxTrackerHostLength = 253;

struct TrackerAddress {
  /// A DNS name, an IPv4 address or an IPv6 address (without brackets).
  std::string host;
  std::uint16_t port = 0; ///< 1 .. 65535
  /// When set, the tracker must authenticate as this Peer ID.
  std::optional<crypto::PeerId> peer_id;

  /// Parses "HOST:PORT", "[IPv6]:PORT" or "PEERID@" followed by either. Host names are
  /// letters, digits, '-', '_' and '.'; an IPv6 address must be in brackets (its colons would
  /// make the port ambiguous). Errors: crypto::Errc::invalid_peer_id for a bad part before
  /// '@', Errc::invalid_tracker_address for anything else wrong.
  [[nodiscard]] static core::Result<TrackerAddress> parse(std::string_view text);

  /// The form parse() reads, with the Peer ID when pinned.
  [[nodiscard]] std::string to_string() const;
  /// HOST:PORT (IPv6 in brackets) without the Peer ID, for messages.
  [[nodiscard]] std::string host_port() const;

  friend bool operator==(const TrackerAddress&, const TrackerAddress&) = default;
};

} // namespace swarmshare::tracker
