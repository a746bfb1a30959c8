// The operating system's disk on Windows: the Win32 file API, with errors translated to the
// std::errc values the storage code compares with (core/platform/system_error.hpp).

#include "swarmshare/transfer/disk_io.hpp"

#include "swarmshare/core/platform/system_error.hpp"

#include <windows.h>

#include <algorithm>
#include <limits>

namespace swarmshare::transfer {
namespace {

using core::platform::last_system_error;
using core::platform::windows_error;

HANDLE handle_of(FileHandle file) noexcept {
  return reinterpret_cast<HANDLE>(static_cast<std::intptr_t>(file));
}

// ReadFile and WriteFile take 32-bit lengths; larger transfers go in pieces of this size
// (a multiple of kDirectIoAlignment, so the pieces of a direct write stay aligned).
constexpr std::size_t kMaxPiece = std::size_t{1} << 30;

OVERLAPPED at_offset(std::uint64_t offset) noexcept {
  // On a synchronous handle the OVERLAPPED carries only the position: each call says where,
  // so concurrent readers and the writer never share a file pointer.
  OVERLAPPED position{};
  position.Offset = static_cast<DWORD>(offset & 0xFFFF'FFFFU);
  position.OffsetHigh = static_cast<DWORD>(offset >> 32U);
  return position;
}

std::int64_t to_unix_nanos(FILETIME time) noexcept {
  // FILETIME counts 100 ns intervals since 1601-01-01.
  constexpr std::int64_t kIntervalsFrom1601To1970 = 116'444'736'000'000'000;
  constexpr std::int64_t kNanosPerInterval = 100;
  const auto intervals = static_cast<std::int64_t>(
      (static_cast<std::uint64_t>(time.dwHighDateTime) << 32U) | time.dwLowDateTime);
  return (intervals - kIntervalsFrom1601To1970) * kNanosPerInterval;
}

std::uint64_t to_size(DWORD high, DWORD low) noexcept {
  return (static_cast<std::uint64_t>(high) << 32U) | low;
}

bool names_directory(const std::filesystem::path& path) noexcept {
  const DWORD attributes = ::GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

bool is_regular(DWORD attributes) noexcept {
  // A reparse point (symbolic link, junction) never stands in for a .part file, as lstat
  // reports a link as a link.
  return (attributes &
          (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DEVICE)) == 0;
}

class WindowsDiskIo final : public DiskIo {
public:
  core::Result<FileHandle> open(const std::filesystem::path& path, OpenMode mode) override {
    DWORD access = GENERIC_READ | GENERIC_WRITE;
    DWORD disposition = OPEN_EXISTING;
    DWORD flags = FILE_ATTRIBUTE_NORMAL;
    switch (mode) {
    case OpenMode::create_new: disposition = CREATE_NEW; break;
    case OpenMode::read_write: break;
    case OpenMode::read_only: access = GENERIC_READ; break;
    case OpenMode::create_truncate:
      access = GENERIC_WRITE;
      disposition = CREATE_ALWAYS;
      break;
    case OpenMode::read_write_direct: flags |= FILE_FLAG_NO_BUFFERING; break;
    }
    // Shared every way, as a POSIX descriptor is: a PartFile opens its file twice (cached
    // and direct), readers open it while it is written, and it is renamed when complete.
    // Handles are not inherited by child processes (the close-on-exec of DiskIo).
    const HANDLE handle =
        ::CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                      nullptr, disposition, flags, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
      const DWORD error = ::GetLastError();
      // A directory cannot be opened as a file: Windows says access denied, POSIX EISDIR.
      if (error == ERROR_ACCESS_DENIED && names_directory(path)) {
        return std::make_error_code(std::errc::is_a_directory);
      }
      return windows_error(error);
    }
    return FileHandle{reinterpret_cast<std::intptr_t>(handle)};
  }

  core::Status close(FileHandle file) override {
    if (::CloseHandle(handle_of(file)) == 0) {
      return last_system_error();
    }
    return boost::outcome_v2::success();
  }

  core::Status pwrite(FileHandle file, std::uint64_t offset,
                      std::span<const std::uint8_t> bytes) override {
    std::size_t done = 0;
    while (done < bytes.size()) {
      OVERLAPPED position = at_offset(offset + done);
      const auto piece = static_cast<DWORD>(std::min(bytes.size() - done, kMaxPiece));
      DWORD wrote = 0;
      if (::WriteFile(handle_of(file), bytes.data() + done, piece, &wrote, &position) == 0) {
        return last_system_error();
      }
      if (wrote == 0) {
        // As on POSIX systems: a write that makes no progress has no room.
        return std::make_error_code(std::errc::no_space_on_device);
      }
      done += wrote;
    }
    return boost::outcome_v2::success();
  }

  core::Result<std::size_t> pread(FileHandle file, std::uint64_t offset,
                                  std::span<std::uint8_t> out) override {
    std::size_t done = 0;
    while (done < out.size()) {
      OVERLAPPED position = at_offset(offset + done);
      const auto piece = static_cast<DWORD>(std::min(out.size() - done, kMaxPiece));
      DWORD got = 0;
      if (::ReadFile(handle_of(file), out.data() + done, piece, &got, &position) == 0) {
        const DWORD error = ::GetLastError();
        if (error == ERROR_HANDLE_EOF) {
          break; // a positioned read past the end: end of file, not an error
        }
        return windows_error(error);
      }
      if (got == 0) {
        break;
      }
      done += got;
    }
    return done;
  }

  core::Status fsync(FileHandle file) override {
    if (::FlushFileBuffers(handle_of(file)) == 0) {
      return last_system_error();
    }
    return boost::outcome_v2::success();
  }

  core::Status fallocate(FileHandle file, std::uint64_t size) override {
    if (size > static_cast<std::uint64_t>(std::numeric_limits<LONGLONG>::max())) {
      return std::make_error_code(std::errc::file_too_large);
    }
    // The allocation reserves the clusters (a full disk is ERROR_DISK_FULL now, not at a
    // later write); the end of file then gives the file its size. File systems that cannot
    // reserve get the size alone, as posix_fallocate's EOPNOTSUPP does on POSIX systems.
    FILE_ALLOCATION_INFO allocation{};
    allocation.AllocationSize.QuadPart = static_cast<LONGLONG>(size);
    if (size > 0 && ::SetFileInformationByHandle(handle_of(file), FileAllocationInfo, &allocation,
                                                 sizeof(allocation)) == 0) {
      const DWORD error = ::GetLastError();
      if (error != ERROR_INVALID_PARAMETER && error != ERROR_NOT_SUPPORTED &&
          error != ERROR_INVALID_FUNCTION) {
        return windows_error(error);
      }
    }
    FILE_END_OF_FILE_INFO end{};
    end.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
    if (::SetFileInformationByHandle(handle_of(file), FileEndOfFileInfo, &end, sizeof(end)) == 0) {
      return last_system_error();
    }
    return boost::outcome_v2::success();
  }

  core::Result<FileStat> stat(FileHandle file) override {
    BY_HANDLE_FILE_INFORMATION info{};
    if (::GetFileInformationByHandle(handle_of(file), &info) == 0) {
      return last_system_error();
    }
    return FileStat{to_size(info.nFileSizeHigh, info.nFileSizeLow),
                    to_unix_nanos(info.ftLastWriteTime), is_regular(info.dwFileAttributes)};
  }

  core::Result<FileStat> stat(const std::filesystem::path& path) override {
    // GetFileAttributesExW describes a symbolic link itself, not its target, as lstat does.
    WIN32_FILE_ATTRIBUTE_DATA info{};
    if (::GetFileAttributesExW(path.c_str(), GetFileExInfoStandard, &info) == 0) {
      return last_system_error();
    }
    return FileStat{to_size(info.nFileSizeHigh, info.nFileSizeLow),
                    to_unix_nanos(info.ftLastWriteTime), is_regular(info.dwFileAttributes)};
  }

  core::Result<bool> exists(const std::filesystem::path& path) override {
    WIN32_FILE_ATTRIBUTE_DATA info{};
    if (::GetFileAttributesExW(path.c_str(), GetFileExInfoStandard, &info) != 0) {
      return true;
    }
    const DWORD error = ::GetLastError();
    if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) {
      return false;
    }
    return windows_error(error);
  }

  core::Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::MoveFileExW(from.c_str(), to.c_str(),
                      MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) == 0) {
      return last_system_error();
    }
    return boost::outcome_v2::success();
  }

