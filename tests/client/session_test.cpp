// The engine end to end, in one process: a tracker on 127.0.0.1 and several sessions, each
// with its own home. Share, download, "Share this file?" Yes, the original leaves, a third
// peer completes from the re-sharer alone.

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
namespace {

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

TEST_F(SessionTest, secondSessionOnOneHomeIsRefusedAndTheHolderNamed) {
  auto first = open("home");
  ASSERT_TRUE(first);
  SessionOptions options;
  options.home = dir_.path() / "home";
  options.listen = core::Endpoint::ipv4({127, 0, 0, 1}, 0);
  auto second = Session::open(options);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), make_error_code(Errc::home_in_use));
  EXPECT_NE(describe_home_in_use(options.home).find("session_test"), std::string::npos);
}

TEST_F(SessionTest, shareAnnouncesAndIsSearchable) {
  auto sharer = open("sharer");
  ASSERT_TRUE(sharer);
  const auto original = make_file("holiday-video-2026.bin", 300'000);
  auto shared = sharer->share(original).get();
  ASSERT_TRUE(shared) << shared.error().message();
  EXPECT_FALSE(shared.value().already_shared);
  ASSERT_EQ(shared.value().announced.size(), 1U);
  EXPECT_FALSE(shared.value().announced.front().error);

  auto again = sharer->share(original).get();
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value().file_id, shared.value().file_id);

  auto hits = sharer->search("holiday").get();
  ASSERT_TRUE(hits) << hits.error().message();
  ASSERT_EQ(hits.value().size(), 1U);
  EXPECT_EQ(hits.value().front().file_id, shared.value().file_id);

  auto library = sharer->library().get();
  ASSERT_TRUE(library);
  ASSERT_EQ(library.value().size(), 1U);
  EXPECT_EQ(library.value().front().source, FileSource::shared);
}

TEST_F(SessionTest, downloadThenShareThenTheOriginalLeavesAndAThirdPeerCompletes) {
  const auto original = make_file("ubuntu-24.04.iso", 2 * 1024 * 1024 + 4321);
  auto first = open("first");
  ASSERT_TRUE(first);
  std::optional<Events> first_events;
  first_events.emplace(*first);
  auto shared = first->share(original).get();
  ASSERT_TRUE(shared) << shared.error().message();
  const core::FileId file_id = shared.value().file_id;

  // The second downloads, and says Yes.
  auto second = open("second");
  ASSERT_TRUE(second);
  Events second_events(*second);
  const auto second_folder = dir_.path() / "second-downloads";
  ASSERT_TRUE(second->download(DownloadCommand{file_id, second_folder, nullptr, {}}).get());
  const auto completed = second_events.wait_for<DownloadCompleted>();
  if (!completed) {
    (void)first_events->wait_for<DownloadCompleted>(1s); // collects and prints the seeder's log
  }
  ASSERT_TRUE(completed.has_value()) << "the download did not complete";
  EXPECT_EQ(completed->file_id, file_id);
  EXPECT_EQ(read_all(completed->path), read_all(original));
  auto reshared = second->accept_share(file_id).get();
  ASSERT_TRUE(reshared) << reshared.error().message();
  EXPECT_EQ(reshared.value().file_id, file_id);
  ASSERT_EQ(reshared.value().announced.size(), 1U);
  EXPECT_FALSE(reshared.value().announced.front().error);
  auto second_library = second->library().get();
  ASSERT_TRUE(second_library);
  ASSERT_EQ(second_library.value().size(), 1U);
  EXPECT_EQ(second_library.value().front().source, FileSource::downloaded);

  // The original seeder leaves (and withdraws its announce).
  first_events.reset();
  first->shutdown().get();
  first.reset();

  // A third peer completes from the re-sharer alone.
  auto third = open("third");
  ASSERT_TRUE(third);
  Events third_events(*third);
  ASSERT_TRUE(
      third->download(DownloadCommand{file_id, dir_.path() / "third-downloads", nullptr, {}})
          .get());
  const auto from_reshared = third_events.wait_for<DownloadCompleted>();
  ASSERT_TRUE(from_reshared.has_value()) << "the third download did not complete";
  EXPECT_EQ(read_all(from_reshared->path), read_all(original));
  EXPECT_EQ(from_reshared->sources, 1U);
  ASSERT_TRUE(third->decline_share(file_id).get());
  auto history = third->history(10, 0).get();
  ASSERT_TRUE(history);
  ASSERT_GE(history.value().size(), 2U);
  EXPECT_EQ(history.value().front().outcome, HistoryOutcome::share_declined);
}

