#include "swarmshare/core/platform/files.hpp"

#include "swarmshare/core/platform/system_error.hpp"

#include <windows.h>

#include <string>

namespace swarmshare::core::platform {

Result<std::int64_t> modification_time_ns(const std::filesystem::path& path) {
  // Through a handle, so a final symbolic link is followed as stat() does; no access
  // beyond the attributes is asked for, so a file open elsewhere does not stand in the way.
  const HANDLE handle = ::CreateFileW(path.c_str(), FILE_READ_ATTRIBUTES,
                                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                      nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  if (handle == INVALID_HANDLE_VALUE) {
    return make_error_code(Errc::file_not_found);
  }
  FILETIME written{};
  const BOOL got = ::GetFileTime(handle, nullptr, nullptr, &written);
  (void)::CloseHandle(handle);
  if (got == 0) {
    return make_error_code(Errc::file_not_found);
  }
  // FILETIME counts 100 ns intervals since 1601-01-01.
  constexpr std::int64_t kIntervalsFrom1601To1970 = 116'444'736'000'000'000;
  constexpr std::int64_t kNanosPerInterval = 100;
  const auto intervals = static_cast<std::int64_t>(
      (static_cast<std::uint64_t>(written.dwHighDateTime) << 32U) | written.dwLowDateTime);
  return (intervals - kIntervalsFrom1601To1970) * kNanosPerInterval;
}

Status check_folder_writable(const std::filesystem::path& folder) {
  // Windows has no access() that reads the folder's ACL; creating a file is the question
  // itself. The probe is deleted when its handle closes.
  const auto probe = folder / (L".swarmshare-probe-" + std::to_wstring(::GetCurrentProcessId()) +
                               L"-" + std::to_wstring(::GetTickCount64()));
  const HANDLE handle = ::CreateFileW(
      probe.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
      FILE_ATTRIBUTE_TEMPORARY | FILE_ATTRIBUTE_HIDDEN | FILE_FLAG_DELETE_ON_CLOSE, nullptr);
  if (handle == INVALID_HANDLE_VALUE) {
    const DWORD error = ::GetLastError();
    if (error == ERROR_FILE_EXISTS) {
      return boost::outcome_v2::success(); // someone else's probe: files can be made there
    }
    return windows_error(error);
  }
  (void)::CloseHandle(handle);
  return boost::outcome_v2::success();
}

} // namespace swarmshare::core::platform
