// A downloading swarm puts each chunk together in memory, hashes it there and writes it
// whole; without the memory for it (or once its buffers are taken) blocks are written as
// they come and the chunk is read back to be hashed. Either way the file is bit-exact.

#include "swarm_fixture.hpp"

namespace swarmshare::transfer::swarm_test {
namespace {

constexpr std::uint32_t kBigChunk = 256 * 1024; // 4 blocks of 64 KiB

// The writes that were whole chunks at their own offsets.
std::size_t whole_chunk_writes(const MemoryStorage& storage, const core::Manifest& manifest) {
  std::size_t count = 0;
  for (const auto& [offset, length] : storage.writes()) {
    const auto chunk =
        core::ChunkIndex{static_cast<std::uint32_t>(offset / manifest.chunk_size().bytes())};
    const auto chunk_offset = manifest.chunk_offset(chunk);
    const auto chunk_length = manifest.chunk_length(chunk);
    if (chunk_offset && chunk_length && chunk_offset.value() == offset &&
        chunk_length.value() == length) {
      ++count;
    }
  }
  return count;
}

TEST_F(SwarmTest, eachChunkIsWrittenOnceWholeAfterItVerifiedInMemory) {
  make_file(std::uint64_t{2} * 1024 * 1024 + 4321, kBigChunk);
  Node& seeder = add_seeder();
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& downloader = add_downloader(storage);
  run([&]() -> awaitable<void> {
    const auto connected = co_await connect(downloader, seeder);
    EXPECT_TRUE(connected);
  });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
  EXPECT_EQ(storage->writes().size(), manifest_->chunk_count());
  EXPECT_EQ(whole_chunk_writes(*storage, *manifest_), manifest_->chunk_count());
}

TEST_F(SwarmTest, withoutAssemblyMemoryBlocksAreWrittenAsTheyCome) {
  make_file(std::uint64_t{2} * 1024 * 1024 + 4321, kBigChunk);
  Node& seeder = add_seeder();
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  SwarmOptions options;
  options.assembly_memory_bytes = 0;
  Node& downloader = add_downloader(storage, options);
  run([&]() -> awaitable<void> {
    const auto connected = co_await connect(downloader, seeder);
    EXPECT_TRUE(connected);
  });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
  EXPECT_GT(storage->writes().size(), manifest_->chunk_count());
  // Only the short last chunk, a single block, happens to be written whole.
  EXPECT_EQ(whole_chunk_writes(*storage, *manifest_), 1U);
}

TEST_F(SwarmTest, chunksBeyondTheAssemblyMemoryGoBlockByBlockAndTheFileCompletes) {
  make_file(std::uint64_t{4} * 1024 * 1024, kBigChunk);
  Node& first = add_seeder();
  Node& second = add_seeder();
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  SwarmOptions options;
  options.assembly_memory_bytes = kBigChunk; // one buffer for many chunks in progress
  Node& downloader = add_downloader(storage, options);
  run([&]() -> awaitable<void> {
    for (Node* seeder : {&first, &second}) {
      const auto connected = co_await connect(downloader, *seeder);
      EXPECT_TRUE(connected);
    }
  });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
  const auto whole = whole_chunk_writes(*storage, *manifest_);
  EXPECT_GE(whole, 1U);                       // the buffer was used ...
  EXPECT_LT(whole, manifest_->chunk_count()); // ... and was not enough for all
}

TEST_F(SwarmTest, aChunkThatFailsVerificationInMemoryIsNeverWritten) {
  make_file(std::uint64_t{1} * 1024 * 1024, kBigChunk);
  Node& liar = add_seeder(/*lying=*/true);
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& downloader = add_downloader(storage);
  downloader.observer.on_done = nullptr;
  run(
      [&]() -> awaitable<void> {
        const auto connected = co_await connect(downloader, liar);
        EXPECT_TRUE(connected);
        asio::steady_timer wait(io_);
        for (int i = 0; i < 200 && downloader.observer.banned.empty(); ++i) {
          wait.expires_after(10ms);
          co_await wait.async_wait(asio::use_awaitable);
        }
        io_.stop();
      },
      10s);
  ASSERT_EQ(downloader.observer.banned.size(), 1U);
  EXPECT_TRUE(storage->writes().empty());
  EXPECT_FALSE(downloader.observer.completed);
}

} // namespace
} // namespace swarmshare::transfer::swarm_test
