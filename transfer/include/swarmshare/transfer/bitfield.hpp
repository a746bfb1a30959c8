#pragma once
// Which chunks of a file a peer has: one bit per chunk, as the have_map message carries it
// (docs/PROTOCOL.md, "Peer wire protocol"): bit i is chunk i, most significant bit first,
// ceil(chunk count / 8) bytes, spare bits after the last chunk zero.

#include "swarmshare/core/chunking.hpp"
#include "swarmshare/core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace swarmshare::transfer {

class Bitfield {
public:
  /// A bitfield of no chunks (an empty file).
  Bitfield() = default;

  /// All chunks clear. Errors: limit_exceeded above core::kMaxChunks.
  [[nodiscard]] static core::Result<Bitfield> create(std::uint32_t chunk_count);

  /// Parses the wire form. Errors: limit_exceeded above core::kMaxChunks (checked before
  /// anything is allocated); invalid_bitfield when `bytes` is not exactly
  /// bytes_for(chunk_count) long or a spare bit is set.
  [[nodiscard]] static core::Result<Bitfield> from_bytes(std::uint32_t chunk_count,
                                                         std::span<const std::uint8_t> bytes);

  /// ceil(chunk_count / 8).
  [[nodiscard]] static constexpr std::size_t bytes_for(std::uint32_t chunk_count) noexcept {
    return (static_cast<std::size_t>(chunk_count) + 7U) / 8U;
  }

  [[nodiscard]] std::uint32_t chunk_count() const noexcept { return chunk_count_; }
  /// Chunks set.
  [[nodiscard]] std::uint32_t count() const noexcept { return set_count_; }
  /// Every chunk set (true for a bitfield of no chunks: there is nothing to fetch).
  [[nodiscard]] bool all() const noexcept { return set_count_ == chunk_count_; }
  [[nodiscard]] bool none() const noexcept { return set_count_ == 0; }

  /// False for an index past the last chunk.
  [[nodiscard]] bool test(core::ChunkIndex index) const noexcept;

  /// Marks a chunk; setting it again changes nothing. Errors: core chunk_index_out_of_range
  /// (a have for a chunk the file does not have is the peer's protocol error).
  [[nodiscard]] core::Status set(core::ChunkIndex index);

  /// The wire form: bytes_for(chunk_count()) bytes, spare bits zero.
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return bytes_; }

  friend bool operator==(const Bitfield& a, const Bitfield& b) noexcept {
    return a.chunk_count_ == b.chunk_count_ && a.bytes_ == b.bytes_;
  }

private:
  Bitfield(std::uint32_t chunk_count, std::vector<std::uint8_t> bytes,
           std::uint32_t set_count) noexcept
      : chunk_count_(chunk_count), set_count_(set_count), bytes_(std::move(bytes)) {}

  std::uint32_t chunk_count_ = 0;
  // Kept with every set() so count() and all() cost nothing in the piece picker's loops.
  std::uint32_t set_count_ = 0;
  std::vector<std::uint8_t> bytes_;
};

} // namespace swarmshare::transfer
