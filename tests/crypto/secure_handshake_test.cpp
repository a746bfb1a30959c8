#include "swarmshare/crypto/secure_handshake.hpp"

#include <gtest/gtest.h>
#include <msgpack.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace swarmshare::crypto {
namespace {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::system_clock;
using swarmshare::core::ManualClock;

constexpr std::uint64_t kStart = 1'700'000'000;
constexpr std::uint64_t kDay = 86'400;

system_clock::time_point at(std::uint64_t unix_seconds) {
  return system_clock::time_point{seconds{unix_seconds}};
}

// Two installations on one network, each with its identity and key manager, sharing a
// manual clock so certificate times are exact.
struct Peer {
  Identity identity = Identity::generate();
  ManualClock clock{at(kStart)};
  StaticKeyManager keys;

  explicit Peer(const NetworkId& network = NetworkId::public_network())
      : keys(identity, network, clock) {}

  [[nodiscard]] SecureHandshake initiator(std::optional<PeerId> expected = std::nullopt) {
    return SecureHandshake::initiator(keys.current(), clock, expected);
  }
  [[nodiscard]] SecureHandshake responder() {
    return SecureHandshake::responder(keys.current(), clock);
  }
};

// The three messages of one handshake, driven to completion; fails the test on any error.
struct Transcript {
  Bytes message_1;
  Bytes message_2;
  Bytes message_3;
};

Transcript run(SecureHandshake& initiator, SecureHandshake& responder) {
  Transcript t;
  auto m1 = initiator.start();
  EXPECT_TRUE(m1);
  t.message_1 = m1.value();
  auto step_2 = responder.on_message(t.message_1);
  EXPECT_TRUE(step_2) << responder.failure_reason().message();
  EXPECT_FALSE(step_2.value().done);
  t.message_2 = step_2.value().send;
  auto step_3 = initiator.on_message(t.message_2);
  EXPECT_TRUE(step_3) << initiator.failure_reason().message();
  EXPECT_TRUE(step_3.value().done);
  t.message_3 = step_3.value().send;
  auto last = responder.on_message(t.message_3);
  EXPECT_TRUE(last) << responder.failure_reason().message();
  EXPECT_TRUE(last.value().done);
  EXPECT_TRUE(last.value().send.empty());
  return t;
}

void expect_failed_with(const SecureHandshake& handshake, const core::Result<HandshakeStep>& step,
                        Errc reason) {
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error(), Errc::handshake_failed);
  EXPECT_TRUE(handshake.has_failed());
  EXPECT_FALSE(handshake.is_complete());
  EXPECT_EQ(handshake.failure_reason(), reason) << handshake.failure_reason().message();
}

// ----- Prologue and payload ------------------------------------------------------------------

TEST(Prologue, isLabelThenVersionBigEndianThenNetworkId) {
  const NetworkId network = NetworkId::from_name("group");
  const Bytes prologue = make_prologue(network);
  const std::string_view label = "swarmshare-noise";
  ASSERT_EQ(prologue.size(), label.size() + 2 + 32);
  EXPECT_EQ(Bytes(prologue.begin(), prologue.begin() + 16), Bytes(label.begin(), label.end()));
  EXPECT_EQ(prologue[16], 0);
  EXPECT_EQ(prologue[17], 1);
  EXPECT_TRUE(std::equal(network.bytes().begin(), network.bytes().end(), prologue.begin() + 18));
  EXPECT_EQ(make_prologue(network, 0x0203)[16], 2);
  EXPECT_EQ(make_prologue(network, 0x0203)[17], 3);
}

HandshakePayload sample_payload() {
  const Identity identity = Identity::generate();
  Signature signature{};
  signature.fill(0x5A);
  return HandshakePayload{identity.peer_id(), kStart, signature};
}

TEST(HandshakePayload, roundTripsThroughItsCanonicalEncoding) {
  const HandshakePayload payload = sample_payload();
  const Bytes encoded = payload.encode();
  EXPECT_LE(encoded.size(), kMaxHandshakePayloadBytes);
  const auto decoded = HandshakePayload::decode(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value(), payload);
}

