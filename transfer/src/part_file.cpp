// PartFile, and the DiskIo implementations it runs on (the POSIX disk and the
// fault-injecting one tests use): they live here because the .part file is their main user.

#include "swarmshare/transfer/part_file.hpp"

#include "swarmshare/core/chunking.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <utility>

namespace swarmshare::transfer {
namespace {

std::error_code errno_code(int error) noexcept { return {error, std::generic_category()}; }
std::error_code last_error() noexcept { return errno_code(errno); }

int fd_of(FileHandle file) noexcept { return static_cast<int>(file); }

bool fits_off_t(std::uint64_t value) noexcept {
  return value <= static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());
}

FileStat to_file_stat(const struct stat& info) noexcept {
  constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
  return {static_cast<std::uint64_t>(info.st_size),
          static_cast<std::int64_t>(info.st_mtim.tv_sec) * kNanosPerSecond +
              static_cast<std::int64_t>(info.st_mtim.tv_nsec),
          S_ISREG(info.st_mode)};
}

class PosixDiskIo final : public DiskIo {
public:
  core::Result<FileHandle> open(const std::filesystem::path& path, OpenMode mode) override {
    int flags = O_CLOEXEC | O_NOCTTY;
    switch (mode) {
    case OpenMode::create_new: flags |= O_RDWR | O_CREAT | O_EXCL; break;
    case OpenMode::read_write: flags |= O_RDWR; break;
    case OpenMode::read_only: flags |= O_RDONLY; break;
    case OpenMode::create_truncate: flags |= O_WRONLY | O_CREAT | O_TRUNC; break;
    case OpenMode::read_write_direct: flags |= O_RDWR | O_DIRECT; break;
    }
    constexpr mode_t kUserFileMode = 0666; // reduced by the umask, as for any saved file
    int fd = -1;
    do {
      fd = ::open(path.c_str(), flags, kUserFileMode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      return last_error();
    }
    return FileHandle{fd};
  }

  core::Status close(FileHandle file) override {
    // Linux releases the descriptor even when close fails, so it is never retried.
    if (::close(fd_of(file)) != 0 && errno != EINTR) {
      return last_error();
    }
    return boost::outcome_v2::success();
  }

  core::Status pwrite(FileHandle file, std::uint64_t offset,
                      std::span<const std::uint8_t> bytes) override {
    if (!fits_off_t(offset) || !fits_off_t(offset + bytes.size())) {
      return std::make_error_code(std::errc::file_too_large);
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t wrote = ::pwrite(fd_of(file), bytes.data() + done, bytes.size() - done,
                                     static_cast<off_t>(offset + done));
      if (wrote < 0 && errno == EINTR) {
        continue;
      }
      if (wrote < 0) {
        return last_error();
      }
      if (wrote == 0) {
        // A write that makes no progress and sets no errno: the disk has no room for it.
        return std::make_error_code(std::errc::no_space_on_device);
      }
      done += static_cast<std::size_t>(wrote);
    }
    return boost::outcome_v2::success();
  }

  core::Result<std::size_t> pread(FileHandle file, std::uint64_t offset,
                                  std::span<std::uint8_t> out) override {
    if (!fits_off_t(offset) || !fits_off_t(offset + out.size())) {
      return std::make_error_code(std::errc::invalid_argument);
    }
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t got = ::pread(fd_of(file), out.data() + done, out.size() - done,
                                  static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) {
        continue;
      }
      if (got < 0) {
        return last_error();
      }
      if (got == 0) {
        break;
      }
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

  core::Status fsync(FileHandle file) override {
    if (::fsync(fd_of(file)) != 0) {
      return last_error();
    }
    return boost::outcome_v2::success();
  }

  core::Status fallocate(FileHandle file, std::uint64_t size) override {
    if (!fits_off_t(size)) {
      return std::make_error_code(std::errc::file_too_large);
    }
    // posix_fallocate returns the error instead of setting errno.
    int error = EINTR;
    while (error == EINTR) {
      error = ::posix_fallocate(fd_of(file), 0, static_cast<off_t>(size));
    }
    if (error == EOPNOTSUPP || error == EINVAL) {
      // Some file systems cannot reserve blocks (and a size of 0 is EINVAL): the file
      // still gets its size, but a full disk then shows up only when a write fails.
      if (::ftruncate(fd_of(file), static_cast<off_t>(size)) != 0) {
        return last_error();
      }
      return boost::outcome_v2::success();
    }
    if (error != 0) {
      return errno_code(error);
    }
    return boost::outcome_v2::success();
  }

  core::Result<FileStat> stat(FileHandle file) override {
    struct stat info {};
    if (::fstat(fd_of(file), &info) != 0) {
      return last_error();
    }
    return to_file_stat(info);
  }

  core::Result<FileStat> stat(const std::filesystem::path& path) override {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      return last_error();
    }
    return to_file_stat(info);
  }

  core::Result<bool> exists(const std::filesystem::path& path) override {
    struct stat info {};
    if (::lstat(path.c_str(), &info) == 0) {
      return true;
    }
    if (errno == ENOENT) {
      return false;
    }
    return last_error();
  }

  core::Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return last_error();
    }
    return boost::outcome_v2::success();
  }

