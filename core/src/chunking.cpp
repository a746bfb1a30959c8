#include "swarmshare/core/chunking.hpp"

#include <bit>

namespace swarmshare::core {

Result<ChunkSize> ChunkSize::from_bytes(std::uint64_t bytes) noexcept {
  if (bytes < kMinBytes || bytes > kMaxBytes || !std::has_single_bit(bytes)) {
    return Errc::invalid_chunk_size;
  }
  return ChunkSize{static_cast<std::uint32_t>(bytes)};
}

ChunkSize choose_chunk_size(std::uint64_t file_size) noexcept {
  std::uint64_t bytes = ChunkSize::kDefaultBytes;
  while (bytes < ChunkSize::kMaxBytes &&
         chunk_count_for(file_size, ChunkSize::from_bytes(bytes).value()) > kTargetMaxChunks) {
    bytes *= 2;
  }
  return ChunkSize::from_bytes(bytes).value();
}

std::uint64_t chunk_count_for(std::uint64_t file_size, ChunkSize chunk_size) noexcept {
  return file_size / chunk_size.bytes() + (file_size % chunk_size.bytes() != 0 ? 1 : 0);
}

} // namespace swarmshare::core
