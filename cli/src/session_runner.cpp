#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "session_runner.hpp"

#include "exit_codes.hpp"

#include "swarmshare/client/error.hpp"
#include "swarmshare/client/home_lock.hpp"
#include "swarmshare/core/platform/local_time.hpp"
#include "swarmshare/core/platform/stop_signals.hpp"

#include <ctime>
#include <iostream>

namespace swarmshare::cli {
namespace {

// How often the signal thread looks whether the runner is ending.
constexpr std::chrono::milliseconds kSignalPoll{200};

std::string clock_text(std::chrono::system_clock::time_point at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  const std::tm local = core::platform::local_time(seconds);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

} // namespace

void print_line(const std::string& line) { std::cout << line << '\n' << std::flush; }

void print_json(const nlohmann::json& object) {
  // Names are UTF-8 by protocol; a broken one must still not abort the output.
  print_line(object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(byte < 0x20 || byte == 0x7F ? '?' : c);
  }
  return out;
}

SessionRunner::SessionRunner(const GlobalOptions& global) : global_(global) {
  // Before any thread starts: every thread the session makes inherits the blocked mask, so
  // the signals reach only the wait below.
  core::platform::block_stop_signals();
  signal_thread_ = std::thread([this] { wait_for_signals(); });
}

SessionRunner::~SessionRunner() {
  session_.reset();
  stopping_.store(true);
  if (signal_thread_.joinable()) {
    signal_thread_.join();
  }
}

void SessionRunner::wait_for_signals() {
  while (!stopping_.load()) {
    if (core::platform::wait_for_stop_signal(kSignalPoll)) {
      interrupted_.store(true);
      const std::lock_guard guard(mutex_);
      wake_.notify_all();
    }
  }
}

std::optional<int> SessionRunner::open(client::SessionOptions options) {
  tracker_timeout_ = options.tracker_timeout;
  const auto home = options.home;
  auto opened = client::Session::open(std::move(options));
  if (!opened) {
    if (opened.error() == client::Errc::home_in_use) {
      std::cerr << "swarmshare-cli: " << client::describe_home_in_use(home) << '\n';
    } else {
      std::cerr << "swarmshare-cli: cannot start in " << home.string() << ": "
                << opened.error().message() << '\n';
    }
    return kExitFailure;
  }
  session_ = std::move(opened).value();
  session_->set_notify([this] {
    const std::lock_guard guard(mutex_);
    events_pending_ = true;
    wake_.notify_all();
  });
  return std::nullopt;
}

std::vector<client::Event> SessionRunner::wait_events(std::chrono::milliseconds timeout) {
  {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, timeout, [this] { return events_pending_ || interrupted_.load(); });
    events_pending_ = false;
  }
  return drain();
}

std::vector<client::Event> SessionRunner::drain() {
  auto events = session_->take_events();
  for (const auto& event : events) {
    if (const auto* line = std::get_if<client::LogLine>(&event)) {
      print_log(*line);
    }
  }
  return events;
}

void SessionRunner::dispatch(const std::vector<client::Event>& events,
                             const std::function<void(const client::Event&)>& on_event) {
  if (!on_event) {
    return;
  }
  for (const auto& event : events) {
    on_event(event);
  }
}

void SessionRunner::print_log(const client::LogLine& line) const {
  // The log goes to stderr so that stdout stays the command's result (File IDs, JSON).
  if (quiet_ && line.level == client::LogLevel::info) {
    return;
  }
  const char* level = line.level == client::LogLevel::error     ? "error: "
                      : line.level == client::LogLevel::warning ? "warning: "
                                                                : "";
  std::cerr << '[' << clock_text(line.at) << "] " << level << printable(line.text) << '\n'
            << std::flush;
}

void SessionRunner::serve_until_signal() {
  const std::string endpoint = session_->peer_endpoint().to_string();
  if (const auto dht = session_->dht_endpoint()) {
    if (global_.json) {
      print_json({{"event", "dht_listening"}, {"endpoint", dht->to_string()}});
    } else {
      print_line("dht listening on " + dht->to_string());
    }
  }
  if (global_.json) {
    print_json({{"event", "serving"}, {"endpoint", endpoint}});
  } else {
    print_line("serving on " + endpoint);
  }
  while (!interrupted()) {
    (void)wait_events(std::chrono::seconds{1});
  }
}

void SessionRunner::shutdown() {
  if (!session_) {
    return;
  }
  auto done = session_->shutdown();
  // Each unannounce is bounded by the tracker timeout; this is only a safety net against a
  // shutdown that never completes, so that a stop signal always ends the process.
  const auto deadline = std::chrono::steady_clock::now() + 3 * tracker_timeout_;
  // (Not wait_events: after a signal it returns at once, and this would spin.)
  while (done.wait_for(kFuturePoll) != std::future_status::ready &&
         std::chrono::steady_clock::now() < deadline) {
    (void)drain();
  }
  (void)drain();
  session_.reset();
}

} // namespace swarmshare::cli
