#pragma once
// How a file is cut into chunks: chunk sizes, chunk indices and the size rule.

#include "swarmshare/core/error.hpp"

#include <cstdint>

namespace swarmshare::core {

/// A chunk's position in its file. A distinct type so it cannot be mixed up with counts,
/// byte offsets or peer numbers.
enum class ChunkIndex : std::uint32_t {};

[[nodiscard]] constexpr std::uint32_t index_value(ChunkIndex index) noexcept {
  return static_cast<std::uint32_t>(index);
}

/// A validated chunk size: a power of two from 16 KiB to 16 MiB.
class ChunkSize {
public:
  static constexpr std::uint32_t kMinBytes = 16U * 1024U;
  static constexpr std::uint32_t kMaxBytes = 16U * 1024U * 1024U;
  static constexpr std::uint32_t kDefaultBytes = 256U * 1024U;

  /// The default, 256 KiB.
  constexpr ChunkSize() noexcept = default;

  [[nodiscard]] static Result<ChunkSize> from_bytes(std::uint64_t bytes) noexcept;

  [[nodiscard]] constexpr std::uint32_t bytes() const noexcept { return bytes_; }

  friend constexpr bool operator==(ChunkSize, ChunkSize) noexcept = default;

private:
  constexpr explicit ChunkSize(std::uint32_t bytes) noexcept : bytes_(bytes) {}
  std::uint32_t bytes_ = kDefaultBytes;
};

/// A manifest aims to stay at or under this many chunks: larger files get larger chunks.
inline constexpr std::uint32_t kTargetMaxChunks = 16'384;

/// The hard limit on chunks in one manifest. Files past 256 GiB (16,384 chunks of the
/// largest size) go beyond the target up to this, which keeps the largest manifest under
/// the 1 MiB wire record cap: so files of up to 500 GiB can be shared.
inline constexpr std::uint32_t kMaxChunks = 32'000;
inline constexpr std::uint64_t kMaxFileSize =
    static_cast<std::uint64_t>(kMaxChunks) * ChunkSize::kMaxBytes;

/// The chunk size for a file of `file_size` bytes: the default 256 KiB, doubled until the
/// file fits in kTargetMaxChunks chunks, never above 16 MiB.
[[nodiscard]] ChunkSize choose_chunk_size(std::uint64_t file_size) noexcept;

/// ceil(file_size / chunk_size); 0 for an empty file.
[[nodiscard]] std::uint64_t chunk_count_for(std::uint64_t file_size, ChunkSize chunk_size) noexcept;

} // namespace swarmshare::core
