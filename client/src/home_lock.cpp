#include "swarmshare/client/home_lock.hpp"

#include "swarmshare/client/error.hpp"

#include <array>
#include <charconv>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#ifdef _WIN32
#include <windows.h>
#else
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#endif

namespace swarmshare::client {
namespace {

/// The holder line is short; a longer file is not one of ours and is not read past this.
constexpr std::size_t kMaxHolderBytes = 256;

constexpr std::intptr_t kNoFile = -1; // also INVALID_HANDLE_VALUE on Windows

enum class LockOutcome { locked, held_elsewhere, failed };

// ---- What the operating system does: opening, locking, writing and reading the file ----

#ifdef _WIN32

HANDLE handle_of(std::intptr_t file) noexcept { return reinterpret_cast<HANDLE>(file); }

// Windows locks are mandatory: a locked byte cannot be read by another process. The lock is
// therefore taken on one byte far past the holder line (locking beyond the end of a file is
// allowed), so a refused process can still read who holds the home.
constexpr std::uint64_t kLockedByte = std::uint64_t{1} << 40U;

OVERLAPPED at_offset(std::uint64_t offset) noexcept {
  OVERLAPPED position{};
  position.Offset = static_cast<DWORD>(offset & 0xFFFF'FFFFU);
  position.OffsetHigh = static_cast<DWORD>(offset >> 32U);
  return position;
}

long current_process_id() noexcept { return static_cast<long>(::GetCurrentProcessId()); }

void close_quietly(std::intptr_t file) noexcept {
  if (file != kNoFile) {
    (void)::CloseHandle(handle_of(file));
  }
}

// Shared every way, so that another process can open the file to try the lock and read the
// holder line. A symbolic link is opened as itself and refused, as O_NOFOLLOW does.
std::intptr_t open_lock_file(const std::filesystem::path& path, bool for_writing) noexcept {
  const HANDLE file =
      ::CreateFileW(path.c_str(), for_writing ? GENERIC_READ | GENERIC_WRITE : GENERIC_READ,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                    for_writing ? OPEN_ALWAYS : OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    return kNoFile;
  }
  BY_HANDLE_FILE_INFORMATION info{};
  if (::GetFileInformationByHandle(file, &info) == 0 ||
      (info.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) != 0) {
    (void)::CloseHandle(file);
    return kNoFile;
  }
  return reinterpret_cast<std::intptr_t>(file);
}

// A LockFileEx lock belongs to this handle, so a second acquire in the same process is
// refused like one from another process; Windows releases it when the handle closes or the
// process ends, however it ends.
LockOutcome try_lock(std::intptr_t file) noexcept {
  OVERLAPPED position = at_offset(kLockedByte);
  if (::LockFileEx(handle_of(file), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
                   &position) != 0) {
    return LockOutcome::locked;
  }
  return ::GetLastError() == ERROR_LOCK_VIOLATION ? LockOutcome::held_elsewhere
                                                  : LockOutcome::failed;
}

bool replace_content(std::intptr_t file, const std::string& line) noexcept {
  FILE_END_OF_FILE_INFO end{};
  if (::SetFileInformationByHandle(handle_of(file), FileEndOfFileInfo, &end, sizeof(end)) == 0) {
    return false;
  }
  OVERLAPPED position = at_offset(0);
  DWORD wrote = 0;
  return ::WriteFile(handle_of(file), line.data(), static_cast<DWORD>(line.size()), &wrote,
                     &position) != 0 &&
         wrote == line.size();
}

long read_head(std::intptr_t file, std::span<char> buffer) noexcept {
  OVERLAPPED position = at_offset(0);
  DWORD got = 0;
  if (::ReadFile(handle_of(file), buffer.data(), static_cast<DWORD>(buffer.size()), &got,
                 &position) == 0) {
    return -1;
  }
  return static_cast<long>(got);
}

#else

long current_process_id() noexcept { return static_cast<long>(::getpid()); }

void close_quietly(std::intptr_t file) noexcept {
  if (file >= 0) {
    (void)::close(static_cast<int>(file));
  }
}

std::intptr_t open_lock_file(const std::filesystem::path& path, bool for_writing) noexcept {
  const int fd = for_writing ? ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)
                             : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  return fd < 0 ? kNoFile : fd;
}

// flock, not fcntl locks: fcntl locks belong to the process and are dropped when any of
// its descriptors of the file closes; flock belongs to this open file description, so a
// second acquire in the same process is refused like one from another process.
LockOutcome try_lock(std::intptr_t file) noexcept {
  while (::flock(static_cast<int>(file), LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    if (error == EINTR) {
      continue;
    }
    return error == EWOULDBLOCK ? LockOutcome::held_elsewhere : LockOutcome::failed;
  }
  return LockOutcome::locked;
}

bool replace_content(std::intptr_t file, const std::string& line) noexcept {
  const int fd = static_cast<int>(file);
  if (::ftruncate(fd, 0) != 0) {
    return false;
  }
  std::size_t written = 0;
  while (written < line.size()) {
    const auto n =
        ::pwrite(fd, line.data() + written, line.size() - written, static_cast<off_t>(written));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return true;
}

long read_head(std::intptr_t file, std::span<char> buffer) noexcept {
  return static_cast<long>(::pread(static_cast<int>(file), buffer.data(), buffer.size(), 0));
}

#endif

// ---- The same on every system ----

[[nodiscard]] std::string holder_line(const std::string& program) {
  std::string line = std::to_string(current_process_id());
  if (!program.empty()) {
    line += ' ';
    // One line: a name with a newline would read back as a different holder.
    for (const char c : program.substr(0, kMaxHolderBytes / 2)) {
      line += (c == '\n' || c == '\r') ? '_' : c;
    }
  }
  line += '\n';
  return line;
}

} // namespace

core::Result<HomeLock> HomeLock::acquire(const std::filesystem::path& home,
                                         const std::string& program) {
  std::error_code ec;
  std::filesystem::create_directories(home, ec);
  if (ec) {
    return make_error_code(Errc::home_unusable);
  }
  const auto path = home / kFileName;
  const std::intptr_t file = open_lock_file(path, true);
  if (file == kNoFile) {
    return make_error_code(Errc::home_unusable);
  }
  if (const auto locked = try_lock(file); locked != LockOutcome::locked) {
    close_quietly(file);
    return make_error_code(locked == LockOutcome::held_elsewhere ? Errc::home_in_use
                                                                 : Errc::home_unusable);
  }
  // Replaces the file's content with ours. Only the lock holder writes, so no reader sees
  // two holders mixed; a reader may see a short or empty file while we write, and says
  // less. A holder line that cannot be written only makes a refused process's message vaguer.
  (void)replace_content(file, holder_line(program));
  return HomeLock{home, file};
}

std::optional<LockHolder> HomeLock::holder(const std::filesystem::path& home) {
  const auto path = home / kFileName;
  const std::intptr_t file = open_lock_file(path, false);
  if (file == kNoFile) {
    return std::nullopt;
  }
  std::array<char, kMaxHolderBytes> buffer{};
  const long n = read_head(file, buffer);
  close_quietly(file);
  if (n <= 0) {
    return std::nullopt;
  }
  std::string_view text(buffer.data(), static_cast<std::size_t>(n));
  const auto end_of_line = text.find('\n');
  if (end_of_line == std::string_view::npos) {
    return std::nullopt; // torn or foreign: better to say nothing than something wrong
  }
  text = text.substr(0, end_of_line);
  LockHolder holder;
  const auto [rest, parse_error] =
      std::from_chars(text.data(), text.data() + text.size(), holder.process_id);
  if (parse_error != std::errc{} || holder.process_id <= 0) {
    return std::nullopt;
  }
  std::string_view program(rest, static_cast<std::size_t>(text.data() + text.size() - rest));
  if (!program.empty() && program.front() == ' ') {
    holder.program = std::string(program.substr(1));
  } else if (!program.empty()) {
    return std::nullopt;
  }
  return holder;
}

HomeLock::HomeLock(HomeLock&& other) noexcept
    : home_(std::move(other.home_)), file_(std::exchange(other.file_, kNoFile)) {}

HomeLock& HomeLock::operator=(HomeLock&& other) noexcept {
  if (this != &other) {
    close_quietly(file_); // closing the descriptor (handle) releases its lock
    home_ = std::move(other.home_);
    file_ = std::exchange(other.file_, kNoFile);
  }
  return *this;
}

HomeLock::~HomeLock() { close_quietly(file_); }

std::string describe_home_in_use(const std::filesystem::path& home) {
  std::string text = "home directory " + home.string() + " is in use";
  if (const auto holder = HomeLock::holder(home)) {
    text += " by process " + std::to_string(holder->process_id);
    if (!holder->program.empty()) {
      text += " (" + holder->program + ")";
    }
  }
  return text;
}

} // namespace swarmshare::client