// The peers the tracker lists for `file_id`, polled until `wanted` says yes (or 10 s).
[[nodiscard]] bool
tracker_lists_until(tracker::Store& store, const core::FileId& file_id,
                    const std::function<bool(const std::vector<crypto::PeerId>&)>& wanted) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    auto entries = store.get_peers(file_id, 50, std::nullopt, std::chrono::system_clock::now());
    std::vector<crypto::PeerId> peers;
    if (entries) {
      for (const auto& entry : entries.value()) {
        peers.push_back(entry.peer);
      }
    }
    if (wanted(peers)) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
}

TEST_F(SessionTest, aDownloaderIsListedAsASourceWhileItDownloadsAndNotOnceDoneAndNo) {
  const auto original = make_file("flash-crowd.bin", 4 * 1024 * 1024);
  auto seeder = open("seeder");
  ASSERT_TRUE(seeder);
  auto shared = seeder->share(original).get();
  ASSERT_TRUE(shared) << shared.error().message();
  const core::FileId file_id = shared.value().file_id;

  // Slow enough to be caught in the middle, fast enough to finish within the test.
  auto downloader = open("downloader", 20s,
                         [](SessionOptions& options) { options.download_limit = 1024 * 1024; });
  ASSERT_TRUE(downloader);
  Events events(*downloader);
  ASSERT_TRUE(
      downloader->download(DownloadCommand{file_id, dir_.path() / "downloads", nullptr, {}}).get());
  const auto contains_downloader = [&](const std::vector<crypto::PeerId>& peers) {
    return std::find(peers.begin(), peers.end(), downloader->peer_id()) != peers.end();
  };
  EXPECT_TRUE(tracker_lists_until(*store_, file_id, contains_downloader))
      << "the downloader was not listed while downloading";
  EXPECT_FALSE(events.wait_for<DownloadCompleted>(1s).has_value())
      << "finished too soon for the check above to mean anything";

  ASSERT_TRUE(events.wait_for<DownloadCompleted>().has_value());
  ASSERT_TRUE(downloader->decline_share(file_id).get());
  EXPECT_TRUE(tracker_lists_until(*store_, file_id, [&](const std::vector<crypto::PeerId>& peers) {
    return !contains_downloader(peers);
  })) << "the downloader is still listed after it said No";
  // A search never shows more than the original share made it: the downloader's listing
  // adds no listed file of its own.
  auto hits = seeder->search("flash").get();
  ASSERT_TRUE(hits);
  EXPECT_EQ(hits.value().size(), 1U);
}

