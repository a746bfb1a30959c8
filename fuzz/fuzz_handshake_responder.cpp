// Fuzzes the responder side of the secure channel as a peer that connects to us sees it: the
// input is what the initiator sends on the wire. It is read as handshake messages, each
// behind a 2-byte big-endian length (a length of 0 or above kMaxHandshakeMessageBytes ends
// the input, as it ends a connection), fed to a responder SecureHandshake with fixed keys
// and a fixed clock. If the handshake completes, whatever follows is fed to a
// RecordReceiver keyed from it, as the channel does.
//
// Must never crash. Also checked: a completed handshake authenticated the one initiator
// whose certificate the seeds carry (nothing else can be valid without forging Ed25519),
// and no record is delivered before key confirmation.
//
// Seeds (fuzz/seeds/handshake/) come from a fixed-key initiator: message 1 alone, messages 1
// and 3, and messages 1 and 3 followed by a record stream. They depend on the responder's
// keys below (message 3 answers message 2). To regenerate them, from the source root:
//   SWARMSHARE_WRITE_HANDSHAKE_SEEDS=fuzz/seeds/handshake
//     <build>/bin/crypto_channel_tests --gtest_filter='HandshakeFuzzSeeds.*'
// (one command line; see tests/crypto/secure_channel_test.cpp).

#include "swarmshare/crypto/secure_channel.hpp"

#include <cstdlib>

namespace {

using namespace swarmshare::crypto;

// Must match HandshakeFuzzSeeds in tests/crypto/secure_channel_test.cpp.
constexpr std::uint64_t kNow = 1'700'000'000;
constexpr std::uint8_t kResponderIdentitySeed = 0x11;
constexpr std::uint8_t kResponderStaticSecret = 0x22;
constexpr std::uint8_t kResponderEphemeralSecret = 0x33;
constexpr std::uint8_t kInitiatorIdentitySeed = 0x44;

Key32 filled(std::uint8_t value) {
  Key32 key{};
  key.fill(value);
  return key;
}

KeyPair key_pair(std::uint8_t secret) {
  auto pair = KeyPair::from_secret_key(filled(secret));
  if (!pair) {
    std::abort();
  }
  return pair.value();
}

CertifiedStaticKey responder_key() {
  const Identity identity = Identity::from_seed(filled(kResponderIdentitySeed));
  KeyPair pair = key_pair(kResponderStaticSecret);
  const NetworkId network = NetworkId::public_network();
  const StaticKeyCertificate certificate =
      certify_static_key(identity, network, pair.public_key(),
                         kNow + static_cast<std::uint64_t>(kCertificateValidity.count()));
  return CertifiedStaticKey{std::move(pair), certificate, network};
}

// Takes the next length-prefixed handshake message off the front of `input`.
bool next_message(ByteView& input, ByteView& message) {
  if (input.size() < kHandshakeLengthBytes) {
    return false;
  }
  const std::size_t size = std::size_t{input[0]} << 8 | input[1];
  if (size == 0 || size > kMaxHandshakeMessageBytes ||
      input.size() - kHandshakeLengthBytes < size) {
    return false;
  }
  message = input.subspan(kHandshakeLengthBytes, size);
  input = input.subspan(kHandshakeLengthBytes + size);
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const CertifiedStaticKey local = responder_key();
  static const KeyPair ephemeral = key_pair(kResponderEphemeralSecret);
  static const PeerId initiator_id = Identity::from_seed(filled(kInitiatorIdentitySeed)).peer_id();
  static const swarmshare::core::ManualClock clock{
      std::chrono::system_clock::time_point{std::chrono::seconds{kNow}}};

  SecureHandshake responder = SecureHandshake::responder(local, clock, ephemeral);
  ByteView input{data, size};
  ByteView message;
  while (!responder.is_complete() && !responder.has_failed() && next_message(input, message)) {
    auto step = responder.on_message(message);
    if (!step) {
      return 0;
    }
  }
  if (!responder.is_complete()) {
    return 0;
  }
  auto peer = responder.peer_id();
  if (!peer || peer.value() != initiator_id) {
    std::abort(); // authenticated someone whose certificate nobody could have made
  }
  auto hash = responder.handshake_hash();
  auto keys = responder.split_keys();
  if (!hash || !keys) {
    std::abort();
  }
  RecordReceiver receiver(keys.value().receive, hash.value());
  auto fed = receiver.feed(input, [&receiver](ByteView plaintext) {
    if (!receiver.is_confirmed() || plaintext.empty()) {
      std::abort();
    }
  });
  (void)fed;
  return 0;
}
