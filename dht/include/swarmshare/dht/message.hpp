#pragma once
// The DHT's wire protocol, without I/O: typed requests and replies, each one UDP datagram,
// their encoding and their strict, bounded decoding. docs/PROTOCOL.md, section "DHT",
// specifies the bytes; this header is the one place in code that knows them.
//
// Datagrams are not authenticated (no secure channel): every message names its sender's
// Peer ID, from which the receiver computes the node ID (NodeId::of_peer), and everything
// a node stores is a signed record checked before storing (records.hpp). A write needs a
// token bound to the requester's address (token.hpp).

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/contact.hpp"
#include "swarmshare/dht/error.hpp"
#include "swarmshare/dht/node_id.hpp"
#include "swarmshare/dht/records.hpp"
#include "swarmshare/dht/token.hpp"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace swarmshare::dht {

/// The protocol version this build sends. A receiver refuses 0 and reads a newer version
/// as its own, ignoring fields appended to envelopes and bodies.
inline constexpr std::uint64_t kDhtVersion = 1;

// Sizes. A node sends at most kMaxDatagramBytes: an Ethernet MTU of 1,500 less IPv6 (40)
// and UDP (8) headers leaves 1,452, and the rest is slack for tunnels and PPPoE, so a
// datagram is rarely fragmented. It receives up to kMaxReceivedDatagramBytes, leaving room
// for a newer version's larger messages; anything larger is not a DHT message of ours and
// is dropped before parsing (datagram_too_large).
inline constexpr std::size_t kMaxDatagramBytes = 1400;
inline constexpr std::size_t kMaxReceivedDatagramBytes = 2048;

// Counts. A decoder refuses more (limit_exceeded) before it allocates for them; the encoder
// also refuses a datagram over kMaxDatagramBytes, so a reply may hold fewer in practice.
inline constexpr std::size_t kMaxContactsPerReply = 8;
inline constexpr std::size_t kMaxRecordsPerReply = 8;
inline constexpr std::size_t kMaxErrorTextBytes = 128;

/// Chosen at random by the requester, echoed by the reply; 0 is never valid.
struct TransactionId {
  std::uint32_t value = 0;
  friend auto operator<=>(const TransactionId&, const TransactionId&) = default;
};

// ---- Requests, types 0x2001 - 0x27FF ----

struct PingRequest {
  static constexpr std::uint16_t kType = 0x2001;
  friend bool operator==(const PingRequest&, const PingRequest&) = default;
};

/// Asks for the contacts the node knows closest to `target`.
struct FindNodeRequest {
  static constexpr std::uint16_t kType = 0x2002;
  NodeId target;
  friend bool operator==(const FindNodeRequest&, const FindNodeRequest&) = default;
};

/// Asks for peer records of a file, or else contacts closer to NodeId::of_file(file_id).
struct GetPeersRequest {
  static constexpr std::uint16_t kType = 0x2003;
  core::FileId file_id;
  friend bool operator==(const GetPeersRequest&, const GetPeersRequest&) = default;
};

/// Stores a peer record. Needs a token; nodes accept only a record of the sender itself.
struct AnnouncePeerRequest {
  static constexpr std::uint16_t kType = 0x2004;
  PeerRecord record;
  friend bool operator==(const AnnouncePeerRequest&, const AnnouncePeerRequest&) = default;
};

/// Asks for signed records stored under `target`, or else closer contacts.
struct GetRequest {
  static constexpr std::uint16_t kType = 0x2005;
  NodeId target;
  friend bool operator==(const GetRequest&, const GetRequest&) = default;
};

/// Stores a signed record. Needs a token.
struct PutRequest {
  static constexpr std::uint16_t kType = 0x2006;
  SignedRecord record;
  friend bool operator==(const PutRequest&, const PutRequest&) = default;
};

using RequestBody = std::variant<PingRequest, FindNodeRequest, GetPeersRequest, AnnouncePeerRequest,
                                 GetRequest, PutRequest>;

struct Request {
  TransactionId transaction;
  crypto::PeerId sender{std::array<std::uint8_t, crypto::kPeerIdBytes>{}};
  /// A token this node got from the receiver earlier: required by announce_peer and put,
  /// and on any request it proves the sender's address (so the reply is not capped).
  std::optional<Token> token;
  RequestBody body;
  /// Zero bytes appended so the request is as large as the reply it asks for (see
  /// pad_request): an unproven address gets no reply larger than its request.
  std::size_t padding = 0;
  friend bool operator==(const Request&, const Request&) = default;
};

// ---- Replies, types 0x2800 - 0x2FFF ----

/// Why a node refused. The numbers are wire values and never change meaning; a receiver
/// must accept numbers it does not know (a newer node may add some).
enum class ErrorCode : std::uint16_t {
  invalid_token = 1,  ///< announce_peer or put without a valid token: ask again for one
  invalid_record = 2, ///< the record's signature does not verify, it expired, or it is
                      ///< not the sender's own peer record
  stale_sequence = 3, ///< put of a seq not above the one stored for (target, signer, salt)
  prove_address = 4,  ///< the answer would be larger than the request from an unproven
                      ///< address: the reply carries a token; echo it or pad the request
  rate_limited = 5,   ///< too many requests from this address; retry later
  storage_full = 6,   ///< the node stores nothing more right now
  internal_error = 7, ///< the node failed
};

struct ErrorReply {
  static constexpr std::uint16_t kType = 0x2800;
  ErrorCode code{};
  std::string text; ///< short, for logs; UTF-8, at most kMaxErrorTextBytes
  friend bool operator==(const ErrorReply&, const ErrorReply&) = default;
};

