// A .part file takes whole aligned chunks past the page cache (direct I/O) where the file
// system allows it, and everything else through it; reads see both.

#include "swarmshare/transfer/part_file.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

namespace swarmshare::transfer {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kChunk = 4 * kDirectIoAlignment;
constexpr std::uint64_t kFileSize = 3 * kChunk + 1000; // a short last chunk

struct AlignedBytes {
  struct Free {
    void operator()(std::uint8_t* memory) const noexcept { std::free(memory); }
  };
  std::unique_ptr<std::uint8_t[], Free> memory;
  std::size_t size;

  AlignedBytes(const std::vector<std::uint8_t>& bytes)
      // aligned_alloc takes whole multiples of the alignment only.
      : memory(static_cast<std::uint8_t*>(
            std::aligned_alloc(kDirectIoAlignment, (bytes.size() + kDirectIoAlignment - 1) /
                                                       kDirectIoAlignment * kDirectIoAlignment))),
        size(bytes.size()) {
    std::memcpy(memory.get(), bytes.data(), bytes.size());
  }
  [[nodiscard]] std::span<const std::uint8_t> span() const { return {memory.get(), size}; }
};

std::vector<std::uint8_t> slice(const std::vector<std::uint8_t>& bytes, std::size_t offset,
                                std::size_t length) {
  return {bytes.begin() + static_cast<std::ptrdiff_t>(offset),
          bytes.begin() + static_cast<std::ptrdiff_t>(offset + length)};
}

bool folder_allows_direct_io(const fs::path& folder) {
  const auto probe = folder / "direct-probe";
  const int fd = ::open(probe.c_str(), O_RDWR | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  }
  fs::remove(probe);
  return fd >= 0;
}

TEST(PartFileDirect, anAlignedWholeChunkGoesPastThePageCacheAndReadsBack) {
  test::TempDir dir;
  if (!folder_allows_direct_io(dir.path())) {
    GTEST_SKIP() << "the temp folder's file system has no direct I/O";
  }
  const auto content = test::random_bytes(kFileSize, 11);
  auto file = PartFile::create(dir.path() / "a.part", kFileSize).value();
  const AlignedBytes chunk(slice(content, kChunk, kChunk));
  ASSERT_TRUE(file.write(kChunk, chunk.span()));
  EXPECT_EQ(file.direct_writes(), 1U);
  EXPECT_EQ(file.read(kChunk, kChunk).value(), slice(content, kChunk, kChunk));
}

TEST(PartFileDirect, aDirectWriteReplacesWhatTheCacheHeldForThatRange) {
  test::TempDir dir;
  if (!folder_allows_direct_io(dir.path())) {
    GTEST_SKIP() << "the temp folder's file system has no direct I/O";
  }
  auto file = PartFile::create(dir.path() / "a.part", kFileSize).value();
  const auto old_bytes = test::random_bytes(kChunk, 1);
  const auto new_bytes = test::random_bytes(kChunk, 2);
  ASSERT_TRUE(file.write(0, old_bytes)); // through the cache (a vector is not aligned)
  ASSERT_EQ(file.read(0, kChunk).value(), old_bytes);
  ASSERT_TRUE(file.write(0, AlignedBytes(new_bytes).span()));
  ASSERT_EQ(file.direct_writes(), 1U);
  EXPECT_EQ(file.read(0, kChunk).value(), new_bytes);
}

TEST(PartFileDirect, unalignedWritesAndTheShortLastChunkGoThroughThePageCache) {
  test::TempDir dir;
  const auto content = test::random_bytes(kFileSize, 3);
  auto file = PartFile::create(dir.path() / "a.part", kFileSize).value();
  // An aligned buffer at an unaligned offset, and the last chunk's odd length.
  ASSERT_TRUE(file.write(100, AlignedBytes(slice(content, 100, kChunk)).span()));
  ASSERT_TRUE(file.write(3 * kChunk, AlignedBytes(slice(content, 3 * kChunk, 1000)).span()));
  EXPECT_EQ(file.direct_writes(), 0U);
  EXPECT_EQ(file.read(100, kChunk).value(), slice(content, 100, kChunk));
  EXPECT_EQ(file.read(3 * kChunk, 1000).value(), slice(content, 3 * kChunk, 1000));
}

TEST(PartFileDirect, directWritesSurviveSyncCloseAndReopen) {
  test::TempDir dir;
  const auto path = dir.path() / "a.part";
  const auto content = test::random_bytes(3 * kChunk, 5);
  {
    auto file = PartFile::create(path, kFileSize).value();
    ASSERT_TRUE(file.write(0, AlignedBytes(content).span()));
    ASSERT_TRUE(file.sync());
    ASSERT_TRUE(file.close());
  }
  auto reopened = PartFile::open_existing(path, kFileSize).value();
  EXPECT_EQ(reopened.read(0, 3 * kChunk).value(), content);
}

TEST(PartFileDirect, aFileSystemWithoutDirectIoStillTakesEveryWrite) {
  test::TempDir dir;
  FaultInjectingDiskIo disk;
  disk.refuse_direct_io();
  const auto content = test::random_bytes(kChunk, 9);
  auto file = PartFile::create(dir.path() / "a.part", kFileSize, disk).value();
  ASSERT_TRUE(file.write(0, AlignedBytes(content).span()));
  EXPECT_EQ(file.direct_writes(), 0U);
  EXPECT_EQ(file.read(0, kChunk).value(), content);
}

} // namespace
} // namespace swarmshare::transfer
