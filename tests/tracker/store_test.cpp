#include "swarmshare/tracker/store.hpp"

#include "store_fixtures.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>

namespace swarmshare::tracker {
namespace {

using namespace std::chrono_literals;
using test::announce_of;
using test::endpoint;
using test::kStart;
using test::manifest;
using test::peer;

class StoreTest : public ::testing::Test {
protected:
  StoreTest() : store_(Store::open(dir_.path() / "tracker.db").value()) {}

  std::vector<std::string> search_names(std::string_view text, TimePoint now = kStart,
                                        std::size_t limit = 50, std::size_t offset = 0) {
    auto hits = store_.search(text, limit, offset, now);
    EXPECT_TRUE(hits) << hits.error().message();
    std::vector<std::string> names;
    if (hits) {
      for (const auto& hit : hits.value()) {
        names.push_back(hit.name);
      }
    }
    return names;
  }

  swarmshare::test::TempDir dir_;
  Store store_;
};

TEST(StoreWords, splitAtEveryNonAlphanumericCharacterAndLowercase) {
  EXPECT_EQ(split_words("Holiday-Video 2026.bin"),
            (std::vector<std::string>{"holiday", "video", "2026", "bin"}));
  EXPECT_EQ(split_words("__a..A__b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_words("caf\xc3\xa9 m\xc3\xbcsli"),
            (std::vector<std::string>{"caf\xc3\xa9", "m\xc3\xbcsli"}));
  EXPECT_TRUE(split_words(" .-_ ").empty());
}

TEST(StoreEndpoints, roundTripBothFamiliesAndRejectDamagedBytes) {
  const std::vector<core::Endpoint> list{endpoint(9, 7070),
                                         core::Endpoint::parse("[2001:db8::1]:443").value()};
  const auto bytes = encode_endpoints(list);
  EXPECT_EQ(bytes.size(), 1U + 7U + 19U);
  EXPECT_EQ(bytes[0], 2);
  EXPECT_EQ(decode_endpoints(bytes).value(), list);
  auto truncated = bytes;
  truncated.pop_back();
  EXPECT_FALSE(decode_endpoints(truncated));
  auto trailing = bytes;
  trailing.push_back(0);
  EXPECT_FALSE(decode_endpoints(trailing));
}

TEST_F(StoreTest, announceThenGetPeersReturnsTheEntry) {
  const auto m = manifest("movie.mkv");
  auto request = announce_of(peer(1), m);
  request.endpoints = {endpoint(1), core::Endpoint::parse("[2001:db8::7]:7000").value()};
  ASSERT_TRUE(store_.announce(request, kStart));

  auto peers = store_.get_peers(m.file_id(), 10, std::nullopt, kStart + 1s);
  ASSERT_TRUE(peers) << peers.error().message();
  ASSERT_EQ(peers.value().size(), 1U);
  EXPECT_EQ(peers.value()[0].peer, peer(1));
  EXPECT_EQ(peers.value()[0].endpoints, request.endpoints);
  EXPECT_EQ(peers.value()[0].last_seen, kStart);
}

TEST_F(StoreTest, getPeersExcludesTheAskerAndHonoursTheLimit) {
  const auto m = manifest("shared.iso");
  for (std::uint32_t i = 1; i <= 5; ++i) {
    ASSERT_TRUE(store_.announce(announce_of(peer(i), m), kStart + std::chrono::seconds{i}));
  }
  auto all = store_.get_peers(m.file_id(), 10, peer(3), kStart + 10s);
  ASSERT_TRUE(all);
  ASSERT_EQ(all.value().size(), 4U);
  EXPECT_TRUE(std::none_of(all.value().begin(), all.value().end(),
                           [](const PeerEntry& e) { return e.peer == peer(3); }));
  EXPECT_EQ(all.value()[0].peer, peer(5)); // most recently seen first
  EXPECT_EQ(store_.get_peers(m.file_id(), 2, std::nullopt, kStart + 10s).value().size(), 2U);
}

TEST_F(StoreTest, getPeersOfAPopularFileSpreadsAskersOverTheSwarm) {
  const auto m = manifest("popular.iso");
  for (std::uint32_t i = 1; i <= 40; ++i) {
    ASSERT_TRUE(store_.announce(announce_of(peer(i), m), kStart));
  }
  std::set<crypto::PeerId> seen;
  for (int ask = 0; ask < 30; ++ask) {
    auto some = store_.get_peers(m.file_id(), 5, std::nullopt, kStart + 1s);
    ASSERT_TRUE(some);
    ASSERT_EQ(some.value().size(), 5U);
    for (const auto& entry : some.value()) {
      seen.insert(entry.peer);
    }
  }
  // Always the same five would be 5; 30 random windows of 5 out of 40 cover far more.
  EXPECT_GT(seen.size(), 20U);
}

TEST_F(StoreTest, aFileAnnouncedOnceCanBeAnnouncedByFileIdAlone) {
  const auto m = manifest("a.txt");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m), kStart));
  auto by_id = announce_of(peer(2), m);
  by_id.manifest.clear();
  ASSERT_TRUE(store_.announce(by_id, kStart));
  EXPECT_EQ(store_.get_peers(m.file_id(), 10, std::nullopt, kStart).value().size(), 2U);