/// Answers ping.
struct PongReply {
  static constexpr std::uint16_t kType = 0x2801;
  friend bool operator==(const PongReply&, const PongReply&) = default;
};

/// Answers find_node: up to kMaxContactsPerReply contacts closest to the target.
struct NodesReply {
  static constexpr std::uint16_t kType = 0x2802;
  std::vector<NodeContact> contacts;
  friend bool operator==(const NodesReply&, const NodesReply&) = default;
};

/// Answers get_peers: the peer records the node holds, or closer contacts (or some of both).
struct PeersReply {
  static constexpr std::uint16_t kType = 0x2803;
  std::vector<PeerRecord> records;
  std::vector<NodeContact> contacts;
  friend bool operator==(const PeersReply&, const PeersReply&) = default;
};

/// Answers announce_peer and put: the record is stored.
struct StoredReply {
  static constexpr std::uint16_t kType = 0x2804;
  friend bool operator==(const StoredReply&, const StoredReply&) = default;
};

/// Answers get: the signed records the node holds under the target, or closer contacts.
struct ValuesReply {
  static constexpr std::uint16_t kType = 0x2805;
  std::vector<SignedRecord> records;
  std::vector<NodeContact> contacts;
  friend bool operator==(const ValuesReply&, const ValuesReply&) = default;
};

using ReplyBody =
    std::variant<ErrorReply, PongReply, NodesReply, PeersReply, StoredReply, ValuesReply>;

struct Reply {
  TransactionId transaction; ///< the request's
  crypto::PeerId sender{std::array<std::uint8_t, crypto::kPeerIdBytes>{}};
  /// The requester's address and port as this node saw them: how a node behind a NAT
  /// learns its external endpoint.
  core::Endpoint you_are;
  /// A token for the requester's address: in get_peers and get replies (for a following
  /// announce_peer or put) and in a prove_address error; any reply may carry one.
  std::optional<Token> token;
  ReplyBody body;
  friend bool operator==(const Reply&, const Reply&) = default;
};

using Message = std::variant<Request, Reply>;

// ---- Encoding and decoding ----

/// One datagram. Errors: invalid_message for a value a receiver would refuse (transaction
/// 0, too many contacts, records or endpoints, text too long or not UTF-8, port 0, ...);
/// message_too_large when the datagram would exceed kMaxDatagramBytes.
[[nodiscard]] core::Result<Bytes> encode_request(const Request& request,
                                                 const crypto::NetworkId& network);
[[nodiscard]] core::Result<Bytes> encode_reply(const Reply& reply,
                                               const crypto::NetworkId& network);

/// Decodes one received datagram. Checks, in this order: the size (datagram_too_large,
/// before parsing), the msgpack under tight limits and the envelope (malformed_message),
/// the version (unsupported_version), the network (wrong_network), the type
/// (unknown_message_type: ignore it) and the body (malformed_message, limit_exceeded).
/// Signatures are not checked here: verify records after checking the token, which is
/// cheaper (verify_peer_record, verify_signed_record).
[[nodiscard]] core::Result<Message> decode_message(std::span<const std::uint8_t> datagram,
                                                   const crypto::NetworkId& network);

[[nodiscard]] std::uint16_t message_type(const RequestBody& body) noexcept;
[[nodiscard]] std::uint16_t message_type(const ReplyBody& body) noexcept;
[[nodiscard]] bool is_request_type(std::uint64_t type) noexcept;
[[nodiscard]] bool is_reply_type(std::uint64_t type) noexcept;
/// True when `reply` is a possible answer to `request` (its own reply type, or an error).
[[nodiscard]] bool answers(const RequestBody& request, const ReplyBody& reply) noexcept;

/// A short English text for an error code, for replies and logs.
[[nodiscard]] std::string_view default_error_text(ErrorCode code) noexcept;

// ---- Anti-amplification ----
//
// A node must never send an address that has not proved itself (by echoing a token) a
// reply larger than the request it answers, or spoofed requests would turn it into an
// amplifier. A requester that expects a large answer pads its request; a node answers an
// unproven requester within reply_budget(), with fewer contacts or records
// (fit_reply), or with just a prove_address error carrying a token, or not at all.

/// The encoded size of a datagram (what encode_* would return the size of), same errors.
[[nodiscard]] core::Result<std::size_t> encoded_size(const Request& request,
                                                     const crypto::NetworkId& network);
[[nodiscard]] core::Result<std::size_t> encoded_size(const Reply& reply,
                                                     const crypto::NetworkId& network);

/// Sets `request.padding` to the least that makes the encoded request at least
/// `total_bytes` long (0 when it already is). Errors: message_too_large when `total_bytes`
/// is over kMaxDatagramBytes; encode errors.
[[nodiscard]] core::Status pad_request(Request& request, std::size_t total_bytes,
                                       const crypto::NetworkId& network);

/// The largest reply a node may send for a request of `request_bytes` bytes.
[[nodiscard]] std::size_t reply_budget(std::size_t request_bytes, bool address_proven) noexcept;

/// Drops records and then contacts from the end of a nodes, peers or values reply (the
/// closest and best come first) until it encodes to at most `max_bytes`. False, with the
/// reply unchanged, when even an empty list does not fit, or the reply does not encode.
[[nodiscard]] bool fit_reply(Reply& reply, std::size_t max_bytes, const crypto::NetworkId& network);

} // namespace swarmshare::dht
