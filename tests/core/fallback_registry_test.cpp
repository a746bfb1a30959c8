// FallbackRegistry: the tracker first, the DHT when the tracker fails or knows too few.

#include "swarmshare/core/fallback_registry.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <optional>

namespace swarmshare::core {
namespace {

// Answers from a script and counts what it was asked.
class ScriptedRegistry final : public Registry {
public:
  explicit ScriptedRegistry(SourceOrigin origin) : origin_(origin) {}

  [[nodiscard]] SourceOrigin origin() const noexcept override { return origin_; }
  Awaitable<Status> announce(ShareAnnouncement /*share*/) override {
    ++announces;
    co_return announce_status;
  }
  Awaitable<Status> unannounce(FileId /*file_id*/) override {
    ++unannounces;
    co_return boost::outcome_v2::success();
  }
  Awaitable<Result<std::vector<PeerSource>>> find_peers(FileId /*file_id*/,
                                                        std::uint32_t /*limit*/) override {
    ++peer_lookups;
    if (peers_error) {
      co_return *peers_error;
    }
    co_return peers;
  }
  Awaitable<Result<Manifest>> find_manifest(FileId /*file_id*/) override {
    ++manifest_lookups;
    co_return make_error_code(Errc::file_not_found);
  }
  Awaitable<Result<std::vector<SearchHit>>> search(std::string /*text*/,
                                                   std::uint32_t /*limit*/) override {
    ++searches;
    if (search_error) {
      co_return *search_error;
    }
    co_return hits;
  }