// Packs an array with the given writer into bytes.
template <class Write>
Bytes pack(Write write) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  write(packer);
  return {reinterpret_cast<const std::uint8_t*>(buffer.data()),
          reinterpret_cast<const std::uint8_t*>(buffer.data()) + buffer.size()};
}

TEST(HandshakePayload, rejectsOtherShapesVersionsAndNonCanonicalEncodings) {
  const HandshakePayload p = sample_payload();
  const auto id = reinterpret_cast<const char*>(p.identity.bytes().data());
  const auto sig = reinterpret_cast<const char*>(p.signature.data());
  auto fields = [&](msgpack::packer<msgpack::sbuffer>& packer, std::uint64_t version,
                    std::uint32_t id_size) {
    packer.pack_uint64(version);
    packer.pack_bin(id_size);
    packer.pack_bin_body(id, id_size);
    packer.pack_uint64(p.expiry_unix_seconds);
    packer.pack_bin(64);
    packer.pack_bin_body(sig, 64);
  };
  std::vector<Bytes> bad;
  bad.emplace_back();
  bad.push_back(pack([&](auto& packer) { // version 2
    packer.pack_array(4);
    fields(packer, 2, 32);
  }));
  bad.push_back(pack([&](auto& packer) { // short identity key
    packer.pack_array(4);
    fields(packer, 1, 31);
  }));
  bad.push_back(pack([&](auto& packer) { // an extra field
    packer.pack_array(5);
    fields(packer, 1, 32);
    packer.pack_nil();
  }));
  bad.push_back(pack([&](auto& packer) { // a map instead of an array
    packer.pack_map(1);
    packer.pack_uint8(1);
    packer.pack_uint8(1);
  }));
  bad.push_back(pack([&](auto& packer) { // the key as a string
    packer.pack_array(4);
    packer.pack_uint8(1);
    packer.pack_str(32);
    packer.pack_str_body(id, 32);
    packer.pack_uint64(p.expiry_unix_seconds);
    packer.pack_bin(64);
    packer.pack_bin_body(sig, 64);
  }));
  Bytes trailing = p.encode();
  trailing.push_back(0xC0);
  bad.push_back(trailing);
  // Same values, but the version spelled as a uint64 (0xcf ...) instead of a fixint.
  Bytes wide = p.encode();
  ASSERT_EQ(wide[1], 0x01);
  wide.erase(wide.begin() + 1);
  const Bytes wide_one{0xCF, 0, 0, 0, 0, 0, 0, 0, 1};
  wide.insert(wide.begin() + 1, wide_one.begin(), wide_one.end());
  bad.push_back(wide);
  bad.emplace_back(300, 0x90);
  for (const Bytes& bytes : bad) {
    const auto decoded = HandshakePayload::decode(bytes);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error(), Errc::handshake_payload_malformed);
  }
}

// ----- Successful handshakes -----------------------------------------------------------------

TEST(SecureHandshake, bothSidesAgreeOnTheHashAndLearnEachOthersPeerId) {
  Peer alice;
  Peer bob;
  SecureHandshake initiator = alice.initiator();
  SecureHandshake responder = bob.responder();
  EXPECT_EQ(initiator.role(), Role::initiator);
  EXPECT_EQ(responder.role(), Role::responder);
  const Transcript t = run(initiator, responder);
  // Message 1 is just the ephemeral key: nothing about the initiator travels in clear.
  EXPECT_EQ(t.message_1.size(), 32U);

  ASSERT_TRUE(initiator.is_complete());
  ASSERT_TRUE(responder.is_complete());
  EXPECT_FALSE(initiator.failure_reason());
  EXPECT_EQ(initiator.peer_id().value(), bob.identity.peer_id());
  EXPECT_EQ(responder.peer_id().value(), alice.identity.peer_id());
  EXPECT_EQ(initiator.handshake_hash().value(), responder.handshake_hash().value());
  EXPECT_EQ(initiator.peer_certificate_expiry().value(), kStart + 7 * kDay);

  const auto initiator_keys = initiator.split_keys();
  const auto responder_keys = responder.split_keys();
  ASSERT_TRUE(initiator_keys);
  ASSERT_TRUE(responder_keys);
  EXPECT_EQ(initiator_keys.value().send, responder_keys.value().receive);
  EXPECT_EQ(initiator_keys.value().receive, responder_keys.value().send);
  EXPECT_NE(initiator_keys.value().send, initiator_keys.value().receive);
  EXPECT_EQ(initiator.split_keys().error(), Errc::out_of_order); // once only
}

