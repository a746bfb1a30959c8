#include "swarmshare/core/platform/files.hpp"
#include "swarmshare/core/platform/read_only_file.hpp"
#include "swarmshare/transfer/chunk_storage.hpp"
#include "swarmshare/transfer/error.hpp"

#include <atomic>
#include <chrono>
#include <mutex>

namespace swarmshare::transfer {
namespace {

class SharedFileStorage final : public ChunkStorage {
public:
  SharedFileStorage(std::filesystem::path path, core::platform::ReadOnlyFile file,
                    std::uint64_t size, std::int64_t mtime_ns, const core::Clock& clock)
      : path_(std::move(path)), file_(std::move(file)), size_(size), mtime_ns_(mtime_ns),
        clock_(clock) {}

  core::Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> out) override {
    return file_.read_at(offset, out);
  }

  core::Status write(std::uint64_t /*offset*/, std::span<const std::uint8_t> /*bytes*/) override {
    return make_error_code(Errc::not_writable);
  }

  core::Status check_unchanged() override {
    if (changed_.load(std::memory_order_relaxed)) {
      return make_error_code(core::Errc::file_changed);
    }
    const auto now = clock_.steady_now();
    {
      const std::lock_guard lock(mutex_);
      if (checked_once_ && now - last_check_ < std::chrono::seconds{1}) {
        return boost::outcome_v2::success();
      }
      checked_once_ = true;
      last_check_ = now;
    }
    // A file that changed stays changed for this share: even if it is put back, the user
    // re-shares it (and it is hashed again).
    const auto size = file_.size();
    const auto mtime = modification_time_ns(path_);
    if (!size || size.value() != size_ || !mtime || mtime.value() != mtime_ns_) {
      changed_.store(true, std::memory_order_relaxed);
      return make_error_code(core::Errc::file_changed);
    }
    return boost::outcome_v2::success();
  }

private:
  std::filesystem::path path_;
  core::platform::ReadOnlyFile file_;
  std::uint64_t size_;
  std::int64_t mtime_ns_;
  const core::Clock& clock_;
  std::mutex mutex_;
  bool checked_once_ = false;
  std::chrono::steady_clock::time_point last_check_{};
  std::atomic<bool> changed_{false};
};

} // namespace

core::Result<std::int64_t> modification_time_ns(const std::filesystem::path& path) {
  return core::platform::modification_time_ns(path);
}

core::Result<std::shared_ptr<ChunkStorage>> open_shared_file(const std::filesystem::path& path,
                                                             std::uint64_t size,
                                                             std::int64_t mtime_ns,
                                                             const core::Clock& clock) {
  auto file = core::platform::ReadOnlyFile::open(path);
  if (!file) {
    return file.error();
  }
  auto storage =
      std::make_shared<SharedFileStorage>(path, std::move(file).value(), size, mtime_ns, clock);
  if (auto unchanged = storage->check_unchanged(); !unchanged) {
    return unchanged.error();
  }
  return std::shared_ptr<ChunkStorage>(std::move(storage));
}

} // namespace swarmshare::transfer
