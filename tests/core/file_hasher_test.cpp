#include "swarmshare/core/file_hasher.hpp"

#include "temp_dir.hpp"

#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#ifndef _WIN32
#include <unistd.h>
#endif

namespace swarmshare::core {
namespace {

constexpr std::uint32_t kChunk = 256 * 1024;

// A one-thread pool whose thread is held until release(): hash_file's waiting thread
// then reports progress before any chunk is hashed, so tests can act at that moment.
class HeldPool {
public:
  HeldPool() {
    boost::asio::post(pool_, [gate = gate_.get_future().share()] { gate.wait(); });
  }
  ~HeldPool() {
    release();
    pool_.join();
  }
  HeldPool(const HeldPool&) = delete;
  HeldPool& operator=(const HeldPool&) = delete;
  void release() {
    if (!released_) {
      released_ = true;
      gate_.set_value();
    }
  }
  boost::asio::thread_pool& pool() { return pool_; }

private:
  boost::asio::thread_pool pool_{1};
  std::promise<void> gate_;
  bool released_ = false;
};

TEST(HashFile, hashesEachChunkOfTheFile) {
  test::TempDir dir;
  const auto content = test::random_bytes(3 * kChunk + 17, 1);
  const auto path = dir.write("data.bin", content);
  auto manifest = hash_file(path);
  ASSERT_TRUE(manifest) << manifest.error().message();
  const Manifest& m = manifest.value();
  EXPECT_EQ(m.name(), "data.bin");
  EXPECT_EQ(m.file_size(), content.size());
  ASSERT_EQ(m.chunk_count(), 4U);
  for (std::uint32_t i = 0; i < 4; ++i) {
    const std::size_t begin = std::size_t{i} * kChunk;
    const std::size_t length = std::min<std::size_t>(kChunk, content.size() - begin);
    EXPECT_EQ(m.chunk_hashes()[i], blake2b_256(std::span{content}.subspan(begin, length))) << i;
  }
}

TEST(HashFile, givesTheSameManifestWithOneWorkerOrMany) {
  test::TempDir dir;
  const auto path = dir.write("same.bin", test::random_bytes(40 * 16 * 1024 + 5, 2));
  HashOptions options;
  options.chunk_size = ChunkSize::from_bytes(16 * 1024).value();
  options.workers = 1;
  const auto one = hash_file(path, options).value();
  options.workers = 7;
  const auto many = hash_file(path, options).value();
  EXPECT_EQ(one, many);
  EXPECT_EQ(one.chunk_count(), 41U);
}

TEST(HashFile, handlesAnEmptyFile) {
  test::TempDir dir;
  const auto path = dir.write("empty", {});
  auto manifest = hash_file(path);
  ASSERT_TRUE(manifest);
  EXPECT_EQ(manifest.value().file_size(), 0U);
  EXPECT_EQ(manifest.value().chunk_count(), 0U);
  EXPECT_EQ(manifest.value().chunk_size(), ChunkSize{});
}

TEST(HashFile, handlesAFileOfExactlyNChunks) {
  test::TempDir dir;
  const auto content = test::random_bytes(2 * kChunk, 3);
  const auto path = dir.write("exact.bin", content);
  auto manifest = hash_file(path);
  ASSERT_TRUE(manifest);
  ASSERT_EQ(manifest.value().chunk_count(), 2U);
  EXPECT_EQ(manifest.value().chunk_length(ChunkIndex{1}).value(), kChunk);
  EXPECT_EQ(manifest.value().chunk_hashes()[1], blake2b_256(std::span{content}.subspan(kChunk)));
}

TEST(HashFile, usesTheRequestedChunkSize) {
  test::TempDir dir;
  const auto path = dir.write("small-chunks.bin", test::random_bytes(100 * 1024, 4));
  HashOptions options;
  options.chunk_size = ChunkSize::from_bytes(16 * 1024).value();
  auto manifest = hash_file(path, options);
  ASSERT_TRUE(manifest);
  EXPECT_EQ(manifest.value().chunk_size().bytes(), 16U * 1024U);
  EXPECT_EQ(manifest.value().chunk_count(), 7U);
}

TEST(HashFile, namesTheManifestWithTheSanitizedFileName) {
  test::TempDir dir;
  const auto path = dir.write("CON.txt", test::random_bytes(10, 5));
  EXPECT_EQ(hash_file(path).value().name(), "_CON.txt");
}

TEST(HashFile, reportsAMissingFile) {
  test::TempDir dir;
  auto manifest = hash_file(dir.path() / "nope.bin");
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error(), Errc::file_not_found);
}

TEST(HashFile, reportsADirectoryAsNotARegularFile) {
  test::TempDir dir;
  auto manifest = hash_file(dir.path());
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error(), Errc::not_a_regular_file);
}

