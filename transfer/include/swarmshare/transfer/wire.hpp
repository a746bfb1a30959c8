#pragma once
// The peer wire protocol, without I/O: typed messages, their encoding and their strict,
// bounded decoding. docs/PROTOCOL.md section 5 specifies the bytes; this header is the one
// place in code that knows them.
//
// Each message is one record of the secure channel (crypto::SecureChannel), so the record
// is the frame: a message is a bare msgpack array [type, fields...] with no length prefix
// and no envelope. One connection serves one file, named by the File ID in hello. The
// protocol is symmetric and streaming: either side may request blocks of the other, and a
// block is named by (chunk, offset, length), so nothing carries a request id.
//
// The shared vocabulary (BlockRef and the block sizes) lives in swarmshare::transfer; the
// messages live in swarmshare::transfer::wire.

#include "swarmshare/core/chunking.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/transfer/bitfield.hpp"
#include "swarmshare/transfer/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace swarmshare::transfer {

/// What a downloader asks for by default: a chunk of the default 256 KiB is four blocks.
inline constexpr std::uint32_t kDefaultBlockBytes = 64U * 1024U;
/// The largest block a request may name or a data message carry.
inline constexpr std::uint32_t kMaxBlockBytes = 128U * 1024U;

/// A block: `length` bytes at `offset` within chunk `chunk`. A valid block lies within one
/// chunk (validate_block) and is 1 .. kMaxBlockBytes long.
struct BlockRef {
  core::ChunkIndex chunk{};
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  friend bool operator==(const BlockRef&, const BlockRef&) = default;
};

/// Checks a block against the file: its chunk exists, its length is 1 .. kMaxBlockBytes and
/// offset + length stays within that chunk (the last chunk may be short). The decoder can
/// check only the caps; this is the rest, for every request, cancel, reject and data
/// received. Errors: block_out_of_range.
[[nodiscard]] core::Status validate_block(const core::Manifest& manifest, const BlockRef& block);

