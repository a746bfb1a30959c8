#pragma once
// Runs one Noise known-answer test vector (the format of the noise-c / cacophony vector
// sets) against HandshakeState and CipherState. Turning JSON into NoiseVector is left to the
// caller, so that the library does not depend on a JSON parser.

#include "swarmshare/crypto/common.hpp"

#include <optional>
#include <string>
#include <vector>

namespace swarmshare::crypto {

struct NoiseVectorMessage {
  Bytes payload;
  Bytes ciphertext;
};

/// One Noise_XX_25519_ChaChaPoly_BLAKE2b vector. Keys are X25519 secret keys; public keys are
/// derived. `messages` alternate initiator and responder starting with the initiator, and
/// the alternation runs on through the transport phase: the first three are the handshake,
/// the rest transport messages after Split, so message 4 comes from the responder (as in
/// the noise-c and cacophony vector sets; starting the transport phase over with the
/// initiator does not reproduce their ciphertexts).
struct NoiseVector {
  std::string name;
  Bytes init_prologue;
  Key32 init_static{};
  Key32 init_ephemeral{};
  Bytes resp_prologue;
  Key32 resp_static{};
  Key32 resp_ephemeral{};
  std::vector<NoiseVectorMessage> messages;
  std::optional<Hash64> handshake_hash; ///< Checked when present.
};

struct NoiseVectorOutcome {
  bool passed = false;
  /// Empty on success; otherwise which message or check failed and how.
  std::string failure;
};

/// Plays both sides of the vector: every message must encrypt to exactly the expected
/// ciphertext and decrypt back to the payload, both sides must agree on the handshake hash
/// (and match the vector's, if given) and each must learn the other's static public key.
[[nodiscard]] NoiseVectorOutcome run_noise_vector(const NoiseVector& vector);

} // namespace swarmshare::crypto
