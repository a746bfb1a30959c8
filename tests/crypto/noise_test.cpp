#include "swarmshare/crypto/noise.hpp"

#include "noise_vector_json.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace swarmshare::crypto {
namespace {

Bytes ascii(std::string_view text) { return {text.begin(), text.end()}; }

Key32 key_from_hex(std::string_view text) {
  const Bytes bytes = vector_json::decode_hex(text).value();
  Key32 key{};
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

Key32 random_key() {
  Key32 key{};
  randombytes_buf(key.data(), key.size());
  return key;
}

// Drives an XX handshake between two fresh HandshakeStates with random keys.
struct Pair {
  KeyPair initiator_static = KeyPair::generate();
  KeyPair responder_static = KeyPair::generate();
  HandshakeState initiator{Role::initiator, initiator_static, ascii("swarmshare test")};
  HandshakeState responder{Role::responder, responder_static, ascii("swarmshare test")};

  Bytes message_1() { return initiator.write_message({}).value(); }
  Bytes message_2() { return responder.write_message(ascii("responder payload")).value(); }
  Bytes message_3() { return initiator.write_message(ascii("initiator payload")).value(); }

  void complete() {
    ASSERT_TRUE(responder.read_message(message_1()));
    ASSERT_TRUE(initiator.read_message(message_2()));
    ASSERT_TRUE(responder.read_message(message_3()));
  }
};

// ----- Full handshake ------------------------------------------------------------------------

TEST(NoiseXX, handshakeWithRandomKeysAgreesOnHashAndCarriesPayloads) {
  Pair pair;
  const auto payload_1 = pair.responder.read_message(pair.message_1());
  ASSERT_TRUE(payload_1);
  EXPECT_TRUE(payload_1.value().empty());
  EXPECT_FALSE(pair.initiator.remote_static().has_value());

  const auto payload_2 = pair.initiator.read_message(pair.message_2());
  ASSERT_TRUE(payload_2);
  EXPECT_EQ(payload_2.value(), ascii("responder payload"));
  // The initiator learns (and has authenticated) the responder's key after message 2.
  EXPECT_EQ(pair.initiator.remote_static(), pair.responder_static.public_key());
  EXPECT_FALSE(pair.initiator.is_complete());

  const auto payload_3 = pair.responder.read_message(pair.message_3());
  ASSERT_TRUE(payload_3);
  EXPECT_EQ(payload_3.value(), ascii("initiator payload"));
  EXPECT_EQ(pair.responder.remote_static(), pair.initiator_static.public_key());

  ASSERT_TRUE(pair.initiator.is_complete());
  ASSERT_TRUE(pair.responder.is_complete());
  EXPECT_EQ(pair.initiator.handshake_hash().value(), pair.responder.handshake_hash().value());
}

TEST(NoiseXX, transportWorksBothWaysAfterSplit) {
  Pair pair;
  pair.complete();
  auto initiator = pair.initiator.split().value();
  auto responder = pair.responder.split().value();

  for (int round = 0; round < 3; ++round) {
    const Bytes ping = ascii("ping " + std::to_string(round));
    const auto sealed = initiator.send.encrypt_with_ad({}, ping).value();
    EXPECT_EQ(responder.receive.decrypt_with_ad({}, sealed).value(), ping);

    const Bytes pong = ascii("pong " + std::to_string(round));
    const auto reply = responder.send.encrypt_with_ad({}, pong).value();
    EXPECT_EQ(initiator.receive.decrypt_with_ad({}, reply).value(), pong);
  }
}

TEST(NoiseXX, directionsUseDifferentKeys) {
  Pair pair;
  pair.complete();
  auto initiator = pair.initiator.split().value();
  auto responder = pair.responder.split().value();
  const auto sealed = initiator.send.encrypt_with_ad({}, ascii("hello")).value();
  // The initiator's own receive cipher must not accept what it sent (no reflection).
  EXPECT_EQ(initiator.receive.decrypt_with_ad({}, sealed).error(), Errc::decrypt_failed);
  EXPECT_TRUE(responder.receive.decrypt_with_ad({}, sealed));
}

TEST(NoiseXX, handshakeHashIsUnavailableBeforeCompletion) {
  Pair pair;
  EXPECT_EQ(pair.initiator.handshake_hash().error(), Errc::out_of_order);
}

// ----- Tampering -----------------------------------------------------------------------------

TEST(NoiseXX, bitFlippedMessage2FailsAndEndsTheHandshake) {
  // Byte 40 lies in the encrypted static key, byte 100 in the encrypted payload.
  for (std::size_t position : {std::size_t{40}, std::size_t{100}}) {
    Pair fresh;
    ASSERT_TRUE(fresh.responder.read_message(fresh.message_1()));
    Bytes message = fresh.message_2();
    ASSERT_LT(position, message.size());
    message[position] ^= 0x04;
    const auto result = fresh.initiator.read_message(message);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), Errc::decrypt_failed) << "flip at byte " << position;
    // Noise does not allow resuming after an error.
    EXPECT_EQ(fresh.initiator.write_message({}).error(), Errc::handshake_failed);
    EXPECT_FALSE(fresh.initiator.is_complete());
  }
}

