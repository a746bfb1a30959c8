#include "swarmshare/core/platform/files.hpp"
#include "swarmshare/core/platform/stat_time_posix.hpp"

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace swarmshare::core::platform {

Result<std::int64_t> modification_time_ns(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    return make_error_code(Errc::file_not_found);
  }
  return modified_ns(status);
}

Status check_folder_writable(const std::filesystem::path& folder) {
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return std::error_code{errno, std::generic_category()};
  }
  return boost::outcome_v2::success();
}

} // namespace swarmshare::core::platform