  core::Status rename_no_replace(const std::filesystem::path& from,
                                 const std::filesystem::path& to) override {
#ifdef RENAME_NOREPLACE
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
      return boost::outcome_v2::success();
    }
    // EINVAL: this file system does not support the flag; ENOSYS: nor does the kernel.
    if (errno != EINVAL && errno != ENOSYS) {
      return last_error();
    }
#endif
    // link() never replaces an existing name, so the check and the move are one step.
    if (::link(from.c_str(), to.c_str()) != 0) {
      return last_error();
    }
    if (::unlink(from.c_str()) != 0) {
      const auto error = last_error();
      (void)::unlink(to.c_str());
      return error;
    }
    return boost::outcome_v2::success();
  }

  core::Status remove(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return last_error();
    }
    return boost::outcome_v2::success();
  }

  core::Status sync_folder(const std::filesystem::path& folder) override {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      return last_error();
    }
    const int synced = ::fsync(fd);
    const auto error = last_error();
    ::close(fd);
    // Some file systems cannot fsync a directory (EINVAL); their entries are as durable
    // as they will get.
    if (synced != 0 && error != std::errc::invalid_argument) {
      return error;
    }
    return boost::outcome_v2::success();
  }

  core::Result<std::uint64_t> free_space(const std::filesystem::path& folder) override {
    struct statvfs info {};
    if (::statvfs(folder.c_str(), &info) != 0) {
      return last_error();
    }
    return static_cast<std::uint64_t>(info.f_bavail) * static_cast<std::uint64_t>(info.f_frsize);
  }
};

} // namespace

DiskIo& posix_disk_io() noexcept {
  static PosixDiskIo disk;
  return disk;
}

// ---- FaultInjectingDiskIo ----

void FaultInjectingDiskIo::fail_write(std::uint64_t nth, std::error_code error) {
  const std::lock_guard lock(mutex_);
  failing_write_ = writes_ + nth;
  write_error_ = error;
}

void FaultInjectingDiskIo::fail_fallocate(std::error_code error) {
  const std::lock_guard lock(mutex_);
  fallocate_error_ = error;
}

void FaultInjectingDiskIo::fail_fsync(std::error_code error) {
  const std::lock_guard lock(mutex_);
  fsync_error_ = error;
}

void FaultInjectingDiskIo::set_free_space(std::optional<std::uint64_t> bytes) {
  const std::lock_guard lock(mutex_);
  free_space_ = bytes;
}

std::uint64_t FaultInjectingDiskIo::writes() const {
  const std::lock_guard lock(mutex_);
  return writes_;
}

std::error_code FaultInjectingDiskIo::fsync_fault() const {
  const std::lock_guard lock(mutex_);
  return fsync_error_;
}

core::Result<FileHandle> FaultInjectingDiskIo::open(const std::filesystem::path& path,
                                                    OpenMode mode) {
  {
    const std::lock_guard lock(mutex_);
    if (mode == OpenMode::read_write_direct && refuse_direct_io_) {
      return std::make_error_code(std::errc::invalid_argument); // as tmpfs did before Linux 6.6
    }
  }
  return inner_.open(path, mode);
}

