#pragma once
// The tracker's wire protocol, without I/O: typed requests and replies, their encoding as
// core frames and their strict, bounded decoding. docs/PROTOCOL.md section 4 specifies the
// bytes; this header is the one place in code that knows them.
//
// Messages travel inside the secure channel, so the tracker knows the asker's Peer ID per
// connection: no request carries the asker's own identity or a signature.

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/framing.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/tracker/protocol_error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace swarmshare::tracker::protocol {

using Bytes = std::vector<std::uint8_t>;
/// Chosen by the client, echoed by every reply. 0 is never sent by a client: the tracker
/// uses it in an error reply to a request whose id it could not read.
using RequestId = std::uint32_t;

// Limits. A decoder refuses anything over them (Errc::limit_exceeded) before it
// allocates for it, and an encoder refuses to produce it.
inline constexpr std::size_t kMaxEndpointsPerPeer = 8;
inline constexpr std::size_t kMaxSearchTextBytes = 256;
inline constexpr std::uint32_t kMaxPeersPerReply = 200;
inline constexpr std::uint32_t kMaxSearchResultsPerPage = 100;
/// Deep pages cost the tracker time proportional to the offset; nobody reads that far.
inline constexpr std::uint32_t kMaxSearchOffset = 10'000;
inline constexpr std::uint32_t kMaxDhtPeersPerReply = 64;
inline constexpr std::size_t kMaxErrorTextBytes = 256;
inline constexpr std::size_t kMaxManifestBytes = core::kMaxManifestBytes;
inline constexpr std::size_t kMaxResultNameBytes = core::kMaxManifestNameBytes;

// ---- Requests (client to tracker), types 0x1001 - 0x17FF ----
// (Names live in tracker::protocol because tracker::PeerEntry and friends are the store's.)

/// Registers the asker as a source of a file. The manifest is required the first time the
/// tracker sees the File ID (ErrorCode::manifest_required otherwise) and may be omitted
/// after. With no endpoints listed, the tracker uses the address it observes plus `port`.
struct Announce {
  static constexpr core::MessageType kType{0x1001};
  RequestId request_id = 0;
  core::FileId file_id;
  std::optional<Bytes> manifest;
  std::uint16_t port = 0;
  std::vector<core::Endpoint> endpoints;
  bool unlisted = false;
  /// The UDP port of the peer's DHT node; 0: it runs none. The tracker hands out the
  /// entry's endpoints with this port to bootstrapping DHT nodes (GetDhtPeers), because the
  /// DHT listens apart from the peer port.
  std::uint16_t dht_port = 0;
  friend bool operator==(const Announce&, const Announce&) = default;
};

/// Keeps the asker's entry for the file alive for another TTL.
struct Refresh {
  static constexpr core::MessageType kType{0x1002};
  RequestId request_id = 0;
  core::FileId file_id;
  friend bool operator==(const Refresh&, const Refresh&) = default;
};

struct Unannounce {
  static constexpr core::MessageType kType{0x1003};
  RequestId request_id = 0;
  core::FileId file_id;
  friend bool operator==(const Unannounce&, const Unannounce&) = default;
};

struct GetPeers {
  static constexpr core::MessageType kType{0x1004};
  RequestId request_id = 0;
  core::FileId file_id;
  std::uint32_t limit = 0; ///< 1 .. kMaxPeersPerReply
  friend bool operator==(const GetPeers&, const GetPeers&) = default;
};

struct GetManifest {
  static constexpr core::MessageType kType{0x1005};
  RequestId request_id = 0;
  core::FileId file_id;
  friend bool operator==(const GetManifest&, const GetManifest&) = default;
};

struct Search {
  static constexpr core::MessageType kType{0x1006};
  RequestId request_id = 0;
  std::string text;         ///< UTF-8, 1 .. kMaxSearchTextBytes bytes
  std::uint32_t limit = 0;  ///< 1 .. kMaxSearchResultsPerPage
  std::uint32_t offset = 0; ///< 0 .. kMaxSearchOffset
  friend bool operator==(const Search&, const Search&) = default;
};

struct GetStats {
  static constexpr core::MessageType kType{0x1007};
  RequestId request_id = 0;
  friend bool operator==(const GetStats&, const GetStats&) = default;
};

struct GetDhtPeers {
  static constexpr core::MessageType kType{0x1008};
  RequestId request_id = 0;
  std::uint32_t limit = 0; ///< 1 .. kMaxDhtPeersPerReply
  friend bool operator==(const GetDhtPeers&, const GetDhtPeers&) = default;
};

struct AdminDeleteFile {
  static constexpr core::MessageType kType{0x1009};
  RequestId request_id = 0;
  core::FileId file_id;
  friend bool operator==(const AdminDeleteFile&, const AdminDeleteFile&) = default;
};

struct AdminBanPeer {
  static constexpr core::MessageType kType{0x100A};
  RequestId request_id = 0;
  crypto::PeerId peer_id{std::array<std::uint8_t, crypto::kPeerIdBytes>{}};
  friend bool operator==(const AdminBanPeer&, const AdminBanPeer&) = default;
};

using Request = std::variant<Announce, Refresh, Unannounce, GetPeers, GetManifest, Search, GetStats,
                             GetDhtPeers, AdminDeleteFile, AdminBanPeer>;

// ---- Replies (tracker to client), types 0x1800 - 0x1FFF ----

/// The reason in an ErrorReply. The numbers are wire values and never change meaning; a
/// client must accept numbers it does not know (a newer tracker may add reasons).
enum class ErrorCode : std::uint16_t {
  malformed_request = 1, ///< The body broke its documented shape.
  limit_exceeded = 2,    ///< A count, length, limit or offset above its maximum.
  rate_limited = 3,      ///< Too many requests on this connection; retry later.
  unknown_file = 4,      ///< The tracker has no such File ID.
  file_deleted = 5,      ///< The operator deleted this File ID; it cannot come back.
  not_owner = 6,         ///< The entry belongs to another Peer ID.
  no_entry = 7,          ///< The asker has no live entry for the file: announce again.
  manifest_required = 8, ///< First announce of a File ID without its manifest.
  manifest_mismatch = 9, ///< The manifest is invalid or does not hash to the File ID.
  banned = 10,           ///< The asker's Peer ID is banned here.
  not_admin = 11,        ///< An admin request from a Peer ID that is not an admin.
  empty_query = 12,      ///< A search text with no word in it that is not a File ID prefix.
  internal_error = 13,   ///< The tracker failed (for example, could not store durably).
  busy = 14,             ///< The tracker is overloaded or shutting down; retry later.
};

/// The one refusal reply, for every request.
struct ErrorReply {
  static constexpr core::MessageType kType{0x1800};
  RequestId request_id = 0;
  ErrorCode code{};
  std::string text; ///< short, for humans; UTF-8, at most kMaxErrorTextBytes
  friend bool operator==(const ErrorReply&, const ErrorReply&) = default;
};

/// Success without data: unannounce and both admin requests.
struct OkReply {
  static constexpr core::MessageType kType{0x1801};
  RequestId request_id = 0;
  friend bool operator==(const OkReply&, const OkReply&) = default;
};

/// Success of announce and refresh.
struct AnnounceOkReply {
  static constexpr core::MessageType kType{0x1802};
  RequestId request_id = 0;
  std::uint32_t ttl_seconds = 0; ///< refresh well before this runs out
  core::Endpoint observed;       ///< the address and port the tracker sees the asker at
  friend bool operator==(const AnnounceOkReply&, const AnnounceOkReply&) = default;
};

struct PeerEntry {
  crypto::PeerId peer_id{std::array<std::uint8_t, crypto::kPeerIdBytes>{}};
  std::vector<core::Endpoint> endpoints; ///< 1 .. kMaxEndpointsPerPeer
  std::uint64_t last_seen = 0;           ///< unix seconds
  friend bool operator==(const PeerEntry&, const PeerEntry&) = default;
};

/// Answers get_peers: never contains the asker itself.
struct PeersReply {
  static constexpr core::MessageType kType{0x1803};
  RequestId request_id = 0;
  std::vector<PeerEntry> peers; ///< at most kMaxPeersPerReply
  friend bool operator==(const PeersReply&, const PeersReply&) = default;
};

/// Answers get_manifest. The client checks that the bytes hash to the File ID it asked for.
struct ManifestReply {
  static constexpr core::MessageType kType{0x1804};
  RequestId request_id = 0;
  Bytes manifest; ///< 1 .. kMaxManifestBytes
  friend bool operator==(const ManifestReply&, const ManifestReply&) = default;
};

struct SearchHit {
  std::string name; ///< as in the manifest: UTF-8, at most kMaxResultNameBytes
  std::uint64_t size = 0;
  core::FileId file_id;
  std::uint32_t live_seeders = 0; ///< 0: known, but nobody serves it right now
  std::uint64_t first_seen = 0;   ///< unix seconds
  friend bool operator==(const SearchHit&, const SearchHit&) = default;
};

struct SearchReply {
  static constexpr core::MessageType kType{0x1805};
  RequestId request_id = 0;
  std::uint64_t total = 0;     ///< all matches, for paging
  std::vector<SearchHit> hits; ///< at most kMaxSearchResultsPerPage
  friend bool operator==(const SearchReply&, const SearchReply&) = default;
};

struct StatsReply {
  static constexpr core::MessageType kType{0x1806};
  RequestId request_id = 0;
  std::uint64_t files = 0;        ///< File IDs known (with or without live peers)
  std::uint64_t peer_entries = 0; ///< live (file, peer) entries
  std::uint64_t peers = 0;        ///< distinct live Peer IDs
  std::uint64_t uptime_seconds = 0;
  friend bool operator==(const StatsReply&, const StatsReply&) = default;
};

/// Recently seen DHT-capable peers, for DHT bootstrap.
struct DhtPeersReply {
  static constexpr core::MessageType kType{0x1807};
  RequestId request_id = 0;
  std::vector<PeerEntry> peers; ///< at most kMaxDhtPeersPerReply
  friend bool operator==(const DhtPeersReply&, const DhtPeersReply&) = default;
};

using Reply = std::variant<ErrorReply, OkReply, AnnounceOkReply, PeersReply, ManifestReply,
                           SearchReply, StatsReply, DhtPeersReply>;

// ---- Encoding and decoding ----

/// One whole frame (length prefix included), ready for the secure channel.
/// Errors: Errc::invalid_message for a value the tracker would refuse (a zero
/// request id or limit, too many endpoints, text too long or not UTF-8, ...);
/// core frame_too_large if the frame would exceed the default cap.
[[nodiscard]] core::Result<Bytes> encode_request(const Request& request);
[[nodiscard]] core::Result<Bytes> encode_reply(const Reply& reply);

/// Decodes a message the tracker received. An empty optional for a type that is not a
/// tracker request: per docs/PROTOCOL.md the receiver ignores it (and counts it); it is not
/// an error. Errors: malformed_request, limit_exceeded (reply ErrorCode wire_error_for()).
/// A message of a newer protocol version may carry extra trailing fields; they are ignored.
[[nodiscard]] core::Result<std::optional<Request>> decode_request(const core::Message& message);

/// Decodes a message the client received. An empty optional for a type that is not a
/// tracker reply. Errors: malformed_reply, limit_exceeded.
[[nodiscard]] core::Result<std::optional<Reply>> decode_reply(const core::Message& message);

/// The request id of a request body that decode_request refused, when its first field is
/// still readable, so the error reply can echo it; 0 otherwise.
[[nodiscard]] RequestId peek_request_id(const core::Message& message) noexcept;

/// What the tracker sends for a local error: a decode error of decode_request, a refusal of
/// the store (tracker::Errc) or of core::Manifest::decode; internal_error for anything else.
[[nodiscard]] ErrorCode wire_error_for(const std::error_code& error) noexcept;

/// A short English text for an error code, for replies and logs.
[[nodiscard]] std::string_view default_error_text(ErrorCode code) noexcept;

[[nodiscard]] bool is_request_type(core::MessageType type) noexcept;
[[nodiscard]] bool is_reply_type(core::MessageType type) noexcept;

[[nodiscard]] core::MessageType message_type(const Request& request) noexcept;
[[nodiscard]] core::MessageType message_type(const Reply& reply) noexcept;
[[nodiscard]] RequestId request_id(const Request& request) noexcept;
[[nodiscard]] RequestId request_id(const Reply& reply) noexcept;

/// Limits the tracker passes to its core::FrameDecoder: the largest request is an announce
/// with a maximal manifest; nothing else needs more than a few small arrays and strings.
[[nodiscard]] core::FrameLimits server_frame_limits() noexcept;
/// Limits the client passes to its core::FrameDecoder: a manifest, 200 peers or 100 hits.
[[nodiscard]] core::FrameLimits client_frame_limits() noexcept;

} // namespace swarmshare::tracker::protocol
