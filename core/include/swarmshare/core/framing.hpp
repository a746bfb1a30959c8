#pragma once
// Messages on byte streams: a 4-byte big-endian length, then a msgpack envelope
// [version, type, body]. docs/PROTOCOL.md specifies the bytes and the version rules.

#include "swarmshare/core/error.hpp"
#include "swarmshare/core/msgpack_io.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>
#include <vector>

namespace swarmshare::core {

/// The wire protocol version this build speaks, and the oldest it still accepts.
inline constexpr std::uint32_t kWireVersion = 1;
inline constexpr std::uint32_t kMinWireVersion = 1;

inline constexpr std::size_t kFrameHeaderBytes = 4;
/// Default cap on a frame body: room for the largest manifest and its envelope.
inline constexpr std::uint32_t kDefaultMaxFrameBytes = 1024 * 1024;

/// Message types. 0 is never valid; ranges are reserved per protocol (docs/PROTOCOL.md).
enum class MessageType : std::uint16_t {};

[[nodiscard]] constexpr std::uint16_t type_value(MessageType type) noexcept {
  return static_cast<std::uint16_t>(type);
}

/// One decoded message. It owns its memory (the msgpack zone).
struct Message {
  std::uint32_t version = 0;
  MessageType type{};
  msgpack::object_handle handle;

  /// The body: whatever msgpack object the sender packed.
  [[nodiscard]] const msgpack::object& body() const noexcept {
    return handle.get().via.array.ptr[2];
  }
};

struct FrameLimits {
  std::uint32_t max_frame_bytes = kDefaultMaxFrameBytes;
  UnpackLimits unpack;
};

/// Encodes one frame: header plus envelope [kWireVersion, type, body]. `pack_body` packs
/// exactly one msgpack object. A body over `max_frame_bytes` gives frame_too_large: we
/// never send what a peer with default limits must reject.
[[nodiscard]] Result<std::vector<std::uint8_t>>
encode_frame(MessageType type,
             const std::function<void(msgpack::packer<msgpack::sbuffer>&)>& pack_body,
             std::uint32_t max_frame_bytes = kDefaultMaxFrameBytes);

/// Reads a frame header. Errors: frame_too_large (over the cap, checked before any
/// allocation), frame_malformed (a zero length).
[[nodiscard]] Result<std::uint32_t>
decode_frame_length(std::span<const std::uint8_t, kFrameHeaderBytes> header,
                    std::uint32_t max_frame_bytes);

/// Decodes a frame body (the bytes after the header). Errors: frame_malformed for
/// anything but a well-formed envelope within limits; unsupported_version for a version
/// below kMinWireVersion. Newer versions are accepted: they only add types and fields.
[[nodiscard]] Result<Message> decode_message(std::span<const std::uint8_t> body,
                                             const UnpackLimits& limits = {});

/// Splits a byte stream into messages, however it is fragmented. Holds at most one
/// partial frame; after the first error it stays failed and ignores further input.
class FrameDecoder {
public:
  explicit FrameDecoder(FrameLimits limits = {}) : limits_(limits) {}

  /// Consumes all of `bytes`, calling `on_message` for each complete message in order.
  [[nodiscard]] Status feed(std::span<const std::uint8_t> bytes,
                            const std::function<void(Message&&)>& on_message);

  /// Call when the stream has ended: frame_truncated if it ended inside a frame.
  [[nodiscard]] Status finish() const;

  /// Bytes held for the frame in progress (header or body).
  [[nodiscard]] std::size_t buffered_bytes() const noexcept;

private:
  FrameLimits limits_;
  std::array<std::uint8_t, kFrameHeaderBytes> header_{};
  std::size_t header_filled_ = 0;
  std::vector<std::uint8_t> body_;
  std::size_t body_expected_ = 0;
  std::error_code failure_;
};

/// Routes messages to handlers by type. A type with no handler is ignored and counted:
/// a newer peer may send optional messages an older one does not know.
class MessageDispatcher {
public:
  using Handler = std::function<Status(const Message&)>;

  void on(MessageType type, Handler handler);

  /// Runs the handler for the message's type and returns its status; success for an
  /// ignored unknown type.
  [[nodiscard]] Status dispatch(const Message& message);

  [[nodiscard]] std::uint64_t ignored_unknown() const noexcept { return ignored_unknown_; }

private:
  std::unordered_map<std::uint16_t, Handler> handlers_;
  std::uint64_t ignored_unknown_ = 0;
};

} // namespace swarmshare::core
