#pragma once
// Fixed values for the DHT tests: identities from a seed byte (the same keys every run),
// File IDs and node IDs made of one repeated byte.

#include "swarmshare/core/file_id.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/node_id.hpp"

#include <cstdint>

namespace swarmshare::dht::test_values {

inline crypto::Identity identity_from(std::uint8_t seed_byte) {
  crypto::Key32 seed{};
  seed.fill(seed_byte);
  return crypto::Identity::from_seed(seed);
}

inline core::FileId file_with_byte(std::uint8_t value) {
  core::Hash256 digest{};
  digest.fill(value);
  return core::FileId{digest};
}

inline NodeId id_with_byte(std::uint8_t value) {
  NodeId::Bytes bytes{};
  bytes.fill(value);
  return NodeId{bytes};
}

} // namespace swarmshare::dht::test_values
