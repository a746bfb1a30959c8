// The operating system's disk on Linux and macOS (POSIX calls, and where the two differ the
// call each documents for it).

#include "swarmshare/transfer/disk_io.hpp"

#include "swarmshare/core/platform/stat_time_posix.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace swarmshare::transfer {
namespace {

std::error_code errno_code(int error) noexcept { return {error, std::generic_category()}; }
std::error_code last_error() noexcept { return errno_code(errno); }

int fd_of(FileHandle file) noexcept { return static_cast<int>(file); }

bool fits_off_t(std::uint64_t value) noexcept {
  return value <= static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());
}

FileStat to_file_stat(const struct stat& info) noexcept {
  return {static_cast<std::uint64_t>(info.st_size), core::platform::modified_ns(info),
          S_ISREG(info.st_mode)};
}

#ifdef __APPLE__
// macOS has no posix_fallocate: F_PREALLOCATE reserves the blocks past the end of the file
// (contiguous if it can, else anywhere), and ftruncate then gives the file its size. Returns
// an errno value like posix_fallocate: ENOSPC when the disk is full, ENOTSUP where the file
// system cannot reserve (the caller then sets the size alone).
int preallocate(int fd, std::uint64_t size) noexcept {
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return errno;
  }
  const auto current = static_cast<std::uint64_t>(info.st_size);
  if (size == 0 || size <= current) {
    return EINVAL; // nothing to reserve; the caller sets the size
  }
  fstore_t store{};
  store.fst_flags = F_ALLOCATECONTIG | F_ALLOCATEALL;
  store.fst_posmode = F_PEOFPOSMODE;
  store.fst_offset = 0;
  store.fst_length = static_cast<off_t>(size - current);
  if (::fcntl(fd, F_PREALLOCATE, &store) == -1) {
    store.fst_flags = F_ALLOCATEALL;
    if (::fcntl(fd, F_PREALLOCATE, &store) == -1) {
      return errno;
    }
  }
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    return errno;
  }
  return 0;
}
#endif

class PosixDiskIo final : public DiskIo {
public:
  core::Result<FileHandle> open(const std::filesystem::path& path, OpenMode mode) override {
    int flags = O_CLOEXEC | O_NOCTTY;
    switch (mode) {
    case OpenMode::create_new: flags |= O_RDWR | O_CREAT | O_EXCL; break;
    case OpenMode::read_write: flags |= O_RDWR; break;
    case OpenMode::read_only: flags |= O_RDONLY; break;
    case OpenMode::create_truncate: flags |= O_WRONLY | O_CREAT | O_TRUNC; break;
    case OpenMode::read_write_direct:
#ifdef __APPLE__
      flags |= O_RDWR; // macOS has no O_DIRECT: F_NOCACHE below
#else
      flags |= O_RDWR | O_DIRECT;
#endif
      break;
    }
    constexpr mode_t kUserFileMode = 0666; // reduced by the umask, as for any saved file
    int fd = -1;
    do {
      fd = ::open(path.c_str(), flags, kUserFileMode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      return last_error();
    }
#ifdef __APPLE__
    // Apple's way past the buffer cache; unlike O_DIRECT it has no alignment rules.
    if (mode == OpenMode::read_write_direct && ::fcntl(fd, F_NOCACHE, 1) == -1) {
      const auto error = last_error();
      ::close(fd);
      return error;
    }
#endif
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
#ifdef __APPLE__
    // On macOS fsync leaves the data in the drive's cache; F_FULLFSYNC is what Apple
    // documents for durability. File systems that lack it get the plain fsync.
    if (::fcntl(fd_of(file), F_FULLFSYNC) != -1) {
      return boost::outcome_v2::success();
    }
#endif
    if (::fsync(fd_of(file)) != 0) {
      return last_error();
    }
    return boost::outcome_v2::success();
  }

  core::Status fallocate(FileHandle file, std::uint64_t size) override {
    if (!fits_off_t(size)) {
      return std::make_error_code(std::errc::file_too_large);
    }
#ifdef __APPLE__
    const int error = preallocate(fd_of(file), size);
#else
    // posix_fallocate returns the error instead of setting errno.
    int error = EINTR;
    while (error == EINTR) {
      error = ::posix_fallocate(fd_of(file), 0, static_cast<off_t>(size));
    }
#endif
    if (error == EOPNOTSUPP || error == ENOTSUP || error == EINVAL) {
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
#if defined(__APPLE__) && defined(RENAME_EXCL)
    // macOS 10.12 and later; ENOTSUP where the file system does not support the flag.
    if (::renameatx_np(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_EXCL) == 0) {
      return boost::outcome_v2::success();
    }
    if (errno != ENOTSUP && errno != EINVAL) {
      return last_error();
    }
#elif defined(RENAME_NOREPLACE)
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

} // namespace swarmshare::transfer