TEST(SecureHandshake, initiatorExpectingTheRightPeerIdCompletes) {
  Peer alice;
  Peer bob;
  SecureHandshake initiator = alice.initiator(bob.identity.peer_id());
  SecureHandshake responder = bob.responder();
  run(initiator, responder);
  EXPECT_TRUE(initiator.is_complete());
  EXPECT_TRUE(responder.is_complete());
}

TEST(SecureHandshake, privateNetworkPeersCompleteAmongThemselves) {
  const NetworkId group = NetworkId::from_name("family photos");
  Peer alice{group};
  Peer bob{group};
  SecureHandshake initiator = alice.initiator();
  SecureHandshake responder = bob.responder();
  run(initiator, responder);
  EXPECT_TRUE(responder.is_complete());
}

TEST(SecureHandshake, sessionsDifferEvenBetweenTheSamePeers) {
  Peer alice;
  Peer bob;
  SecureHandshake i1 = alice.initiator();
  SecureHandshake r1 = bob.responder();
  SecureHandshake i2 = alice.initiator();
  SecureHandshake r2 = bob.responder();
  run(i1, r1);
  run(i2, r2);
  EXPECT_NE(i1.handshake_hash().value(), i2.handshake_hash().value());
}

TEST(SecureHandshake, fixedEphemeralKeysGiveAReproducibleTranscript) {
  Peer alice;
  Peer bob;
  const KeyPair e_i = KeyPair::generate();
  const KeyPair e_r = KeyPair::generate();
  const CertifiedStaticKey a = alice.keys.current();
  const CertifiedStaticKey b = bob.keys.current();
  auto once = [&] {
    SecureHandshake initiator = SecureHandshake::initiator(a, alice.clock, std::nullopt, e_i);
    SecureHandshake responder = SecureHandshake::responder(b, bob.clock, e_r);
    const Transcript t = run(initiator, responder);
    EXPECT_EQ(t.message_1, Bytes(e_i.public_key().begin(), e_i.public_key().end()));
    return std::make_pair(t.message_3, initiator.handshake_hash().value());
  };
  EXPECT_EQ(once(), once());
}

// ----- Wrong peer ----------------------------------------------------------------------------

TEST(SecureHandshake, initiatorAbortsBeforeMessage3WhenPeerIdIsUnexpected) {
  Peer alice;
  Peer bob;
  Peer carol;
  SecureHandshake initiator = alice.initiator(carol.identity.peer_id());
  SecureHandshake responder = bob.responder();
  const auto step_2 = responder.on_message(initiator.start().value());
  ASSERT_TRUE(step_2);
  const auto step_3 = initiator.on_message(step_2.value().send);
  // No message 3 exists: the result holds an error and no bytes, so alice's identity was
  // never encrypted to bob.
  expect_failed_with(initiator, step_3, Errc::unexpected_peer);
  EXPECT_FALSE(step_3.has_value());
  EXPECT_EQ(initiator.peer_id().error(), Errc::out_of_order);
  EXPECT_FALSE(responder.is_complete());
}

// ----- Network and version mismatch (prologue) -----------------------------------------------

TEST(SecureHandshake, peersOnDifferentNetworksFailAtMessage2) {
  Peer alice{NetworkId::public_network()};
  Peer bob{NetworkId::from_name("private group")};
  SecureHandshake initiator = alice.initiator();
  SecureHandshake responder = bob.responder();
  // The responder cannot tell yet: message 1 has nothing authenticated in it.
  const auto step_2 = responder.on_message(initiator.start().value());
  ASSERT_TRUE(step_2);
  expect_failed_with(initiator, initiator.on_message(step_2.value().send), Errc::decrypt_failed);
}