TEST_F(SessionTest, chunksServedWhileDownloadingCountAsUploaded) {
  const auto original = make_file("served-on.bin", 4 * 1024 * 1024);
  // A slow seeder, so the last downloader also asks the first one.
  auto seeder =
      open("seeder", 20s, [](SessionOptions& options) { options.upload_limit = 512 * 1024; });
  ASSERT_TRUE(seeder);
  auto shared = seeder->share(original).get();
  ASSERT_TRUE(shared) << shared.error().message();
  const core::FileId file_id = shared.value().file_id;

  auto early = open("early");
  ASSERT_TRUE(early);
  Events early_events(*early);
  ASSERT_TRUE(early->download(DownloadCommand{file_id, dir_.path() / "early", nullptr, {}}).get());
  ASSERT_TRUE(early_events
                  .wait_for<DownloadProgressed>([](const DownloadProgressed& progressed) {
                    return progressed.progress.verified_bytes >= 1024 * 1024;
                  })
                  .has_value());

  auto late = open("late");
  ASSERT_TRUE(late);
  Events late_events(*late);
  ASSERT_TRUE(late->download(DownloadCommand{file_id, dir_.path() / "late", nullptr, {}}).get());
  ASSERT_TRUE(late_events.wait_for<DownloadCompleted>().has_value());

  // The statistics tick (once a second) or the download's end writes what it served.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::uint64_t uploaded = 0;
  while (uploaded == 0 && std::chrono::steady_clock::now() < deadline) {
    auto totals = early->totals().get();
    ASSERT_TRUE(totals);
    uploaded = totals.value().bytes_uploaded;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GT(uploaded, 0U)
      << "the late downloader got nothing from the early one, or it was not counted";
}

TEST_F(SessionTest, downloadOfAnUnknownFileFailsWithNoSources) {
  auto lonely = open("lonely", 1s);
  ASSERT_TRUE(lonely);
  Events events(*lonely);
  core::FileId unknown{};
  ASSERT_TRUE(
      lonely->download(DownloadCommand{unknown, dir_.path() / "nowhere", nullptr, {}}).get());
  const auto failed = events.wait_for<DownloadFailed>(20s);
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->file_id, unknown);
}

// ---- The queue of downloads and the settings ----
//
// Downloads of files nobody has stay active (looking for sources) until their no-source
// timeout, which these tests set long: each takes a slot for as long as a test needs.

core::FileId unknown_file(std::uint8_t n) {
  core::Hash256 digest{};
  digest.fill(n);
  return core::FileId{digest};
}

auto limited_to(std::uint32_t max_active) {
  return [max_active](SessionOptions& options) { options.max_active_downloads = max_active; };
}

TEST_F(SessionTest, downloadBeyondTheLimitWaitsInTheQueue) {
  auto session = open("queue", 60s, limited_to(1));
  ASSERT_TRUE(session);
  Events events(*session);
  const auto a = unknown_file(1);
  const auto b = unknown_file(2);
  ASSERT_TRUE(session->download(DownloadCommand{a, dir_.path() / "in", nullptr, {}}).get());
  ASSERT_TRUE(events.wait_for<DownloadStarted>([&](const auto& e) { return e.file_id == a; }));
  ASSERT_TRUE(session->download(DownloadCommand{b, dir_.path() / "in", nullptr, {}}).get());
  const auto queued = events.wait_for<DownloadQueued>();
  ASSERT_TRUE(queued.has_value());
  EXPECT_EQ(queued->file_id, b);
  EXPECT_EQ(queued->position, 1U);
  EXPECT_FALSE(events.wait_for<DownloadStarted>(1s)) << "b started beyond the limit";

  // The active one ends: the queued one starts.
  ASSERT_TRUE(session->cancel(a).get());
  const auto started = events.wait_for<DownloadStarted>();
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->file_id, b);
}

TEST_F(SessionTest, pausingTheActiveDownloadStartsTheNextAndResumingItQueuesIt) {
  auto session = open("pause", 60s, limited_to(1));
  ASSERT_TRUE(session);
  Events events(*session);
  const auto a = unknown_file(1);
  const auto b = unknown_file(2);
  ASSERT_TRUE(session->download(DownloadCommand{a, dir_.path() / "in", nullptr, {}}).get());
  ASSERT_TRUE(session->download(DownloadCommand{b, dir_.path() / "in", nullptr, {}}).get());
  ASSERT_TRUE(events.wait_for<DownloadQueued>([&](const auto& e) { return e.file_id == b; }));
  ASSERT_TRUE(session->pause(a).get());
  ASSERT_TRUE(events.wait_for<DownloadStarted>([&](const auto& e) { return e.file_id == b; }));
  // b has the slot now: a, resumed, waits for it.
  ASSERT_TRUE(session->resume(a).get());
  const auto requeued = events.wait_for<DownloadQueued>();
  ASSERT_TRUE(requeued.has_value());
  EXPECT_EQ(requeued->file_id, a);
  ASSERT_TRUE(session->cancel(b).get());
  ASSERT_TRUE(events.wait_for<DownloadStarted>([&](const auto& e) { return e.file_id == a; }));
}

