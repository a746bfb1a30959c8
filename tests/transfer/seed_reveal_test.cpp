// What a seed shows each downloader (seed_reveal.hpp): pure bookkeeping, no network.

#include "swarmshare/transfer/seed_reveal.hpp"

#include <gtest/gtest.h>

#include <set>

namespace swarmshare::transfer {
namespace {

constexpr std::uint32_t kChunks = 64;

[[nodiscard]] Bitfield bits(std::uint32_t count, std::initializer_list<std::uint32_t> set = {}) {
  auto field = Bitfield::create(count).value();
  for (const auto i : set) {
    EXPECT_TRUE(field.set(core::ChunkIndex{i}));
  }
  return field;
}

class SeedRevealTest : public ::testing::Test {
protected:
  // A peer that attached, sent its have_map and holds an upload slot.
  void serve(std::uint32_t slot, const Bitfield& haves) {
    reveal_.add_peer(PeerSlot{slot});
    reveal_.peer_has_map(PeerSlot{slot}, haves);
    reveal_.set_served(PeerSlot{slot}, true);
  }

  core::SeededRandom random_{42};
  SeedReveal reveal_{kChunks, random_};
};

TEST_F(SeedRevealTest, aPeerServedAloneIsShownEveryChunkItLacks) {
  serve(1, bits(kChunks, {0, 1}));
  const auto shown = reveal_.top_up(PeerSlot{1});
  EXPECT_EQ(shown.size(), kChunks - 2);
  EXPECT_TRUE(reveal_.top_up(PeerSlot{1}).empty()) << "shown twice";
}

TEST_F(SeedRevealTest, aPeerWithoutAnUploadSlotIsShownNothing) {
  reveal_.add_peer(PeerSlot{1});
  reveal_.peer_has_map(PeerSlot{1}, bits(kChunks));
  EXPECT_TRUE(reveal_.top_up(PeerSlot{1}).empty());
}

TEST_F(SeedRevealTest, servedPeersAreShownSeparateSharesOfTheChunksNobodyHas) {
  for (std::uint32_t slot = 1; slot <= 4; ++slot) {
    serve(slot, bits(kChunks));
  }
  std::set<std::uint32_t> seen;
  for (std::uint32_t slot = 1; slot <= 4; ++slot) {
    const auto shown = reveal_.top_up(PeerSlot{slot});
    EXPECT_EQ(shown.size(), kChunks / 4);
    for (const auto chunk : shown) {
      EXPECT_TRUE(seen.insert(core::index_value(chunk)).second)
          << "chunk " << core::index_value(chunk) << " shown to two peers";
    }
  }
  EXPECT_EQ(seen.size(), kChunks);
}

TEST_F(SeedRevealTest, moreIsShownOnlyOnceHalfTheShareWasFetched) {
  serve(1, bits(kChunks));
  serve(2, bits(kChunks));
  const auto first = reveal_.top_up(PeerSlot{1});
  ASSERT_EQ(first.size(), kChunks / 2);
  for (std::size_t i = 0; i < first.size() / 2 - 1; ++i) {
    reveal_.peer_has(PeerSlot{1}, first[i]);
  }
  EXPECT_TRUE(reveal_.top_up(PeerSlot{1}).empty()) << "topped up with more than half waiting";
  reveal_.peer_has(PeerSlot{1}, first[first.size() / 2 - 1]);
  reveal_.peer_has(PeerSlot{1}, first[first.size() / 2]);
  EXPECT_FALSE(reveal_.top_up(PeerSlot{1}).empty());
}

TEST_F(SeedRevealTest, chunksOthersHoldAreShownOnlyAFewAtATimeOnceAllShownWereFetched) {
  // Peer 2 holds the first half; peer 1 holds the second half.
  Bitfield first_half = bits(kChunks);
  Bitfield second_half = bits(kChunks);
  for (std::uint32_t i = 0; i < kChunks; ++i) {
    (void)(i < kChunks / 2 ? first_half : second_half).set(core::ChunkIndex{i});
  }
  serve(1, second_half);
  serve(2, first_half);
  const auto shown = reveal_.top_up(PeerSlot{1});
  ASSERT_EQ(shown.size(), SeedReveal::kTrickle) << "it should trade with peer 2 instead";
  EXPECT_LT(core::index_value(shown.front()), kChunks / 2);
  EXPECT_TRUE(reveal_.top_up(PeerSlot{1}).empty()) << "more before it fetched those";
  for (const auto chunk : shown) {
    reveal_.peer_has(PeerSlot{1}, chunk);
  }
  EXPECT_EQ(reveal_.top_up(PeerSlot{1}).size(), SeedReveal::kTrickle);
}

TEST_F(SeedRevealTest, chunksShownToAnotherPeerAreNotShownAgainWhileItStillHasSomeToFetch) {
  serve(1, bits(kChunks));
  serve(2, bits(kChunks));
  const auto first = reveal_.top_up(PeerSlot{1});
  ASSERT_EQ(reveal_.top_up(PeerSlot{2}).size(), kChunks / 2); // every chunk is shown now
  for (std::size_t i = 0; i + 1 < first.size(); ++i) {
    reveal_.peer_has(PeerSlot{1}, first[i]);
  }
  EXPECT_TRUE(reveal_.top_up(PeerSlot{1}).empty())
      << "peer 2's chunks shown to peer 1 as well: the seed would send them twice";
  reveal_.peer_has(PeerSlot{1}, first.back());
  EXPECT_EQ(reveal_.top_up(PeerSlot{1}).size(), SeedReveal::kTrickle);
}

TEST_F(SeedRevealTest, aPeerThatLeavesNoLongerCountsAsHolder) {
  serve(1, bits(kChunks, {5}));
  serve(2, bits(kChunks));
  reveal_.remove_peer(PeerSlot{1});
  // Peer 2 is now served alone: everything, chunk 5 included.
  const auto shown = reveal_.top_up(PeerSlot{2});
  EXPECT_EQ(shown.size(), kChunks);
}

} // namespace
} // namespace swarmshare::transfer
