#include "swarmshare/crypto/error.hpp"

#include <string>

namespace swarmshare::crypto {
namespace {

class CryptoCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.crypto"; }

  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
    case Errc::decrypt_failed: return "decryption failed: message not authentic";
    case Errc::handshake_failed: return "handshake failed earlier and cannot continue";
    case Errc::invalid_key: return "invalid or low-order key";
    case Errc::out_of_order: return "operation not allowed in the current protocol state";
    case Errc::nonce_exhausted: return "nonce space exhausted";
    case Errc::message_too_large: return "Noise message larger than 65535 bytes";
    case Errc::message_truncated: return "handshake message too short";
    case Errc::record_too_large: return "record larger than the allowed maximum";
    case Errc::record_auth_failed: return "record not authentic";
    case Errc::key_confirmation_failed: return "key confirmation failed";
    case Errc::stream_truncated: return "stream ended without a final record";
    case Errc::data_after_final: return "data after the final record";
    case Errc::invalid_peer_id: return "not a Peer ID (52 base32 characters)";
    case Errc::identity_unreadable: return "identity key file cannot be read";
    case Errc::identity_corrupt: return "identity key file is corrupt";
    case Errc::identity_unsupported_version:
      return "identity key file has a format version this build cannot read";
    case Errc::identity_insecure_permissions:
      return "identity key file is accessible to other users (expected mode 0600)";
    case Errc::certificate_bad_signature: return "static-key certificate signature is invalid";
    case Errc::certificate_key_mismatch:
      return "static-key certificate is for a different static key";
    case Errc::certificate_expired: return "static-key certificate has expired";
    case Errc::certificate_expiry_too_far:
      return "static-key certificate expiry is too far in the future";
    case Errc::handshake_payload_malformed: return "malformed handshake payload";
    case Errc::unexpected_peer: return "peer is not the one expected";
    case Errc::handshake_timeout: return "handshake timed out";
    case Errc::idle_timeout: return "connection idle for too long";
    case Errc::channel_closed: return "peer closed the channel";
    }
    return "unknown swarmshare.crypto error " + std::to_string(value);
  }
};

} // namespace

const std::error_category& crypto_category() noexcept {
  static const CryptoCategory category;
  return category;
}

} // namespace swarmshare::crypto