void FaultInjectingDiskIo::refuse_direct_io() {
  const std::lock_guard lock(mutex_);
  refuse_direct_io_ = true;
}

core::Status FaultInjectingDiskIo::close(FileHandle file) { return inner_.close(file); }

core::Status FaultInjectingDiskIo::pwrite(FileHandle file, std::uint64_t offset,
                                          std::span<const std::uint8_t> bytes) {
  {
    const std::lock_guard lock(mutex_);
    ++writes_;
    if (failing_write_ == writes_) {
      return write_error_;
    }
  }
  return inner_.pwrite(file, offset, bytes);
}

core::Result<std::size_t> FaultInjectingDiskIo::pread(FileHandle file, std::uint64_t offset,
                                                      std::span<std::uint8_t> out) {
  return inner_.pread(file, offset, out);
}

core::Status FaultInjectingDiskIo::fsync(FileHandle file) {
  if (const auto error = fsync_fault()) {
    return error;
  }
  return inner_.fsync(file);
}

core::Status FaultInjectingDiskIo::fallocate(FileHandle file, std::uint64_t size) {
  {
    const std::lock_guard lock(mutex_);
    if (fallocate_error_) {
      return fallocate_error_;
    }
  }
  return inner_.fallocate(file, size);
}

core::Result<FileStat> FaultInjectingDiskIo::stat(FileHandle file) { return inner_.stat(file); }

core::Result<FileStat> FaultInjectingDiskIo::stat(const std::filesystem::path& path) {
  return inner_.stat(path);
}

core::Result<bool> FaultInjectingDiskIo::exists(const std::filesystem::path& path) {
  return inner_.exists(path);
}

core::Status FaultInjectingDiskIo::rename(const std::filesystem::path& from,
                                          const std::filesystem::path& to) {
  return inner_.rename(from, to);
}

core::Status FaultInjectingDiskIo::rename_no_replace(const std::filesystem::path& from,
                                                     const std::filesystem::path& to) {
  return inner_.rename_no_replace(from, to);
}

core::Status FaultInjectingDiskIo::remove(const std::filesystem::path& path) {
  return inner_.remove(path);
}

core::Status FaultInjectingDiskIo::sync_folder(const std::filesystem::path& folder) {
  if (const auto error = fsync_fault()) {
    return error;
  }
  return inner_.sync_folder(folder);
}

core::Result<std::uint64_t> FaultInjectingDiskIo::free_space(const std::filesystem::path& folder) {
  {
    const std::lock_guard lock(mutex_);
    if (free_space_) {
      return *free_space_;
    }
  }
  return inner_.free_space(folder);
}

// ---- PartFile ----

core::Result<PartFile> PartFile::create(const std::filesystem::path& path, std::uint64_t size,
                                        DiskIo& disk) {
  if (size > core::kMaxFileSize) {
    return core::Errc::file_too_large;
  }
  auto handle = disk.open(path, OpenMode::create_new);
  if (!handle) {
    return handle.error();
  }
  PartFile file{disk, handle.value(), path, size};
  if (auto allocated = disk.fallocate(handle.value(), size); !allocated) {
    // The file holds nothing yet; leaving it would only take the space we lack.
    (void)file.close();
    (void)disk.remove(path);
    return allocated.error();
  }
  file.open_direct();
  return file;
}

core::Result<PartFile> PartFile::open_existing(const std::filesystem::path& path,
                                               std::uint64_t size, DiskIo& disk) {
  if (size > core::kMaxFileSize) {
    return core::Errc::file_too_large;
  }
  auto handle = disk.open(path, OpenMode::read_write);
  if (!handle) {
    if (handle.error() == std::errc::no_such_file_or_directory) {
      return core::Errc::file_not_found;
    }
    if (handle.error() == std::errc::is_a_directory) {
      return core::Errc::not_a_regular_file;
    }
    return handle.error();
  }
  PartFile file{disk, handle.value(), path, size};
  auto info = disk.stat(handle.value());
  if (!info) {
    return info.error();
  }
  if (!info.value().regular_file) {
    return core::Errc::not_a_regular_file;
  }
  if (info.value().size != size) {
    return core::Errc::file_changed;
  }
  file.open_direct();
  return file;
}