namespace wire {

using Bytes = std::vector<std::uint8_t>;

/// The protocol version this build speaks, and the oldest it accepts in a hello.
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::uint32_t kMinVersion = 1;

// Limits. A decoder refuses anything over them (Errc::limit_exceeded) before it allocates
// for it, and an encoder refuses to produce it (Errc::invalid_message).
/// A message is one record of the secure channel, whose plaintext cap is 1 MiB.
inline constexpr std::size_t kMaxMessageBytes = 1024U * 1024U;
/// The most block requests a peer may allow outstanding (budget).
inline constexpr std::uint32_t kMaxBudget = 1024;
inline constexpr std::size_t kMaxManifestBytes = core::kMaxManifestBytes;

/// Message types (docs/PROTOCOL.md: 1 - 0x0FFF are the peer wire's).
enum class MessageType : std::uint16_t {
  hello = 0x0001,
  have_map = 0x0002,
  have = 0x0003,
  budget = 0x0004,
  request = 0x0005,
  data = 0x0006,
  cancel = 0x0007,
  reject = 0x0008,
  manifest_request = 0x0009,
  manifest = 0x000A,
  goodbye = 0x000B,
};

/// Why a request was refused. Wire values; a receiver accepts values it does not know (a
/// newer peer may add reasons) and treats them as not_serving.
enum class RejectReason : std::uint16_t {
  not_have = 1,    ///< The sender does not have that chunk (any more).
  over_budget = 2, ///< More requests outstanding than the budget the sender granted.
  not_serving = 3, ///< The sender serves no blocks to this peer right now.
};

/// Why a connection ends. Wire values; a receiver accepts values it does not know.
enum class GoodbyeReason : std::uint16_t {
  done = 1,                ///< Nothing more to exchange (both sides complete, or the user stopped).
  not_sharing = 2,         ///< The answerer does not share the hello's File ID.
  shutting_down = 3,       ///< The sender is stopping.
  banned = 4,              ///< The sender refuses this Peer ID.
  protocol_error = 5,      ///< The receiver sent something malformed or out of order.
  too_many_peers = 6,      ///< The sender is at its connection limit; try later.
  file_changed = 7,        ///< The shared file changed on disk; its File ID is no longer served.
  unsupported_version = 8, ///< The hello's version is older than the answerer accepts.
};

/// The dialler's first message; the answer is a hello with the same File ID, or a goodbye.
struct Hello {
  static constexpr MessageType kType = MessageType::hello;
  std::uint32_t version = kVersion; ///< 1 .. 2^32-1: the sender's protocol version
  core::FileId file_id;
  friend bool operator==(const Hello&, const Hello&) = default;
};

/// The chunks the sender has verified; sent once after the hellos, both ways.
struct HaveMap {
  static constexpr MessageType kType = MessageType::have_map;
  Bitfield chunks; ///< at most core::kMaxChunks chunks
  friend bool operator==(const HaveMap&, const HaveMap&) = default;
};

/// A chunk the sender has newly verified.
struct Have {
  static constexpr MessageType kType = MessageType::have;
  core::ChunkIndex chunk{}; ///< below core::kMaxChunks
  friend bool operator==(const Have&, const Have&) = default;
};

/// How many block requests the sender accepts outstanding from the receiver; 0 chokes. A
/// lower budget does not cancel requests already sent: the sender may reject them.
struct Budget {
  static constexpr MessageType kType = MessageType::budget;
  std::uint32_t blocks = 0; ///< 0 .. kMaxBudget
  friend bool operator==(const Budget&, const Budget&) = default;
};

struct Request {
  static constexpr MessageType kType = MessageType::request;
  BlockRef block;
  friend bool operator==(const Request&, const Request&) = default;
};

/// The bytes of a requested block.
struct Data {
  static constexpr MessageType kType = MessageType::data;
  core::ChunkIndex chunk{};
  std::uint32_t offset = 0;
  Bytes bytes; ///< 1 .. kMaxBlockBytes
  [[nodiscard]] BlockRef block() const noexcept {
    return {chunk, offset, static_cast<std::uint32_t>(bytes.size())};
  }
  friend bool operator==(const Data&, const Data&) = default;
};

/// Withdraws a request; data for it may still arrive (it may be on the way).
struct Cancel {
  static constexpr MessageType kType = MessageType::cancel;
  BlockRef block;
  friend bool operator==(const Cancel&, const Cancel&) = default;
};

/// A request refused; it no longer counts against the budget.
struct Reject {
  static constexpr MessageType kType = MessageType::reject;
  BlockRef block;
  RejectReason reason = RejectReason::not_have;
  friend bool operator==(const Reject&, const Reject&) = default;
};

/// Asks for the file's manifest (a peer that found the File ID in the DHT has none yet).
struct ManifestRequest {
  static constexpr MessageType kType = MessageType::manifest_request;
  friend bool operator==(const ManifestRequest&, const ManifestRequest&) = default;
};

/// The canonical manifest bytes; check them with decode_manifest.
struct ManifestReply {
  static constexpr MessageType kType = MessageType::manifest;
  Bytes manifest; ///< 1 .. kMaxManifestBytes
  friend bool operator==(const ManifestReply&, const ManifestReply&) = default;
};

/// The sender's last message on the connection.
struct Goodbye {
  static constexpr MessageType kType = MessageType::goodbye;
  GoodbyeReason reason = GoodbyeReason::done;
  friend bool operator==(const Goodbye&, const Goodbye&) = default;
};

using Message = std::variant<Hello, HaveMap, Have, Budget, Request, Data, Cancel, Reject,
                             ManifestRequest, ManifestReply, Goodbye>;

/// One message, ready to be one record. Errors: invalid_message for a value a receiver must
/// refuse (version 0, a block length of 0 or over kMaxBlockBytes, a budget over kMaxBudget,
/// a chunk index or offset over the caps, an empty or oversized manifest, reason 0).
[[nodiscard]] core::Result<Bytes> encode(const Message& message);

/// A data message straight from a block buffer, without building a Data (the serving path).
[[nodiscard]] core::Result<Bytes> encode_data(core::ChunkIndex chunk, std::uint32_t offset,
                                              std::span<const std::uint8_t> bytes);

/// Decodes one received record. An empty optional for a message type this build does not
/// know: per docs/PROTOCOL.md the receiver ignores it. Errors: message_malformed,
/// limit_exceeded, invalid_bitfield (have_map).
[[nodiscard]] core::Result<std::optional<Message>> decode(std::span<const std::uint8_t> bytes);

/// Decodes a manifest message's bytes (core::Manifest::decode) and refuses a manifest for
/// another file. Errors: core's manifest errors; manifest_mismatch.
[[nodiscard]] core::Result<core::Manifest> decode_manifest(const ManifestReply& reply,
                                                           const core::FileId& expected);

[[nodiscard]] MessageType message_type(const Message& message) noexcept;
/// "hello", "have_map", ... for logs.
[[nodiscard]] std::string_view message_name(MessageType type) noexcept;
/// A short English text for a reason, for logs; "unknown reason" for a newer peer's value.
[[nodiscard]] std::string_view reason_text(GoodbyeReason reason) noexcept;
[[nodiscard]] std::string_view reason_text(RejectReason reason) noexcept;

} // namespace wire
} // namespace swarmshare::transfer