  const auto unknown = manifest("never-seen.txt");
  auto request = announce_of(peer(1), unknown);
  request.manifest.clear();
  EXPECT_EQ(store_.announce(request, kStart).error(), Errc::unknown_file);
}

TEST_F(StoreTest, announceRefusesAManifestThatDoesNotHashToTheFileId) {
  const auto m = manifest("a.txt");
  auto request = announce_of(peer(1), m);
  request.file_id = manifest("b.txt").file_id();
  EXPECT_EQ(store_.announce(request, kStart).error(), Errc::manifest_mismatch);
  EXPECT_EQ(store_.get_manifest(request.file_id).error(), Errc::unknown_file);
}

TEST_F(StoreTest, announceRefusesBadEndpointLists) {
  auto request = announce_of(peer(1), manifest("a"));
  request.endpoints.clear();
  EXPECT_EQ(store_.announce(request, kStart).error(), Errc::invalid_endpoints);
  request.endpoints.assign(kMaxEndpointsPerEntry + 1, endpoint(1));
  EXPECT_EQ(store_.announce(request, kStart).error(), Errc::invalid_endpoints);
}

TEST_F(StoreTest, getManifestReturnsTheAnnouncedBytes) {
  const auto m = manifest("a.txt");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m), kStart));
  EXPECT_EQ(store_.get_manifest(m.file_id()).value(), m.encoded());
}

TEST_F(StoreTest, refreshExtendsTheEntryPastItsFirstExpiry) {
  const auto m = manifest("a.txt");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m), kStart));
  ASSERT_TRUE(store_.refresh(peer(1), m.file_id(), kStart + 20min));
  auto peers = store_.get_peers(m.file_id(), 10, std::nullopt, kStart + 40min);
  ASSERT_EQ(peers.value().size(), 1U);
  EXPECT_EQ(peers.value()[0].last_seen, kStart + 20min);
}

TEST_F(StoreTest, onlyTheAnnouncingPeerCanRefreshOrUnannounce) {
  const auto m = manifest("a.txt");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m), kStart));
  EXPECT_EQ(store_.unannounce(peer(2), m.file_id(), kStart).error(), Errc::not_owner);
  EXPECT_EQ(store_.refresh(peer(2), m.file_id(), kStart).error(), Errc::not_owner);
  EXPECT_EQ(store_.get_peers(m.file_id(), 10, std::nullopt, kStart).value().size(), 1U);

  ASSERT_TRUE(store_.unannounce(peer(1), m.file_id(), kStart));
  EXPECT_TRUE(store_.get_peers(m.file_id(), 10, std::nullopt, kStart).value().empty());
  EXPECT_EQ(store_.unannounce(peer(1), m.file_id(), kStart).error(), Errc::no_entry);
  EXPECT_EQ(store_.refresh(peer(1), m.file_id(), kStart).error(), Errc::no_entry);
}

TEST_F(StoreTest, anExpiredEntryCannotBeRefreshed) {
  const auto m = manifest("a.txt");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m), kStart));
  EXPECT_EQ(store_.refresh(peer(1), m.file_id(), kStart + kDefaultEntryTtl).error(),
            Errc::no_entry);
  // Still its own (expired) entry, even while another peer's is live: not someone else's.
  ASSERT_TRUE(store_.announce(announce_of(peer(2), m),
                              kStart + kDefaultEntryTtl - std::chrono::seconds{1}));
  EXPECT_EQ(store_.refresh(peer(1), m.file_id(), kStart + kDefaultEntryTtl).error(),
            Errc::no_entry);
}

