#pragma once
// Questions about files and folders that std::filesystem answers too coarsely.

#include "swarmshare/core/error.hpp"

#include <cstdint>
#include <filesystem>

namespace swarmshare::core::platform {

/// The modification time of the file `path` names (a final symbolic link is followed), in
/// nanoseconds since the epoch as the file system keeps it. file_not_found when it cannot
/// be asked.
[[nodiscard]] Result<std::int64_t> modification_time_ns(const std::filesystem::path& path);

/// Whether this process may create files in `folder`; the system's error when not (e.g.
/// std::errc::permission_denied), so a download finds out before it starts.
[[nodiscard]] Status check_folder_writable(const std::filesystem::path& folder);

} // namespace swarmshare::core::platform