TEST(NoiseXX, bitFlippedMessage2EphemeralFailsWithoutCrashing) {
  Pair pair;
  ASSERT_TRUE(pair.responder.read_message(pair.message_1()));
  Bytes message = pair.message_2();
  message[0] ^= 0x01; // the clear ephemeral key: every later key and the hash change
  EXPECT_FALSE(pair.initiator.read_message(message));
}

TEST(NoiseXX, bitFlippedMessage3Fails) {
  Pair pair;
  ASSERT_TRUE(pair.responder.read_message(pair.message_1()));
  ASSERT_TRUE(pair.initiator.read_message(pair.message_2()));
  Bytes message = pair.message_3();
  message.back() ^= 0x80;
  const auto result = pair.responder.read_message(message);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::decrypt_failed);
  EXPECT_FALSE(pair.responder.is_complete());
  EXPECT_EQ(pair.responder.split().error(), Errc::out_of_order);
}

TEST(NoiseXX, truncatedMessage2IsRefused) {
  Pair pair;
  ASSERT_TRUE(pair.responder.read_message(pair.message_1()));
  const Bytes message = pair.message_2();
  const auto result = pair.initiator.read_message(ByteView(message).first(50));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::message_truncated);
}

TEST(NoiseXX, differentProloguesFailAtMessage2) {
  const KeyPair initiator_static = KeyPair::generate();
  const KeyPair responder_static = KeyPair::generate();
  HandshakeState initiator(Role::initiator, initiator_static, ascii("swarmshare/1"));
  HandshakeState responder(Role::responder, responder_static, ascii("swarmshare/2"));
  // Message 1 is unauthenticated, so the mismatch shows at the first encrypted field.
  ASSERT_TRUE(responder.read_message(initiator.write_message({}).value()));
  const auto result = initiator.read_message(responder.write_message({}).value());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::decrypt_failed);
}

// ----- State machine -------------------------------------------------------------------------

TEST(NoiseXX, writingOutOfTurnIsOutOfOrder) {
  Pair pair;
  EXPECT_EQ(pair.responder.write_message({}).error(), Errc::out_of_order);
  EXPECT_EQ(pair.initiator.read_message(Bytes(32)).error(), Errc::out_of_order);
  const Bytes message_1 = pair.message_1();
  EXPECT_EQ(pair.initiator.write_message({}).error(), Errc::out_of_order);
  // A refused out-of-turn call leaves the handshake usable.
  ASSERT_TRUE(pair.responder.read_message(message_1));
  ASSERT_TRUE(pair.initiator.read_message(pair.message_2()));
  ASSERT_TRUE(pair.responder.read_message(pair.message_3()));
  EXPECT_EQ(pair.initiator.write_message({}).error(), Errc::out_of_order);
  EXPECT_EQ(pair.responder.read_message(Bytes(64)).error(), Errc::out_of_order);
}

TEST(NoiseXX, splitIsAllowedOnceAndOnlyAfterCompletion) {
  Pair pair;
  EXPECT_EQ(pair.initiator.split().error(), Errc::out_of_order);
  pair.complete();
  EXPECT_TRUE(pair.initiator.split());
  EXPECT_EQ(pair.initiator.split().error(), Errc::out_of_order);
}

// ----- Keys and DH ---------------------------------------------------------------------------

