#pragma once
// The DHT's 256-bit key space. Nodes and the things stored on them (a file's peer records,
// a word's keyword records) have keys in one space, and "close" means a small XOR distance.
//
// A node's ID is derived from its identity key, so a node cannot pick where it sits (to
// surround a File ID, say) without generating identities until one lands there, and every
// message names its sender's Peer ID, from which the receiver computes the ID itself.

#include "swarmshare/core/file_id.hpp"
#include "swarmshare/crypto/identity.hpp"

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace swarmshare::dht {

inline constexpr std::size_t kNodeIdBytes = 32;
inline constexpr std::size_t kNodeIdBits = kNodeIdBytes * 8;

/// A key in the DHT's space: a node's ID, or the key a record is stored under.
class NodeId {
public:
  using Bytes = std::array<std::uint8_t, kNodeIdBytes>;

  /// All zero bits.
  constexpr NodeId() noexcept = default;
  explicit constexpr NodeId(const Bytes& bytes) noexcept : bytes_(bytes) {}

  /// The ID of the node whose identity is `peer`: BLAKE2b-256 of a label and the key.
  [[nodiscard]] static NodeId of_peer(const crypto::PeerId& peer) noexcept;
  /// Where a file's peer records live: its File ID (already a 256-bit hash).
  [[nodiscard]] static NodeId of_file(const core::FileId& file) noexcept;
  /// Where a word's keyword records live. `normalized_word` is one word as the tracker's
  /// search splits names (lowercase ASCII letters and digits, other bytes kept as they are).
  [[nodiscard]] static NodeId of_word(std::string_view normalized_word) noexcept;

  /// Reads exactly 32 bytes into `out`; any other length returns false and leaves it alone.
  [[nodiscard]] static bool from_bytes(std::span<const std::uint8_t> bytes, NodeId& out) noexcept;

  [[nodiscard]] const Bytes& bytes() const noexcept { return bytes_; }
  /// Bit `index` counted from the most significant bit of byte 0 (index < 256).
  [[nodiscard]] bool bit(std::size_t index) const noexcept {
    return ((bytes_[index / 8] >> (7 - index % 8)) & 1U) != 0;
  }
  [[nodiscard]] std::string to_hex() const;

  friend constexpr auto operator<=>(const NodeId&, const NodeId&) = default;

private:
  Bytes bytes_{};
};

/// The XOR distance, itself a key: compare distances with <.
[[nodiscard]] NodeId distance(const NodeId& a, const NodeId& b) noexcept;

/// How many leading bits `a` and `b` share (256 when equal).
[[nodiscard]] std::size_t common_prefix_bits(const NodeId& a, const NodeId& b) noexcept;

/// True when `a` is strictly closer to `target` than `b` is.
[[nodiscard]] bool closer(const NodeId& target, const NodeId& a, const NodeId& b) noexcept;

} // namespace swarmshare::dht

template <>
struct std::hash<swarmshare::dht::NodeId> {
  std::size_t operator()(const swarmshare::dht::NodeId& id) const noexcept {
    // IDs are hashes already: their first bytes are as good as any mix of them.
    std::size_t value = 0;
    for (std::size_t i = 0; i < sizeof(value); ++i) {
      value = (value << 8U) | id.bytes()[i];
    }
    return value;
  }
};
