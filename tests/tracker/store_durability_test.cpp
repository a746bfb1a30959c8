// Persistence, group commit and the kill -9 guarantee of the tracker store.

#include "swarmshare/tracker/store.hpp"

#include "store_fixtures.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace swarmshare::tracker {
namespace {

using namespace std::chrono_literals;
using test::announce_of;
using test::kStart;
using test::manifest;
using test::peer;

TEST(StoreDurability, everythingSurvivesCloseAndReopen) {
  swarmshare::test::TempDir dir;
  const auto path = dir.path() / "tracker.db";
  const auto kept = manifest("kept-file.bin");
  const auto deleted = manifest("deleted-file.bin");
  {
    auto store = Store::open(path).value();
    ASSERT_TRUE(store.announce(announce_of(peer(1), kept), kStart));
    ASSERT_TRUE(store.announce(announce_of(peer(2), deleted), kStart));
    ASSERT_TRUE(store.delete_file(deleted.file_id(), kStart));
    ASSERT_TRUE(store.ban_peer(peer(3)));
  }
  auto store = Store::open(path).value();
  EXPECT_EQ(store.get_manifest(kept.file_id()).value(), kept.encoded());
  auto peers = store.get_peers(kept.file_id(), 10, std::nullopt, kStart + 1min);
  ASSERT_EQ(peers.value().size(), 1U);
  EXPECT_EQ(peers.value()[0].peer, peer(1));
  EXPECT_EQ(store.search("kept", 10, 0, kStart).value().size(), 1U);
  EXPECT_EQ(store.announce(announce_of(peer(1), deleted), kStart).error(), Errc::file_deleted);
  EXPECT_EQ(store.announce(announce_of(peer(3), kept), kStart).error(), Errc::peer_banned);
}

TEST(StoreDurability, aVersionOneDatabaseLosesItsEntryAgeIndexAndKeepsItsEntries) {
  swarmshare::test::TempDir dir;
  const auto path = dir.path() / "tracker.db";
  const auto m = manifest("old-file.bin");
  {
    auto store = Store::open(path).value();
    ASSERT_TRUE(store.announce(announce_of(peer(1), m), kStart));
  }
  // Plain SQLite: the project's opener would migrate what these look at.
  const auto run_sql = [&path](const char* sql) {
    sqlite3* db = nullptr;
    int count = -1;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(
                  db, sql,
                  [](void* out, int, char** values, char**) {
                    *static_cast<int*>(out) = std::atoi(values[0]);
                    return 0;
                  },
                  &count, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    return count;
  };
  const char* const count_index =
      "SELECT count(*) FROM sqlite_master WHERE name = 'entries_by_last_seen'";
  // Back to version 1 as an earlier release left it: with the index.
  (void)run_sql("CREATE INDEX entries_by_last_seen ON entries (last_seen); "
                "PRAGMA user_version = 1");
  ASSERT_EQ(run_sql(count_index), 1);
  {
    auto store = Store::open(path).value();
    const auto peers = store.get_peers(m.file_id(), 10, std::nullopt, kStart + 1min).value();
    ASSERT_EQ(peers.size(), 1U);
    EXPECT_EQ(peers[0].peer, peer(1));
    EXPECT_TRUE(store.announce(announce_of(peer(2), m), kStart));
  }
  EXPECT_EQ(run_sql(count_index), 0);
}

TEST(StoreDurability, concurrentAnnouncesAreAllAcknowledgedWithFewerCommits) {
  swarmshare::test::TempDir dir;
  auto store = Store::open(dir.path() / "tracker.db").value();
  const auto m = manifest("popular.bin");
  constexpr std::uint32_t kThreads = 8;
  constexpr std::uint32_t kPerThread = 50;
  std::atomic<std::uint32_t> failures{0};
  {
    std::vector<std::jthread> threads;
    for (std::uint32_t t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (std::uint32_t i = 0; i < kPerThread; ++i) {
          if (!store.announce(announce_of(peer(t * kPerThread + i), m), kStart)) {
            ++failures;
          }
        }
      });
    }
  }
  EXPECT_EQ(failures.load(), 0U);
  EXPECT_EQ(store.get_peers(m.file_id(), 1000, std::nullopt, kStart).value().size(),
            kThreads * kPerThread);
  EXPECT_LT(store.commit_count(), std::uint64_t{kThreads} * kPerThread);
}

