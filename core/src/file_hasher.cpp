#include "swarmshare/core/file_hasher.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/platform/read_only_file.hpp"

#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace swarmshare::core {
namespace {

// Each worker reads a chunk in pieces of at most this size, so memory per worker stays
// small even with 16 MiB chunks; 1 MiB pieces are large enough that the read calls cost
// nothing next to hashing.
constexpr std::size_t kReadPieceBytes = std::size_t{1024} * 1024;

// State shared by the workers of one hashing run and the thread that waits for them.
class HashRun {
public:
  HashRun(const platform::ReadOnlyFile& file, std::uint64_t file_size, ChunkSize chunk_size,
          std::uint32_t chunk_count, std::stop_token stop)
      : file_(file), file_size_(file_size), chunk_size_(chunk_size), stop_(std::move(stop)),
        hashes_(chunk_count) {}

  // Body of one worker: claims chunks until none are left, the run fails or stop is asked.
  void work() {
    try {
      std::vector<std::uint8_t> buffer(std::min<std::size_t>(chunk_size_.bytes(), kReadPieceBytes));
      while (!failed_.load(std::memory_order_relaxed) && !stop_.stop_requested()) {
        const std::uint32_t index = next_chunk_.fetch_add(1, std::memory_order_relaxed);
        if (index >= hashes_.size()) {
          break;
        }
        if (auto status = hash_one(index, buffer); !status) {
          fail(status.error());
        }
      }
    } catch (const std::bad_alloc&) {
      fail(std::make_error_code(std::errc::not_enough_memory));
    }
    std::lock_guard lock(mutex_);
    --running_workers_;
    changed_.notify_all();
  }

  // Starts `workers` workers on `pool` and waits on the calling thread, reporting progress.
  Result<std::vector<Hash256>> run(boost::asio::thread_pool& pool, unsigned workers,
                                   const HashOptions& options) {
    running_workers_ = workers;
    for (unsigned i = 0; i < workers; ++i) {
      boost::asio::post(pool, [this] { work(); });
    }
    std::unique_lock lock(mutex_);
    while (running_workers_ > 0) {
      changed_.wait_for(lock, options.progress_interval);
      if (options.on_progress && running_workers_ > 0) {
        lock.unlock();
        options.on_progress(progress());
        lock.lock();
      }
    }
    lock.unlock();
    if (failed_.load()) {
      return first_error_;
    }
    if (stop_.stop_requested()) {
      return Errc::cancelled;
    }
    if (options.on_progress) {
      options.on_progress(progress());
    }
    return std::move(hashes_);
  }

private:
  Status hash_one(std::uint32_t index, std::vector<std::uint8_t>& buffer) {
    const std::uint64_t begin = static_cast<std::uint64_t>(index) * chunk_size_.bytes();
    const std::uint64_t end = std::min<std::uint64_t>(begin + chunk_size_.bytes(), file_size_);
    Blake2b256 hasher;
    for (std::uint64_t offset = begin; offset < end;) {
      const auto want =
          static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), end - offset));
      auto got = file_.read_at(offset, std::span{buffer.data(), want});
      if (!got) {
        return got.error();
      }
      if (got.value() != want) {
        return Errc::file_changed; // shorter than when we started
      }
      hasher.update(std::span{buffer.data(), want});
      offset += want;
      bytes_done_.fetch_add(want, std::memory_order_relaxed);
    }
    hashes_[index] = hasher.finish();
    chunks_done_.fetch_add(1, std::memory_order_relaxed);
    return boost::outcome_v2::success();
  }

  void fail(std::error_code error) {
    std::lock_guard lock(mutex_);
    if (!failed_.exchange(true)) {
      first_error_ = error;
    }
  }

  [[nodiscard]] HashProgress progress() const {
    return {bytes_done_.load(), file_size_, chunks_done_.load(),
            static_cast<std::uint32_t>(hashes_.size())};
  }

  const platform::ReadOnlyFile& file_;
  const std::uint64_t file_size_;
  const ChunkSize chunk_size_;
  const std::stop_token stop_;
  std::vector<Hash256> hashes_;
  std::atomic<std::uint32_t> next_chunk_{0};
  std::atomic<std::uint64_t> bytes_done_{0};
  std::atomic<std::uint32_t> chunks_done_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  unsigned running_workers_ = 0;
  std::error_code first_error_;
};

unsigned worker_count(const HashOptions& options, std::uint32_t chunk_count) {
  unsigned workers = options.workers != 0 ? options.workers : std::thread::hardware_concurrency();
  workers = std::max(workers, 1U);
  return std::min<unsigned>(workers, std::max<std::uint32_t>(chunk_count, 1));
}

Result<std::vector<Hash256>> hash_chunks(const platform::ReadOnlyFile& file,
                                         std::uint64_t file_size, ChunkSize chunk_size,
                                         const HashOptions& options) {
  const std::uint64_t count = chunk_count_for(file_size, chunk_size);
  if (count > kMaxChunks) {
    return Errc::file_too_large;
  }
  const auto chunk_count = static_cast<std::uint32_t>(count);
  const unsigned workers = worker_count(options, chunk_count);
  file.advise_sequential();
  HashRun run(file, file_size, chunk_size, chunk_count, options.stop);
  Result<std::vector<Hash256>> hashes = Errc::cancelled;
  if (options.pool != nullptr) {
    hashes = run.run(*options.pool, workers, options);
  } else {
    boost::asio::thread_pool pool(workers);
    hashes = run.run(pool, workers, options);
    pool.join();
  }
  if (!hashes) {
    return hashes;
  }
  // A file that grew while we read it would yield a manifest of a file that never existed.
  auto size_now = file.size();
  if (!size_now) {
    return size_now.error();
  }
  if (size_now.value() != file_size) {
    return Errc::file_changed;
  }
  return hashes;
}

} // namespace

Result<Manifest> hash_file(const std::filesystem::path& path, const HashOptions& options) {
  auto file = platform::ReadOnlyFile::open(path);
  if (!file) {
    return file.error();
  }
  auto file_size = file.value().size();
  if (!file_size) {
    return file_size.error();
  }
  if (file_size.value() > kMaxFileSize) {
    return Errc::file_too_large;
  }
  const ChunkSize chunk_size = options.chunk_size.value_or(choose_chunk_size(file_size.value()));
  auto hashes = hash_chunks(file.value(), file_size.value(), chunk_size, options);
  if (!hashes) {
    return hashes.error();
  }
  return Manifest::create(sanitize_file_name(path.filename().string()), file_size.value(),
                          chunk_size, std::move(hashes).value());
}

Result<VerifyReport> verify_file(const std::filesystem::path& path, const Manifest& manifest,
                                 const HashOptions& options) {
  auto file = platform::ReadOnlyFile::open(path);
  if (!file) {
    return file.error();
  }
  auto file_size = file.value().size();
  if (!file_size) {
    return file_size.error();
  }
  if (file_size.value() != manifest.file_size()) {
    return Errc::manifest_inconsistent;
  }
  auto hashes = hash_chunks(file.value(), file_size.value(), manifest.chunk_size(), options);
  if (!hashes) {
    return hashes.error();
  }
  VerifyReport report;
  for (std::uint32_t i = 0; i < manifest.chunk_count(); ++i) {
    if (hashes.value()[i] != manifest.chunk_hashes()[i]) {
      report.bad_chunks.push_back(ChunkIndex{i});
    }
  }
  return report;
}

} // namespace swarmshare::core
