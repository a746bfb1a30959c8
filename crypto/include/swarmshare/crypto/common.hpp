#pragma once
// Vocabulary types shared by the crypto part, and libsodium start-up.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace swarmshare::crypto {

/// A 32-byte key: an X25519 secret or public key, a DH output or a ChaChaPoly key.
using Key32 = std::array<std::uint8_t, 32>;
/// A BLAKE2b-512 digest: the Noise chaining key, handshake hash and HKDF outputs.
using Hash64 = std::array<std::uint8_t, 64>;
using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

/// Initialises libsodium. Idempotent and thread-safe; every crypto constructor calls it, so
/// callers need it only before using libsodium directly. Aborts if libsodium cannot start,
/// because without a working random source no key this part made would be safe.
void init();

} // namespace swarmshare::crypto
