#include "swarmshare/transfer/bitfield.hpp"

#include "swarmshare/transfer/error.hpp"

#include <bit>
#include <utility>

namespace swarmshare::transfer {
namespace {

[[nodiscard]] constexpr std::uint8_t mask_of(std::uint32_t index) noexcept {
  return static_cast<std::uint8_t>(0x80U >> (index % 8U));
}

} // namespace

core::Result<Bitfield> Bitfield::create(std::uint32_t chunk_count) {
  if (chunk_count > core::kMaxChunks) {
    return Errc::limit_exceeded;
  }
  return Bitfield(chunk_count, std::vector<std::uint8_t>(bytes_for(chunk_count), 0), 0);
}

core::Result<Bitfield> Bitfield::from_bytes(std::uint32_t chunk_count,
                                            std::span<const std::uint8_t> bytes) {
  if (chunk_count > core::kMaxChunks) {
    return Errc::limit_exceeded;
  }
  if (bytes.size() != bytes_for(chunk_count)) {
    return Errc::invalid_bitfield;
  }
  // Spare bits must be zero so that one set of chunks has exactly one wire form.
  const std::uint32_t used_in_last = chunk_count % 8U;
  if (used_in_last != 0 && (bytes.back() & static_cast<std::uint8_t>(0xFFU >> used_in_last)) != 0) {
    return Errc::invalid_bitfield;
  }
  std::uint32_t set_count = 0;
  for (const std::uint8_t byte : bytes) {
    set_count += static_cast<std::uint32_t>(std::popcount(byte));
  }
  return Bitfield(chunk_count, std::vector<std::uint8_t>(bytes.begin(), bytes.end()), set_count);
}

bool Bitfield::test(core::ChunkIndex index) const noexcept {
  const std::uint32_t i = core::index_value(index);
  return i < chunk_count_ && (bytes_[i / 8U] & mask_of(i)) != 0;
}

core::Status Bitfield::set(core::ChunkIndex index) {
  const std::uint32_t i = core::index_value(index);
  if (i >= chunk_count_) {
    return core::Errc::chunk_index_out_of_range;
  }
  std::uint8_t& byte = bytes_[i / 8U];
  if ((byte & mask_of(i)) == 0) {
    byte = static_cast<std::uint8_t>(byte | mask_of(i));
    ++set_count_;
  }
  return boost::outcome_v2::success();
}

} // namespace swarmshare::transfer
