#pragma once
// What every command that drives the engine shares: opening a client::Session from the
// global options (with the messages a user needs when it cannot be opened), SIGINT and
// SIGTERM, draining the session's events on the main thread, log lines on stderr, serving
// until a signal, and a clean shutdown.
//
// Signals: the runner blocks SIGINT and SIGTERM before the session starts its threads (they
// inherit the mask) and waits for them on a thread of its own, which wakes the main loop.
// So no engine thread is ever interrupted by a handler, and the main loop needs no polling.
// On Windows the same comes from Ctrl-C, Ctrl-Break and the closing of the console window
// (core/platform/stop_signals.hpp).

#include "global_options.hpp"

#include "swarmshare/client/events.hpp"
#include "swarmshare/client/session.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace swarmshare::cli {

/// Writes one line to stdout and flushes it: scripts and tests wait for lines as they come.
void print_line(const std::string& line);
/// One JSON object on its own line of stdout, flushed.
void print_json(const nlohmann::json& object);
/// Replaces control characters (a newline in a remote file name, say) so that no text from
/// elsewhere can forge lines of our output.
[[nodiscard]] std::string printable(std::string_view text);

class SessionRunner {
public:
  explicit SessionRunner(const GlobalOptions& global);
  ~SessionRunner();
  SessionRunner(const SessionRunner&) = delete;
  SessionRunner& operator=(const SessionRunner&) = delete;
  SessionRunner(SessionRunner&&) = delete;
  SessionRunner& operator=(SessionRunner&&) = delete;

  /// Opens the session; on failure prints why (a home in use names its holder) and returns
  /// the exit code.
  [[nodiscard]] std::optional<int> open(client::SessionOptions options);
  [[nodiscard]] client::Session& session() { return *session_; }
  [[nodiscard]] const GlobalOptions& global() const noexcept { return global_; }
  /// Log lines below warning are not printed (one-shot commands that only read the state).
  void set_quiet(bool quiet) noexcept { quiet_ = quiet; }

  /// Waits up to `timeout` for events or a signal; returns the events that came (log lines
  /// are printed here and returned too).
  [[nodiscard]] std::vector<client::Event> wait_events(std::chrono::milliseconds timeout);
  /// The events queued now, without waiting (log lines printed, as above).
  [[nodiscard]] std::vector<client::Event> drain();
  /// SIGINT or SIGTERM arrived.
  [[nodiscard]] bool interrupted() const noexcept { return interrupted_.load(); }

  /// Waits for a command's future while draining events into `on_event`. Empty when a
  /// signal came first (the command is left to the session's end).
  template <class T>
  [[nodiscard]] std::optional<T>
  await(std::future<T> future, const std::function<void(const client::Event&)>& on_event = {}) {
    for (;;) {
      if (future.wait_for(std::chrono::seconds{0}) == std::future_status::ready) {
        dispatch(wait_events(std::chrono::milliseconds{0}), on_event);
        return future.get();
      }
      if (interrupted()) {
        return std::nullopt;
      }
      // Futures do not wake the event wait, so look again at a short interval.
      dispatch(wait_events(kFuturePoll), on_event);
    }
  }

  /// Prints `serving on ADDR:PORT` and serves until SIGINT or SIGTERM, printing log lines.
  void serve_until_signal();
  /// Session::shutdown (goodbyes, unannounces), waited for with a safety net, then the
  /// session is closed.
  void shutdown();

private:
  static constexpr std::chrono::milliseconds kFuturePoll{50};

  static void dispatch(const std::vector<client::Event>& events,
                       const std::function<void(const client::Event&)>& on_event);
  void print_log(const client::LogLine& line) const;
  void wait_for_signals();

  const GlobalOptions& global_;
  bool quiet_ = false;
  std::chrono::milliseconds tracker_timeout_{std::chrono::seconds{10}};
  std::unique_ptr<client::Session> session_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool events_pending_ = false;
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> stopping_{false};
  std::thread signal_thread_;
};

} // namespace swarmshare::cli
