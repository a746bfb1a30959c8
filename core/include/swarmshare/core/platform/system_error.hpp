#pragma once
// The operating system's error numbers as std::error_code values that every part can compare
// with std::errc, whichever system reported them.

#include <system_error>

namespace swarmshare::core::platform {

/// The calling thread's last system error: errno in std::generic_category on POSIX systems;
/// on Windows GetLastError(), translated to the std::errc it means where there is one (so
/// callers compare with std::errc::no_space_on_device and the like everywhere), else in
/// std::system_category.
[[nodiscard]] std::error_code last_system_error() noexcept;

#ifdef _WIN32
/// A Windows error number (GetLastError, WSAGetLastError) translated as above.
[[nodiscard]] std::error_code windows_error(unsigned long error) noexcept;
#endif

} // namespace swarmshare::core::platform