  std::vector<PeerSource> peers;
  std::optional<std::error_code> peers_error;
  std::vector<SearchHit> hits;
  std::optional<std::error_code> search_error;
  Status announce_status = boost::outcome_v2::success();
  int announces = 0;
  int unannounces = 0;
  int peer_lookups = 0;
  int manifest_lookups = 0;
  int searches = 0;

private:
  SourceOrigin origin_;
};

PeerSource source(std::uint8_t id, SourceOrigin origin) {
  PeerSource made;
  made.peer.bytes[0] = id;
  made.endpoints.push_back(Endpoint::ipv4({127, 0, 0, 1}, static_cast<std::uint16_t>(5000 + id)));
  made.origin = origin;
  return made;
}

std::vector<PeerSource> sources(std::uint8_t first, std::uint8_t count, SourceOrigin origin) {
  std::vector<PeerSource> made;
  for (std::uint8_t i = 0; i < count; ++i) {
    made.push_back(source(static_cast<std::uint8_t>(first + i), origin));
  }
  return made;
}

template <class T>
boost::asio::awaitable<void> store_into(boost::asio::awaitable<T> work, std::optional<T>* out) {
  out->emplace(co_await std::move(work));
}

// Results have no default value, which co_spawn's completion needs: stored here instead.
template <class T>
T run(boost::asio::awaitable<T> work) {
  boost::asio::io_context io;
  std::optional<T> result;
  boost::asio::co_spawn(io, store_into(std::move(work), &result), [](std::exception_ptr error) {
    if (error) {
      std::rethrow_exception(error);
    }
  });
  io.run();
  return std::move(*result);
}

class FallbackRegistryTest : public ::testing::Test {
protected:
  ScriptedRegistry tracker{SourceOrigin::tracker};
  ScriptedRegistry dht{SourceOrigin::dht};
  FallbackRegistry registry{tracker, dht, FallbackOptions{5}};
  FileId file{};
};

TEST_F(FallbackRegistryTest, doesNotAskTheDhtWhenTheTrackerNamesEnoughPeers) {
  tracker.peers = sources(1, 5, SourceOrigin::tracker);
  dht.peers = sources(50, 3, SourceOrigin::dht);
  auto found = run(registry.find_peers(file, 50));
  ASSERT_TRUE(found);
  EXPECT_EQ(found.value().size(), 5U);
  EXPECT_EQ(dht.peer_lookups, 0);
}

TEST_F(FallbackRegistryTest, asksTheDhtWhenTheTrackerNamesFewerThanEnough) {
  tracker.peers = sources(1, 4, SourceOrigin::tracker);
  dht.peers = sources(50, 3, SourceOrigin::dht);
  auto found = run(registry.find_peers(file, 50));
  ASSERT_TRUE(found);
  ASSERT_EQ(found.value().size(), 7U);
  EXPECT_EQ(dht.peer_lookups, 1);
  // The tracker's first, each source labelled with where it came from.
  EXPECT_EQ(found.value().front().origin, SourceOrigin::tracker);
  EXPECT_EQ(found.value().back().origin, SourceOrigin::dht);
}

TEST_F(FallbackRegistryTest, usesTheDhtWhenTheTrackerFails) {
  tracker.peers_error = make_error_code(std::errc::timed_out);
  dht.peers = sources(50, 2, SourceOrigin::dht);
  auto found = run(registry.find_peers(file, 50));
  ASSERT_TRUE(found);
  EXPECT_EQ(found.value(), sources(50, 2, SourceOrigin::dht));
}

TEST_F(FallbackRegistryTest, aPeerBothKnowIsListedOnceAsTheTrackerGaveIt) {
  tracker.peers = sources(1, 2, SourceOrigin::tracker);
  dht.peers = sources(2, 2, SourceOrigin::dht); // peer 2 is in both
  auto found = run(registry.find_peers(file, 50));
  ASSERT_TRUE(found);
  ASSERT_EQ(found.value().size(), 3U);
  EXPECT_EQ(found.value()[1], source(2, SourceOrigin::tracker));
  EXPECT_EQ(found.value()[2], source(3, SourceOrigin::dht));
}

TEST_F(FallbackRegistryTest, mergedAnswerKeepsTheLimit) {
  tracker.peers = sources(1, 2, SourceOrigin::tracker);
  dht.peers = sources(50, 10, SourceOrigin::dht);
  auto found = run(registry.find_peers(file, 4));
  ASSERT_TRUE(found);
  EXPECT_EQ(found.value().size(), 4U);
}

TEST_F(FallbackRegistryTest, reportsTheTrackersErrorWhenBothFail) {
  tracker.peers_error = make_error_code(std::errc::timed_out);
  dht.peers_error = make_error_code(Errc::file_not_found);
  auto found = run(registry.find_peers(file, 50));
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error(), make_error_code(std::errc::timed_out));
}

TEST_F(FallbackRegistryTest, keepsTheTrackersFewPeersWhenTheDhtFails) {
  tracker.peers = sources(1, 1, SourceOrigin::tracker);
  dht.peers_error = make_error_code(std::errc::timed_out);
  auto found = run(registry.find_peers(file, 50));
  ASSERT_TRUE(found);
  EXPECT_EQ(found.value(), sources(1, 1, SourceOrigin::tracker));
}

TEST_F(FallbackRegistryTest, searchAsksTheDhtOnlyWhenTheTrackerFindsNothing) {
  SearchHit hit;
  hit.name = "holiday.bin";
  hit.origin = SourceOrigin::tracker;
  tracker.hits = {hit};
  auto found = run(registry.search("holiday", 10));
  ASSERT_TRUE(found);
  EXPECT_EQ(found.value().size(), 1U);
  EXPECT_EQ(dht.searches, 0);

  tracker.hits.clear();
  SearchHit in_dht = hit;
  in_dht.origin = SourceOrigin::dht;
  dht.hits = {in_dht};
  found = run(registry.search("holiday", 10));
  ASSERT_TRUE(found);
  ASSERT_EQ(found.value().size(), 1U);
  EXPECT_EQ(found.value().front().origin, SourceOrigin::dht);
}

TEST_F(FallbackRegistryTest, searchUsesTheDhtWhenTheTrackerIsDown) {
  tracker.search_error = make_error_code(std::errc::timed_out);
  SearchHit in_dht;
  in_dht.origin = SourceOrigin::dht;
  dht.hits = {in_dht};
  auto found = run(registry.search("holiday", 10));
  ASSERT_TRUE(found);
  EXPECT_EQ(found.value().size(), 1U);
}

TEST_F(FallbackRegistryTest, announceGoesToBothAndReportsTheTrackersFailure) {
  tracker.announce_status = make_error_code(std::errc::timed_out);
  ShareAnnouncement share;
  auto announced = run(registry.announce(share));
  EXPECT_EQ(tracker.announces, 1);
  EXPECT_EQ(dht.announces, 1);
  ASSERT_FALSE(announced);
  EXPECT_EQ(announced.error(), make_error_code(std::errc::timed_out));
}

} // namespace
} // namespace swarmshare::core
