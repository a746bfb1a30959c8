#include "swarmshare/transfer/part_file.hpp"

#include "temp_dir.hpp"

#include "swarmshare/core/chunking.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <thread>

namespace swarmshare::transfer {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kChunk = core::ChunkSize::kMinBytes;
// Three whole chunks and a short last one.
constexpr std::uint64_t kFileSize = 3 * kChunk + 1000;

std::vector<std::uint8_t> slice(const std::vector<std::uint8_t>& bytes, std::size_t offset,
                                std::size_t length) {
  return {bytes.begin() + static_cast<std::ptrdiff_t>(offset),
          bytes.begin() + static_cast<std::ptrdiff_t>(offset + length)};
}

std::string contents_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t entries_in(const fs::path& folder) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(folder), fs::directory_iterator{}));
}

TEST(PartFile, createMakesAFileOfTheFullSize) {
  test::TempDir dir;
  const auto path = dir.path() / "movie.mkv.part";
  auto file = PartFile::create(path, kFileSize);
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_TRUE(file.value().is_open());
  EXPECT_EQ(file.value().size(), kFileSize);
  EXPECT_EQ(fs::file_size(path), kFileSize);
  auto stamp = file.value().stamp();
  ASSERT_TRUE(stamp);
  EXPECT_EQ(stamp.value().size, kFileSize);
}

TEST(PartFile, createNeverClobbersAnExistingFile) {
  test::TempDir dir;
  const auto path = dir.write("movie.mkv.part", {1, 2, 3});
  auto file = PartFile::create(path, kFileSize);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error(), std::errc::file_exists);
  EXPECT_EQ(contents_of(path), std::string("\x01\x02\x03", 3));
}

TEST(PartFile, createRefusesASizeNoManifestCanDescribe) {
  test::TempDir dir;
  const auto path = dir.path() / "huge.part";
  auto file = PartFile::create(path, core::kMaxFileSize + 1);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error(), core::Errc::file_too_large);
  EXPECT_FALSE(fs::exists(path));
}

TEST(PartFile, openExistingFindsTheDataWrittenBeforeClosing) {
  test::TempDir dir;
  const auto path = dir.path() / "a.part";
  const auto content = test::random_bytes(kChunk, 1);
  {
    auto file = PartFile::create(path, kFileSize).value();
    ASSERT_TRUE(file.write(kChunk, content));
    ASSERT_TRUE(file.sync());
    ASSERT_TRUE(file.close());
  }
  auto reopened = PartFile::open_existing(path, kFileSize);
  ASSERT_TRUE(reopened) << reopened.error().message();
  EXPECT_EQ(reopened.value().read(kChunk, kChunk).value(), content);
}

TEST(PartFile, openExistingRefusesAFileOfAnotherSize) {
  test::TempDir dir;
  const auto path = dir.path() / "a.part";
  ASSERT_TRUE(PartFile::create(path, kFileSize));
  auto reopened = PartFile::open_existing(path, kFileSize + 1);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error(), core::Errc::file_changed);
}

TEST(PartFile, openExistingOfAMissingFileIsFileNotFound) {
  test::TempDir dir;
  auto reopened = PartFile::open_existing(dir.path() / "gone.part", kFileSize);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error(), core::Errc::file_not_found);
}

TEST(PartFile, openExistingRefusesADirectory) {
  test::TempDir dir;
  fs::create_directory(dir.path() / "folder.part");
  auto reopened = PartFile::open_existing(dir.path() / "folder.part", 0);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error(), core::Errc::not_a_regular_file);
}

TEST(PartFile, readsBackChunksWrittenOutOfOrderIncludingAShortLastChunk) {
  test::TempDir dir;
  const auto content = test::random_bytes(kFileSize, 7);
  auto file = PartFile::create(dir.path() / "a.part", kFileSize).value();
  for (const std::size_t index : {3U, 0U, 2U, 1U}) {
    const std::size_t offset = index * kChunk;
    const std::size_t length = std::min<std::size_t>(kChunk, kFileSize - offset);
    ASSERT_TRUE(file.write(offset, slice(content, offset, length)));
  }
  EXPECT_EQ(file.read(3 * kChunk, 1000).value(), slice(content, 3 * kChunk, 1000));
  EXPECT_EQ(file.read(kChunk + 5, 77).value(), slice(content, kChunk + 5, 77));
  EXPECT_EQ(file.read(0, kFileSize).value(), content);
  std::vector<std::uint8_t> last(1000);
  ASSERT_TRUE(file.read_into(3 * kChunk, last));
  EXPECT_EQ(last, slice(content, 3 * kChunk, 1000));
}

TEST(PartFile, refusesRangesOutsideTheFile) {
  test::TempDir dir;
  auto file = PartFile::create(dir.path() / "a.part", kFileSize).value();
  const std::vector<std::uint8_t> two(2, 0xAB);
  EXPECT_EQ(file.write(kFileSize - 1, two).error(), std::errc::invalid_argument);
  EXPECT_EQ(file.write(std::numeric_limits<std::uint64_t>::max(), two).error(),
            std::errc::invalid_argument);
  EXPECT_EQ(file.read(kFileSize, 1).error(), std::errc::invalid_argument);
  EXPECT_EQ(file.read(std::numeric_limits<std::uint64_t>::max(), 2).error(),
            std::errc::invalid_argument);
  EXPECT_EQ(fs::file_size(dir.path() / "a.part"), kFileSize);
}

TEST(PartFile, refusesAReadLongerThanTheLargestChunkBeforeAllocating) {
  test::TempDir dir;
  auto file = PartFile::create(dir.path() / "a.part", kMaxPartReadBytes + 1).value();
  auto read = file.read(0, kMaxPartReadBytes + 1);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), std::errc::invalid_argument);
}

