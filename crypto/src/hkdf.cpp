#include "swarmshare/crypto/hkdf.hpp"

#include <sodium.h>

#include <algorithm>
#include <initializer_list>

namespace swarmshare::crypto {
namespace {

static_assert(crypto_generichash_blake2b_BYTES_MAX == kBlake2bHashBytes);

Hash64 hmac(ByteView key, std::initializer_list<ByteView> data) {
  std::array<std::uint8_t, kBlake2bBlockBytes> block{};
  if (key.size() > block.size()) {
    const Hash64 hashed_key = blake2b_512({key});
    std::copy(hashed_key.begin(), hashed_key.end(), block.begin());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }

  std::array<std::uint8_t, kBlake2bBlockBytes> pad{};
  for (std::size_t i = 0; i < pad.size(); ++i) {
    pad[i] = static_cast<std::uint8_t>(block[i] ^ 0x36U);
  }
  crypto_generichash_blake2b_state state;
  crypto_generichash_blake2b_init(&state, nullptr, 0, kBlake2bHashBytes);
  crypto_generichash_blake2b_update(&state, pad.data(), pad.size());
  for (const ByteView part : data) {
    crypto_generichash_blake2b_update(&state, part.data(), part.size());
  }
  Hash64 inner{};
  crypto_generichash_blake2b_final(&state, inner.data(), inner.size());

  for (std::size_t i = 0; i < pad.size(); ++i) {
    pad[i] = static_cast<std::uint8_t>(block[i] ^ 0x5cU);
  }
  Hash64 out = blake2b_512({pad, inner});

  sodium_memzero(&state, sizeof state);
  sodium_memzero(block.data(), block.size());
  sodium_memzero(pad.data(), pad.size());
  sodium_memzero(inner.data(), inner.size());
  return out;
}

} // namespace

Hash64 blake2b_512(std::initializer_list<ByteView> parts) {
  crypto_generichash_blake2b_state state;
  // Unkeyed with a 64-byte output: libsodium cannot fail with these arguments.
  crypto_generichash_blake2b_init(&state, nullptr, 0, kBlake2bHashBytes);
  for (const ByteView part : parts) {
    crypto_generichash_blake2b_update(&state, part.data(), part.size());
  }
  Hash64 out{};
  crypto_generichash_blake2b_final(&state, out.data(), out.size());
  // The state has absorbed secrets when HMAC keys pass through here.
  sodium_memzero(&state, sizeof state);
  return out;
}

Hash64 hmac_blake2b(ByteView key, ByteView data) { return hmac(key, {data}); }

template <std::size_t N>
std::array<Hash64, N> hkdf(ByteView chaining_key,
                           ByteView input_key_material) requires(N == 2 || N == 3) {
  Hash64 temp_key = hmac(chaining_key, {input_key_material});
  std::array<Hash64, N> outputs{};
  const std::array<std::uint8_t, 1> one{0x01};
  outputs[0] = hmac(temp_key, {one});
  for (std::size_t i = 1; i < N; ++i) {
    const std::array<std::uint8_t, 1> counter{static_cast<std::uint8_t>(i + 1)};
    outputs[i] = hmac(temp_key, {outputs[i - 1], counter});
  }
  sodium_memzero(temp_key.data(), temp_key.size());
  return outputs;
}

template std::array<Hash64, 2> hkdf<2>(ByteView, ByteView);
template std::array<Hash64, 3> hkdf<3>(ByteView, ByteView);

} // namespace swarmshare::crypto