TEST(X25519, derivesTheRfc7748PublicKey) {
  // RFC 7748 section 6.1, Alice.
  const auto pair = KeyPair::from_secret_key(
      key_from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair.value().public_key(),
            key_from_hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
}

TEST(X25519, dhWithAnAllZeroPublicKeyFails) {
  const KeyPair pair = KeyPair::generate();
  EXPECT_EQ(dh(pair, Key32{}).error(), Errc::invalid_key);
  Key32 one{}; // u = 1 is another low-order point; its DH output is all zero too
  one[0] = 1;
  EXPECT_EQ(dh(pair, one).error(), Errc::invalid_key);
}

TEST(NoiseXX, lowOrderEphemeralInMessage1IsRejectedByTheResponder) {
  Pair pair;
  Bytes message = pair.message_1();
  std::fill_n(message.begin(), kNoiseDhBytes, std::uint8_t{0});
  ASSERT_TRUE(pair.responder.read_message(message)); // no DH in message 1 yet
  const auto result = pair.responder.write_message({});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::invalid_key);
}

TEST(NoiseXX, lowOrderEphemeralInMessage2IsRejectedByTheInitiator) {
  Pair pair;
  ASSERT_TRUE(pair.responder.read_message(pair.message_1()));
  Bytes message = pair.message_2();
  std::fill_n(message.begin(), kNoiseDhBytes, std::uint8_t{0});
  const auto result = pair.initiator.read_message(message);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::invalid_key);
}

// ----- Size limits ---------------------------------------------------------------------------

TEST(NoiseXX, handshakeMessageOver65535BytesIsRefused) {
  Pair pair;
  // Message 1 is e (32 bytes) plus the clear payload.
  EXPECT_EQ(pair.initiator.write_message(Bytes(kNoiseMaxMessageBytes - 32 + 1)).error(),
            Errc::message_too_large);
  const auto largest = pair.initiator.write_message(Bytes(kNoiseMaxMessageBytes - 32));
  ASSERT_TRUE(largest) << "a refused oversize write must leave the handshake usable";
  EXPECT_EQ(largest.value().size(), kNoiseMaxMessageBytes);
  EXPECT_EQ(pair.responder.read_message(Bytes(kNoiseMaxMessageBytes + 1)).error(),
            Errc::message_too_large);
}

TEST(NoiseXX, handshakeMessage2OverTheLimitIsRefused) {
  Pair pair;
  ASSERT_TRUE(pair.responder.read_message(pair.message_1()));
  // Message 2 is e (32) + encrypted s (48) + payload + tag (16).
  EXPECT_EQ(pair.responder.write_message(Bytes(kNoiseMaxMessageBytes - 96 + 1)).error(),
            Errc::message_too_large);
  const auto largest = pair.responder.write_message(Bytes(kNoiseMaxMessageBytes - 96));
  ASSERT_TRUE(largest);
  EXPECT_EQ(largest.value().size(), kNoiseMaxMessageBytes);
  EXPECT_TRUE(pair.initiator.read_message(largest.value()));
}

TEST(CipherState, transportMessageOver65535BytesIsRefused) {
  CipherState sender(random_key());
  EXPECT_EQ(sender.encrypt_with_ad({}, Bytes(kNoiseMaxPlaintextBytes + 1)).error(),
            Errc::message_too_large);
  EXPECT_EQ(sender.nonce(), 0U);
  const auto largest = sender.encrypt_with_ad({}, Bytes(kNoiseMaxPlaintextBytes));
  ASSERT_TRUE(largest);
  EXPECT_EQ(largest.value().size(), kNoiseMaxMessageBytes);
  CipherState receiver(random_key());
  EXPECT_EQ(receiver.decrypt_with_ad({}, Bytes(kNoiseMaxMessageBytes + 1)).error(),
            Errc::message_too_large);
}

// ----- CipherState ---------------------------------------------------------------------------

TEST(CipherState, refusesTheReservedNonce) {
  const Key32 key = random_key();
  CipherState sender(key);
  CipherState receiver(key);
  const std::uint64_t last_usable = std::numeric_limits<std::uint64_t>::max() - 1;
  sender.set_nonce(last_usable);
  receiver.set_nonce(last_usable);
  const auto sealed = sender.encrypt_with_ad({}, ascii("last"));
  ASSERT_TRUE(sealed);
  EXPECT_EQ(receiver.decrypt_with_ad({}, sealed.value()).value(), ascii("last"));

  // Both are now at 2^64-1, which Noise reserves.
  EXPECT_EQ(sender.encrypt_with_ad({}, ascii("more")).error(), Errc::nonce_exhausted);
  EXPECT_EQ(receiver.decrypt_with_ad({}, sealed.value()).error(), Errc::nonce_exhausted);
}