  core::Status rename_no_replace(const std::filesystem::path& from,
                                 const std::filesystem::path& to) override {
    // Without MOVEFILE_REPLACE_EXISTING the move fails on an existing name in one step
    // (ERROR_ALREADY_EXISTS: file_exists); without MOVEFILE_COPY_ALLOWED it never turns into
    // a copy to another volume (ERROR_NOT_SAME_DEVICE: cross_device_link).
    if (::MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_WRITE_THROUGH) == 0) {
      return last_system_error();
    }
    return boost::outcome_v2::success();
  }

  core::Status remove(const std::filesystem::path& path) override {
    if (::DeleteFileW(path.c_str()) == 0) {
      const DWORD error = ::GetLastError();
      if (error != ERROR_FILE_NOT_FOUND && error != ERROR_PATH_NOT_FOUND) {
        return windows_error(error);
      }
    }
    return boost::outcome_v2::success();
  }

  core::Status sync_folder(const std::filesystem::path& /*folder*/) override {
    // Windows offers no flush of a folder's entries to programs; NTFS journals them, and the
    // moves above are write-through.
    return boost::outcome_v2::success();
  }

  core::Result<std::uint64_t> free_space(const std::filesystem::path& folder) override {
    // The bytes this user may still write (quotas included), like statvfs's f_bavail.
    ULARGE_INTEGER available{};
    if (::GetDiskFreeSpaceExW(folder.c_str(), &available, nullptr, nullptr) == 0) {
      return last_system_error();
    }
    return static_cast<std::uint64_t>(available.QuadPart);
  }
};

} // namespace

DiskIo& posix_disk_io() noexcept {
  static WindowsDiskIo disk;
  return disk;
}

} // namespace swarmshare::transfer
