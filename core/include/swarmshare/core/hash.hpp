#pragma once
// BLAKE2b-256, the one content hash of the project: chunk hashes and File IDs use it.
// It lives in core (not crypto) because the content model is defined by it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <sodium/crypto_generichash_blake2b.h>

namespace swarmshare::core {

inline constexpr std::size_t kHashSize = 32;
using Hash256 = std::array<std::uint8_t, kHashSize>;

/// Incremental BLAKE2b with a 256-bit digest (no key).
class Blake2b256 {
public:
  Blake2b256() noexcept;
  void update(std::span<const std::uint8_t> bytes) noexcept;
  /// Finishes the digest. The object must not be updated afterwards.
  [[nodiscard]] Hash256 finish() noexcept;

private:
  crypto_generichash_blake2b_state state_{};
};

[[nodiscard]] Hash256 blake2b_256(std::span<const std::uint8_t> bytes) noexcept;

/// Lowercase hexadecimal of any byte span.
[[nodiscard]] std::string to_hex(std::span<const std::uint8_t> bytes);

/// Parses exactly `out.size()` bytes of hexadecimal (either case). False on any other input.
[[nodiscard]] bool from_hex(std::string_view text, std::span<std::uint8_t> out) noexcept;

} // namespace swarmshare::core