void PartFile::open_direct() {
  // Without it (a file system that has no direct I/O, such as tmpfs) every write goes
  // through the page cache, as before.
  auto direct = disk_->open(path_, OpenMode::read_write_direct);
  if (direct) {
    direct_ = direct.value();
  }
}

PartFile::PartFile(PartFile&& other) noexcept
    : disk_(other.disk_), handle_(std::exchange(other.handle_, kClosed)),
      direct_(std::exchange(other.direct_, kClosed)), path_(std::move(other.path_)),
      size_(other.size_), direct_writes_(other.direct_writes_.load()) {}

PartFile& PartFile::operator=(PartFile&& other) noexcept {
  if (this != &other) {
    (void)close();
    disk_ = other.disk_;
    handle_ = std::exchange(other.handle_, kClosed);
    direct_ = std::exchange(other.direct_, kClosed);
    path_ = std::move(other.path_);
    size_ = other.size_;
    direct_writes_ = other.direct_writes_.load();
  }
  return *this;
}

PartFile::~PartFile() { (void)close(); }

core::Status PartFile::check_range(std::uint64_t offset, std::size_t length) const {
  if (!is_open()) {
    return std::make_error_code(std::errc::bad_file_descriptor);
  }
  if (length > size_ || offset > size_ - length) {
    return std::make_error_code(std::errc::invalid_argument);
  }
  return boost::outcome_v2::success();
}

bool PartFile::can_write_direct(std::uint64_t offset,
                                std::span<const std::uint8_t> bytes) const noexcept {
  const auto address = reinterpret_cast<std::uintptr_t>(bytes.data());
  return direct_ != kClosed && !bytes.empty() && offset % kDirectIoAlignment == 0 &&
         bytes.size() % kDirectIoAlignment == 0 && address % kDirectIoAlignment == 0;
}

core::Status PartFile::write(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  if (auto range = check_range(offset, bytes.size()); !range) {
    return range;
  }
  if (can_write_direct(offset, bytes)) {
    auto written = disk_->pwrite(direct_, offset, bytes);
    if (written || written.error() != std::errc::invalid_argument) {
      direct_writes_.fetch_add(written ? 1 : 0, std::memory_order_relaxed);
      return written;
    }
    // Refused after all (a device with a larger block size): the page cache takes it.
  }
  return disk_->pwrite(handle_, offset, bytes);
}

core::Result<std::vector<std::uint8_t>> PartFile::read(std::uint64_t offset,
                                                       std::size_t length) const {
  if (length > kMaxPartReadBytes) {
    return std::make_error_code(std::errc::invalid_argument);
  }
  if (auto range = check_range(offset, length); !range) {
    return range.error();
  }
  std::vector<std::uint8_t> bytes(length);
  if (auto got = read_into(offset, bytes); !got) {
    return got.error();
  }
  return bytes;
}

core::Status PartFile::read_into(std::uint64_t offset, std::span<std::uint8_t> out) const {
  if (auto range = check_range(offset, out.size()); !range) {
    return range;
  }
  auto got = disk_->pread(handle_, offset, out);
  if (!got) {
    return got.error();
  }
  if (got.value() != out.size()) {
    return core::Errc::file_changed;
  }
  return boost::outcome_v2::success();
}

core::Status PartFile::sync() {
  if (!is_open()) {
    return std::make_error_code(std::errc::bad_file_descriptor);
  }
  return disk_->fsync(handle_);
}

core::Result<PartStamp> PartFile::stamp() const {
  if (!is_open()) {
    return std::make_error_code(std::errc::bad_file_descriptor);
  }
  auto info = disk_->stat(handle_);
  if (!info) {
    return info.error();
  }
  return PartStamp{info.value().size, info.value().mtime_ns};
}

core::Status PartFile::close() {
  if (!is_open()) {
    return std::make_error_code(std::errc::bad_file_descriptor);
  }
  if (direct_ != kClosed) {
    (void)disk_->close(std::exchange(direct_, kClosed));
  }
  return disk_->close(std::exchange(handle_, kClosed));
}

} // namespace swarmshare::transfer
