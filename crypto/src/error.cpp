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