TEST_F(StoreTest, entriesExpireAfterTheTtlAndExpireRemovesThem) {
  const auto m = manifest("a.txt");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(2), m), kStart + 10min));
  EXPECT_EQ(store_.get_peers(m.file_id(), 10, std::nullopt, kStart + 29min).value().size(), 2U);
  const auto later = kStart + 30min;
  EXPECT_EQ(store_.get_peers(m.file_id(), 10, std::nullopt, later).value().size(), 1U);
  EXPECT_EQ(store_.stats(later).value().live_entries, 1U);

  EXPECT_EQ(store_.expire(later).value().removed, 1U);
  EXPECT_EQ(store_.expire(later).value().removed, 0U);
  EXPECT_EQ(store_.expire(kStart + 1h).value().removed, 1U);
}

TEST_F(StoreTest, expirySweepsAWindowAtATimeAndGoesOnWhereItStopped) {
  const auto m = manifest("a.txt");
  for (std::uint32_t i = 1; i <= 5; ++i) {
    ASSERT_TRUE(store_.announce(announce_of(peer(i), m), kStart + std::chrono::seconds{i}));
  }
  const auto first = store_.expire(kStart + 1h, 3).value();
  EXPECT_EQ(first.examined, 3U);
  EXPECT_EQ(first.removed, 3U);
  EXPECT_FALSE(first.wrapped);
  EXPECT_EQ(store_.stats(kStart).value().live_entries, 2U);

  const auto second = store_.expire(kStart + 1h, 3).value();
  EXPECT_EQ(second.examined, 2U); // the two left, not the first three again
  EXPECT_EQ(second.removed, 2U);
  EXPECT_TRUE(second.wrapped);
  EXPECT_EQ(store_.stats(kStart).value().live_entries, 0U);
}

TEST_F(StoreTest, expirySweepKeepsLiveEntriesAndStartsOverAfterTheLast) {
  const auto m = manifest("a.txt");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(2), m), kStart + 20min));
  ASSERT_TRUE(store_.announce(announce_of(peer(3), m), kStart));
  const auto at = kStart + 31min; // peers 1 and 3 expired, peer 2 live
  const auto first = store_.expire(at, 2).value();
  EXPECT_EQ(first.removed, 1U);
  EXPECT_FALSE(first.wrapped);
  const auto second = store_.expire(at, 2).value();
  EXPECT_EQ(second.removed, 1U);
  EXPECT_TRUE(second.wrapped);
  // A new sweep: the live entry is looked at again, and kept.
  const auto third = store_.expire(at, 2).value();
  EXPECT_EQ(third.examined, 1U);
  EXPECT_EQ(third.removed, 0U);
  const auto peers = store_.get_peers(m.file_id(), 10, std::nullopt, at).value();
  ASSERT_EQ(peers.size(), 1U);
  EXPECT_EQ(peers[0].peer, peer(2));
}

TEST_F(StoreTest, searchFindsAWordOfTheName) {
  ASSERT_TRUE(store_.announce(announce_of(peer(1), manifest("holiday-video-2026.bin")), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(1), manifest("work-notes.txt")), kStart));
  EXPECT_EQ(search_names("holiday"), std::vector<std::string>{"holiday-video-2026.bin"});
  EXPECT_EQ(search_names("2026"), std::vector<std::string>{"holiday-video-2026.bin"});
  EXPECT_TRUE(search_names("holi").empty()); // whole words only
}

TEST_F(StoreTest, searchNeedsEveryWordAndIgnoresCase) {
  ASSERT_TRUE(store_.announce(announce_of(peer(1), manifest("Holiday Video.mkv")), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(1), manifest("holiday-photos.zip")), kStart));
  EXPECT_EQ(search_names("VIDEO holiday"), std::vector<std::string>{"Holiday Video.mkv"});
  EXPECT_EQ(search_names("HOLIDAY").size(), 2U);
  EXPECT_TRUE(search_names("holiday music").empty());
  EXPECT_EQ(store_.search(" -- ", 10, 0, kStart).error(), Errc::empty_query);
}

TEST_F(StoreTest, searchByFileIdPrefixOfAtLeastEightHexDigits) {
  const auto m = manifest("prefix-me.bin");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(1), manifest("other.bin")), kStart));
  const std::string hex = m.file_id().to_hex();
  for (std::size_t length : {8U, 9U, 16U, 64U}) {
    std::string prefix = hex.substr(0, length);
    auto hits = store_.search(prefix, 10, 0, kStart);
    ASSERT_TRUE(hits);
    ASSERT_EQ(hits.value().size(), 1U) << prefix;
    EXPECT_EQ(hits.value()[0].file_id, m.file_id());
  }
  std::string upper = hex.substr(0, 12);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](char c) { return static_cast<char>(std::toupper(c)); });
  EXPECT_EQ(store_.search(upper, 10, 0, kStart).value().size(), 1U);
}

