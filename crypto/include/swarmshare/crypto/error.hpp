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
};

[[nodiscard]] const std::error_category& crypto_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), crypto_category()};
}

} // namespace swarmshare::crypto

template <>
struct std::is_error_code_enum<swarmshare::crypto::Errc> : std::true_type {};
