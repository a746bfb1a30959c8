#pragma once
// Shared pieces of the tracker store tests: peers, manifests, endpoints and a fixed clock.

#include "swarmshare/core/manifest.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/tracker/store.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace swarmshare::tracker::test {

/// A Peer ID that only has to be distinct (the store never verifies keys).
inline crypto::PeerId peer(std::uint32_t n) {
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  for (std::size_t i = 0; i < 4; ++i) {
    key[i] = static_cast<std::uint8_t>(n >> (8 * i));
  }
  key[31] = 0xA5;
  return crypto::PeerId{key};
}

/// A real manifest of an empty file with this name (so its File ID is genuine).
inline core::Manifest manifest(const std::string& name) {
  return core::Manifest::create(name, 0, core::ChunkSize{}, {}).value();
}

inline core::Endpoint endpoint(std::uint8_t last, std::uint16_t port = 7000) {
  return core::Endpoint::ipv4({192, 0, 2, last}, port);
}

inline const TimePoint kStart = TimePoint{std::chrono::seconds{1'800'000'000}};

inline AnnounceRequest announce_of(const crypto::PeerId& who, const core::Manifest& m,
                                   bool unlisted = false) {
  return AnnounceRequest{who, m.file_id(), m.encoded(), {endpoint(1)}, unlisted, 0};
}

} // namespace swarmshare::tracker::test