TEST_F(SessionTest, cancellingAQueuedDownloadRemovesItFromTheQueue) {
  auto session = open("cancel", 60s, limited_to(1));
  ASSERT_TRUE(session);
  Events events(*session);
  const auto a = unknown_file(1);
  const auto b = unknown_file(2);
  const auto c = unknown_file(3);
  for (const auto& file : {a, b, c}) {
    ASSERT_TRUE(session->download(DownloadCommand{file, dir_.path() / "in", nullptr, {}}).get());
  }
  ASSERT_TRUE(events.wait_for<DownloadQueued>([&](const auto& e) { return e.file_id == c; }));
  ASSERT_TRUE(session->cancel(b).get());
  ASSERT_TRUE(session->cancel(a).get());
  // c starts, b never does.
  const auto started =
      events.wait_for<DownloadStarted>([&](const auto& e) { return e.file_id != a; });
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->file_id, c);
  auto history = session->history(10, 0).get();
  ASSERT_TRUE(history);
  ASSERT_GE(history.value().size(), 2U);
  EXPECT_EQ(history.value().back().file_id, b);
  EXPECT_EQ(history.value().back().outcome, HistoryOutcome::cancelled);
}

TEST_F(SessionTest, raisingTheLimitStartsQueuedDownloads) {
  auto session = open("raise", 60s, limited_to(1));
  ASSERT_TRUE(session);
  Events events(*session);
  const auto a = unknown_file(1);
  const auto b = unknown_file(2);
  ASSERT_TRUE(session->download(DownloadCommand{a, dir_.path() / "in", nullptr, {}}).get());
  ASSERT_TRUE(session->download(DownloadCommand{b, dir_.path() / "in", nullptr, {}}).get());
  ASSERT_TRUE(events.wait_for<DownloadQueued>([&](const auto& e) { return e.file_id == b; }));

  Settings settings = session->settings().get();
  EXPECT_EQ(settings.max_active_downloads, 1U);
  settings.max_active_downloads = 2;
  ASSERT_TRUE(session->apply_settings(settings).get());
  // The change is logged, then the queued download starts.
  EXPECT_TRUE(events.wait_for<LogLine>([](const LogLine& line) {
    return line.text.find("max_active_downloads 1 -> 2") != std::string::npos;
  }));
  ASSERT_TRUE(events.wait_for<DownloadStarted>([&](const auto& e) { return e.file_id == b; }));
  EXPECT_EQ(session->settings().get().max_active_downloads, 2U);
}

TEST_F(SessionTest, theQueueSurvivesARestartInItsOrderAfterTheActiveDownload) {
  const auto a = unknown_file(1);
  const auto b = unknown_file(2);
  const auto c = unknown_file(3);
  {
    auto session = open("restart", 60s, limited_to(1));
    ASSERT_TRUE(session);
    Events events(*session);
    for (const auto& file : {a, b, c}) {
      ASSERT_TRUE(session->download(DownloadCommand{file, dir_.path() / "in", nullptr, {}}).get());
    }
    ASSERT_TRUE(events.wait_for<DownloadQueued>([&](const auto& e) { return e.file_id == c; }));
    session->shutdown().get();
  }
  auto session = open("restart", 60s, limited_to(1));
  ASSERT_TRUE(session);
  Events events(*session);
  // The active download is resumed first; b and c wait, in their order.
  const auto resumed = events.wait_for<DownloadStarted>();
  ASSERT_TRUE(resumed.has_value());
  EXPECT_EQ(resumed->file_id, a);
  const auto first_queued = events.wait_for<DownloadQueued>();
  ASSERT_TRUE(first_queued.has_value());
  EXPECT_EQ(first_queued->file_id, b);
  EXPECT_EQ(first_queued->position, 1U);
  ASSERT_TRUE(session->cancel(a).get());
  const auto next = events.wait_for<DownloadStarted>();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->file_id, b);
}