TEST(SecureHandshake, peersOnDifferentProtocolVersionsFailAtMessage2) {
  Peer alice;
  SecureHandshake initiator = alice.initiator();
  // A responder speaking protocol version 2 on the same network, built on raw Noise.
  HandshakeState future{Role::responder, KeyPair::generate(),
                        make_prologue(NetworkId::public_network(), 2)};
  ASSERT_TRUE(future.read_message(initiator.start().value()));
  const Bytes message_2 = future.write_message(sample_payload().encode()).value();
  expect_failed_with(initiator, initiator.on_message(message_2), Errc::decrypt_failed);
}

// ----- Tampering -----------------------------------------------------------------------------

TEST(SecureHandshake, bitFlippedMessage1FailsTheInitiatorAtMessage2) {
  Peer alice;
  Peer bob;
  for (std::size_t i = 0; i < 32; ++i) {
    SecureHandshake initiator = alice.initiator();
    SecureHandshake responder = bob.responder();
    Bytes message_1 = initiator.start().value();
    message_1[i] ^= static_cast<std::uint8_t>(1U << (i % 8));
    const auto step_2 = responder.on_message(message_1);
    ASSERT_TRUE(step_2);
    const auto step_3 = initiator.on_message(step_2.value().send);
    ASSERT_FALSE(step_3) << "byte " << i;
    EXPECT_EQ(initiator.failure_reason(), Errc::decrypt_failed) << "byte " << i;
  }
}

TEST(SecureHandshake, bitFlippedMessage2Fails) {
  Peer alice;
  Peer bob;
  std::size_t length = 0;
  for (std::size_t i = 0; i == 0 || i < length; ++i) {
    SecureHandshake initiator = alice.initiator();
    SecureHandshake responder = bob.responder();
    Bytes message_2 = responder.on_message(initiator.start().value()).value().send;
    length = message_2.size();
    message_2[i] ^= static_cast<std::uint8_t>(1U << (i % 8));
    const auto step_3 = initiator.on_message(message_2);
    ASSERT_FALSE(step_3) << "byte " << i;
    EXPECT_TRUE(initiator.has_failed());
    EXPECT_EQ(initiator.failure_reason(), Errc::decrypt_failed) << "byte " << i;
  }
  EXPECT_GT(length, 32U + 48U + 16U);
}

TEST(SecureHandshake, bitFlippedMessage3Fails) {
  Peer alice;
  Peer bob;
  std::size_t length = 0;
  for (std::size_t i = 0; i == 0 || i < length; ++i) {
    SecureHandshake initiator = alice.initiator();
    SecureHandshake responder = bob.responder();
    const Bytes message_2 = responder.on_message(initiator.start().value()).value().send;
    Bytes message_3 = initiator.on_message(message_2).value().send;
    length = message_3.size();
    message_3[i] ^= static_cast<std::uint8_t>(0x80U >> (i % 8));
    expect_failed_with(responder, responder.on_message(message_3), Errc::decrypt_failed);
  }
  EXPECT_GT(length, 48U + 16U);
}

