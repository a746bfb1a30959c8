#pragma once
// Error codes of the tracker part (docs/ERRORS.md, "swarmshare.tracker").
//
// The registry reports refusals as these values; database failures keep their own
// "swarmshare.sqlite" codes. The client (client.hpp) reports its own failures (the tracker
// could not be reached, did not answer in time, is not who we pinned) with the values after
// store_closed; a refusal the tracker sent comes out as a protocol::ErrorCode instead
// (protocol_error.hpp). Nothing here throws across the part boundary.

#include "swarmshare/core/error.hpp"

#include <system_error>

namespace swarmshare::tracker {

enum class Errc {
  /// The manifest's BLAKE2b-256 is not the File ID it was announced under.
  manifest_mismatch = 1,
  /// The File ID is not known to the tracker (an announce without a manifest, or a lookup).
  unknown_file,
  /// The operator deleted this File ID; it can be neither announced nor looked up.
  file_deleted,
  /// The operator banned this Peer ID.
  peer_banned,
  /// The entry belongs to another Peer ID: only the peer that announced an entry may
  /// refresh or remove it.
  not_owner,
  /// The peer has no live entry for the file (never announced, removed or expired):
  /// announce again.
  no_entry,
  /// An announce without endpoints, or with more than the store accepts.
  invalid_endpoints,
  /// A search text with no word in it.
  empty_query,
  /// The store is shutting down and takes no more writes.
  store_closed,
  // ---- The client (values are appended, never renumbered) ----
  /// Tracker address text that is not HOST:PORT, [IPv6]:PORT or PEERID@HOST:PORT.
  invalid_tracker_address,
  /// No connection could be made: the name did not resolve, the TCP connect failed or timed
  /// out, or the secure handshake failed. TrackerHealth::last_error_text has the reason.
  tracker_unreachable,
  /// The tracker did not answer a request within the request timeout.
  tracker_timed_out,
  /// The tracker authenticated as another Peer ID than the one pinned in its address.
  tracker_identity_mismatch,
  /// The connection ended while the request waited for its reply.
  tracker_connection_lost,
  /// The client was stopped; nothing more is sent.
  tracker_client_stopped,
  /// The tracker answered with a reply that does not belong to the request (another reply
  /// type): a faulty tracker.
  unexpected_reply,
};

[[nodiscard]] const std::error_category& tracker_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), tracker_category()};
}

} // namespace swarmshare::tracker

template <>
struct std::is_error_code_enum<swarmshare::tracker::Errc> : std::true_type {};
