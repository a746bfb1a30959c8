#include "swarmshare/core/platform/read_only_file.hpp"

#include <windows.h>

#include <algorithm>

namespace swarmshare::core::platform {
namespace {

Errc windows_to_errc(DWORD error) noexcept {
  switch (error) {
  case ERROR_FILE_NOT_FOUND:
  case ERROR_PATH_NOT_FOUND:
  case ERROR_INVALID_NAME:
  case ERROR_BAD_PATHNAME:
  case ERROR_FILENAME_EXCED_RANGE: return Errc::file_not_found;
  case ERROR_DIRECTORY: return Errc::not_a_regular_file;
  default: return Errc::file_unreadable;
  }
}

HANDLE handle_of(std::intptr_t handle) noexcept { return reinterpret_cast<HANDLE>(handle); }

bool names_directory(const std::filesystem::path& path) noexcept {
  const DWORD attributes = ::GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

// ReadFile takes a 32-bit length; larger reads go in pieces of this size.
constexpr std::size_t kMaxReadPiece = std::size_t{1} << 30;

} // namespace

Result<ReadOnlyFile> ReadOnlyFile::open(const std::filesystem::path& path) {
  // Others may go on writing, renaming or deleting the file while we read it, as on POSIX
  // systems; a file that changes under us is noticed by size() and the hashes.
  const HANDLE handle = ::CreateFileW(path.c_str(), GENERIC_READ,
                                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                      nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (handle == INVALID_HANDLE_VALUE) {
    const DWORD error = ::GetLastError();
    // Opening a directory without FILE_FLAG_BACKUP_SEMANTICS is refused as access denied.
    if (error == ERROR_ACCESS_DENIED && names_directory(path)) {
      return Errc::not_a_regular_file;
    }
    return windows_to_errc(error);
  }
  ReadOnlyFile file{reinterpret_cast<std::intptr_t>(handle)};
  if (::GetFileType(handle) != FILE_TYPE_DISK) {
    return Errc::not_a_regular_file; // a device, a pipe, the console
  }
  return file;
}

void ReadOnlyFile::close() noexcept {
  if (handle_ != kClosed) {
    (void)::CloseHandle(handle_of(handle_));
    handle_ = kClosed;
  }
}

Result<std::uint64_t> ReadOnlyFile::size() const {
  LARGE_INTEGER size{};
  if (::GetFileSizeEx(handle_of(handle_), &size) == 0) {
    return windows_to_errc(::GetLastError());
  }
  return static_cast<std::uint64_t>(size.QuadPart);
}

Result<std::size_t> ReadOnlyFile::read_at(std::uint64_t offset, std::span<std::uint8_t> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    // The offset travels in the OVERLAPPED, so threads reading at once do not share a file
    // position (the handle is synchronous: ReadFile returns when the bytes are there).
    const std::uint64_t at = offset + done;
    OVERLAPPED position{};
    position.Offset = static_cast<DWORD>(at & 0xFFFF'FFFFU);
    position.OffsetHigh = static_cast<DWORD>(at >> 32U);
    const auto want = static_cast<DWORD>(std::min(out.size() - done, kMaxReadPiece));
    DWORD got = 0;
    if (::ReadFile(handle_of(handle_), out.data() + done, want, &got, &position) == 0) {
      const DWORD error = ::GetLastError();
      if (error == ERROR_HANDLE_EOF) {
        break;
      }
      return windows_to_errc(error);
    }
    if (got == 0) {
      break;
    }
    done += got;
  }
  return done;
}

void ReadOnlyFile::advise_sequential() const noexcept {
  // Windows takes the hint only when the file is opened (FILE_FLAG_SEQUENTIAL_SCAN), and
  // its read-ahead notices sequential reads by itself.
}

} // namespace swarmshare::core::platform
