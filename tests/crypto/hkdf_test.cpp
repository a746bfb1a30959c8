#include "swarmshare/crypto/hkdf.hpp"

#include "noise_vector_json.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <string_view>

namespace swarmshare::crypto {
namespace {

Bytes hex(std::string_view text) { return vector_json::decode_hex(text).value(); }

Bytes ascii(std::string_view text) { return {text.begin(), text.end()}; }

Bytes counting(std::size_t length) {
  Bytes bytes(length);
  std::iota(bytes.begin(), bytes.end(), std::uint8_t{0});
  return bytes;
}

Bytes to_bytes(const Hash64& hash) { return {hash.begin(), hash.end()}; }

// Expected values come from Python's standard library, which implements RFC 2104 HMAC over
// unkeyed BLAKE2b-512 (not BLAKE2b's keyed mode):
//   hmac.new(key, msg, hashlib.blake2b).hexdigest()

TEST(HmacBlake2b, matchesPythonHmacForAShortKey) {
  // hmac.new(b'key', b'The quick brown fox jumps over the lazy dog', hashlib.blake2b)
  EXPECT_EQ(
      to_bytes(hmac_blake2b(ascii("key"), ascii("The quick brown fox jumps over the lazy dog"))),
      hex("92294f92c0dfb9b00ec9ae8bd94d7e7d8a036b885a499f149dfe2fd2199394aa"
          "af6b8894a1730cccb2cd050f9bcf5062a38b51b0dab33207f8ef35ae2c9df51b"));
}

TEST(HmacBlake2b, matchesPythonHmacForAHashLengthKeyAndEmptyMessage) {
  // hmac.new(bytes(range(64)), b'', hashlib.blake2b): the shape Noise uses (64-byte keys).
  EXPECT_EQ(to_bytes(hmac_blake2b(counting(64), {})),
            hex("ea1896ab7c8319a824482f757c038b70089765501b1f8bdb78153d195915bd33"
                "0bde7a8c0fb6dbf3de09277662ba661fde80017dc277309eedfe05bdf5b27e18"));
}

TEST(HmacBlake2b, hashesKeysLongerThanTheBlock) {
  // hmac.new(bytes(range(200)), b'abc', hashlib.blake2b)
  EXPECT_EQ(to_bytes(hmac_blake2b(counting(200), ascii("abc"))),
            hex("feb09eb5b1c557085c0a53bdf39ef7bc9af291f21d7c917cd1cf09542aab9536"
                "2de79b3925fe55d92997423b5a68be1bda2f6518df34fa1053bb3ef559b08200"));
}

TEST(HmacBlake2b, differsFromKeyedBlake2b) {
  // hashlib.blake2b(b'abc', key=b'key'): the keyed mode Noise does NOT use.
  EXPECT_NE(to_bytes(hmac_blake2b(ascii("key"), ascii("abc"))),
            hex("5c6a9a4ae911c02fb7e71a991eb9aea371ae993d4842d206e6020d46f5e41358"
                "c6d5c277c110ef86c959ed63e6ecaaaceaaff38019a43264ae06acf73b9550b1"));
}

// Expected outputs from the spec's definition evaluated in Python:
//   H = lambda k, m: hmac.new(k, m, hashlib.blake2b).digest()
//   t = H(bytes(range(64)), b'input key material')
//   o1 = H(t, b'\x01'); o2 = H(t, o1 + b'\x02'); o3 = H(t, o2 + b'\x03')
TEST(NoiseHkdf, producesTheSpecifiedChainOfOutputs) {
  const Bytes chaining_key = counting(64);
  const Bytes ikm = ascii("input key material");
  const Bytes o1 = hex("a94ec1ceaa5ac0280eafc97980003e4019176e4bf7c914c45fb0bbda0b22a995"
                       "4d01f3697bbf32817ed0fccbf6dd1ebd24c0b05611051e63dc56e131af4f7c10");
  const Bytes o2 = hex("f9d83f6c5d34695529eb8e35c8a2ed78658092e7c3b38fdf0cea2a2096b6f6e5"
                       "42af644e298508f37da08860db285a8ad4b604c1f160f23356df6b28c183508d");
  const Bytes o3 = hex("bb6f14b645bac5dd79c98ce583e3357b43b431c22400c9b79d690c1d2fe2d391"
                       "ab8372b0b08553b56e802dc6badace75398c1b8a973d0aab18d857d431c3a48f");

  const auto three = hkdf<3>(chaining_key, ikm);
  EXPECT_EQ(to_bytes(three[0]), o1);
  EXPECT_EQ(to_bytes(three[1]), o2);
  EXPECT_EQ(to_bytes(three[2]), o3);

  const auto two = hkdf<2>(chaining_key, ikm);
  EXPECT_EQ(to_bytes(two[0]), o1);
  EXPECT_EQ(to_bytes(two[1]), o2);
}

} // namespace
} // namespace swarmshare::crypto
