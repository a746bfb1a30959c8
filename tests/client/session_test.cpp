// The engine end to end, in one process: a tracker on 127.0.0.1 and several sessions, each
// with its own home. Share, download, "Share this file?" Yes, the original leaves, a third
// peer completes from the re-sharer alone; downloaders find each other and serve each other.

#include "session_fixture.hpp"

namespace swarmshare::client {
namespace {

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

TEST_F(SessionTest, cancelledHashingSharesNothingAndSaysSo) {
  auto sharer = open("sharer");
  ASSERT_TRUE(sharer);
  Events events(*sharer);
  // Sparse: 4 GiB of zeros take seconds to hash and no time to make.
  const auto big = dir_.path() / "originals" / "disk-image.raw";
  std::filesystem::create_directories(big.parent_path());
  std::ofstream(big, std::ios::binary).close();
  std::filesystem::resize_file(big, 4ULL << 30U);
  EXPECT_FALSE(sharer->cancel_hashing(big)); // nothing being hashed yet

  auto sharing = sharer->share(big);
  const auto started = events.wait_for<HashProgressed>(
      [](const HashProgressed& progress) { return progress.bytes_done > 0; });
  ASSERT_TRUE(started);
  ASSERT_LT(started->bytes_done, started->bytes_total) << "hashed before it could be cancelled";
  EXPECT_TRUE(sharer->cancel_hashing(big));

  const auto shared = sharing.get();
  ASSERT_FALSE(shared);
  EXPECT_EQ(shared.error(), make_error_code(core::Errc::cancelled));
  EXPECT_FALSE(sharer->cancel_hashing(big)); // no longer being hashed
  const auto library = sharer->library().get();
  ASSERT_TRUE(library);
  EXPECT_TRUE(library.value().empty());
  EXPECT_TRUE(events.wait_for<LogLine>(
      [](const LogLine& line) { return line.text.find("cancelled") != std::string::npos; }));
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

} // namespace
} // namespace swarmshare::client
