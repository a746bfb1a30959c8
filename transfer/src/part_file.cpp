// PartFile, and the fault-injecting DiskIo tests use: they live here because the .part file
// is their main user. The operating system's DiskIo is in disk_io_posix.cpp and
// disk_io_windows.cpp.

#include "swarmshare/transfer/part_file.hpp"

#include "swarmshare/core/chunking.hpp"

#include <utility>

namespace swarmshare::transfer {

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
