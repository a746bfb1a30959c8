#include "swarmshare/core/platform/read_only_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace swarmshare::core::platform {
namespace {

Errc errno_to_errc(int error) noexcept {
  switch (error) {
  case ENOENT:
  case ENOTDIR:
  case ELOOP:
  case ENAMETOOLONG: return Errc::file_not_found;
  case EISDIR: return Errc::not_a_regular_file;
  default: return Errc::file_unreadable;
  }
}

int fd_of(std::intptr_t handle) noexcept { return static_cast<int>(handle); }

} // namespace

Result<ReadOnlyFile> ReadOnlyFile::open(const std::filesystem::path& path) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    return errno_to_errc(errno);
  }
  ReadOnlyFile file{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return errno_to_errc(errno);
  }
  if (!S_ISREG(info.st_mode)) {
    return Errc::not_a_regular_file;
  }
  return file;
}

void ReadOnlyFile::close() noexcept {
  if (handle_ != kClosed) {
    ::close(fd_of(handle_));
    handle_ = kClosed;
  }
}

Result<std::uint64_t> ReadOnlyFile::size() const {
  struct stat info {};
  if (::fstat(fd_of(handle_), &info) != 0) {
    return errno_to_errc(errno);
  }
  return static_cast<std::uint64_t>(info.st_size);
}

Result<std::size_t> ReadOnlyFile::read_at(std::uint64_t offset, std::span<std::uint8_t> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t got = ::pread(fd_of(handle_), out.data() + done, out.size() - done,
                                static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno_to_errc(errno);
    }
    if (got == 0) {
      break;
    }
    done += static_cast<std::size_t>(got);
  }
  return done;
}

void ReadOnlyFile::advise_sequential() const noexcept {
#ifdef POSIX_FADV_SEQUENTIAL
  (void)::posix_fadvise(fd_of(handle_), 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

} // namespace swarmshare::core::platform
