// The downloader's chunk buffers: a fixed number within the memory budget, aligned for
// direct I/O, reused after release.

#include "swarm/chunk_buffers.hpp"

#include "swarmshare/transfer/disk_io.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

namespace swarmshare::transfer::detail {
namespace {

constexpr std::size_t kChunk = 256 * 1024;

TEST(ChunkBuffers, handsOutAsManyBuffersAsTheBudgetHoldsThenNone) {
  ChunkBuffers buffers(kChunk, 3 * kChunk + kChunk / 2);
  EXPECT_EQ(buffers.capacity(), 3U);
  std::set<std::uint32_t> taken;
  for (int i = 0; i < 3; ++i) {
    const auto index = buffers.acquire();
    ASSERT_TRUE(index.has_value());
    taken.insert(*index);
  }
  EXPECT_EQ(taken.size(), 3U);
  EXPECT_FALSE(buffers.acquire().has_value());
  EXPECT_EQ(buffers.in_use(), 3U);
}

TEST(ChunkBuffers, aReleasedBufferIsReusedWithItsMemory) {
  ChunkBuffers buffers(kChunk, kChunk);
  const auto first = buffers.acquire().value();
  auto* const memory = buffers.memory(first).data();
  memory[0] = 42;
  buffers.release(first);
  const auto again = buffers.acquire().value();
  EXPECT_EQ(again, first);
  EXPECT_EQ(buffers.memory(again).data(), memory); // the same pages, not a new allocation
}

TEST(ChunkBuffers, memoryIsAlignedForDirectIoAndCoversTheChunk) {
  ChunkBuffers buffers(kChunk + 100, 4 * kChunk); // rounded up to whole alignment units
  const auto index = buffers.acquire().value();
  const auto memory = buffers.memory(index);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(memory.data()) % kDirectIoAlignment, 0U);
  EXPECT_GE(memory.size(), kChunk + 100);
  EXPECT_EQ(memory.size() % kDirectIoAlignment, 0U);
}

TEST(ChunkBuffers, aZeroBudgetTurnsAssemblyOff) {
  ChunkBuffers buffers(kChunk, 0);
  EXPECT_EQ(buffers.capacity(), 0U);
  EXPECT_FALSE(buffers.acquire().has_value());
}

} // namespace
} // namespace swarmshare::transfer::detail
