#include "swarm/chunk_buffers.hpp"

#include "swarmshare/transfer/disk_io.hpp"

#include <cstdlib>
#include <new>
#ifdef _WIN32
#include <malloc.h>
#endif

namespace swarmshare::transfer::detail {
namespace {

// The Microsoft C library has no std::aligned_alloc (its free cannot release aligned
// blocks); it has _aligned_malloc and _aligned_free instead.
void* allocate_aligned(std::size_t alignment, std::size_t bytes) noexcept {
#ifdef _WIN32
  return ::_aligned_malloc(bytes, alignment);
#else
  return std::aligned_alloc(alignment, bytes);
#endif
}

} // namespace

void ChunkBuffers::Free::operator()(std::uint8_t* memory) const noexcept {
#ifdef _WIN32
  ::_aligned_free(memory);
#else
  std::free(memory);
#endif
}

ChunkBuffers::ChunkBuffers(std::size_t chunk_bytes, std::size_t budget_bytes)
    // Whole alignment units, as std::aligned_alloc requires and direct I/O writes.
    : buffer_bytes_((chunk_bytes + kDirectIoAlignment - 1) / kDirectIoAlignment *
                    kDirectIoAlignment) {
  const std::size_t count = buffer_bytes_ == 0 ? 0 : budget_bytes / buffer_bytes_;
  slots_.resize(count);
  free_.reserve(count);
  for (std::size_t i = count; i > 0; --i) {
    free_.push_back(static_cast<std::uint32_t>(i - 1));
  }
}

std::optional<std::uint32_t> ChunkBuffers::acquire() {
  if (free_.empty()) {
    return std::nullopt;
  }
  const std::uint32_t index = free_.back();
  if (!slots_[index]) {
    auto* memory = static_cast<std::uint8_t*>(allocate_aligned(kDirectIoAlignment, buffer_bytes_));
    if (memory == nullptr) {
      return std::nullopt; // the old way needs no buffer of its own
    }
    slots_[index].reset(memory);
  }
  free_.pop_back();
  return index;
}

void ChunkBuffers::release(std::uint32_t index) {
  if (index < slots_.size()) {
    free_.push_back(index);
  }
}

std::span<std::uint8_t> ChunkBuffers::memory(std::uint32_t index) const noexcept {
  return {slots_[index].get(), buffer_bytes_};
}

} // namespace swarmshare::transfer::detail
