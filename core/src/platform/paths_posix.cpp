#include "swarmshare/core/platform/paths.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace swarmshare::core::platform {
namespace {

const char* non_empty_env(const char* name) {
  const char* value =
      std::getenv(name); // NOLINT(concurrency-mt-unsafe): nothing here sets the environment
  return value != nullptr && *value != '\0' ? value : nullptr;
}

std::error_code last_error() { return {errno, std::generic_category()}; }

} // namespace

Result<std::filesystem::path> default_data_dir() {
  if (const char* home = non_empty_env("SWARMSHARE_HOME")) {
    return std::filesystem::path{home};
  }
#ifndef __APPLE__
  if (const char* xdg = non_empty_env("XDG_DATA_HOME")) {
    return std::filesystem::path{xdg} / "swarmshare";
  }
#endif
  const char* home = non_empty_env("HOME");
  if (home == nullptr) {
    return Errc::file_not_found;
  }
#ifdef __APPLE__
  return std::filesystem::path{home} / "Library" / "Application Support" / "Swarmshare";
#else
  return std::filesystem::path{home} / ".local" / "share" / "swarmshare";
#endif
}

Status create_private_dir(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return error;
  }
  if (::chmod(dir.c_str(), S_IRWXU) != 0) {
    return last_error();
  }
  return boost::outcome_v2::success();
}

Status write_private_file_atomically(const std::filesystem::path& path,
                                     std::span<const std::uint8_t> bytes) {
  std::filesystem::path temporary = path;
  temporary += ".tmp-" + std::to_string(::getpid());
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    return last_error();
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) {
      continue;
    }
    if (wrote <= 0) {
      const auto error = last_error();
      ::close(fd);
      ::unlink(temporary.c_str());
      return error;
    }
    done += static_cast<std::size_t>(wrote);
  }
  // The mode given to open() is reduced by the umask; set it exactly.
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0 || ::fsync(fd) != 0) {
    const auto error = last_error();
    ::close(fd);
    ::unlink(temporary.c_str());
    return error;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const auto error = last_error();
    ::unlink(temporary.c_str());
    return error;
  }
  // Make the rename itself durable.
  const auto parent = path.has_parent_path() ? path.parent_path() : std::filesystem::path{"."};
  const int dir_fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
  return boost::outcome_v2::success();
}

Result<bool> is_owner_only(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return last_error();
  }
  return (info.st_mode & (S_IRWXG | S_IRWXO)) == 0;
}

} // namespace swarmshare::core::platform
