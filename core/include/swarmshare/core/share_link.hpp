#pragma once
// Share links: a File ID and what helps to fetch it, as one line of text a person can paste
// (docs/PROTOCOL.md, "Share links"):
//
//   swarmshare:?id=<64 hex>&name=<percent-encoded>&size=<bytes>&tracker=<[PEERID@]HOST:PORT>
//              &peer=<PEERID>@<IP:PORT>&peer=...
//
// Only `id` is required. A link comes from anywhere (a chat, a web page), so the parser is
// strict and bounded: a length cap before anything else, a cap on the peers, percent-escapes
// checked, every known field checked, a known field given twice refused. Unknown fields are
// skipped, so a later version may add some without breaking this one.
//
// The tracker stays text here: its syntax belongs to tracker/ (TrackerAddress::parse), which
// sits above core; the parser checks only its length and characters. Peer IDs are spelled as
// crypto::PeerId spells them (52 lowercase base32 characters); core has its own codec for
// that because crypto sits above core.

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/registry.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace swarmshare::core {

/// The scheme, with its colon (matched without regard to case, as URI schemes are).
inline constexpr std::string_view kShareLinkScheme = "swarmshare:";
/// Longest link accepted, in bytes: checked before anything else is looked at.
inline constexpr std::size_t kMaxShareLinkBytes = 4096;
/// Most peers a link may carry.
inline constexpr std::size_t kMaxShareLinkPeers = 8;
/// Most parameters (known or not) a link may carry.
inline constexpr std::size_t kMaxShareLinkParameters = 32;
/// Longest tracker text: a Peer ID, '@', a 253-byte host name, ':' and a port.
inline constexpr std::size_t kMaxShareLinkTrackerBytes = 320;

/// Why a text is not a share link (category "swarmshare.core.share_link").
enum class ShareLinkErrc {
  not_a_share_link = 1, ///< It does not start with "swarmshare:?".
  too_long,             ///< Over kMaxShareLinkBytes, or over kMaxShareLinkParameters.
  malformed,            ///< A bad percent-escape, a character a URI may not hold, no '='.
  missing_file_id,      ///< No id parameter.
  invalid_file_id,      ///< id is not 64 hex digits.
  invalid_name,         ///< Empty, not UTF-8, or over the manifest's name limit.
  invalid_size,         ///< Not a decimal number of bytes that fits 64 bits.
  invalid_tracker,      ///< Empty, too long, or characters no tracker address has.
  invalid_peer,         ///< Not PEERID@IP:PORT.
  too_many_peers,       ///< Over kMaxShareLinkPeers.
  duplicate_parameter,  ///< id, name, size or tracker given twice.
};

[[nodiscard]] const std::error_category& share_link_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(ShareLinkErrc e) noexcept {
  return {static_cast<int>(e), share_link_category()};
}

/// A peer that served the file when the link was made.
struct ShareLinkPeer {
  PeerKey peer;
  Endpoint endpoint;
  friend bool operator==(const ShareLinkPeer&, const ShareLinkPeer&) = default;
};

struct ShareLink {
  FileId file_id;
  std::optional<std::string> name;   ///< as in the manifest; sanitize before using it
  std::optional<std::uint64_t> size; ///< bytes
  std::optional<std::string> tracker;
  std::vector<ShareLinkPeer> peers; ///< at most kMaxShareLinkPeers

  /// The link text; fields the link does not have are left out. Peers past
  /// kMaxShareLinkPeers are left out too, so the text always parses again.
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] static Result<ShareLink> parse(std::string_view text);

  /// The peers as download sources (origin share_link).
  [[nodiscard]] std::vector<PeerSource> sources() const;

  friend bool operator==(const ShareLink&, const ShareLink&) = default;
};

/// Whether `text` starts with the share link scheme (to tell a link from a File ID).
[[nodiscard]] bool looks_like_share_link(std::string_view text) noexcept;

/// A Peer ID's text form (52 lowercase RFC 4648 base32 characters, no padding), the same as
/// crypto::PeerId::to_string.
[[nodiscard]] std::string peer_key_to_text(const PeerKey& key);
/// The reverse; refuses another length, another alphabet or non-zero spare bits (so each key
/// has one spelling). ShareLinkErrc::invalid_peer on failure.
[[nodiscard]] Result<PeerKey> peer_key_from_text(std::string_view text);

} // namespace swarmshare::core

template <>
struct std::is_error_code_enum<swarmshare::core::ShareLinkErrc> : std::true_type {};
