#include "swarmshare/core/platform/files.hpp"

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace swarmshare::core::platform {

Result<std::int64_t> modification_time_ns(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    return make_error_code(Errc::file_not_found);
  }
  constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
#ifdef __APPLE__
  // Darwin names the nanosecond time st_mtimespec (st_mtim only with _POSIX_C_SOURCE).
  const auto& modified = status.st_mtimespec;
#else
  const auto& modified = status.st_mtim;
#endif
  return static_cast<std::int64_t>(modified.tv_sec) * kNanosPerSecond +
         static_cast<std::int64_t>(modified.tv_nsec);
}

Status check_folder_writable(const std::filesystem::path& folder) {
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return std::error_code{errno, std::generic_category()};
  }
  return boost::outcome_v2::success();
}

} // namespace swarmshare::core::platform
