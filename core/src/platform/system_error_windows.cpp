#include "swarmshare/core/platform/system_error.hpp"

#include <windows.h>

namespace swarmshare::core::platform {

std::error_code windows_error(unsigned long error) noexcept {
  // The errors the storage and lock code tells apart, as the errno values POSIX systems
  // give for the same failures; std::system_category on Windows does not promise this
  // translation in every standard library (libstdc++ 12 does not make it).
  const auto as = [](std::errc errc) { return std::make_error_code(errc); };
  switch (error) {
  case ERROR_FILE_NOT_FOUND:
  case ERROR_PATH_NOT_FOUND:
  case ERROR_INVALID_DRIVE:
  case ERROR_BAD_NETPATH:
  case ERROR_BAD_PATHNAME:
  case ERROR_INVALID_NAME: return as(std::errc::no_such_file_or_directory);
  case ERROR_ACCESS_DENIED:
  case ERROR_SHARING_VIOLATION:
  case ERROR_CANNOT_MAKE: return as(std::errc::permission_denied);
  case ERROR_LOCK_VIOLATION: return as(std::errc::no_lock_available);
  case ERROR_FILE_EXISTS:
  case ERROR_ALREADY_EXISTS: return as(std::errc::file_exists);
  case ERROR_DISK_FULL:
  case ERROR_HANDLE_DISK_FULL: return as(std::errc::no_space_on_device);
  case ERROR_INVALID_PARAMETER: return as(std::errc::invalid_argument);
  case ERROR_INVALID_HANDLE: return as(std::errc::bad_file_descriptor);
  case ERROR_NOT_SAME_DEVICE: return as(std::errc::cross_device_link);
  case ERROR_DIRECTORY: return as(std::errc::not_a_directory);
  case ERROR_DIR_NOT_EMPTY: return as(std::errc::directory_not_empty);
  case ERROR_FILENAME_EXCED_RANGE: return as(std::errc::filename_too_long);
  case ERROR_WRITE_PROTECT: return as(std::errc::read_only_file_system);
  case ERROR_TOO_MANY_OPEN_FILES: return as(std::errc::too_many_files_open);
  case ERROR_NOT_ENOUGH_MEMORY:
  case ERROR_OUTOFMEMORY: return as(std::errc::not_enough_memory);
  case ERROR_NOT_SUPPORTED:
  case ERROR_INVALID_FUNCTION: return as(std::errc::not_supported);
  case ERROR_OPERATION_ABORTED: return as(std::errc::operation_canceled);
  case ERROR_CRC:
  case ERROR_READ_FAULT:
  case ERROR_WRITE_FAULT:
  case ERROR_IO_DEVICE: return as(std::errc::io_error);
  default: return {static_cast<int>(error), std::system_category()};
  }
}

std::error_code last_system_error() noexcept { return windows_error(::GetLastError()); }

} // namespace swarmshare::core::platform
