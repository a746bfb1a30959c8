#pragma once
// Error codes of the tracker wire protocol (protocol.hpp), as local std::error_code values.
// They say why a message could not be decoded or encoded; what the tracker tells a client
// on the wire is a protocol::ErrorCode in an ErrorReply (wire_error_for maps one to the other).
//
// protocol::ErrorCode is an error code enum too (category "swarmshare.tracker.wire"): the
// client turns an ErrorReply into std::error_code{reply.code}, so callers compare
// `result.error() == protocol::ErrorCode::no_entry`. Codes a newer tracker adds keep their
// number and read "tracker error N".

#include "swarmshare/core/error.hpp"

#include <cstdint>
#include <system_error>

namespace swarmshare::tracker::protocol {

enum class ErrorCode : std::uint16_t; // defined with the replies in protocol.hpp

enum class Errc {
  /// A known request type whose body breaks its documented shape: wrong field count or type,
  /// a File ID or Peer ID of the wrong length, bad endpoint bytes, invalid UTF-8, a zero
  /// request id or limit. The tracker answers with ErrorCode::malformed_request.
  malformed_request = 1,
  /// The same for a reply: the client treats the tracker as faulty for this request.
  malformed_reply,
  /// A count, length or limit above the documented maximum (endpoints, search text, limit,
  /// offset, peers or results in a reply, manifest bytes, error text).
  limit_exceeded,
  /// encode_request / encode_reply refused a value the receiver would reject: we never send
  /// what a conforming peer must refuse.
  invalid_message,
};

[[nodiscard]] const std::error_category& protocol_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), protocol_category()};
}

/// The category of the tracker's refusals (ErrorReply codes), "swarmshare.tracker.wire".
[[nodiscard]] const std::error_category& wire_error_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(ErrorCode e) noexcept {
  return {static_cast<int>(e), wire_error_category()};
}

} // namespace swarmshare::tracker::protocol

template <>
struct std::is_error_code_enum<swarmshare::tracker::protocol::Errc> : std::true_type {};
template <>
struct std::is_error_code_enum<swarmshare::tracker::protocol::ErrorCode> : std::true_type {};