TEST_F(StoreTest, searchHitsCarryNameSizeFullFileIdSeedersAndFirstSeen) {
  const auto m =
      core::Manifest::create("report.pdf", 1000, core::ChunkSize{}, {core::Hash256{}}).value();
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(2), m), kStart + 5min));
  auto hits = store_.search("report", 10, 0, kStart + 10min);
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits.value().size(), 1U);
  const SearchHit& hit = hits.value()[0];
  EXPECT_EQ(hit.name, "report.pdf");
  EXPECT_EQ(hit.size, 1000U);
  EXPECT_EQ(hit.file_id, m.file_id());
  EXPECT_EQ(hit.live_seeders, 2U);
  EXPECT_EQ(hit.first_seen, kStart);
}

TEST_F(StoreTest, searchRanksByLiveSeedersThenFirstSeen) {
  ASSERT_TRUE(store_.announce(announce_of(peer(1), manifest("song old.mp3")), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(1), manifest("song new.mp3")), kStart + 1min));
  const auto popular = manifest("song popular.mp3");
  for (std::uint32_t i = 1; i <= 3; ++i) {
    ASSERT_TRUE(store_.announce(announce_of(peer(i), popular), kStart + 2min));
  }
  EXPECT_EQ(search_names("song", kStart + 3min),
            (std::vector<std::string>{"song popular.mp3", "song old.mp3", "song new.mp3"}));
}

TEST_F(StoreTest, searchPagesWithLimitAndOffset) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_.announce(announce_of(peer(1), manifest("page " + std::to_string(i))),
                                kStart + std::chrono::minutes{i}));
  }
  EXPECT_EQ(search_names("page", kStart + 10min, 2, 0),
            (std::vector<std::string>{"page 0", "page 1"}));
  EXPECT_EQ(search_names("page", kStart + 10min, 2, 2),
            (std::vector<std::string>{"page 2", "page 3"}));
  EXPECT_EQ(search_names("page", kStart + 10min, 2, 4), (std::vector<std::string>{"page 4"}));
}

TEST_F(StoreTest, filesWhosePeersExpiredStaySearchableWithZeroSeeders) {
  ASSERT_TRUE(store_.announce(announce_of(peer(1), manifest("old-thing.bin")), kStart));
  ASSERT_EQ(store_.expire(kStart + 2h).value().removed, 1U);
  auto hits = store_.search("thing", 10, 0, kStart + 2h);
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits.value().size(), 1U);
  EXPECT_EQ(hits.value()[0].live_seeders, 0U);
}

TEST_F(StoreTest, unlistedFilesAreReachableByFileIdButNeverSearched) {
  const auto m = manifest("secret-plans.txt");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m, /*unlisted=*/true), kStart));
  EXPECT_TRUE(search_names("secret").empty());
  EXPECT_TRUE(search_names(m.file_id().to_hex().substr(0, 10)).empty());
  EXPECT_EQ(store_.get_peers(m.file_id(), 10, std::nullopt, kStart).value().size(), 1U);
  EXPECT_EQ(store_.get_manifest(m.file_id()).value(), m.encoded());

  // Another peer that has the same bytes may list them.
  ASSERT_TRUE(store_.announce(announce_of(peer(2), m, /*unlisted=*/false), kStart));
  EXPECT_EQ(search_names("secret").size(), 1U);
}

TEST_F(StoreTest, aDeletedFileIsGoneAndRefusedFromThenOn) {
  const auto m = manifest("bad-file.bin");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), m), kStart));
  ASSERT_TRUE(store_.delete_file(m.file_id(), kStart));
  EXPECT_TRUE(search_names("bad").empty());
  EXPECT_TRUE(search_names(m.file_id().to_hex()).empty());
  EXPECT_EQ(store_.get_manifest(m.file_id()).error(), Errc::file_deleted);
  EXPECT_EQ(store_.get_peers(m.file_id(), 10, std::nullopt, kStart).error(), Errc::file_deleted);
  EXPECT_EQ(store_.announce(announce_of(peer(2), m), kStart).error(), Errc::file_deleted);
  EXPECT_EQ(store_.stats(kStart).value().files, 0U);
  EXPECT_EQ(store_.stats(kStart).value().live_entries, 0U);
}

