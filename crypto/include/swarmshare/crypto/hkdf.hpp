#pragma once
// HMAC-BLAKE2b and the HKDF of the Noise Protocol Framework (revision 34, section 4.3).
//
// Noise builds HMAC from the plain hash per RFC 2104; BLAKE2b's own keyed mode gives
// different output and would not interoperate, so it is deliberately not used here.

#include "swarmshare/crypto/common.hpp"

#include <array>
#include <cstddef>
#include <initializer_list>

namespace swarmshare::crypto {

/// BLAKE2b's block length, the HMAC key block size.
inline constexpr std::size_t kBlake2bBlockBytes = 128;
/// BLAKE2b-512's output length: Noise's HASHLEN.
inline constexpr std::size_t kBlake2bHashBytes = 64;

/// Noise's HASH(): unkeyed BLAKE2b-512 of the concatenation of `parts`.
[[nodiscard]] Hash64 blake2b_512(std::initializer_list<ByteView> parts);

/// HMAC (RFC 2104) with BLAKE2b-512. Keys longer than the 128-byte block are hashed first.
[[nodiscard]] Hash64 hmac_blake2b(ByteView key, ByteView data);

/// Noise's HKDF(chaining_key, input_key_material, num_outputs) with num_outputs = N:
///   temp_key = HMAC(chaining_key, ikm)
///   output_1 = HMAC(temp_key, 0x01)
///   output_i = HMAC(temp_key, output_{i-1} || i)
/// The outputs are secrets: the caller wipes them when done.
template <std::size_t N>
[[nodiscard]] std::array<Hash64, N> hkdf(ByteView chaining_key,
                                         ByteView input_key_material) requires(N == 2 || N == 3);

extern template std::array<Hash64, 2> hkdf<2>(ByteView, ByteView);
extern template std::array<Hash64, 3> hkdf<3>(ByteView, ByteView);

} // namespace swarmshare::crypto
