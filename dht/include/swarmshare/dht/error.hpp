#pragma once
// Error codes of the dht part (docs/ERRORS.md, "swarmshare.dht").
//
// Decoding a datagram, checking a record and the encoders' refusals report these values;
// nothing throws across the part boundary. A refusal another node sent travels as a
// wire ErrorCode (message.hpp) instead: those numbers are part of the protocol, these are not.

#include "swarmshare/core/error.hpp"

#include <system_error>

namespace swarmshare::dht {

enum class Errc {
  // ---- Datagrams (message.hpp) ----
  /// A received datagram over kMaxReceivedDatagramBytes: dropped before any parsing.
  datagram_too_large = 1,
  /// Not one msgpack envelope of the documented shape: truncated, trailing bytes, a missing,
  /// extra or mistyped field, over the decode limits, a zero transaction or version.
  malformed_message,
  /// A count or length over its documented maximum (contacts, records, endpoints, text).
  limit_exceeded,
  /// The envelope names another network: the sender belongs to another swarm.
  wrong_network,
  /// Protocol version 0 (never valid).
  unsupported_version,
  /// A message type this build does not know: ignored (and counted), never answered.
  unknown_message_type,
  /// The encoder refused a value a conforming receiver would reject.
  invalid_message,
  /// The encoded datagram would exceed kMaxDatagramBytes (send fewer records or contacts).
  message_too_large,
  // ---- Records (records.hpp) ----
  /// The signature does not verify for the signer the record names (forged, altered, or
  /// signed for another network).
  bad_signature,
  /// A peer record whose issue time is more than kPeerRecordLifetime ago.
  record_expired,
  /// A peer record issued further in the future than the allowed clock skew.
  record_from_future,
  /// A signed record's value that is not a keyword value, or one that disagrees with the
  /// record (its File ID is not the salt).
  invalid_keyword_value,
  /// A word that is not one normalized search word (empty, too long, uppercase, separator).
  invalid_word,
  // ---- Queries we send (rpc_client.hpp) ----
  /// No matching reply arrived within the query's timeout (lost, or the node is gone).
  timed_out,
  /// Too many queries outstanding at once: a caller is not waiting for its answers.
  too_many_queries,
  // ---- The registry (dht_registry.hpp) ----
  /// The routing table is empty (no bootstrap node answered yet): nothing can be looked up
  /// or stored. A share is kept and published as soon as a node is known.
  not_joined,
  /// A lookup ended with no node storing the record (all timed out or refused it).
  not_stored,
  /// A share to publish with no endpoint: it lists none, and our address is not known yet
  /// (the peer server binds every address and no DHT node has told us what it sees).
  no_address,
  // ---- Name search (keyword_index.hpp) ----
  /// A search text with no search word in it (empty, or only separators).
  empty_query,
};

[[nodiscard]] const std::error_category& dht_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), dht_category()};
}

} // namespace swarmshare::dht

template <>
struct std::is_error_code_enum<swarmshare::dht::Errc> : std::true_type {};