TEST_F(SessionTest, settingsSurviveARestart) {
  Settings wanted;
  wanted.upload_limit = 512 * 1024;
  wanted.download_limit = 2 * 1024 * 1024;
  wanted.upload_limit_per_peer = 128 * 1024;
  wanted.max_active_downloads = 7;
  wanted.serve_while_downloading = false;
  wanted.after_download = AfterDownload::never_share;
  wanted.download_folder = dir_.path() / "downloads";
  {
    auto session = open("settings");
    ASSERT_TRUE(session);
    EXPECT_EQ(session->settings().get(), Settings{}); // the defaults before anything is saved
    ASSERT_TRUE(session->apply_settings(wanted).get());
    EXPECT_EQ(session->settings().get(), wanted);
    session->shutdown().get();
  }
  auto session = open("settings");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->settings().get(), wanted);
}

TEST_F(SessionTest, optionsGivenForARunWinOverTheSavedSettingsWithoutReplacingThem) {
  Settings saved;
  saved.upload_limit = 1024 * 1024;
  saved.upload_limit_per_peer = 256 * 1024;
  saved.max_active_downloads = 5;
  {
    auto session = open("override");
    ASSERT_TRUE(session);
    ASSERT_TRUE(session->apply_settings(saved).get());
    session->shutdown().get();
  }
  {
    auto session = open("override", 20s, [](SessionOptions& options) {
      options.upload_limit = 1000;
      options.upload_limit_per_peer = 500;
      options.max_active_downloads = 1;
    });
    ASSERT_TRUE(session);
    const Settings now = session->settings().get();
    EXPECT_EQ(now.upload_limit, 1000U);
    EXPECT_EQ(now.upload_limit_per_peer, 500U);
    EXPECT_EQ(now.max_active_downloads, 1U);
    session->shutdown().get();
  }
  auto session = open("override");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->settings().get(), saved);
}

TEST_F(SessionTest, changingThePerPeerUploadLimitReachesRunningSharesAndIsLogged) {
  const auto original = make_file("per-peer.bin", 64 * 1024);
  auto session = open("per-peer");
  ASSERT_TRUE(session);
  Events events(*session);
  ASSERT_TRUE(session->share(original).get());
  Settings settings = session->settings().get();
  settings.upload_limit_per_peer = 64 * 1024;
  ASSERT_TRUE(session->apply_settings(settings).get());
  EXPECT_TRUE(events.wait_for<LogLine>([](const LogLine& line) {
    return line.text.find("upload_limit_per_peer 0 -> 65536") != std::string::npos;
  }));
  EXPECT_EQ(session->settings().get().upload_limit_per_peer, 64U * 1024);
}

TEST_F(SessionTest, setDownloadLimitOnAnUnknownDownloadIsNotFound) {
  auto session = open("unknown-limit");
  ASSERT_TRUE(session);
  const auto refused = session->set_download_limit(unknown_file(9), 1024).get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), make_error_code(StateErrc::not_found));
}

