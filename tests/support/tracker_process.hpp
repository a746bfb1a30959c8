#pragma once
// Runs swarmshare-tracker as a separate process for end-to-end tests: started on
// 127.0.0.1 with port 0, ready once it printed its `listening on` line, and always stopped
// by the test (SIGTERM, or SIGKILL to test crashes). POSIX only.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace swarmshare::test {

class TrackerProcess {
public:
  TrackerProcess() = default;
  TrackerProcess(const TrackerProcess&) = delete;
  TrackerProcess& operator=(const TrackerProcess&) = delete;
  TrackerProcess(TrackerProcess&& other) noexcept { *this = std::move(other); }
  TrackerProcess& operator=(TrackerProcess&& other) noexcept {
    if (this != &other) {
      kill_hard();
      pid_ = std::exchange(other.pid_, -1);
      stdout_fd_ = std::exchange(other.stdout_fd_, -1);
      port_ = other.port_;
      peer_id_ = std::move(other.peer_id_);
      stderr_path_ = std::move(other.stderr_path_);
    }
    return *this;
  }
  ~TrackerProcess() { kill_hard(); }

  /// Starts `binary --listen 127.0.0.1:0 --db DB --log-level debug ARGS...` and waits (up to
  /// 20 s) for its `listening on` line. Its stderr goes to `<DB name>.stderr` in the nearest
  /// existing folder above DB (the tracker makes DB's own folder). Throws on failure.
  static TrackerProcess start(const std::filesystem::path& binary,
                              const std::filesystem::path& database,
                              const std::vector<std::string>& extra_args = {}) {
    TrackerProcess process;
    auto log_dir = database.parent_path();
    while (!log_dir.empty() && !std::filesystem::is_directory(log_dir)) {
      log_dir = log_dir.parent_path();
    }
    process.stderr_path_ = (log_dir / (database.filename().string() + ".stderr")).string();
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
    posix_spawn_file_actions_addopen(&actions, 2, process.stderr_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
    std::vector<std::string> storage{binary.string(),   "--listen",    "127.0.0.1:0", "--db",
                                     database.string(), "--log-level", "debug"};
    storage.insert(storage.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& arg : storage) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    const int spawned =
        posix_spawn(&process.pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    process.stdout_fd_ = pipe_fds[0];
    if (spawned != 0) {
      process.pid_ = -1;
      throw std::runtime_error("cannot start " + binary.string());
    }
    process.wait_until_listening();
    return process;
  }

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// The tracker's Peer ID as it printed it.
  [[nodiscard]] const std::string& peer_id() const noexcept { return peer_id_; }
  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::string pinned_address() const { return peer_id_ + "@" + address(); }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] const std::string& stderr_path() const noexcept { return stderr_path_; }

  /// SIGTERM, then waits. Returns the exit code (-1 if it did not exit normally).
  int stop() { return end(SIGTERM); }
  /// SIGKILL, then waits: a crash at an arbitrary moment.
  void kill_hard() { (void)end(SIGKILL); }

private:
  int end(int signal) {
    if (pid_ <= 0) {
      return -1;
    }
    ::kill(pid_, signal);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0) {
    }
    pid_ = -1;
    if (stdout_fd_ >= 0) {
      close(stdout_fd_);
      stdout_fd_ = -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  void wait_until_listening() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    std::string buffer;
    for (;;) {
      for (auto newline = buffer.find('\n'); newline != std::string::npos;
           newline = buffer.find('\n')) {
        const std::string line = buffer.substr(0, newline);
        buffer.erase(0, newline + 1);
        constexpr std::string_view kId = "tracker id ";
        constexpr std::string_view kListening = "listening on 127.0.0.1:";
        if (line.starts_with(kId)) {
          peer_id_ = line.substr(kId.size());
        } else if (line.starts_with(kListening)) {
          port_ = static_cast<std::uint16_t>(std::stoul(line.substr(kListening.size())));
          return;
        }
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd readable{stdout_fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&readable, 1, static_cast<int>(left.count())) <= 0) {
        kill_hard();
        throw std::runtime_error("the tracker did not start listening in time");
      }
      char chunk[512];
      const auto got = read(stdout_fd_, chunk, sizeof chunk);
      if (got <= 0) {
        kill_hard();
        throw std::runtime_error("the tracker exited before listening");
      }
      buffer.append(chunk, static_cast<std::size_t>(got));
    }
  }

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
  std::string peer_id_;
  std::string stderr_path_;
};

} // namespace swarmshare::test