TEST(CipherState, failedDecryptionDoesNotAdvanceTheNonce) {
  const Key32 key = random_key();
  CipherState sender(key);
  CipherState receiver(key);
  const Bytes sealed = sender.encrypt_with_ad(ascii("ad"), ascii("data")).value();
  Bytes forged = sealed;
  forged[0] ^= 1;
  EXPECT_EQ(receiver.decrypt_with_ad(ascii("ad"), forged).error(), Errc::decrypt_failed);
  EXPECT_EQ(receiver.decrypt_with_ad(ascii("other ad"), sealed).error(), Errc::decrypt_failed);
  EXPECT_EQ(receiver.decrypt_with_ad(ascii("ad"), ByteView(sealed).first(15)).error(),
            Errc::decrypt_failed);
  EXPECT_EQ(receiver.nonce(), 0U);
  EXPECT_EQ(receiver.decrypt_with_ad(ascii("ad"), sealed).value(), ascii("data"));
  EXPECT_EQ(receiver.nonce(), 1U);
}

TEST(CipherState, withoutAKeyPassesPlaintextThrough) {
  CipherState cipher;
  EXPECT_FALSE(cipher.has_key());
  EXPECT_EQ(cipher.encrypt_with_ad(ascii("ad"), ascii("clear")).value(), ascii("clear"));
  EXPECT_EQ(cipher.nonce(), 0U);
  EXPECT_EQ(cipher.rekey().error(), Errc::out_of_order);
}

TEST(CipherState, rekeyOnBothSidesKeepsThemInStepWithANewKey) {
  const Key32 key = random_key();
  CipherState sender(key);
  CipherState receiver(key);
  CipherState unrekeyed(key);
  ASSERT_TRUE(sender.rekey());
  ASSERT_TRUE(receiver.rekey());
  const Bytes sealed = sender.encrypt_with_ad({}, ascii("after rekey")).value();
  EXPECT_EQ(receiver.decrypt_with_ad({}, sealed).value(), ascii("after rekey"));
  EXPECT_EQ(unrekeyed.decrypt_with_ad({}, sealed).error(), Errc::decrypt_failed);
}

TEST(CipherState, movingWipesTheSource) {
  CipherState source(random_key());
  CipherState target(std::move(source));
  EXPECT_TRUE(target.has_key());
  // NOLINTNEXTLINE(bugprone-use-after-move,clang-analyzer-cplusplus.Move): checking the wipe
  EXPECT_FALSE(source.has_key());
}

// ----- SymmetricState ------------------------------------------------------------------------

TEST(SymmetricState, padsAShortProtocolNameIntoTheInitialHash) {
  const SymmetricState state(kNoiseProtocolName);
  Hash64 expected{};
  std::copy(kNoiseProtocolName.begin(), kNoiseProtocolName.end(), expected.begin());
  EXPECT_EQ(state.handshake_hash(), expected);
}

TEST(SymmetricState, hashesAProtocolNameLongerThan64Bytes) {
  const std::string name(65, 'N');
  const SymmetricState state(name);
  Hash64 expected{};
  crypto_generichash_blake2b(expected.data(), expected.size(),
                             reinterpret_cast<const unsigned char*>(name.data()), name.size(),
                             nullptr, 0);
  EXPECT_EQ(state.handshake_hash(), expected);
}

TEST(SymmetricState, mixKeyAndHashKeysTheCipherAndChangesTheHash) {
  SymmetricState a(kNoiseProtocolName);
  SymmetricState b(kNoiseProtocolName);
  const Hash64 before = a.handshake_hash();
  a.mix_key_and_hash(ascii("psk"));
  b.mix_key_and_hash(ascii("psk"));
  EXPECT_TRUE(a.has_key());
  EXPECT_NE(a.handshake_hash(), before);
  const Bytes sealed = a.encrypt_and_hash(ascii("x")).value();
  EXPECT_EQ(b.decrypt_and_hash(sealed).value(), ascii("x"));
  EXPECT_EQ(a.handshake_hash(), b.handshake_hash());
}

// ----- Errors --------------------------------------------------------------------------------

TEST(CryptoErrc, hasItsOwnNamedCategory) {
  const std::error_code error = Errc::nonce_exhausted;
  EXPECT_STREQ(error.category().name(), "swarmshare.crypto");
  EXPECT_FALSE(error.message().empty());
  EXPECT_NE(error, std::error_code(core::Errc::file_not_found));
}

} // namespace
} // namespace swarmshare::crypto
