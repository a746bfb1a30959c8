// noise-vectors FILE: runs every Noise_XX_25519_ChaChaPoly_BLAKE2b vector of a JSON test
// vector file and prints one PASS/FAIL/SKIP line per vector. Exit status 0 only if at least
// one vector ran and all that ran passed, so CI cannot go green on an empty or wrong file.

#include "noise_vector_json.hpp"

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

namespace json_vectors = swarmshare::crypto::vector_json;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: noise-vectors FILE\n";
    return 2;
  }
  std::ifstream file(argv[1]);
  if (!file) {
    std::cerr << "noise-vectors: cannot open " << argv[1] << '\n';
    return 2;
  }
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(file);
  } catch (const nlohmann::json::exception& error) {
    std::cerr << "noise-vectors: " << argv[1] << " is not valid JSON: " << error.what() << '\n';
    return 2;
  }
  if (!document.is_object() || !document.contains("vectors") || !document["vectors"].is_array()) {
    std::cerr << "noise-vectors: " << argv[1] << " has no \"vectors\" array\n";
    return 2;
  }

  std::size_t ran = 0;
  std::size_t failures = 0;
  std::size_t position = 0;
  for (const auto& entry : document["vectors"]) {
    ++position;
    const std::string name = json_vectors::vector_name(entry);
    const std::string label = name + " (#" + std::to_string(position) + ")";
    if (!json_vectors::is_supported(entry)) {
      std::cout << "SKIP " << label << '\n';
      continue;
    }
    ++ran;
    swarmshare::crypto::NoiseVectorOutcome outcome;
    try {
      outcome = swarmshare::crypto::run_noise_vector(json_vectors::to_noise_vector(entry));
    } catch (const std::exception& error) {
      outcome = {false, std::string("malformed vector: ") + error.what()};
    }
    if (outcome.passed) {
      std::cout << "PASS " << label << '\n';
    } else {
      ++failures;
      std::cout << "FAIL " << label << ": " << outcome.failure << '\n';
    }
  }
  std::cout << ran << " run, " << failures << " failed\n";
  if (ran == 0) {
    std::cerr << "noise-vectors: no " << swarmshare::crypto::kNoiseProtocolName << " vector in "
              << argv[1] << '\n';
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