TEST(PartFile, aClosedFileRefusesIo) {
  test::TempDir dir;
  auto file = PartFile::create(dir.path() / "a.part", kFileSize).value();
  ASSERT_TRUE(file.close());
  EXPECT_FALSE(file.is_open());
  const std::vector<std::uint8_t> byte(1, 1);
  EXPECT_EQ(file.write(0, byte).error(), std::errc::bad_file_descriptor);
  EXPECT_EQ(file.read(0, 1).error(), std::errc::bad_file_descriptor);
  EXPECT_EQ(file.sync().error(), std::errc::bad_file_descriptor);
  EXPECT_EQ(file.close().error(), std::errc::bad_file_descriptor);
}

TEST(PartFile, aMovedFileKeepsWorkingAndTheSourceIsClosed) {
  test::TempDir dir;
  auto source = PartFile::create(dir.path() / "a.part", kFileSize).value();
  PartFile moved = std::move(source);
  const std::vector<std::uint8_t> bytes = {9, 8, 7};
  ASSERT_TRUE(moved.write(10, bytes));
  EXPECT_EQ(moved.read(10, 3).value(), bytes);
  EXPECT_FALSE(source.is_open()); // NOLINT(bugprone-use-after-move): checking the moved-from state
}

TEST(PartFile, noSpaceWhenAllocatingIsAClearErrorAndLeavesNothingBehind) {
  test::TempDir dir;
  const auto other = dir.write("other.bin", {4, 5, 6});
  FaultInjectingDiskIo disk;
  disk.fail_fallocate(std::make_error_code(std::errc::no_space_on_device));
  auto file = PartFile::create(dir.path() / "a.part", kFileSize, disk);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error(), std::errc::no_space_on_device);
  EXPECT_FALSE(file.error().message().empty());
  EXPECT_FALSE(fs::exists(dir.path() / "a.part"));
  EXPECT_EQ(entries_in(dir.path()), 1U);
  EXPECT_EQ(contents_of(other), std::string("\x04\x05\x06", 3));
}

TEST(PartFile, noSpaceOnTheNthWriteKeepsThePartFileAndTheEarlierChunks) {
  test::TempDir dir;
  const auto other = dir.write("other.bin", {4, 5, 6});
  const auto path = dir.path() / "a.part";
  const auto content = test::random_bytes(kFileSize, 3);
  FaultInjectingDiskIo disk;
  auto file = PartFile::create(path, kFileSize, disk).value();
  disk.fail_write(3, std::make_error_code(std::errc::no_space_on_device));
  ASSERT_TRUE(file.write(0, slice(content, 0, kChunk)));
  ASSERT_TRUE(file.write(kChunk, slice(content, kChunk, kChunk)));
  auto third = file.write(2 * kChunk, slice(content, 2 * kChunk, kChunk));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error(), std::errc::no_space_on_device);

  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(fs::file_size(path), kFileSize);
  EXPECT_EQ(file.read(0, 2 * kChunk).value(), slice(content, 0, 2 * kChunk));
  EXPECT_EQ(file.read(2 * kChunk, kChunk).value(), std::vector<std::uint8_t>(kChunk, 0));
  EXPECT_EQ(entries_in(dir.path()), 2U);
  EXPECT_EQ(contents_of(other), std::string("\x04\x05\x06", 3));
  // Only the Nth write fails: once space is back the download carries on.
  EXPECT_TRUE(file.write(2 * kChunk, slice(content, 2 * kChunk, kChunk)));
  EXPECT_EQ(disk.writes(), 4U);
}

TEST(PartFile, anIoErrorOnWriteIsReportedAsSuch) {
  test::TempDir dir;
  FaultInjectingDiskIo disk;
  auto file = PartFile::create(dir.path() / "a.part", kFileSize, disk).value();
  disk.fail_write(1, std::make_error_code(std::errc::io_error));
  const std::vector<std::uint8_t> bytes(100, 1);
  EXPECT_EQ(file.write(0, bytes).error(), std::errc::io_error);
}

TEST(PartFile, aFailedSyncIsReported) {
  test::TempDir dir;
  FaultInjectingDiskIo disk;
  auto file = PartFile::create(dir.path() / "a.part", kFileSize, disk).value();
  disk.fail_fsync(std::make_error_code(std::errc::io_error));
  EXPECT_EQ(file.sync().error(), std::errc::io_error);
}

TEST(PartFile, readersSeeVerifiedChunksWhileTheWriterWritesOthers) {
  test::TempDir dir;
  constexpr std::size_t kChunks = 16;
  const auto content = test::random_bytes(kChunks * kChunk, 11);
  auto file = PartFile::create(dir.path() / "a.part", content.size()).value();
  ASSERT_TRUE(file.write(0, slice(content, 0, kChunk)));
  std::atomic<bool> writer_done{false};
  std::atomic<int> bad_reads{0};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    // Reads until the writer is done, and at least a few times.
    while (!writer_done.load() || reads.load() < 8) {
      auto got = file.read(0, kChunk);
      if (!got || got.value() != slice(content, 0, kChunk)) {
        ++bad_reads;
      }
      ++reads;
    }
  });
  for (std::size_t index = 1; index < kChunks; ++index) {
    EXPECT_TRUE(file.write(index * kChunk, slice(content, index * kChunk, kChunk)));
  }
  writer_done = true;
  reader.join();
  EXPECT_EQ(bad_reads.load(), 0);
  EXPECT_EQ(file.read(0, content.size()).value(), content);
}

} // namespace
} // namespace swarmshare::transfer