TEST(SecureHandshake, truncatedMessagesFail) {
  Peer alice;
  Peer bob;
  {
    SecureHandshake initiator = alice.initiator();
    SecureHandshake responder = bob.responder();
    const Bytes message_1 = initiator.start().value();
    expect_failed_with(responder, responder.on_message(ByteView(message_1).first(31)),
                       Errc::message_truncated);
  }
  for (const std::size_t cut :
       {std::size_t{0}, std::size_t{31}, std::size_t{40}, std::size_t{80}, std::size_t{96}}) {
    SecureHandshake initiator = alice.initiator();
    SecureHandshake responder = bob.responder();
    const Bytes message_2 = responder.on_message(initiator.start().value()).value().send;
    const auto step = initiator.on_message(ByteView(message_2).first(cut));
    ASSERT_FALSE(step) << cut;
    EXPECT_TRUE(initiator.has_failed());
  }
  {
    SecureHandshake initiator = alice.initiator();
    SecureHandshake responder = bob.responder();
    const Bytes message_2 = responder.on_message(initiator.start().value()).value().send;
    expect_failed_with(initiator,
                       initiator.on_message(ByteView(message_2).first(message_2.size() - 1)),
                       Errc::decrypt_failed);
  }
  {
    SecureHandshake initiator = alice.initiator();
    SecureHandshake responder = bob.responder();
    const Bytes message_2 = responder.on_message(initiator.start().value()).value().send;
    const Bytes message_3 = initiator.on_message(message_2).value().send;
    expect_failed_with(responder,
                       responder.on_message(ByteView(message_3).first(message_3.size() - 1)),
                       Errc::decrypt_failed);
  }
}

TEST(SecureHandshake, message1CarryingAPayloadIsRefused) {
  Peer alice;
  Peer bob;
  SecureHandshake initiator = alice.initiator();
  SecureHandshake responder = bob.responder();
  Bytes message_1 = initiator.start().value();
  message_1.push_back(0x00);
  expect_failed_with(responder, responder.on_message(message_1), Errc::handshake_payload_malformed);
}

TEST(SecureHandshake, replayedMessage2FromAnEarlierSessionFails) {
  Peer alice;
  Peer bob;
  SecureHandshake old_initiator = alice.initiator();
  SecureHandshake old_responder = bob.responder();
  const Transcript old = run(old_initiator, old_responder);

  SecureHandshake initiator = alice.initiator();
  ASSERT_TRUE(initiator.start());
  expect_failed_with(initiator, initiator.on_message(old.message_2), Errc::decrypt_failed);
}

TEST(SecureHandshake, replayedMessage3FromAnEarlierSessionFails) {
  Peer alice;
  Peer bob;
  SecureHandshake old_initiator = alice.initiator();
  SecureHandshake old_responder = bob.responder();
  const Transcript old = run(old_initiator, old_responder);

  // A replay of the whole old initiator side against a fresh responder.
  SecureHandshake responder = bob.responder();
  ASSERT_TRUE(responder.on_message(old.message_1));
  expect_failed_with(responder, responder.on_message(old.message_3), Errc::decrypt_failed);
}

// ----- Certificates inside the handshake -----------------------------------------------------

TEST(SecureHandshake, initiatorRejectsResponderWithExpiredCertificate) {
  Peer alice;
  Peer bob;
  // Bob's key was certified ten days ago and he has not renewed it.
  ManualClock past{at(kStart - 10 * kDay)};
  StaticKeyManager stale{bob.identity, NetworkId::public_network(), past};
  SecureHandshake initiator = alice.initiator();
  SecureHandshake responder = SecureHandshake::responder(stale.current(), bob.clock);
  const auto step_2 = responder.on_message(initiator.start().value());
  ASSERT_TRUE(step_2);
  expect_failed_with(initiator, initiator.on_message(step_2.value().send),
                     Errc::certificate_expired);
}

TEST(SecureHandshake, responderRejectsInitiatorWithExpiredCertificate) {
  Peer alice;
  Peer bob;
  ManualClock past{at(kStart - 10 * kDay)};
  StaticKeyManager stale{alice.identity, NetworkId::public_network(), past};
  SecureHandshake initiator = SecureHandshake::initiator(stale.current(), alice.clock);
  SecureHandshake responder = bob.responder();
  const auto step_2 = responder.on_message(initiator.start().value());
  ASSERT_TRUE(step_2);
  const auto step_3 = initiator.on_message(step_2.value().send);
  ASSERT_TRUE(step_3);
  expect_failed_with(responder, responder.on_message(step_3.value().send),
                     Errc::certificate_expired);
}

