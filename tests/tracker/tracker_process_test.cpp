// swarmshare-tracker as a process: its start-up lines, its identity, its command line, the
// operator commands, and a kill -9 in the middle of a stream of announces.

#include "store_fixtures.hpp"
#include "tracker_test_client.hpp"

#include "run_process.hpp"
#include "temp_dir.hpp"
#include "tracker_process.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

namespace swarmshare::tracker::test {
namespace {

using namespace std::chrono_literals;
using swarmshare::test::run_process;
using swarmshare::test::TempDir;
using swarmshare::test::TrackerProcess;

const std::filesystem::path kTracker{SWARMSHARE_TRACKER};

TEST(TrackerProcessTest, printsItsIdThenListensAndKeepsTheIdAcrossRestarts) {
  TempDir dir;
  const auto db = dir.path() / "state" / "tracker.db";
  auto first = TrackerProcess::start(kTracker, db);
  ASSERT_TRUE(crypto::PeerId::parse(first.peer_id())) << first.peer_id();
  EXPECT_NE(first.port(), 0);
  // A client pinning the printed ID gets through.
  TestClient pinned(first.port(), 1, crypto::PeerId::parse(first.peer_id()).value());
  EXPECT_TRUE(pinned.connected());
  pinned.close();
  EXPECT_EQ(first.stop(), 0);
  EXPECT_TRUE(std::filesystem::exists(db.parent_path() / "identity.key"));

  auto second = TrackerProcess::start(kTracker, db);
  EXPECT_EQ(second.peer_id(), first.peer_id());
  EXPECT_EQ(second.stop(), 0);
}

TEST(TrackerProcessTest, sigtermWhileClientsAreConnectedExitsCleanly) {
  TempDir dir;
  auto tracker = TrackerProcess::start(kTracker, dir.path() / "tracker.db");
  TestClient client(tracker.port(), 1);
  ASSERT_TRUE(client.connected());
  EXPECT_NO_THROW((void)reply_as<protocol::StatsReply>(client.call(protocol::GetStats{})));
  EXPECT_EQ(tracker.stop(), 0);
  EXPECT_FALSE(client.receive());
}

TEST(TrackerProcessTest, badListenAddressIsAUsageError) {
  TempDir dir;
  const auto result = run_process(
      kTracker, {"--listen", "not-an-address", "--db", (dir.path() / "t.db").string()}, dir.path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--listen"), std::string::npos) << result.err;
}

TEST(TrackerProcessTest, portInUseFailsWithTheReason) {
  TempDir dir;
  auto tracker = TrackerProcess::start(kTracker, dir.path() / "a.db");
  const auto result =
      run_process(kTracker, {"--listen", tracker.address(), "--db", (dir.path() / "b.db").string()},
                  dir.path());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("cannot listen on"), std::string::npos) << result.err;
  EXPECT_EQ(tracker.stop(), 0);
}

TEST(TrackerProcessTest, operatorBansAPeerAndDeletesAFileWhileTheTrackerRuns) {
  TempDir dir;
  const auto db = dir.path() / "tracker.db";
  auto tracker = TrackerProcess::start(kTracker, db);
  TestClient client(tracker.port(), 1);
  const auto m = manifest("unwanted.bin");
  ASSERT_NO_THROW(
      (void)reply_as<protocol::AnnounceOkReply>(client.call(announce_with_manifest(m))));

  auto deleted =
      run_process(kTracker, {"--db", db.string(), "delete-file", m.file_id().to_hex()}, dir.path());
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(error_code_of(client.call(protocol::GetManifest{0, m.file_id()})),
            protocol::ErrorCode::file_deleted);

  auto banned = run_process(
      kTracker, {"--db", db.string(), "ban-peer", client.peer_id().to_string()}, dir.path());
  EXPECT_EQ(banned.exit_code, 0) << banned.err;
  EXPECT_EQ(error_code_of(client.call(announce_with_manifest(manifest("more.bin")))),
            protocol::ErrorCode::banned);

  EXPECT_EQ(run_process(kTracker, {"--db", db.string(), "ban-peer", "nope"}, dir.path()).exit_code,
            2);
  EXPECT_EQ(
      run_process(kTracker, {"--db", db.string(), "delete-file", "abc"}, dir.path()).exit_code, 2);
  EXPECT_EQ(tracker.stop(), 0);
}

TEST(TrackerProcessTest, operatorCommandOnAMissingDatabaseFailsWithoutCreatingIt) {
  TempDir dir;
  const auto db = dir.path() / "typo.db";
  const auto result = run_process(
      kTracker,
      {"ban-peer", crypto::Identity::generate().peer_id().to_string(), "--db", db.string()},
      dir.path());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no tracker database"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(db));
}

// The persistence test: kill -9 the server during a stream of announces, restart
// it, and find every announce it acknowledged.
TEST(TrackerProcessTest, killNineDuringAnnouncesLosesNothingAcknowledged) {
  TempDir dir;
  const auto db = dir.path() / "tracker.db";
  std::mt19937 random(20261124);
  constexpr int kRounds = 3;
  constexpr int kAnnouncers = 4;
  std::atomic<int> next_file{0};
  for (int round = 0; round < kRounds; ++round) {
    // Tests on one host raise the per-connection rate limit, as the benchmark does.
    const std::vector<std::string> raised{"--requests-per-second", "100000"};
    auto tracker = TrackerProcess::start(kTracker, db, raised);
    std::mutex acknowledged_mutex;
    std::vector<std::pair<std::uint8_t, core::Manifest>> acknowledged;
    std::atomic<bool> killed{false};
    std::vector<std::thread> announcers;
    for (int a = 0; a < kAnnouncers; ++a) {
      const auto seed = static_cast<std::uint8_t>(1 + a);
      announcers.emplace_back([&, seed, port = tracker.port()] {
        TestClient client(port, seed);
        while (client.connected()) {
          const auto m = manifest("file-" + std::to_string(next_file.fetch_add(1)) + ".bin");
          auto reply = client.call(announce_with_manifest(m));
          if (!reply || !std::holds_alternative<protocol::AnnounceOkReply>(reply.value())) {
            // The kill came before the acknowledgement: nothing was promised.
            EXPECT_TRUE(killed.load()) << "announce failed before the kill";
            return;
          }
          const std::lock_guard lock(acknowledged_mutex);
          acknowledged.emplace_back(seed, m);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{150 + random() % 350});
    killed = true;
    tracker.kill_hard();
    for (auto& thread : announcers) {
      thread.join();
    }
    ASSERT_FALSE(acknowledged.empty());

    auto restarted = TrackerProcess::start(kTracker, db, raised);
    TestClient checker(restarted.port(), 0x99);
    for (const auto& [seed, m] : acknowledged) {
      const auto peers =
          reply_as<protocol::PeersReply>(checker.call(protocol::GetPeers{0, m.file_id(), 10}));
      const auto announcer = crypto::Identity::from_seed(TestClient::filled(seed)).peer_id();
      ASSERT_EQ(peers.peers.size(), 1U) << "lost: " << m.name();
      EXPECT_EQ(peers.peers[0].peer_id, announcer);
    }
    checker.close();
    EXPECT_EQ(restarted.stop(), 0);
  }
}

} // namespace
} // namespace swarmshare::tracker::test
