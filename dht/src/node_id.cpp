#include "swarmshare/dht/node_id.hpp"

#include "swarmshare/core/hash.hpp"

#include <algorithm>
#include <bit>

namespace swarmshare::dht {

namespace {

// Labels keep the three uses of BLAKE2b apart: no word can hash to a node's ID on purpose.
constexpr std::string_view kNodeLabel = "swarmshare dht node v1";
constexpr std::string_view kWordLabel = "swarmshare dht word v1";

[[nodiscard]] std::span<const std::uint8_t> bytes_of(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

[[nodiscard]] NodeId labelled_hash(std::string_view label,
                                   std::span<const std::uint8_t> value) noexcept {
  core::Blake2b256 hash;
  hash.update(bytes_of(label));
  hash.update(value);
  return NodeId{hash.finish()};
}

} // namespace

NodeId NodeId::of_peer(const crypto::PeerId& peer) noexcept {
  return labelled_hash(kNodeLabel, peer.bytes());
}

NodeId NodeId::of_file(const core::FileId& file) noexcept {
  Bytes bytes{};
  std::copy(file.bytes().begin(), file.bytes().end(), bytes.begin());
  return NodeId{bytes};
}

NodeId NodeId::of_word(std::string_view normalized_word) noexcept {
  return labelled_hash(kWordLabel, bytes_of(normalized_word));
}

bool NodeId::from_bytes(std::span<const std::uint8_t> bytes, NodeId& out) noexcept {
  if (bytes.size() != kNodeIdBytes) {
    return false;
  }
  std::copy(bytes.begin(), bytes.end(), out.bytes_.begin());
  return true;
}

std::string NodeId::to_hex() const { return core::to_hex(bytes_); }

NodeId distance(const NodeId& a, const NodeId& b) noexcept {
  NodeId::Bytes out{};
  for (std::size_t i = 0; i < kNodeIdBytes; ++i) {
    out[i] = static_cast<std::uint8_t>(a.bytes()[i] ^ b.bytes()[i]);
  }
  return NodeId{out};
}

std::size_t common_prefix_bits(const NodeId& a, const NodeId& b) noexcept {
  for (std::size_t i = 0; i < kNodeIdBytes; ++i) {
    const auto x = static_cast<std::uint8_t>(a.bytes()[i] ^ b.bytes()[i]);
    if (x != 0) {
      return i * 8 + static_cast<std::size_t>(std::countl_zero(x));
    }
  }
  return kNodeIdBits;
}

bool closer(const NodeId& target, const NodeId& a, const NodeId& b) noexcept {
  return distance(target, a) < distance(target, b);
}

} // namespace swarmshare::dht
