#pragma once
// One process per home directory at a time. Two engines on one home would announce the same
// shares twice, write the same .part files and fight over the state database.
//
// The lock is an OS lock on `<home>/lock` (flock; LockFileEx on Windows): the system drops it
// when its process ends, however it ends, so a kill -9 never leaves a stale lock behind. The holder
// writes its process ID and program name into the file so that a second process can say who holds
// the home; the file itself is left in place (removing it would race with a newcomer).

#include "swarmshare/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

namespace swarmshare::client {

/// Who holds a home directory's lock, as its lock file says.
struct LockHolder {
  long process_id = 0;
  std::string program; ///< may be empty when the file was written by an older build
};

class HomeLock {
public:
  /// The lock file's name inside the home directory.
  static constexpr const char* kFileName = "lock";

  /// Creates `home` (and its parents) when missing and takes its lock, without waiting.
  /// Errc::home_in_use when another process holds it (holder() then says which);
  /// Errc::home_unusable, with the OS error in `os_error`, when the directory or the file
  /// cannot be made.
  [[nodiscard]] static core::Result<HomeLock> acquire(const std::filesystem::path& home,
                                                      const std::string& program);

  /// The holder named in `home`'s lock file, if it names one. For the message a refused
  /// process prints; the process may have ended since.
  [[nodiscard]] static std::optional<LockHolder> holder(const std::filesystem::path& home);

  HomeLock(const HomeLock&) = delete;
  HomeLock& operator=(const HomeLock&) = delete;
  HomeLock(HomeLock&& other) noexcept;
  HomeLock& operator=(HomeLock&& other) noexcept;
  /// Releases the lock.
  ~HomeLock();

  [[nodiscard]] const std::filesystem::path& home() const noexcept { return home_; }

private:
  HomeLock(std::filesystem::path home, std::intptr_t file) noexcept
      : home_(std::move(home)), file_(file) {}

  std::filesystem::path home_;
  std::intptr_t file_ = -1; ///< a file descriptor, or a HANDLE on Windows; -1 when none
};

/// The line a refused process prints: "home directory HOME is in use by process PID
/// (PROGRAM)", or without the holder when the lock file names none.
[[nodiscard]] std::string describe_home_in_use(const std::filesystem::path& home);

} // namespace swarmshare::client
