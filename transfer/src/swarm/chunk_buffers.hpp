#pragma once
// Received chunks put together in memory, hashed there, and written once whole.
//
// Writing each block through the page cache as it came, then reading the chunk back to
// hash it, cost the downloader most of its time: on a virtual machine the kernel's copy
// into fresh page-cache pages took twice as long as the hashing (docs/BENCHMARKS.md). A
// chunk assembled in one of these buffers is hashed from memory and written in a single
// aligned write that the .part file sends past the page cache (PartFile::write).
//
// The buffers are allocated once, on first use, and then reused, never freed, so their
// pages stay mapped. Their number is fixed by a memory budget: when all are taken, a chunk
// goes the old way (its blocks written as they come, the chunk read back to be hashed).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace swarmshare::transfer::detail {

class ChunkBuffers {
public:
  /// Buffers of `chunk_bytes` (the manifest's chunk size), as many as fit `budget_bytes`;
  /// none when not even one fits (0 turns assembly off).
  ChunkBuffers(std::size_t chunk_bytes, std::size_t budget_bytes);

  /// A free buffer, or nothing when every buffer is taken. Network thread only.
  [[nodiscard]] std::optional<std::uint32_t> acquire();
  /// Gives the buffer back: no disk job may use it any more. Network thread only.
  void release(std::uint32_t index);

  /// The memory of an acquired buffer, aligned for direct I/O. From any thread while the
  /// buffer is held: the post that hands a job its index orders the allocation before it.
  [[nodiscard]] std::span<std::uint8_t> memory(std::uint32_t index) const noexcept;

  [[nodiscard]] std::size_t capacity() const noexcept { return slots_.size(); }
  [[nodiscard]] std::size_t in_use() const noexcept { return slots_.size() - free_.size(); }

private:
  struct Free {
    void operator()(std::uint8_t* memory) const noexcept;
  };
  std::size_t buffer_bytes_;
  std::vector<std::unique_ptr<std::uint8_t[], Free>> slots_; ///< null until first acquired
  std::vector<std::uint32_t> free_;                          ///< a stack: recent ones first
};

} // namespace swarmshare::transfer::detail