TEST_F(StoreTest, aFileIdCanBeDeletedBeforeAnyoneAnnouncesIt) {
  const auto m = manifest("blocked.bin");
  ASSERT_TRUE(store_.delete_file(m.file_id(), kStart));
  EXPECT_EQ(store_.announce(announce_of(peer(1), m), kStart).error(), Errc::file_deleted);
}

TEST_F(StoreTest, aBannedPeerLosesItsEntriesAndIsRefused) {
  const auto a = manifest("a.bin");
  const auto b = manifest("b.bin");
  ASSERT_TRUE(store_.announce(announce_of(peer(1), a), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(1), b), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(2), a), kStart));
  ASSERT_TRUE(store_.ban_peer(peer(1)));
  auto peers = store_.get_peers(a.file_id(), 10, std::nullopt, kStart);
  ASSERT_EQ(peers.value().size(), 1U);
  EXPECT_EQ(peers.value()[0].peer, peer(2));
  EXPECT_TRUE(store_.get_peers(b.file_id(), 10, std::nullopt, kStart).value().empty());
  EXPECT_EQ(store_.announce(announce_of(peer(1), a), kStart).error(), Errc::peer_banned);
  EXPECT_EQ(store_.refresh(peer(1), a.file_id(), kStart).error(), Errc::peer_banned);
  EXPECT_EQ(store_.stats(kStart).value().peers, 1U);
}

TEST_F(StoreTest, statsCountFilesLiveEntriesAndPeers) {
  ASSERT_TRUE(store_.announce(announce_of(peer(1), manifest("a")), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(2), manifest("a")), kStart));
  ASSERT_TRUE(store_.announce(announce_of(peer(2), manifest("b")), kStart));
  const auto stats = store_.stats(kStart).value();
  EXPECT_EQ(stats.files, 2U);
  EXPECT_EQ(stats.live_entries, 3U);
  EXPECT_EQ(stats.peers, 2U);
  EXPECT_EQ(stats.live_peers, 2U);
  // Once peer 1's entry expires it is still known, but no longer live.
  ASSERT_TRUE(store_.refresh(peer(2), manifest("a").file_id(),
                             kStart + kDefaultEntryTtl - std::chrono::seconds{1}));
  ASSERT_TRUE(store_.refresh(peer(2), manifest("b").file_id(),
                             kStart + kDefaultEntryTtl - std::chrono::seconds{1}));
  const auto later = store_.stats(kStart + kDefaultEntryTtl + std::chrono::seconds{1}).value();
  EXPECT_EQ(later.peers, 2U);
  EXPECT_EQ(later.live_peers, 1U);
}

TEST_F(StoreTest, recentDhtPeersListsTheMostRecentlySeenCapableOnes) {
  for (std::uint32_t i = 1; i <= 4; ++i) {
    auto request = announce_of(peer(i), manifest("f"));
    request.dht_port = i != 2 ? 7000 : 0;
    request.endpoints = {endpoint(static_cast<std::uint8_t>(i))};
    ASSERT_TRUE(store_.announce(request, kStart + std::chrono::minutes{i}));
  }
  auto recent = store_.recent_dht_peers(2, kStart + 5min);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent.value().size(), 2U);
  EXPECT_EQ(recent.value()[0].peer, peer(4));
  EXPECT_EQ(recent.value()[1].peer, peer(3));
  EXPECT_EQ(recent.value()[1].endpoints, std::vector<core::Endpoint>{endpoint(3)});
  // Not after they stop announcing.
  EXPECT_TRUE(store_.recent_dht_peers(10, kStart + 2h).value().empty());
}

TEST_F(StoreTest, recentDhtPeersHaveTheEntryEndpointsWithTheDhtPort) {
  auto request = announce_of(peer(1), manifest("f"));
  request.endpoints = {endpoint(1, 7000), endpoint(2, 7001)};
  request.dht_port = 6881;
  ASSERT_TRUE(store_.announce(request, kStart));
  const auto recent = store_.recent_dht_peers(10, kStart + 1min).value();
  ASSERT_EQ(recent.size(), 1U);
  EXPECT_EQ(recent[0].endpoints,
            (std::vector<core::Endpoint>{endpoint(1, 6881), endpoint(2, 6881)}));
  // The file's sources keep the peer ports.
  const auto peers = store_.get_peers(manifest("f").file_id(), 10, peer(2), kStart + 1min);
  ASSERT_TRUE(peers);
  ASSERT_EQ(peers.value().size(), 1U);
  EXPECT_EQ(peers.value()[0].endpoints, request.endpoints);
}

} // namespace
} // namespace swarmshare::tracker
