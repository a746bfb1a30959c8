#include "swarmshare/crypto/noise_vectors.hpp"

#include "swarmshare/crypto/noise.hpp"

#include <cstddef>
#include <string>
#include <system_error>

namespace swarmshare::crypto {
namespace {

NoiseVectorOutcome failed(std::size_t message_index, const std::string& what) {
  return {false, "message " + std::to_string(message_index + 1) + ": " + what};
}

NoiseVectorOutcome failed(const std::string& what) { return {false, what}; }

std::string describe(const std::error_code& error) {
  return error.message() + " (" + error.category().name() + ":" + std::to_string(error.value()) +
         ")";
}

} // namespace

NoiseVectorOutcome run_noise_vector(const NoiseVector& vector) {
  if (vector.messages.size() < HandshakeState::kMessageCount) {
    return failed("vector has fewer messages than the XX handshake needs");
  }
  auto init_static = KeyPair::from_secret_key(vector.init_static);
  auto init_ephemeral = KeyPair::from_secret_key(vector.init_ephemeral);
  auto resp_static = KeyPair::from_secret_key(vector.resp_static);
  auto resp_ephemeral = KeyPair::from_secret_key(vector.resp_ephemeral);
  if (!init_static || !init_ephemeral || !resp_static || !resp_ephemeral) {
    return failed("a key in the vector is not a usable X25519 secret key");
  }
  HandshakeState initiator(Role::initiator, init_static.value(), vector.init_prologue,
                           init_ephemeral.value());
  HandshakeState responder(Role::responder, resp_static.value(), vector.resp_prologue,
                           resp_ephemeral.value());

  std::size_t index = 0;
  for (; index < HandshakeState::kMessageCount; ++index) {
    const NoiseVectorMessage& message = vector.messages[index];
    const bool from_initiator = index % 2 == 0;
    HandshakeState& sender = from_initiator ? initiator : responder;
    HandshakeState& receiver = from_initiator ? responder : initiator;
    auto written = sender.write_message(message.payload);
    if (!written) {
      return failed(index, "write failed: " + describe(written.error()));
    }
    if (written.value() != message.ciphertext) {
      return failed(index, "ciphertext differs from the vector");
    }
    auto read = receiver.read_message(message.ciphertext);
    if (!read) {
      return failed(index, "read failed: " + describe(read.error()));
    }
    if (read.value() != message.payload) {
      return failed(index, "decrypted payload differs from the vector");
    }
  }

  const auto init_hash = initiator.handshake_hash();
  const auto resp_hash = responder.handshake_hash();
  if (!init_hash || !resp_hash) {
    return failed("handshake did not complete");
  }
  if (init_hash.value() != resp_hash.value()) {
    return failed("initiator and responder handshake hashes differ");
  }
  if (vector.handshake_hash && init_hash.value() != *vector.handshake_hash) {
    return failed("handshake hash differs from the vector");
  }
  if (initiator.remote_static() != resp_static.value().public_key() ||
      responder.remote_static() != init_static.value().public_key()) {
    return failed("a side did not learn the other's static public key");
  }

  auto init_ciphers = initiator.split();
  auto resp_ciphers = responder.split();
  if (!init_ciphers || !resp_ciphers) {
    return failed("split failed");
  }
  for (; index < vector.messages.size(); ++index) {
    const NoiseVectorMessage& message = vector.messages[index];
    const bool from_initiator = index % 2 == 0;
    CipherState& sender = from_initiator ? init_ciphers.value().send : resp_ciphers.value().send;
    CipherState& receiver =
        from_initiator ? resp_ciphers.value().receive : init_ciphers.value().receive;
    auto written = sender.encrypt_with_ad({}, message.payload);
    if (!written) {
      return failed(index, "transport encrypt failed: " + describe(written.error()));
    }
    if (written.value() != message.ciphertext) {
      return failed(index, "transport ciphertext differs from the vector");
    }
    auto read = receiver.decrypt_with_ad({}, message.ciphertext);
    if (!read) {
      return failed(index, "transport decrypt failed: " + describe(read.error()));
    }
    if (read.value() != message.payload) {
      return failed(index, "transport payload differs from the vector");
    }
  }
  return {true, {}};
}

} // namespace swarmshare::crypto
