#include "swarmshare/crypto/noise_vectors.hpp"

#include "noise_vector_json.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace swarmshare::crypto {
namespace {

nlohmann::json load(const std::string& file) {
  std::ifstream in(std::string(SWARMSHARE_TEST_DATA_DIR) + "/noise/" + file);
  EXPECT_TRUE(in) << "cannot open " << file;
  return nlohmann::json::parse(in);
}

// Returns how many vectors ran and how many carried a handshake hash; every one must pass.
std::pair<int, int> run_all(const std::string& file) {
  int ran = 0;
  int with_hash = 0;
  const nlohmann::json document = load(file);
  for (const auto& entry : document.at("vectors")) {
    if (!vector_json::is_supported(entry)) {
      continue;
    }
    const NoiseVector vector = vector_json::to_noise_vector(entry);
    const NoiseVectorOutcome outcome = run_noise_vector(vector);
    EXPECT_TRUE(outcome.passed) << file << ": " << vector.name << ": " << outcome.failure;
    ++ran;
    with_hash += vector.handshake_hash ? 1 : 0;
  }
  return {ran, with_hash};
}

TEST(NoiseXX, reproducesEveryKnownAnswerVectorOfNoiseC) {
  const auto [ran, with_hash] = run_all("xx_25519_chachapoly_blake2b.json");
  EXPECT_GE(ran, 1);
  EXPECT_GE(with_hash, 1) << "the noise-c vector should check the handshake hash";
}

TEST(NoiseXX, reproducesEveryKnownAnswerVectorOfCacophony) {
  const auto [ran, with_hash] = run_all("cacophony_xx_25519_chachapoly_blake2b.json");
  EXPECT_GE(ran, 1);
}

TEST(NoiseXX, vectorRunnerDetectsAWrongCiphertext) {
  const nlohmann::json document = load("xx_25519_chachapoly_blake2b.json");
  NoiseVector vector = vector_json::to_noise_vector(document.at("vectors").at(0));
  vector.messages.at(4).ciphertext.at(0) ^= 0x01;
  const NoiseVectorOutcome outcome = run_noise_vector(vector);
  EXPECT_FALSE(outcome.passed);
  EXPECT_NE(outcome.failure.find("message 5"), std::string::npos) << outcome.failure;
}

TEST(NoiseXX, vectorRunnerDetectsAWrongHandshakeHash) {
  const nlohmann::json document = load("xx_25519_chachapoly_blake2b.json");
  NoiseVector vector = vector_json::to_noise_vector(document.at("vectors").at(0));
  vector.handshake_hash->at(63) ^= 0x80;
  EXPECT_FALSE(run_noise_vector(vector).passed);
}

} // namespace
} // namespace swarmshare::crypto
