#include "swarmshare/client/home_lock.hpp"

#include "swarmshare/client/error.hpp"

#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <string_view>
#include <system_error>

namespace swarmshare::client {
namespace {

/// The holder line is short; a longer file is not one of ours and is not read past this.
constexpr std::size_t kMaxHolderBytes = 256;

[[nodiscard]] std::string holder_line(const std::string& program) {
  std::string line = std::to_string(static_cast<long>(::getpid()));
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

// Replaces the file's content with ours. Only the lock holder writes, so no reader sees
// two holders mixed; a reader may see a short or empty file while we write, and says less.
[[nodiscard]] bool write_holder(int fd, const std::string& line) {
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

void close_quietly(int fd) noexcept {
  if (fd >= 0) {
    (void)::close(fd);
  }
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
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return make_error_code(Errc::home_unusable);
  }
  // flock, not fcntl locks: fcntl locks belong to the process and are dropped when any of
  // its descriptors of the file closes; flock belongs to this open file description, so a
  // second acquire in the same process is refused like one from another process.
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    if (error == EINTR) {
      continue;
    }
    close_quietly(fd);
    return make_error_code(error == EWOULDBLOCK ? Errc::home_in_use : Errc::home_unusable);
  }
  // A holder line that cannot be written only makes a refused process's message vaguer.
  (void)write_holder(fd, holder_line(program));
  return HomeLock{home, fd};
}

std::optional<LockHolder> HomeLock::holder(const std::filesystem::path& home) {
  const auto path = home / kFileName;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return std::nullopt;
  }
  std::array<char, kMaxHolderBytes> buffer{};
  const auto n = ::pread(fd, buffer.data(), buffer.size(), 0);
  close_quietly(fd);
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
    : home_(std::move(other.home_)), fd_(std::exchange(other.fd_, -1)) {}

HomeLock& HomeLock::operator=(HomeLock&& other) noexcept {
  if (this != &other) {
    close_quietly(fd_); // closing the descriptor releases its flock
    home_ = std::move(other.home_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

HomeLock::~HomeLock() { close_quietly(fd_); }

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
