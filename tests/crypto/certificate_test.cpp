#include "swarmshare/crypto/certificate.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string_view>

namespace swarmshare::crypto {
namespace {

using swarmshare::core::ManualClock;
using namespace std::chrono_literals;
using std::chrono::days;
using std::chrono::seconds;
using std::chrono::system_clock;

// 2023-11-14T22:13:20Z: any fixed instant will do, as long as every test is exact about it.
constexpr std::uint64_t kStart = 1'700'000'000;

system_clock::time_point at(std::uint64_t unix_seconds) {
  return system_clock::time_point{seconds{unix_seconds}};
}

constexpr std::uint64_t kDay = 86'400;

struct Fixture {
  Identity identity = Identity::generate();
  NetworkId network = NetworkId::public_network();
  KeyPair static_key = KeyPair::generate();
  std::uint64_t expiry = kStart + 7 * kDay;
  StaticKeyCertificate certificate =
      certify_static_key(identity, network, static_key.public_key(), expiry);

  [[nodiscard]] core::Status verify_at(std::uint64_t now) const {
    return verify_static_key_certificate(certificate, network, static_key.public_key(), at(now));
  }
};

TEST(Clock, unixSecondsRoundDownAndClampBeforeTheEpoch) {
  EXPECT_EQ(to_unix_seconds(at(kStart) + 999ms), kStart);
  EXPECT_EQ(to_unix_seconds(system_clock::time_point{}), 0U);
  EXPECT_EQ(to_unix_seconds(system_clock::time_point{} - 5s), 0U);
  ManualClock clock{at(kStart)};
  clock.advance(days{2});
  EXPECT_EQ(to_unix_seconds(clock.system_now()), kStart + 2 * kDay);
  clock.set_system_time(at(5));
  EXPECT_EQ(to_unix_seconds(clock.system_now()), 5U);
  const core::RealClock system;
  EXPECT_GT(to_unix_seconds(system.system_now()), kStart);
}

TEST(NetworkId, isBlake2b256OfTheName) {
  const std::string_view name = "swarmshare";
  const auto expected =
      core::blake2b_256({reinterpret_cast<const std::uint8_t*>(name.data()), name.size()});
  EXPECT_EQ(NetworkId::public_network().bytes(), expected);
  EXPECT_EQ(NetworkId::from_name("swarmshare"), NetworkId::public_network());
  EXPECT_NE(NetworkId::from_name("our private group"), NetworkId::public_network());
  EXPECT_EQ(NetworkId::public_network().to_hex(), core::to_hex(expected));
}

TEST(Certificate, signedMessageIsLabelNetworkKeyAndBigEndianExpiry) {
  const NetworkId network = NetworkId::from_name("n");
  Key32 key{};
  key.fill(0xAB);
  const Bytes message = certificate_signed_message(network, key, 0x0102030405060708ULL);
  const std::string_view label = "swarmshare static-key certificate v1";
  ASSERT_EQ(message.size(), label.size() + 32 + 32 + 8);
  EXPECT_EQ(Bytes(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(label.size())),
            Bytes(label.begin(), label.end()));
  EXPECT_TRUE(std::equal(network.bytes().begin(), network.bytes().end(),
                         message.begin() + static_cast<std::ptrdiff_t>(label.size())));
  EXPECT_TRUE(std::equal(key.begin(), key.end(),
                         message.begin() + static_cast<std::ptrdiff_t>(label.size() + 32)));
  EXPECT_EQ(Bytes(message.end() - 8, message.end()), (Bytes{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(Certificate, validCertificateIsAccepted) {
  const Fixture f;
  EXPECT_EQ(f.certificate.identity, f.identity.peer_id());
  EXPECT_EQ(f.certificate.static_public_key, f.static_key.public_key());
  EXPECT_TRUE(f.verify_at(kStart));
  EXPECT_TRUE(f.verify_at(f.expiry));
}

TEST(Certificate, expiredWithinOneDayOfSkewIsAccepted) {
  const Fixture f;
  EXPECT_TRUE(f.verify_at(f.expiry + 1));
  EXPECT_TRUE(f.verify_at(f.expiry + kDay));
}

TEST(Certificate, expiredBeyondTheSkewIsRejected) {
  const Fixture f;
  const auto status = f.verify_at(f.expiry + kDay + 1);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), Errc::certificate_expired);
  EXPECT_EQ(f.verify_at(f.expiry + 30 * kDay).error(), Errc::certificate_expired);
}

TEST(Certificate, expiryMoreThanEightDaysAheadIsRejected) {
  const Fixture f;
  // Seven days of validity plus one of skew is the furthest a genuine expiry can be.
  EXPECT_TRUE(f.verify_at(f.expiry - 8 * kDay));
  const auto status = f.verify_at(f.expiry - 8 * kDay - 1);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), Errc::certificate_expiry_too_far);
}

TEST(Certificate, expiryAtTheEndOfTimeDoesNotWrapIntoValidity) {
  Fixture f;
  f.expiry = std::numeric_limits<std::uint64_t>::max();
  f.certificate = certify_static_key(f.identity, f.network, f.static_key.public_key(), f.expiry);
  EXPECT_EQ(f.verify_at(kStart).error(), Errc::certificate_expiry_too_far);
  // Late in system_clock's range (it counts nanoseconds in 64 bits: about year 2262).
  EXPECT_EQ(f.verify_at(9'000'000'000).error(), Errc::certificate_expiry_too_far);
}

TEST(Certificate, forgedSignatureIsRejected) {
  Fixture f;
  f.certificate.signature[0] ^= 0x01U;
  EXPECT_EQ(f.verify_at(kStart).error(), Errc::certificate_bad_signature);

  // Signed by someone else, claiming to be f.identity.
  Fixture g;
  const Identity mallory = Identity::generate();
  g.certificate.signature =
      certify_static_key(mallory, g.network, g.static_key.public_key(), g.expiry).signature;
  EXPECT_EQ(g.verify_at(kStart).error(), Errc::certificate_bad_signature);

  // A genuine signature, with the expiry pushed later.
  Fixture h;
  h.certificate.expiry_unix_seconds += 1;
  EXPECT_EQ(h.verify_at(kStart).error(), Errc::certificate_bad_signature);
}

TEST(Certificate, certificateForAnotherStaticKeyIsRejected) {
  const Fixture f;
  const KeyPair other = KeyPair::generate();
  // The peer used `other` in Noise but presents the certificate of f.static_key.
  EXPECT_EQ(verify_static_key_certificate(f.certificate, f.network, other.public_key(), at(kStart))
                .error(),
            Errc::certificate_key_mismatch);
  // The certificate edited to name `other`: the signature no longer covers it.
  StaticKeyCertificate edited = f.certificate;
  edited.static_public_key = other.public_key();
  EXPECT_EQ(
      verify_static_key_certificate(edited, f.network, other.public_key(), at(kStart)).error(),
      Errc::certificate_bad_signature);
}

TEST(Certificate, certificateForAnotherNetworkIsRejected) {
  const Fixture f;
  EXPECT_EQ(verify_static_key_certificate(f.certificate, NetworkId::from_name("private"),
                                          f.static_key.public_key(), at(kStart))
                .error(),
            Errc::certificate_bad_signature);
}

// ----- StaticKeyManager ----------------------------------------------------------------------

TEST(StaticKeyManager, issuesAVerifiableSevenDayCertificateForItsKey) {
  const Identity identity = Identity::generate();
  const NetworkId network = NetworkId::from_name("group");
  const ManualClock clock{at(kStart)};
  StaticKeyManager manager{identity, network, clock};
  EXPECT_EQ(manager.network(), network);
  EXPECT_EQ(manager.peer_id(), identity.peer_id());
  const CertifiedStaticKey key = manager.current();
  EXPECT_EQ(key.network, network);
  EXPECT_EQ(key.certificate.identity, identity.peer_id());
  EXPECT_EQ(key.certificate.static_public_key, key.key_pair.public_key());
  EXPECT_EQ(key.certificate.expiry_unix_seconds, kStart + 7 * kDay);
  EXPECT_TRUE(verify_static_key_certificate(key.certificate, network, key.key_pair.public_key(),
                                            clock.system_now()));
}

TEST(StaticKeyManager, keepsItsKeyWhileAtLeastOneDayOfValidityRemains) {
  const Identity identity = Identity::generate();
  ManualClock clock{at(kStart)};
  StaticKeyManager manager{identity, NetworkId::public_network(), clock};
  const CertifiedStaticKey first = manager.current();
  clock.advance(days{3});
  EXPECT_EQ(manager.current().certificate, first.certificate);
  clock.set_system_time(at(kStart + 6 * kDay)); // exactly one day left
  const CertifiedStaticKey last = manager.current();
  EXPECT_EQ(last.certificate, first.certificate);
  EXPECT_EQ(last.key_pair.public_key(), first.key_pair.public_key());
}

TEST(StaticKeyManager, renewsKeyPairAndCertificateWhenLessThanOneDayRemains) {
  const Identity identity = Identity::generate();
  ManualClock clock{at(kStart)};
  StaticKeyManager manager{identity, NetworkId::public_network(), clock};
  const CertifiedStaticKey first = manager.current();
  clock.set_system_time(at(kStart + 6 * kDay + 1));
  const CertifiedStaticKey renewed = manager.current();
  EXPECT_NE(renewed.key_pair.public_key(), first.key_pair.public_key());
  EXPECT_NE(renewed.key_pair.secret_key(), first.key_pair.secret_key());
  EXPECT_EQ(renewed.certificate.static_public_key, renewed.key_pair.public_key());
  EXPECT_EQ(renewed.certificate.expiry_unix_seconds, kStart + 13 * kDay + 1);
  EXPECT_TRUE(verify_static_key_certificate(renewed.certificate, NetworkId::public_network(),
                                            renewed.key_pair.public_key(), clock.system_now()));
  // And then it is stable again.
  clock.advance(1h);
  EXPECT_EQ(manager.current().certificate, renewed.certificate);
}

TEST(StaticKeyManager, renewsWhenTheClockWentBackSoPeersWouldRefuseTheExpiry) {
  const Identity identity = Identity::generate();
  ManualClock clock{at(kStart)};
  StaticKeyManager manager{identity, NetworkId::public_network(), clock};
  const CertifiedStaticKey first = manager.current();
  clock.set_system_time(at(kStart - 3 * kDay));
  const CertifiedStaticKey renewed = manager.current();
  EXPECT_NE(renewed.key_pair.public_key(), first.key_pair.public_key());
  EXPECT_EQ(renewed.certificate.expiry_unix_seconds, kStart + 4 * kDay);
}

} // namespace
} // namespace swarmshare::crypto
