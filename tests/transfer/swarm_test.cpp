// Swarms over real secure channels on 127.0.0.1, in one process: seeders serve a file in
// place, a downloader fetches it from all of them at once and verifies every chunk.

#include "swarm_fixture.hpp"

namespace swarmshare::transfer::swarm_test {
namespace {

TEST_F(SwarmTest, downloadsWholeFileFromOneSeederBitExact) {
  Node& seeder = add_seeder();
  auto storage = std::make_shared<MemoryStorage>(kFileBytes);
  Node& downloader = add_downloader(storage);
  run([&]() -> awaitable<void> {
    const auto connected = co_await connect(downloader, seeder);
    EXPECT_TRUE(connected) << connected.error().message();
  });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
  EXPECT_EQ(downloader.observer.verified, manifest_->chunk_count());
  EXPECT_TRUE(downloader.swarm->complete());
  EXPECT_EQ(seeder.swarm->counters().uploaded, kFileBytes);
  EXPECT_EQ(seeder.swarm->counters().peers_served, 1U);
}

TEST_F(SwarmTest, downloadsFromSeveralSeedersAtOnce) {
  Node& first = add_seeder();
  Node& second = add_seeder();
  Node& third = add_seeder();
  auto storage = std::make_shared<MemoryStorage>(kFileBytes);
  Node& downloader = add_downloader(storage);
  run([&]() -> awaitable<void> {
    for (Node* seeder : {&first, &second, &third}) {
      const auto connected = co_await connect(downloader, *seeder);
      EXPECT_TRUE(connected);
    }
  });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
  int contributing = 0;
  for (Node* seeder : {&first, &second, &third}) {
    contributing += seeder->swarm->counters().uploaded > 0 ? 1 : 0;
  }
  EXPECT_GE(contributing, 2) << "blocks should come from more than one seeder";
}

TEST_F(SwarmTest, chunksOfSeveralBlocksAssembleFromSeveralSeeders) {
  make_file(std::uint64_t{3} * 1024 * 1024 + 777, 256 * 1024); // 4 blocks a chunk
  Node& first = add_seeder();
  Node& second = add_seeder();
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& downloader = add_downloader(storage);
  run([&]() -> awaitable<void> {
    for (Node* seeder : {&first, &second}) {
      const auto connected = co_await connect(downloader, *seeder);
      EXPECT_TRUE(connected);
    }
  });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
  EXPECT_EQ(downloader.swarm->counters().downloaded, file_bytes_);
  EXPECT_GT(first.swarm->counters().uploaded, 0U);
  EXPECT_GT(second.swarm->counters().uploaded, 0U);
  // Endgame duplicates a few blocks at most, not the file.
  EXPECT_LT(downloader.swarm->counters().wasted, file_bytes_ / 4);
}

TEST_F(SwarmTest, lyingSeederIsBannedAndFileCompletesFromHonestOnes) {
  Node& liar = add_seeder(/*lying=*/true);
  Node& honest = add_seeder();
  auto storage = std::make_shared<MemoryStorage>(kFileBytes);
  Node& downloader = add_downloader(storage);
  run([&]() -> awaitable<void> {
    const auto to_liar = co_await connect(downloader, liar);
    EXPECT_TRUE(to_liar);
    const auto to_honest = co_await connect(downloader, honest);
    EXPECT_TRUE(to_honest);
  });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
  ASSERT_EQ(downloader.observer.banned.size(), 1U);
  EXPECT_EQ(downloader.observer.banned.front(), liar.identity.peer_id());
  EXPECT_TRUE(downloader.swarm->is_banned(liar.identity.peer_id()));
  EXPECT_FALSE(downloader.swarm->is_banned(honest.identity.peer_id()));
}

TEST_F(SwarmTest, seederThatDiesMidTransferIsReplacedByTheOthers) {
  make_file(std::uint64_t{4} * 1024 * 1024, 64 * 1024);
  Node& doomed = add_seeder();
  Node& survivor = add_seeder();
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& downloader = add_downloader(storage);
  downloader.observer.on_chunk = [&](std::uint32_t verified) {
    if (verified == manifest_->chunk_count() / 4 && doomed.swarm) {
      // A crash: no goodbye, its sockets simply close.
      doomed.server.reset();
      doomed.swarm.reset();
    }
  };
  run([&]() -> awaitable<void> {
    const auto to_doomed = co_await connect(downloader, doomed);
    EXPECT_TRUE(to_doomed);
    const auto to_survivor = co_await connect(downloader, survivor);
    EXPECT_TRUE(to_survivor);
  });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_FALSE(doomed.swarm);
  EXPECT_EQ(storage->bytes(), original_);
}

TEST_F(SwarmTest, uploadLimitHoldsDataBackUntilItIsLifted) {
  make_file(std::uint64_t{2} * 1024 * 1024, 64 * 1024);
  core::ManualClock limit_clock;
  RateLimiter upload(limit_clock, 1024 * 1024); // 1 MiB/s: a bucket of about 100 KiB
  Node& seeder = add_seeder(false, SwarmLimits{&upload, nullptr});
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& downloader = add_downloader(storage);
  run(
      [&]() -> awaitable<void> {
        const auto connected = co_await connect(downloader, seeder);
        EXPECT_TRUE(connected);
      },
      1s);
  // The limiter's clock stood still: past its first bucket, every block waits for time
  // that never comes, so almost nothing arrived.
  const auto held_back = downloader.swarm->counters().downloaded;
  EXPECT_LT(held_back, file_bytes_ / 4);
  EXPECT_FALSE(downloader.observer.completed);
  // Lifting the limit forgives the debt: the rest flows.
  upload.set_rate(RateLimiter::kUnlimited);
  run([]() -> awaitable<void> { co_return; });
  EXPECT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
}

// Rate limits run on a manual clock that stands still unless a test moves it: past a
// limiter's first bucket every block waits for time that does not come (the link still
// waits out each reservation, so a little more trickles through), which keeps the amount
// held back far below what an unheld peer would fetch.

TEST_F(SwarmTest, perPeerUploadLimitHoldsOnePeerBelowTheGlobalLimit) {
  make_file(std::uint64_t{4} * 1024 * 1024, 64 * 1024);
  core::ManualClock limit_clock;
  // Alone, the global limit would let the whole file through at once: its bucket holds
  // 6.4 MiB. Each peer's own limit holds about 100 KiB.
  RateLimiter global(limit_clock, 64 * kMiB);
  SwarmOptions options;
  options.upload_rate_per_peer = kMiB;
  Node& seeder = add_seeder(false, SwarmLimits{.upload = &global, .clock = &limit_clock}, options);
  auto first_storage = std::make_shared<MemoryStorage>(file_bytes_);
  auto second_storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& first = add_downloader(first_storage);
  Node& second = add_downloader(second_storage);
  run(
      [&]() -> awaitable<void> {
        for (Node* downloader : {&first, &second}) {
          const auto connected = co_await connect(*downloader, seeder);
          EXPECT_TRUE(connected);
        }
      },
      1s);
  for (Node* downloader : {&first, &second}) {
    const auto held_back = downloader->swarm->counters().downloaded;
    EXPECT_GT(held_back, 0U) << "each peer's first bucket passes at once";
    EXPECT_LT(held_back, file_bytes_ / 4);
    EXPECT_FALSE(downloader->observer.completed);
  }
  // As the limit clock moves, each peer's bucket refills and the rest flows.
  for (int step = 0; step < 300 && !(first.observer.completed && second.observer.completed);
       ++step) {
    limit_clock.advance(1h);
    io_.restart();
    io_.run_for(100ms);
  }
  ASSERT_TRUE(first.observer.completed);
  ASSERT_TRUE(second.observer.completed);
  EXPECT_EQ(first_storage->bytes(), original_);
  EXPECT_EQ(second_storage->bytes(), original_);
}

TEST_F(SwarmTest, globalUploadLimitStillHoldsWhenThePerPeerLimitIsLooser) {
  make_file(std::uint64_t{4} * 1024 * 1024, 64 * 1024);
  core::ManualClock limit_clock;
  RateLimiter global(limit_clock, kMiB); // a bucket of about 100 KiB
  SwarmOptions options;
  options.upload_rate_per_peer = 64 * kMiB; // alone it would let the whole file through
  Node& seeder = add_seeder(false, SwarmLimits{.upload = &global, .clock = &limit_clock}, options);
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& downloader = add_downloader(storage);
  run(
      [&]() -> awaitable<void> {
        const auto connected = co_await connect(downloader, seeder);
        EXPECT_TRUE(connected);
      },
      1s);
  EXPECT_LT(downloader.swarm->counters().downloaded, file_bytes_ / 4);
  EXPECT_FALSE(downloader.observer.completed);
  global.set_rate(RateLimiter::kUnlimited);
  run([]() -> awaitable<void> { co_return; });
  EXPECT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
}

TEST_F(SwarmTest, setUploadRatePerPeerAppliesToPeersAlreadyAttached) {
  make_file(std::uint64_t{4} * 1024 * 1024, 64 * 1024);
  core::ManualClock limit_clock;
  // The global limit holds the peer back while it attaches, with no limit of its own.
  RateLimiter global(limit_clock, kMiB);
  Node& seeder = add_seeder(false, SwarmLimits{.upload = &global, .clock = &limit_clock});
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& downloader = add_downloader(storage);
  run(
      [&]() -> awaitable<void> {
        const auto connected = co_await connect(downloader, seeder);
        EXPECT_TRUE(connected);
      },
      1s);
  ASSERT_FALSE(downloader.observer.completed);
  // A per-peer limit set now gives the attached peer a limiter of its own: lifting the
  // global limit lets through little more than that limiter's first bucket.
  seeder.swarm->set_upload_rate_per_peer(kMiB);
  EXPECT_EQ(seeder.swarm->upload_rate_per_peer(), kMiB);
  global.set_rate(RateLimiter::kUnlimited);
  run([]() -> awaitable<void> { co_return; }, 1s);
  EXPECT_LT(downloader.swarm->counters().downloaded, file_bytes_ / 2);
  EXPECT_FALSE(downloader.observer.completed);
  // Lifting it reaches the same peer's limiter: the rest flows.
  seeder.swarm->set_upload_rate_per_peer(RateLimiter::kUnlimited);
  run([]() -> awaitable<void> { co_return; });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
}

TEST_F(SwarmTest, setUploadRatePerPeerLowersTheLimitOfAnAttachedPeer) {
  make_file(std::uint64_t{4} * 1024 * 1024, 64 * 1024);
  core::ManualClock limit_clock;
  RateLimiter global(limit_clock, kMiB);
  SwarmOptions options;
  options.upload_rate_per_peer = 64 * kMiB; // alone it would let the whole file through
  Node& seeder = add_seeder(false, SwarmLimits{.upload = &global, .clock = &limit_clock}, options);
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& downloader = add_downloader(storage);
  run(
      [&]() -> awaitable<void> {
        const auto connected = co_await connect(downloader, seeder);
        EXPECT_TRUE(connected);
      },
      1s);
  ASSERT_FALSE(downloader.observer.completed);
  // The peer's limiter, made at attach, is the one that now holds it back.
  seeder.swarm->set_upload_rate_per_peer(kMiB);
  global.set_rate(RateLimiter::kUnlimited);
  run([]() -> awaitable<void> { co_return; }, 1s);
  EXPECT_LT(downloader.swarm->counters().downloaded, file_bytes_ / 2);
  EXPECT_FALSE(downloader.observer.completed);
  seeder.swarm->set_upload_rate_per_peer(RateLimiter::kUnlimited);
  run([]() -> awaitable<void> { co_return; });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_EQ(storage->bytes(), original_);
}

TEST_F(SwarmTest, chunksInProgressAreTheRequestedOnesUntilTheyVerify) {
  make_file(std::uint64_t{4} * 1024 * 1024, 64 * 1024); // one block a chunk
  core::ManualClock limit_clock;
  RateLimiter upload(limit_clock, kMiB);
  Node& seeder = add_seeder(false, SwarmLimits{.upload = &upload});
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& downloader = add_downloader(storage);
  EXPECT_TRUE(downloader.swarm->chunks_in_progress().empty()) << "nothing asked yet";
  run(
      [&]() -> awaitable<void> {
        const auto connected = co_await connect(downloader, seeder);
        EXPECT_TRUE(connected);
      },
      1s);
  // Requests are out (one block each) and the seeder holds most of them back.
  const auto in_progress = downloader.swarm->chunks_in_progress();
  ASSERT_FALSE(in_progress.empty());
  EXPECT_LE(in_progress.size(), SwarmOptions{}.requests_per_peer);
  EXPECT_TRUE(std::is_sorted(in_progress.begin(), in_progress.end()));
  for (const core::ChunkIndex chunk : in_progress) {
    EXPECT_FALSE(downloader.swarm->have().test(chunk)) << "a verified chunk is not in progress";
  }
  upload.set_rate(RateLimiter::kUnlimited);
  run([]() -> awaitable<void> { co_return; });
  ASSERT_TRUE(downloader.observer.completed);
  EXPECT_TRUE(downloader.swarm->chunks_in_progress().empty());
  EXPECT_TRUE(seeder.swarm->chunks_in_progress().empty()) << "a seeder downloads nothing";
}

TEST_F(SwarmTest, chunkAvailabilityCountsTheAttachedPeersThatHaveEachChunk) {
  make_file(std::uint64_t{4} * 1024 * 1024, 64 * 1024);
  core::ManualClock limit_clock;
  RateLimiter upload(limit_clock, kMiB); // holds the download back while we look
  Node& first = add_seeder(false, SwarmLimits{.upload = &upload});
  Node& second = add_seeder(false, SwarmLimits{.upload = &upload});
  auto storage = std::make_shared<MemoryStorage>(file_bytes_);
  Node& downloader = add_downloader(storage);
  const auto chunks = downloader.swarm->manifest().chunk_count();
  EXPECT_EQ(downloader.swarm->chunk_availability(), std::vector<std::uint8_t>(chunks, 0));
  run(
      [&]() -> awaitable<void> {
        const auto connected = co_await connect(downloader, first);
        EXPECT_TRUE(connected);
      },
      1s);
  EXPECT_EQ(downloader.swarm->chunk_availability(), std::vector<std::uint8_t>(chunks, 1));
  run(
      [&]() -> awaitable<void> {
        const auto connected = co_await connect(downloader, second);
        EXPECT_TRUE(connected);
      },
      1s);
  // A seeder reveals what it has to a newcomer a little at a time (seed_reveal.hpp): the
  // second one has told of some chunks, not necessarily all yet.
  const auto both = downloader.swarm->chunk_availability();
  ASSERT_EQ(both.size(), chunks);
  EXPECT_TRUE(
      std::all_of(both.begin(), both.end(), [](auto peers) { return peers == 1 || peers == 2; }));
  EXPECT_GT(std::count(both.begin(), both.end(), 2), 0);
  EXPECT_TRUE(first.swarm->chunk_availability().empty()) << "a seeder downloads nothing";
  upload.set_rate(RateLimiter::kUnlimited);
  run([]() -> awaitable<void> { co_return; });
  EXPECT_TRUE(downloader.observer.completed);
}

TEST_F(SwarmTest, dialledPeerWithAnotherIdentityIsRefused) {
  Node& seeder = add_seeder();
  Node& impostor_claim = add_seeder(); // its Peer ID is what the registry "advertised"
  auto storage = std::make_shared<MemoryStorage>(kFileBytes);
  Node& downloader = add_downloader(storage);
  run([&]() -> awaitable<void> {
    auto channel = co_await dial_peer(downloader.config(), seeder.server->local_endpoint(),
                                      impostor_claim.identity.peer_id(), manifest_->file_id(), 5s);
    EXPECT_FALSE(channel);
    if (!channel) {
      EXPECT_EQ(channel.error(), make_error_code(Errc::peer_id_mismatch));
    }
    io_.stop();
  });
  EXPECT_FALSE(seeder.swarm->is_attached(downloader.identity.peer_id()));
}

TEST_F(SwarmTest, askingForAFileThePeerDoesNotShareGetsNotSharing) {
  Node& seeder = add_seeder();
  Node asker;
  run([&]() -> awaitable<void> {
    core::FileId other{};
    auto channel = co_await dial_peer(asker.config(), seeder.server->local_endpoint(),
                                      seeder.identity.peer_id(), other, 5s);
    EXPECT_FALSE(channel);
    if (!channel) {
      EXPECT_EQ(channel.error(), make_error_code(Errc::peer_not_sharing));
    }
    io_.stop();
  });
}

TEST_F(SwarmTest, fullDiskStopsTheDownloadWithAStorageError) {
  Node& seeder = add_seeder();
  auto storage = std::make_shared<MemoryStorage>(kFileBytes);
  storage->fail_writes();
  Node& downloader = add_downloader(storage);
  run([&]() -> awaitable<void> {
    const auto connected = co_await connect(downloader, seeder);
    EXPECT_TRUE(connected);
  });
  EXPECT_TRUE(downloader.observer.storage_error);
  EXPECT_FALSE(downloader.observer.completed);
}

TEST_F(SwarmTest, seederStopsServingAFileThatChanged) {
  Node& seeder = add_seeder();
  seeder.observer.on_done = [this] { io_.stop(); };
  // The user edits the shared file after sharing it; the seeder looks again a second later.
  std::ofstream(path_, std::ios::binary | std::ios::app) << "appended";
  seeder.clock.advance(2s);
  auto storage = std::make_shared<MemoryStorage>(kFileBytes);
  Node& downloader = add_downloader(storage);
  run([&]() -> awaitable<void> {
    const auto connected = co_await connect(downloader, seeder);
    EXPECT_TRUE(connected);
  });
  EXPECT_TRUE(seeder.observer.file_changed);
  EXPECT_FALSE(downloader.observer.completed);
}

} // namespace
} // namespace swarmshare::transfer::swarm_test