TEST(SecureHandshake, clocksWithinOneDayOfEachOtherStillAgree) {
  Peer alice;
  Peer bob;
  SecureHandshake responder = bob.responder(); // bob's key, certified at kStart
  // Alice still uses her first certificate (expiry kStart + 7 days); bob's clock runs
  // 36 hours ahead of hers, so for him it expired half a day ago: within the skew.
  alice.clock.set_system_time(at(kStart + 6 * kDay));
  bob.clock.set_system_time(at(kStart + 7 * kDay + 43'200));
  SecureHandshake initiator = alice.initiator();
  run(initiator, responder);
  EXPECT_TRUE(initiator.is_complete());
  EXPECT_TRUE(responder.is_complete());
}

TEST(SecureHandshake, responderPresentingAnotherKeysCertificateFails) {
  Peer alice;
  Peer bob;
  // Mallory replays bob's genuine certificate but cannot use bob's X25519 secret.
  CertifiedStaticKey stolen = bob.keys.current();
  stolen.key_pair = KeyPair::generate();
  SecureHandshake initiator = alice.initiator(bob.identity.peer_id());
  SecureHandshake responder = SecureHandshake::responder(stolen, bob.clock);
  const auto step_2 = responder.on_message(initiator.start().value());
  ASSERT_TRUE(step_2);
  expect_failed_with(initiator, initiator.on_message(step_2.value().send),
                     Errc::certificate_bad_signature);
}

// ----- State rules ---------------------------------------------------------------------------

TEST(SecureHandshake, aFailedHandshakeStaysFailed) {
  Peer alice;
  Peer bob;
  SecureHandshake initiator = alice.initiator();
  SecureHandshake responder = bob.responder();
  const Bytes message_2 = responder.on_message(initiator.start().value()).value().send;
  Bytes tampered = message_2;
  tampered.back() ^= 0x01U;
  ASSERT_FALSE(initiator.on_message(tampered));
  // The genuine message does not revive it, and the first reason is kept.
  const auto retry = initiator.on_message(message_2);
  ASSERT_FALSE(retry);
  EXPECT_EQ(retry.error(), Errc::handshake_failed);
  EXPECT_EQ(initiator.failure_reason(), Errc::decrypt_failed);
  EXPECT_EQ(initiator.start().error(), Errc::handshake_failed);
  EXPECT_EQ(initiator.peer_id().error(), Errc::out_of_order);
  EXPECT_EQ(initiator.handshake_hash().error(), Errc::out_of_order);
  EXPECT_EQ(initiator.split_keys().error(), Errc::out_of_order);
}

TEST(SecureHandshake, callsInTheWrongOrderFail) {
  Peer alice;
  Peer bob;
  SecureHandshake responder = bob.responder();
  const auto started = responder.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error(), Errc::handshake_failed);
  EXPECT_EQ(responder.failure_reason(), Errc::out_of_order);

  SecureHandshake initiator = alice.initiator();
  expect_failed_with(initiator, initiator.on_message(Bytes(32, 1)), Errc::out_of_order);

  SecureHandshake twice = alice.initiator();
  ASSERT_TRUE(twice.start());
  ASSERT_FALSE(twice.start());
  EXPECT_EQ(twice.failure_reason(), Errc::out_of_order);
}

TEST(SecureHandshake, resultsAreUnavailableBeforeCompletion) {
  Peer alice;
  Peer bob;
  SecureHandshake initiator = alice.initiator();
  SecureHandshake responder = bob.responder();
  ASSERT_TRUE(responder.on_message(initiator.start().value()));
  EXPECT_FALSE(responder.is_complete());
  EXPECT_FALSE(responder.has_failed());
  EXPECT_EQ(responder.peer_id().error(), Errc::out_of_order);
  EXPECT_EQ(responder.peer_certificate_expiry().error(), Errc::out_of_order);
  EXPECT_EQ(responder.handshake_hash().error(), Errc::out_of_order);
  EXPECT_EQ(responder.split_keys().error(), Errc::out_of_order);
  EXPECT_FALSE(responder.has_failed());
}

} // namespace
} // namespace swarmshare::crypto
