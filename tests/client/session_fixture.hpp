#pragma once
// The fixture of the engine's end-to-end tests: a tracker on 127.0.0.1 (a store and a server
// in this process) and sessions opened on homes in a temporary folder, plus a collector of
// a session's events that waits, with a safety limit, for the one a test expects.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/client/error.hpp"
#include "swarmshare/client/home_lock.hpp"
#include "swarmshare/client/session.hpp"
#include "swarmshare/core/clock.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/tracker/server.hpp"
#include "swarmshare/tracker/store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

namespace swarmshare::client {
using namespace std::chrono_literals;

// Collects a session's events; waits (with a safety limit) until one matches.
class Events {
public:
  explicit Events(Session& session) : session_(session) {
    session_.set_notify([this] {
      const std::lock_guard lock(mutex_);
      ready_.notify_all();
    });
  }
  ~Events() { session_.set_notify({}); }
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;
  Events(Events&&) = delete;
  Events& operator=(Events&&) = delete;

  template <class T, class Predicate>
  std::optional<T> wait_for(Predicate predicate, std::chrono::seconds limit = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      for (auto& event : session_.take_events()) {
        seen_.push_back(event);
      }
      for (std::size_t i = checked_; i < seen_.size(); ++i) {
        if (const auto* typed = std::get_if<T>(&seen_[i]); typed && predicate(*typed)) {
          checked_ = i + 1;
          return *typed;
        }
      }
      std::unique_lock lock(mutex_);
      if (ready_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + 50ms)) ==
              std::cv_status::timeout &&
          std::chrono::steady_clock::now() >= deadline) {
        print_log(); // what the session said, to see why the event never came
        return std::nullopt;
      }
    }
  }
  template <class T>
  std::optional<T> wait_for(std::chrono::seconds limit = 30s) {
    return wait_for<T>([](const T&) { return true; }, limit);
  }

  void print_log() const {
    for (const auto& event : seen_) {
      if (const auto* line = std::get_if<LogLine>(&event)) {
        std::cerr << "  session log: " << line->text << '\n';
      } else if (const auto* failed = std::get_if<DownloadFailed>(&event)) {
        std::cerr << "  download failed: " << failed->error.message() << ": " << failed->detail
                  << '\n';
      }
    }
  }

private:
  Session& session_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Event> seen_;
  std::size_t checked_ = 0;
};

class SessionTest : public ::testing::Test {
protected:
  SessionTest()
      : tracker_identity_(crypto::Identity::generate()),
        tracker_keys_(tracker_identity_, crypto::NetworkId::public_network(), tracker_clock_) {
    store_.emplace(tracker::Store::open(dir_.path() / "tracker.db").value());
    tracker::ServerOptions options;
    options.listen = core::Endpoint::ipv4({127, 0, 0, 1}, 0);
    options.limits.max_connections_per_address = 64;
    options.limits.requests_per_second = 10'000;
    options.io_threads = 1;
    server_ = tracker::Server::start(*store_, tracker_keys_, options, tracker_clock_).value();
  }

  [[nodiscard]] std::filesystem::path make_file(const std::string& name, std::size_t size) {
    const auto path = dir_.path() / "originals" / name;
    std::filesystem::create_directories(path.parent_path());
    std::vector<char> bytes(size);
    std::mt19937 generator(7);
    for (auto& byte : bytes) {
      byte = static_cast<char>(generator());
    }
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size));
    return path;
  }

  [[nodiscard]] std::unique_ptr<Session>
  open(const std::string& home_name, std::chrono::milliseconds no_source_timeout = 20s,
       const std::function<void(SessionOptions&)>& adjust = {}) {
    SessionOptions options;
    options.home = dir_.path() / home_name;
    options.program = "session_test";
    options.tracker = tracker::TrackerAddress{"127.0.0.1", server_->local_endpoint().port(),
                                              tracker_identity_.peer_id()};
    options.listen = core::Endpoint::ipv4({127, 0, 0, 1}, 0);
    options.tracker_timeout = 5s;
    options.download.no_source_timeout = no_source_timeout;
    options.download.source_interval = 200ms;
    if (adjust) {
      adjust(options);
    }
    auto session = Session::open(options);
    EXPECT_TRUE(session) << session.error().message();
    return session ? std::move(session).value() : nullptr;
  }

  [[nodiscard]] static std::vector<char> read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  swarmshare::test::TempDir dir_;
  core::ManualClock tracker_clock_{std::chrono::system_clock::now()};
  crypto::Identity tracker_identity_;
  crypto::StaticKeyManager tracker_keys_;
  std::optional<tracker::Store> store_;
  std::unique_ptr<tracker::Server> server_;
};

} // namespace swarmshare::client
