#pragma once
// Error codes of the crypto part.
//
// Every fallible crypto call returns swarmshare::core::Result<T> carrying one of these codes;
// nothing here throws across the part boundary. A peer that sends garbage must only ever
// produce one of these errors, never a crash.

#include "swarmshare/core/error.hpp"

#include <system_error>

namespace swarmshare::crypto {

enum class Errc {
  /// AEAD authentication failed: wrong key, wrong associated data (for example a handshake
  /// transcript that differs, such as a different prologue) or a tampered/truncated ciphertext.
  decrypt_failed = 1,
  /// An earlier step of this handshake failed; the handshake must be abandoned and restarted
  /// from scratch (Noise forbids continuing after an error).
  handshake_failed,
  /// A key that cannot be used: a DH with the peer's public key gave the all-zero output
  /// (a low-order point), or libsodium refused a secret key.
  invalid_key,
  /// The call is not allowed in the current state: writing when it is the peer's turn,
  /// reading when it is ours, splitting before the handshake finished or twice, or using a
  /// CipherState that has no key where one is required.
  out_of_order,
  /// The nonce reached 2^64-1, which Noise reserves; the CipherState can encrypt or decrypt
  /// nothing more and the session must be re-established.
  nonce_exhausted,
  /// A Noise message (handshake or transport) would exceed 65535 bytes.
  message_too_large,
  /// A handshake message is shorter than the fields its pattern requires.
  message_truncated,
  // Record layer (secure_records.hpp). Every one of these means "close the connection"; the
  // specific code is for local logs only and must never change what the peer observes.
  /// A record longer than the cap: announced by a peer, or refused to a local sender.
  record_too_large,
  /// A record (or the stream header before it) that does not authenticate: tampered,
  /// reordered, replayed, from another session, or too short to hold a tag.
  record_auth_failed,
  /// The first record is not the key confirmation for this session's handshake hash.
  key_confirmation_failed,
  /// The stream ended without the peer's final record: possibly cut off by an attacker.
  stream_truncated,
  /// Bytes arrived after the peer's final record.
  data_after_final,
  // Identity, static-key certificates and the authenticated handshake (identity.hpp,
  // certificate.hpp, secure_handshake.hpp). A failed SecureHandshake reports only
  // handshake_failed to its caller; these codes are its failure_reason(), for local logs.
  /// Text that is not a Peer ID: 52 base32 characters (RFC 4648 alphabet, no padding)
  /// whose unused final bits are zero.
  invalid_peer_id,
  /// The identity key file exists but cannot be read (permissions, I/O error, not a regular
  /// file, or a dangling link). It is left alone.
  identity_unreadable,
  /// The identity key file is truncated, has a bad magic or a checksum mismatch. It is never
  /// replaced automatically: that would silently change this installation's Peer ID.
  identity_corrupt,
  /// The identity key file was written by a format version this build does not read.
  identity_unsupported_version,
  /// Group or other users have access to the identity key file, so the key may be known to
  /// someone else; the user must fix the permissions (chmod 600) or make a new identity.
  identity_insecure_permissions,
  /// A static-key certificate whose Ed25519 signature does not verify for its identity,
  /// network and key (forged, or made for another network or another static key).
  certificate_bad_signature,
  /// A static-key certificate for a different X25519 key than the one the peer used.
  certificate_key_mismatch,
  /// A static-key certificate that expired more than the allowed clock skew ago.
  certificate_expired,
  /// A static-key certificate whose expiry lies further ahead than any certificate we would
  /// issue (validity plus skew): a wrong clock or an attempt at a long-lived certificate.
  certificate_expiry_too_far,
  /// A handshake payload that is not the canonical msgpack of the documented shape, or a
  /// message 1 that carries a payload.
  handshake_payload_malformed,
  /// The peer authenticated as a different Peer ID than the one we meant to reach.
  unexpected_peer,
  // Secure channel over a socket (secure_channel.hpp).
  /// The handshake did not complete within the channel's handshake timeout.
  handshake_timeout,
  /// No bytes arrived from the peer for the channel's idle timeout while a read waited.
  idle_timeout,
  /// Not a failure: the peer ended its direction cleanly with a FINAL record, and every
  /// message before it has been read.
  channel_closed,
};

[[nodiscard]] const std::error_category& crypto_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), crypto_category()};
}

} // namespace swarmshare::crypto

template <>
struct std::is_error_code_enum<swarmshare::crypto::Errc> : std::true_type {};
