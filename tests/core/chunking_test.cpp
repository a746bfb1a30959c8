#include "swarmshare/core/chunking.hpp"

#include <gtest/gtest.h>

namespace swarmshare::core {
namespace {

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr std::uint64_t kGiB = 1024 * kMiB;

TEST(ChunkSize, defaultsTo256KiB) { EXPECT_EQ(ChunkSize{}.bytes(), 256 * kKiB); }

TEST(ChunkSize, acceptsEveryPowerOfTwoFrom16KiBTo16MiB) {
  for (std::uint64_t bytes = 16 * kKiB; bytes <= 16 * kMiB; bytes *= 2) {
    auto size = ChunkSize::from_bytes(bytes);
    ASSERT_TRUE(size) << bytes;
    EXPECT_EQ(size.value().bytes(), bytes);
  }
}

TEST(ChunkSize, rejectsSizesOutsideRangeOrNotPowersOfTwo) {
  for (std::uint64_t bytes : {std::uint64_t{0}, 8 * kKiB, 32 * kMiB, 100 * kKiB, 256 * kKiB + 1,
                              std::uint64_t{1} << 40U}) {
    auto size = ChunkSize::from_bytes(bytes);
    ASSERT_FALSE(size) << bytes;
    EXPECT_EQ(size.error(), Errc::invalid_chunk_size);
  }
}

TEST(ChunkSizeRule, keepsDefaultUpTo4GiB) {
  EXPECT_EQ(choose_chunk_size(0).bytes(), 256 * kKiB);
  EXPECT_EQ(choose_chunk_size(4 * kGiB).bytes(), 256 * kKiB); // exactly 16,384 chunks
}

TEST(ChunkSizeRule, doublesChunkSizeToStayAtOrUnder16384Chunks) {
  EXPECT_EQ(choose_chunk_size(4 * kGiB + 1).bytes(), 512 * kKiB);
  EXPECT_EQ(choose_chunk_size(100 * kGiB).bytes(), 8 * kMiB);
  for (std::uint64_t size : {5 * kGiB, 17 * kGiB, 64 * kGiB, 200 * kGiB, 256 * kGiB}) {
    EXPECT_LE(chunk_count_for(size, choose_chunk_size(size)), kTargetMaxChunks) << size;
  }
}

TEST(ChunkSizeRule, capsAt16MiBPast256GiB) {
  EXPECT_EQ(choose_chunk_size(257 * kGiB).bytes(), 16 * kMiB);
  EXPECT_EQ(chunk_count_for(kMaxFileSize, choose_chunk_size(kMaxFileSize)), kMaxChunks);
}

TEST(ChunkCount, roundsUpAndIsZeroForEmptyFiles) {
  const ChunkSize size{};
  EXPECT_EQ(chunk_count_for(0, size), 0U);
  EXPECT_EQ(chunk_count_for(1, size), 1U);
  EXPECT_EQ(chunk_count_for(256 * kKiB, size), 1U);
  EXPECT_EQ(chunk_count_for(256 * kKiB + 1, size), 2U);
  EXPECT_EQ(chunk_count_for(3 * 256 * kKiB, size), 3U);
}

} // namespace
} // namespace swarmshare::core
