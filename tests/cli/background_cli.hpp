#pragma once
// A swarmshare-cli (or any program) running in the background for a test: stdout read line
// by line through a pipe, stderr into a file, stopped by the test with a signal. The child
// inherits this process's environment at the time it starts.

#include "run_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace swarmshare::test {

namespace fs = std::filesystem;

/// How long wait_for_line waits at most.
inline constexpr std::chrono::seconds kBackgroundSafetyNet{20};

// swarmshare-cli running in the background: stdout read line by line through a pipe,
// stderr into a file, stopped by the test with a signal.
class BackgroundCli {
public:
  BackgroundCli(const fs::path& program, const std::vector<std::string>& args,
                const fs::path& stderr_path)
      : stderr_path_(stderr_path) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
      throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    std::vector<std::string> storage{program.string()};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : storage) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    const int spawned =
        posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    stdout_fd_ = pipe_fds[0];
    if (spawned != 0) {
      pid_ = -1;
      throw std::runtime_error("cannot start swarmshare-cli");
    }
  }
  ~BackgroundCli() {
    (void)stop(SIGKILL);
    if (stdout_fd_ >= 0) {
      close(stdout_fd_);
    }
  }
  BackgroundCli(const BackgroundCli&) = delete;
  BackgroundCli& operator=(const BackgroundCli&) = delete;

  /// The first line (from the start of the output) that `matches`; empty when the process
  /// ended or the safety net ran out first.
  std::optional<std::string> wait_for_line(const std::function<bool(const std::string&)>& matches) {
    return wait_for_line_after(0, matches);
  }
  /// As wait_for_line, from line `first` on (lines() before it were answers to earlier
  /// questions).
  std::optional<std::string>
  wait_for_line_after(std::size_t first, const std::function<bool(const std::string&)>& matches) {
    const auto deadline = std::chrono::steady_clock::now() + kBackgroundSafetyNet;
    for (std::size_t seen = first;;) {
      for (; seen < lines_.size(); ++seen) {
        if (matches(lines_[seen])) {
          return lines_[seen];
        }
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd readable{stdout_fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&readable, 1, static_cast<int>(left.count())) <= 0) {
        return std::nullopt;
      }
      char chunk[4096];
      const auto got = read(stdout_fd_, chunk, sizeof chunk);
      if (got <= 0) {
        return std::nullopt;
      }
      buffer_.append(chunk, static_cast<std::size_t>(got));
      for (auto newline = buffer_.find('\n'); newline != std::string::npos;
           newline = buffer_.find('\n')) {
        lines_.push_back(buffer_.substr(0, newline));
        buffer_.erase(0, newline + 1);
      }
    }
  }
  std::optional<std::string> wait_for_prefix(const std::string& prefix) {
    return wait_for_line([&](const std::string& line) { return line.starts_with(prefix); });
  }

  /// Sends `signal` and waits; the exit code, or -1 when it did not exit normally.
  int stop(int signal) {
    if (pid_ <= 0) {
      return exit_code_;
    }
    ::kill(pid_, signal);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0) {
    }
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] const std::vector<std::string>& lines() const noexcept { return lines_; }
  [[nodiscard]] std::string err() const { return test::slurp(stderr_path_); }
  /// Polls stderr until it holds `text`; false when `limit` passed first.
  [[nodiscard]] bool wait_for_err(const std::string& text,
                                  std::chrono::milliseconds limit = std::chrono::seconds{
                                      20}) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (err().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) {
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    return true;
  }

private:
  fs::path stderr_path_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int exit_code_ = -1;
  std::string buffer_;
  std::vector<std::string> lines_;
};

} // namespace swarmshare::test