TEST_F(SessionTest, setDownloadLimitOnAQueuedDownloadSucceeds) {
  auto session = open("queued-limit", 60s, limited_to(1));
  ASSERT_TRUE(session);
  Events events(*session);
  const auto a = unknown_file(1);
  const auto b = unknown_file(2);
  ASSERT_TRUE(session->download(DownloadCommand{a, dir_.path() / "in", nullptr, {}}).get());
  ASSERT_TRUE(session->download(DownloadCommand{b, dir_.path() / "in", nullptr, {}}).get());
  ASSERT_TRUE(events.wait_for<DownloadQueued>([&](const auto& e) { return e.file_id == b; }));
  EXPECT_TRUE(session->set_download_limit(b, 1024).get());
  EXPECT_TRUE(session->set_download_limit(a, 2048).get());
  // Once cancelled it is neither running nor queued.
  ASSERT_TRUE(session->cancel(b).get());
  const auto gone = session->set_download_limit(b, 1024).get();
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error(), make_error_code(StateErrc::not_found));
}

TEST_F(SessionTest, downloadStartedWithItsOwnLimitCompletesAndTheLimitCanChange) {
  const auto original = make_file("limited.bin", 256 * 1024 + 17);
  auto seeder = open("limited-seeder");
  ASSERT_TRUE(seeder);
  auto shared = seeder->share(original).get();
  ASSERT_TRUE(shared) << shared.error().message();
  const core::FileId file_id = shared.value().file_id;

  auto downloader = open("limited-downloader");
  ASSERT_TRUE(downloader);
  Events events(*downloader);
  DownloadCommand command{file_id, dir_.path() / "limited-downloads", nullptr, {}};
  command.download_limit = 1024 * 1024;
  ASSERT_TRUE(downloader->download(command).get());
  // Still running: it finds its source through the tracker first.
  const auto changed = downloader->set_download_limit(file_id, 2 * 1024 * 1024).get();
  EXPECT_TRUE(changed) << changed.error().message();
  const auto completed = events.wait_for<DownloadCompleted>();
  ASSERT_TRUE(completed.has_value()) << "the download did not complete";
  EXPECT_EQ(read_all(completed->path), read_all(original));
}

TEST_F(SessionTest, invalidSettingsAreRefusedAndChangeNothing) {
  auto session = open("invalid");
  ASSERT_TRUE(session);
  Settings bad;
  bad.max_active_downloads = Settings::kMaxActiveDownloadsCap + 1;
  auto refused = session->apply_settings(bad).get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), make_error_code(Errc::invalid_setting));
  bad = Settings{};
  bad.download_folder = "relative/folder";
  refused = session->apply_settings(bad).get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), make_error_code(Errc::invalid_setting));
  EXPECT_EQ(session->settings().get(), Settings{});
}

TEST_F(SessionTest, unreadableSavedSettingsFallBackToTheDefaultsWithAWarning) {
  std::filesystem::create_directories(dir_.path() / "damaged");
  {
    auto state = StateStore::open(dir_.path() / "damaged" / StateStore::kFileName);
    ASSERT_TRUE(state);
    ASSERT_TRUE(state.value().set_string("max_active_downloads", "lots"));
  }
  auto session = open("damaged");
  ASSERT_TRUE(session);
  Events events(*session);
  EXPECT_EQ(session->settings().get(), Settings{});
  EXPECT_TRUE(events.wait_for<LogLine>(
      [](const LogLine& line) { return line.level == LogLevel::warning; }, 5s));
}

TEST_F(SessionTest, downloadWithoutAFolderGoesToTheDefaultFolder) {
  auto session = open("folder", 60s);
  ASSERT_TRUE(session);
  Events events(*session);
  const auto a = unknown_file(1);
  auto refused = session->download(DownloadCommand{a, {}, nullptr, {}}).get();
  ASSERT_FALSE(refused) << "no folder and no default folder";
  EXPECT_EQ(refused.error(), make_error_code(Errc::invalid_setting));
  Settings settings;
  settings.download_folder = dir_.path() / "default-folder";
  ASSERT_TRUE(session->apply_settings(settings).get());
  ASSERT_TRUE(session->download(DownloadCommand{a, {}, nullptr, {}}).get());
  const auto started = events.wait_for<DownloadStarted>();
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->folder, *settings.download_folder);
}

} // namespace
} // namespace swarmshare::client
