// The engine's download queue (a limit of active downloads), its saved settings and the
// rate limits it applies, end to end with sessions and a tracker on 127.0.0.1.

#include "session_fixture.hpp"

namespace swarmshare::client {
namespace {

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
