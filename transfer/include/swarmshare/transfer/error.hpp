#pragma once
// Error codes of the transfer part (docs/ERRORS.md, "swarmshare.transfer").
//
// The peer wire codec (wire.hpp) reports why a message could not be decoded or encoded; the
// values from peer_id_mismatch on are the download engine's. Values are appended, never
// renumbered. What a peer is told on the wire is a GoodbyeReason or RejectReason instead:
// these codes are for local decisions and logs. Nothing here throws across the part boundary.

#include "swarmshare/core/error.hpp"

#include <system_error>

namespace swarmshare::transfer {

enum class Errc {
  // ---- The peer wire codec (wire.hpp, bitfield.hpp) ----
  /// Not a msgpack array of the documented shape: truncated, trailing bytes, a wrong field
  /// count or type, a negative integer, a File ID of the wrong length, a zero where a
  /// positive value is required (message type, version, block length, reason). The
  /// connection ends with goodbye protocol_error.
  message_malformed = 1,
  /// A message, count, length, index or value above its documented maximum (record size,
  /// block length, budget, chunk count or index, manifest bytes).
  limit_exceeded,
  /// A have_map whose byte count does not match its chunk count, or whose spare bits after
  /// the last chunk are not zero.
  invalid_bitfield,
  /// The encoder refused a value a conforming receiver would reject: we never send it.
  invalid_message,
  /// A block that is not a sub-range of one chunk of this file (validate_block), or a chunk
  /// index past the file's last chunk.
  block_out_of_range,
  /// A manifest that decodes but whose File ID is not the one this connection is about.
  manifest_mismatch,
  // ---- The download engine ----
  /// The peer authenticated as another Peer ID than the one we dialled.
  peer_id_mismatch,
  /// The peer is banned (for example after sending data that failed verification).
  peer_banned,
  /// A chunk's bytes did not hash to the manifest's chunk hash.
  chunk_verification_failed,
  /// No peer that has the missing chunks can be reached.
  no_sources,
  /// The dialled peer did not connect or answer the hello in time.
  peer_unreachable,
  /// The dialled peer does not share this File ID (goodbye not_sharing, or another reason).
  peer_not_sharing,
  /// A write to storage that only serves (a shared file is never written).
  not_writable,
};

[[nodiscard]] const std::error_category& transfer_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), transfer_category()};
}

} // namespace swarmshare::transfer

template <>
struct std::is_error_code_enum<swarmshare::transfer::Errc> : std::true_type {};