#ifndef _WIN32
TEST(HashFile, reportsAFileItMayNotReadAsUnreadable) {
  test::TempDir dir;
  const auto path = dir.write("secret.bin", test::random_bytes(10, 6));
  std::filesystem::permissions(path, std::filesystem::perms::none);
  const auto check = [&path] {
    if (::geteuid() == 0 && ::setuid(65534) != 0) { // root reads anything: become nobody
      std::_Exit(2);
    }
    auto manifest = hash_file(path);
    std::_Exit(!manifest && manifest.error() == Errc::file_unreadable ? 0 : 1);
  };
  EXPECT_EXIT(check(), ::testing::ExitedWithCode(0), "");
}
#endif

TEST(HashFile, reportsProgressOnTheCallingThreadEndingAtTheTotal) {
  test::TempDir dir;
  const auto path = dir.write("progress.bin", test::random_bytes(64 * 16 * 1024, 7));
  HashOptions options;
  options.chunk_size = ChunkSize::from_bytes(16 * 1024).value();
  options.progress_interval = std::chrono::milliseconds{1};
  std::vector<HashProgress> reports;
  const auto caller = std::this_thread::get_id();
  options.on_progress = [&](const HashProgress& p) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    reports.push_back(p);
  };
  HeldPool held;
  options.pool = &held.pool();
  options.workers = 1;
  bool released = false;
  auto first = options.on_progress;
  options.on_progress = [&](const HashProgress& p) {
    first(p);
    if (!released) {
      released = true;
      held.release();
    }
  };
  ASSERT_TRUE(hash_file(path, options));
  ASSERT_GE(reports.size(), 2U);
  EXPECT_EQ(reports.front().bytes_done, 0U); // reported while the pool was still held
  for (std::size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].bytes_done, reports[i - 1].bytes_done);
  }
  EXPECT_EQ(reports.back().bytes_done, 64U * 16U * 1024U);
  EXPECT_EQ(reports.back().bytes_total, 64U * 16U * 1024U);
  EXPECT_EQ(reports.back().chunks_done, 64U);
  EXPECT_EQ(reports.back().chunk_count, 64U);
}

TEST(HashFile, stopsWithCancelledWhenStopIsRequested) {
  test::TempDir dir;
  const auto path = dir.write("cancel.bin", test::random_bytes(64 * 16 * 1024, 8));
  HeldPool held;
  std::stop_source stop;
  HashOptions options;
  options.chunk_size = ChunkSize::from_bytes(16 * 1024).value();
  options.pool = &held.pool();
  options.workers = 1;
  options.progress_interval = std::chrono::milliseconds{1};
  options.stop = stop.get_token();
  HashProgress last;
  options.on_progress = [&](const HashProgress& p) {
    last = p;
    stop.request_stop();
    held.release();
  };
  auto manifest = hash_file(path, options);
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error(), Errc::cancelled);
  EXPECT_LT(last.bytes_done, last.bytes_total);
}

TEST(HashFile, reportsAFileThatGrewWhileItWasRead) {
  test::TempDir dir;
  const auto path = dir.write("growing.bin", test::random_bytes(4 * kChunk, 9));
  HeldPool held;
  HashOptions options;
  options.pool = &held.pool();
  options.workers = 1;
  options.progress_interval = std::chrono::milliseconds{1};
  options.on_progress = [&](const HashProgress&) {
    if (std::filesystem::file_size(path) == 4 * kChunk) {
      std::ofstream(path, std::ios::binary | std::ios::app) << "more";
    }
    held.release();
  };
  auto manifest = hash_file(path, options);
  ASSERT_FALSE(manifest);
  EXPECT_EQ(manifest.error(), Errc::file_changed);
}

TEST(VerifyFile, findsExactlyTheCorruptedChunks) {
  test::TempDir dir;
  auto content = test::random_bytes(5 * kChunk, 10);
  const auto path = dir.write("verify.bin", content);
  const Manifest manifest = hash_file(path).value();
  auto clean = verify_file(path, manifest);
  ASSERT_TRUE(clean);
  EXPECT_TRUE(clean.value().ok());

  content[1 * kChunk + 3] ^= 0x80U;
  content[4 * kChunk] ^= 0x01U;
  dir.write("verify.bin", content);
  auto report = verify_file(path, manifest);
  ASSERT_TRUE(report);
  EXPECT_EQ(report.value().bad_chunks, (std::vector<ChunkIndex>{ChunkIndex{1}, ChunkIndex{4}}));
}

TEST(VerifyFile, reportsAFileOfTheWrongSize) {
  test::TempDir dir;
  const auto path = dir.write("size.bin", test::random_bytes(kChunk, 11));
  const Manifest manifest = hash_file(path).value();
  dir.write("size.bin", test::random_bytes(kChunk - 1, 11));
  auto report = verify_file(path, manifest);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error(), Errc::manifest_inconsistent);
}

} // namespace
} // namespace swarmshare::core