TEST(StoreDurability, asyncWritesCallBackOnceCommittedAndAreGrouped) {
  swarmshare::test::TempDir dir;
  auto store = Store::open(dir.path() / "tracker.db").value();
  const auto m = manifest("async.bin");
  constexpr std::uint32_t kCount = 500;
  std::mutex mutex;
  std::condition_variable all_done;
  std::uint32_t done = 0;
  std::uint32_t succeeded = 0;
  for (std::uint32_t i = 0; i < kCount; ++i) {
    store.announce_async(announce_of(peer(i), m), kStart, [&](core::Status status) {
      const std::lock_guard lock(mutex);
      ++done;
      succeeded += status ? 1 : 0;
      all_done.notify_one();
    });
  }
  std::unique_lock lock(mutex);
  all_done.wait(lock, [&] { return done == kCount; });
  EXPECT_EQ(succeeded, kCount);
  EXPECT_LT(store.commit_count(), std::uint64_t{kCount} / 4);
  EXPECT_EQ(store.stats(kStart).value().live_entries, kCount);
}

TEST(StoreDurability, aRefusedWriteDoesNotDisturbTheOthersInItsBatch) {
  swarmshare::test::TempDir dir;
  auto store = Store::open(dir.path() / "tracker.db").value();
  const auto m = manifest("batch.bin");
  ASSERT_TRUE(store.ban_peer(peer(0)));
  std::mutex mutex;
  std::condition_variable all_done;
  std::vector<core::Status> outcomes(20, core::Status{boost::outcome_v2::success()});
  std::uint32_t done = 0;
  for (std::uint32_t i = 0; i < 20; ++i) {
    // Every fifth from the banned peer.
    const auto who = i % 5 == 0 ? peer(0) : peer(i);
    store.announce_async(announce_of(who, m), kStart, [&, i](core::Status status) {
      const std::lock_guard lock(mutex);
      outcomes[i] = std::move(status);
      ++done;
      all_done.notify_one();
    });
  }
  std::unique_lock lock(mutex);
  all_done.wait(lock, [&] { return done == 20; });
  for (std::uint32_t i = 0; i < 20; ++i) {
    if (i % 5 == 0) {
      EXPECT_EQ(outcomes[i].error(), Errc::peer_banned) << i;
    } else {
      EXPECT_TRUE(outcomes[i]) << i;
    }
  }
  EXPECT_EQ(store.stats(kStart).value().live_entries, 16U);
}

// The child: announce forever from a few threads, reporting every acknowledged index on the
// pipe. Never returns; the parent kills it.
[[noreturn]] void announce_until_killed(const std::filesystem::path& path, int report_fd,
                                        std::uint32_t first_index) {
  auto store = Store::open(path);
  if (!store) {
    _exit(2);
  }
  const auto m = manifest("crash.bin");
  std::atomic<std::uint32_t> next{first_index};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        const std::uint32_t index = next++;
        if (!store.value().announce(announce_of(peer(index), m), kStart)) {
          _exit(3);
        }
        // 4 bytes: below PIPE_BUF, so reports from several threads never interleave.
        if (write(report_fd, &index, sizeof index) != static_cast<ssize_t>(sizeof index)) {
          _exit(4);
        }
      }
    });
  }
  for (;;) {
    pause();
  }
}

TEST(StoreDurability, killMinusNineLosesNoAcknowledgedAnnounce) {
  swarmshare::test::TempDir dir;
  const auto path = dir.path() / "tracker.db";
  std::random_device seed;
  std::mt19937 random(seed());
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      // Each round its own peers, so entries of an earlier round cannot stand in.
      announce_until_killed(path, fds[1], static_cast<std::uint32_t>(round) * 1'000'000U);
    }
    close(fds[1]);

    // Let it run for a random number of acknowledgements, then kill it mid-stream.
    const std::size_t wanted = std::uniform_int_distribution<std::size_t>(50, 1500)(random);
    std::set<std::uint32_t> acknowledged;
    std::uint32_t index = 0;
    while (acknowledged.size() < wanted &&
           read(fds[0], &index, sizeof index) == static_cast<ssize_t>(sizeof index)) {
      acknowledged.insert(index);
    }
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    // Acknowledgements still in the pipe were acknowledged too.
    while (read(fds[0], &index, sizeof index) == static_cast<ssize_t>(sizeof index)) {
      acknowledged.insert(index);
    }
    close(fds[0]);
    ASSERT_GE(acknowledged.size(), wanted);

    auto store = Store::open(path);
    ASSERT_TRUE(store) << store.error().message();
    auto peers =
        store.value().get_peers(manifest("crash.bin").file_id(), 1'000'000, std::nullopt, kStart);
    ASSERT_TRUE(peers);
    std::set<std::uint32_t> present;
    for (const auto& entry : peers.value()) {
      std::uint32_t n = 0;
      for (std::size_t i = 0; i < 4; ++i) {
        n |= static_cast<std::uint32_t>(entry.peer.bytes()[i]) << (8 * i);
      }
      present.insert(n);
    }
    for (const auto acked : acknowledged) {
      ASSERT_TRUE(present.count(acked) == 1) << "acknowledged announce " << acked << " lost";
    }
  }
}

} // namespace
} // namespace swarmshare::tracker
