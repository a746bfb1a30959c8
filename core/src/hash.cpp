#include "swarmshare/core/hash.hpp"

#include "swarmshare/core/digits.hpp"

#include <sodium/core.h>

#include <stdexcept>

namespace swarmshare::core {
namespace {

// sodium_init() picks the fastest BLAKE2b implementation for this CPU; it is idempotent
// and thread-safe, so every entry point may call it.
void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) {
      throw std::runtime_error("libsodium failed to initialise");
    }
    return true;
  }();
  (void)ready;
}

} // namespace

Blake2b256::Blake2b256() noexcept {
  ensure_sodium();
  crypto_generichash_blake2b_init(&state_, nullptr, 0, kHashSize);
}

void Blake2b256::update(std::span<const std::uint8_t> bytes) noexcept {
  crypto_generichash_blake2b_update(&state_, bytes.data(), bytes.size());
}

Hash256 Blake2b256::finish() noexcept {
  Hash256 out{};
  crypto_generichash_blake2b_final(&state_, out.data(), out.size());
  return out;
}

Hash256 blake2b_256(std::span<const std::uint8_t> bytes) noexcept {
  Blake2b256 hasher;
  hasher.update(bytes);
  return hasher.finish();
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const std::uint8_t byte : bytes) {
    text.push_back(kDigits[byte >> 4U]);
    text.push_back(kDigits[byte & 0x0FU]);
  }
  return text;
}

bool from_hex(std::string_view text, std::span<std::uint8_t> out) noexcept {
  if (text.size() != out.size() * 2) {
    return false;
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = hex_digit_value(text[2 * i]);
    const int low = hex_digit_value(text[2 * i + 1]);
    if (high < 0 || low < 0) {
      return false;
    }
    out[i] = static_cast<std::uint8_t>((high << 4) | low);
  }
  return true;
}

} // namespace swarmshare::core
