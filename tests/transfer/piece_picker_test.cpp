#include "swarmshare/transfer/piece_picker.hpp"

#include "swarmshare/core/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <ostream>
#include <set>
#include <utility>
#include <vector>

namespace swarmshare::transfer {

void PrintTo(const BlockRequest& block, std::ostream* out) {
  *out << "{chunk " << core::index_value(block.chunk) << ", offset " << block.offset << ", length "
       << block.length << "}";
}

namespace {

using core::ChunkIndex;

// Small blocks keep the arithmetic readable: a full chunk is four blocks.
constexpr std::uint32_t kBlock = 16;
constexpr std::uint32_t kChunk = 4 * kBlock;

constexpr PeerSlot kA{1};
constexpr PeerSlot kB{2};
constexpr PeerSlot kC{3};

[[nodiscard]] PiecePicker make_picker(std::uint32_t chunks, std::uint64_t seed = 1) {
  core::SeededRandom random{seed};
  return PiecePicker::create(std::vector<std::uint32_t>(chunks, kChunk), random, kBlock).value();
}

[[nodiscard]] std::vector<bool> has_all(std::uint32_t chunks) {
  return std::vector<bool>(chunks, true);
}

[[nodiscard]] std::vector<bool> has_only(std::uint32_t chunks,
                                         std::initializer_list<std::uint32_t> indices) {
  std::vector<bool> haves(chunks, false);
  for (const std::uint32_t index : indices) {
    haves[index] = true;
  }
  return haves;
}

[[nodiscard]] std::set<std::uint32_t> chunks_of(const std::vector<BlockRequest>& blocks) {
  std::set<std::uint32_t> chunks;
  for (const BlockRequest& block : blocks) {
    chunks.insert(core::index_value(block.chunk));
  }
  return chunks;
}

[[nodiscard]] std::vector<BlockRequest> blocks_of_chunk(std::uint32_t chunk) {
  std::vector<BlockRequest> blocks;
  for (std::uint32_t offset = 0; offset < kChunk; offset += kBlock) {
    blocks.push_back(BlockRequest{ChunkIndex{chunk}, offset, kBlock});
  }
  return blocks;
}

/// Delivers every block from `slot`; returns whether the last one completed its chunk.
[[nodiscard]] bool deliver(PiecePicker& picker, PeerSlot slot,
                           const std::vector<BlockRequest>& blocks) {
  bool complete = false;
  for (const BlockRequest& block : blocks) {
    const BlockArrival arrival = picker.on_block(slot, block);
    EXPECT_EQ(arrival.verdict, BlockVerdict::accepted);
    complete = arrival.chunk_complete;
  }
  return complete;
}

TEST(PiecePicker, doesNotRequestSameBlockTwice) {
  auto picker = make_picker(4);
  for (const PeerSlot slot : {kA, kB, kC}) {
    ASSERT_TRUE(picker.add_peer(slot, has_all(4)));
  }
  std::vector<BlockRequest> all;
  for (const auto& [slot, count] : {std::pair{kA, 5U}, std::pair{kB, 5U}, std::pair{kC, 5U}}) {
    EXPECT_FALSE(picker.in_endgame());
    const auto picked = picker.pick(slot, count);
    EXPECT_EQ(picked.size(), count);
    all.insert(all.end(), picked.begin(), picked.end());
  }
  const auto last = picker.pick(kA, 1);
  all.insert(all.end(), last.begin(), last.end());
  ASSERT_EQ(all.size(), 16U);
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = i + 1; j < all.size(); ++j) {
      EXPECT_NE(all[i], all[j]);
    }
  }
  EXPECT_TRUE(picker.in_endgame());
}

TEST(PiecePicker, picksRarestChunkFirst) {
  auto picker = make_picker(4);
  ASSERT_TRUE(picker.add_peer(kA, has_all(4)));
  ASSERT_TRUE(picker.add_peer(kB, has_only(4, {0, 1, 3})));
  ASSERT_TRUE(picker.add_peer(kC, has_only(4, {0, 3})));
  EXPECT_EQ(picker.availability(ChunkIndex{2}).value(), 1U);

  EXPECT_EQ(picker.pick(kA, 4), blocks_of_chunk(2));
  EXPECT_EQ(picker.pick(kA, 4), blocks_of_chunk(1));
  EXPECT_EQ(chunks_of(picker.pick(kA, 8)), (std::set<std::uint32_t>{0, 3}));
}

[[nodiscard]] std::vector<std::uint32_t> chunk_order_for_seed(std::uint64_t seed) {
  core::SeededRandom random{seed};
  auto picker = PiecePicker::create(std::vector<std::uint32_t>(64, kBlock), random, kBlock).value();
  EXPECT_TRUE(picker.add_peer(kA, has_all(64)));
  std::vector<std::uint32_t> order;
  for (const BlockRequest& block : picker.pick(kA, 64)) {
    order.push_back(core::index_value(block.chunk));
  }
  return order;
}

TEST(PiecePicker, breaksTiesRandomlyWithInjectedRandom) {
  const auto first = chunk_order_for_seed(1);
  ASSERT_EQ(first.size(), 64U);
  EXPECT_EQ(chunk_order_for_seed(1), first);
  EXPECT_NE(chunk_order_for_seed(2), first);
  auto sorted = first;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
  EXPECT_FALSE(std::is_sorted(first.begin(), first.end()));
}

TEST(PiecePicker, finishesPartialChunksBeforeStartingNew) {
  auto picker = make_picker(4);
  ASSERT_TRUE(picker.add_peer(kA, has_all(4)));
  const auto first = picker.pick(kA, 2);
  ASSERT_EQ(chunks_of(first).size(), 1U);
  const std::uint32_t started = core::index_value(first.front().chunk);
  EXPECT_EQ(picker.chunk_state(ChunkIndex{started}).value(), ChunkState::partial);

  // Another chunk becomes rarer than the started one; the started one still comes first.
  const std::uint32_t rare = (started + 1) % 4;
  auto haves = has_all(4);
  haves[rare] = false;
  ASSERT_TRUE(picker.add_peer(kB, haves));

  const auto next = picker.pick(kA, 3);
  ASSERT_EQ(next.size(), 3U);
  const auto expected = blocks_of_chunk(started);
  EXPECT_EQ(next[0], expected[2]);
  EXPECT_EQ(next[1], expected[3]);
  EXPECT_EQ(core::index_value(next[2].chunk), rare);
}

TEST(PiecePicker, onlyRequestsChunksThePeerHas) {
  auto picker = make_picker(8);
  ASSERT_TRUE(picker.add_peer(kA, has_only(8, {2, 5})));
  const auto picked = picker.pick(kA, 100);
  EXPECT_EQ(picked.size(), 8U);
  EXPECT_EQ(chunks_of(picked), (std::set<std::uint32_t>{2, 5}));
  EXPECT_TRUE(picker.pick(kA, 100).empty());

  ASSERT_TRUE(picker.peer_has(kA, ChunkIndex{6}));
  EXPECT_EQ(picker.pick(kA, 100), blocks_of_chunk(6));
}

TEST(PiecePicker, removedPeerBlocksReturnToPool) {
  auto picker = make_picker(2);
  ASSERT_TRUE(picker.add_peer(kA, has_all(2)));
  ASSERT_TRUE(picker.add_peer(kB, has_all(2)));
  const auto picked = picker.pick(kA, 3);
  ASSERT_EQ(picker.blocks_outstanding(kA), picked);

  picker.remove_peer(kA);
  EXPECT_TRUE(picker.blocks_outstanding(kA).empty());
  EXPECT_EQ(picker.availability(ChunkIndex{0}).value(), 1U);
  EXPECT_TRUE(picker.pick(kA, 1).empty());
  const auto again = picker.pick(kB, 3);
  EXPECT_EQ(again, picked);
  EXPECT_EQ(picker.on_block(kA, picked[0]).verdict, BlockVerdict::not_requested);
}

TEST(PiecePicker, failedRequestReturnsBlockToPool) {
  auto picker = make_picker(1);
  ASSERT_TRUE(picker.add_peer(kA, has_all(1)));
  ASSERT_TRUE(picker.add_peer(kB, has_all(1)));
  const auto picked = picker.pick(kA, 2);
  picker.on_request_failed(kA, picked[0]);

  EXPECT_EQ(picker.blocks_outstanding(kA), std::vector<BlockRequest>{picked[1]});
  EXPECT_EQ(picker.pick(kB, 1), std::vector<BlockRequest>{picked[0]});
  EXPECT_EQ(picker.on_block(kA, picked[0]).verdict, BlockVerdict::not_requested);
}

TEST(PiecePicker, ignoresBlocksNotAskedOfThePeer) {
  auto picker = make_picker(2);
  ASSERT_TRUE(picker.add_peer(kA, has_all(2)));
  ASSERT_TRUE(picker.add_peer(kB, has_all(2)));
  const auto picked = picker.pick(kA, 1);
  EXPECT_EQ(picker.on_block(kB, picked[0]).verdict, BlockVerdict::not_requested);
  const BlockRequest misaligned{picked[0].chunk, picked[0].offset + 1, kBlock};
  EXPECT_EQ(picker.on_block(kA, misaligned).verdict, BlockVerdict::not_requested);
  const BlockRequest too_long{picked[0].chunk, picked[0].offset, kBlock + 1};
  EXPECT_EQ(picker.on_block(kA, too_long).verdict, BlockVerdict::not_requested);
  EXPECT_EQ(picker.on_block(kA, BlockRequest{ChunkIndex{9}, 0, kBlock}).verdict,
            BlockVerdict::not_requested);

  EXPECT_EQ(picker.on_block(kA, picked[0]).verdict, BlockVerdict::accepted);
  EXPECT_EQ(picker.on_block(kA, picked[0]).verdict, BlockVerdict::duplicate);
}

TEST(PiecePicker, endgameDuplicatesLastBlocksToAnotherPeer) {
  auto picker = make_picker(1);
  for (const PeerSlot slot : {kA, kB, kC}) {
    ASSERT_TRUE(picker.add_peer(slot, has_all(1)));
  }
  const auto picked = picker.pick(kA, 10);
  ASSERT_EQ(picked, blocks_of_chunk(0));
  EXPECT_TRUE(picker.in_endgame());

  EXPECT_TRUE(picker.pick(kA, 10).empty()); // never the same peer twice
  EXPECT_EQ(picker.pick(kB, 10), picked);
  EXPECT_TRUE(picker.pick(kC, 10).empty()); // at most two peers per block
}

TEST(PiecePicker, endgameNotNowHandsOutOnlyBlocksNobodyWasAskedFor) {
  auto picker = make_picker(2);
  ASSERT_TRUE(picker.add_peer(kA, has_all(2)));
  ASSERT_TRUE(picker.add_peer(kB, has_all(2)));
  const auto first = picker.pick(kA, 6, PiecePicker::Endgame::not_now);
  ASSERT_EQ(first.size(), 6U);
  // Two blocks are left unrequested: B gets those and no duplicate of A's, although the
  // picker is in endgame once they are out.
  const auto second = picker.pick(kB, 10, PiecePicker::Endgame::not_now);
  EXPECT_EQ(second.size(), 2U);
  for (const auto& block : second) {
    EXPECT_EQ(std::count(first.begin(), first.end(), block), 0);
  }
  EXPECT_TRUE(picker.in_endgame());
  EXPECT_TRUE(picker.pick(kB, 10, PiecePicker::Endgame::not_now).empty());
  EXPECT_FALSE(picker.pick(kB, 10, PiecePicker::Endgame::allowed).empty());
}

TEST(PiecePicker, endgameReportsPeersToCancel) {
  auto picker = make_picker(1);
  ASSERT_TRUE(picker.add_peer(kA, has_all(1)));
  ASSERT_TRUE(picker.add_peer(kB, has_all(1)));
  const auto picked = picker.pick(kA, 10);
  ASSERT_EQ(picker.pick(kB, 10), picked);

  const BlockArrival arrival = picker.on_block(kB, picked[0]);
  EXPECT_EQ(arrival.verdict, BlockVerdict::accepted);
  EXPECT_EQ(arrival.cancel_at, std::vector<PeerSlot>{kA});
  const auto left_at_a = picker.blocks_outstanding(kA);
  EXPECT_EQ(std::count(left_at_a.begin(), left_at_a.end(), picked[0]), 0);
  EXPECT_EQ(left_at_a.size(), 3U);
  EXPECT_EQ(picker.on_block(kA, picked[0]).verdict, BlockVerdict::duplicate);
  EXPECT_EQ(picker.on_block(kA, picked[1]).cancel_at, std::vector<PeerSlot>{kB});
}

TEST(PiecePicker, doesNotEnterEndgameWhileUnrequestedBlocksAreAvailable) {
  auto picker = make_picker(2);
  ASSERT_TRUE(picker.add_peer(kA, has_only(2, {0})));
  ASSERT_TRUE(picker.add_peer(kB, has_all(2)));
  ASSERT_EQ(picker.pick(kA, 10), blocks_of_chunk(0));
  EXPECT_FALSE(picker.in_endgame());
  EXPECT_TRUE(picker.pick(kA, 10).empty());
  EXPECT_EQ(picker.pick(kB, 4), blocks_of_chunk(1));
  EXPECT_TRUE(picker.in_endgame());
}

TEST(PiecePicker, failedVerificationRefetchesWholeChunk) {
  auto picker = make_picker(1);
  ASSERT_TRUE(picker.add_peer(kA, has_all(1)));
  const auto picked = picker.pick(kA, 10);
  ASSERT_TRUE(deliver(picker, kA, picked));
  EXPECT_EQ(picker.chunk_state(ChunkIndex{0}).value(), ChunkState::verifying);
  EXPECT_FALSE(picker.is_complete());

  ASSERT_TRUE(picker.on_verify_failed(ChunkIndex{0}));
  EXPECT_EQ(picker.chunk_state(ChunkIndex{0}).value(), ChunkState::missing);
  EXPECT_EQ(picker.pick(kA, 10), picked);
  ASSERT_TRUE(deliver(picker, kA, picked));
  ASSERT_TRUE(picker.on_verified(ChunkIndex{0}));
  EXPECT_EQ(picker.chunk_state(ChunkIndex{0}).value(), ChunkState::have);
  EXPECT_TRUE(picker.is_complete());
}

TEST(PiecePicker, reportsContributorsOfAFailedChunk) {
  auto picker = make_picker(2);
  for (const PeerSlot slot : {kC, kA, kB}) {
    ASSERT_TRUE(picker.add_peer(slot, has_all(2)));
  }
  const auto from_b = picker.pick(kB, 2);
  const auto from_a = picker.pick(kA, 2);
  ASSERT_EQ(chunks_of(from_b), chunks_of(from_a));
  EXPECT_FALSE(deliver(picker, kB, from_b));
  EXPECT_TRUE(deliver(picker, kA, from_a));

  const auto contributors = picker.on_verify_failed(from_a[0].chunk);
  ASSERT_TRUE(contributors);
  EXPECT_EQ(contributors.value(), (std::vector<PeerSlot>{kA, kB}));
}

TEST(PiecePicker, verdictOnlyForChunksAwaitingVerification) {
  auto picker = make_picker(1);
  EXPECT_EQ(picker.on_verified(ChunkIndex{0}).error(), std::errc::invalid_argument);
  EXPECT_EQ(picker.on_verify_failed(ChunkIndex{0}).error(), std::errc::invalid_argument);
  EXPECT_EQ(picker.on_verified(ChunkIndex{1}).error(), core::Errc::chunk_index_out_of_range);
}

TEST(PiecePicker, bannedPeerIsNeverPicked) {
  auto picker = make_picker(2);
  ASSERT_TRUE(picker.add_peer(kA, has_all(2)));
  ASSERT_TRUE(picker.add_peer(kB, has_all(2)));
  const auto picked = picker.pick(kA, 2);
  picker.ban_peer(kA);

  EXPECT_TRUE(picker.is_banned(kA));
  EXPECT_TRUE(picker.pick(kA, 10).empty());
  EXPECT_EQ(picker.add_peer(kA, has_all(2)).error(), std::errc::operation_not_permitted);
  EXPECT_EQ(picker.availability(ChunkIndex{1}).value(), 1U);
  EXPECT_EQ(picker.pick(kB, 2), picked);
}

TEST(PiecePicker, resumeSkipsVerifiedChunks) {
  auto picker = make_picker(4);
  ASSERT_TRUE(picker.set_have(ChunkIndex{0}));
  ASSERT_TRUE(picker.set_have(ChunkIndex{2}));
  EXPECT_EQ(picker.chunks_needed(), 2U);
  EXPECT_EQ(picker.chunk_state(ChunkIndex{2}).value(), ChunkState::have);

  ASSERT_TRUE(picker.add_peer(kA, has_all(4)));
  EXPECT_EQ(chunks_of(picker.pick(kA, 100)), (std::set<std::uint32_t>{1, 3}));
}

TEST(PiecePicker, lastChunkAndLastBlockAreShort) {
  core::SeededRandom random{1};
  auto picker = PiecePicker::create({40, 23}, random, kBlock).value();
  ASSERT_TRUE(picker.add_peer(kA, has_all(2)));
  auto picked = picker.pick(kA, 10);
  std::sort(picked.begin(), picked.end(), [](const BlockRequest& a, const BlockRequest& b) {
    return std::pair{a.chunk, a.offset} < std::pair{b.chunk, b.offset};
  });
  const std::vector<BlockRequest> expected{
      {ChunkIndex{0}, 0, 16}, {ChunkIndex{0}, 16, 16}, {ChunkIndex{0}, 32, 8},
      {ChunkIndex{1}, 0, 16}, {ChunkIndex{1}, 16, 7},
  };
  EXPECT_EQ(picked, expected);
  EXPECT_EQ(picker.on_block(kA, BlockRequest{ChunkIndex{1}, 16, 16}).verdict,
            BlockVerdict::not_requested);
}

TEST(PiecePicker, takesChunkLengthsFromManifest) {
  constexpr std::uint32_t kSize = core::ChunkSize::kMinBytes;
  const auto manifest = core::Manifest::create("f.bin", 2 * kSize + 5, core::ChunkSize{},
                                               std::vector<core::Hash256>(1))
                            .value();
  core::SeededRandom random{1};
  auto picker = PiecePicker::for_manifest(manifest, random, 100'000).value();
  ASSERT_EQ(picker.chunk_count(), 1U);
  ASSERT_TRUE(picker.add_peer(kA, has_all(1)));
  EXPECT_EQ(picker.pick(kA, 10), (std::vector<BlockRequest>{{ChunkIndex{0}, 0, 2 * kSize + 5}}));
}

// A small swarm: peers with random haves (every chunk held by someone), requests kept a few
// deep per peer, blocks arriving in random order, some requests failing, some chunks failing
// verification once. The world's randomness and the picker's come from seeded generators.
void simulate_swarm(std::uint64_t seed, std::uint32_t& cancels) {
  constexpr std::uint32_t kChunks = 30;
  constexpr std::uint32_t kPeers = 6;
  constexpr std::uint32_t kDepth = 5;
  core::SeededRandom picker_random{seed};
  core::SeededRandom world{seed + 1000};
  std::vector<std::uint32_t> lengths(kChunks, kChunk);
  lengths.back() = kChunk - 9;
  auto picker = PiecePicker::create(lengths, picker_random, kBlock).value();

  std::vector<std::vector<bool>> haves(kPeers, std::vector<bool>(kChunks, false));
  for (std::uint32_t chunk = 0; chunk < kChunks; ++chunk) {
    haves[world.below(kPeers)][chunk] = true;
    for (auto& peer : haves) {
      peer[chunk] = peer[chunk] || world.below(3) == 0;
    }
  }
  for (std::uint32_t p = 0; p < kPeers; ++p) {
    ASSERT_TRUE(picker.add_peer(PeerSlot{p}, haves[p]));
  }

  std::vector<std::vector<BlockRequest>> in_flight(kPeers);
  std::map<std::pair<std::uint32_t, std::uint32_t>, int> accepted; // (chunk, offset) -> times
  std::set<std::uint32_t> failed_once;
  const auto held_elsewhere = [&](std::uint32_t self, const BlockRequest& block) {
    for (std::uint32_t p = 0; p < kPeers; ++p) {
      if (p != self && std::count(in_flight[p].begin(), in_flight[p].end(), block) > 0) {
        return true;
      }
    }
    return false;
  };

  for (int step = 0; step < 10'000 && !picker.is_complete(); ++step) {
    std::vector<std::uint32_t> busy;
    for (std::uint32_t p = 0; p < kPeers; ++p) {
      const auto room = kDepth - static_cast<std::uint32_t>(in_flight[p].size());
      for (const BlockRequest& block : picker.pick(PeerSlot{p}, room)) {
        ASSERT_TRUE(picker.in_endgame() || !held_elsewhere(p, block)) << "seed " << seed;
        in_flight[p].push_back(block);
      }
      if (!in_flight[p].empty()) {
        busy.push_back(p);
      }
    }
    ASSERT_FALSE(busy.empty()) << "stalled, seed " << seed;
    const std::uint32_t p = busy[world.below(busy.size())];
    auto& queue = in_flight[p];
    const auto position = queue.begin() + static_cast<std::ptrdiff_t>(world.below(queue.size()));
    const BlockRequest block = *position;
    queue.erase(position);

    if (world.below(10) == 0) {
      picker.on_request_failed(PeerSlot{p}, block);
      continue;
    }
    const BlockArrival arrival = picker.on_block(PeerSlot{p}, block);
    ASSERT_EQ(arrival.verdict, BlockVerdict::accepted) << "seed " << seed;
    ++accepted[{core::index_value(block.chunk), block.offset}];
    for (const PeerSlot other : arrival.cancel_at) {
      ++cancels;
      auto& other_queue = in_flight[slot_value(other)];
      ASSERT_EQ(std::erase(other_queue, block), 1U);
    }
    if (arrival.chunk_complete) {
      const std::uint32_t chunk = core::index_value(block.chunk);
      if (world.below(5) == 0 && failed_once.insert(chunk).second) {
        ASSERT_TRUE(picker.on_verify_failed(block.chunk));
        std::erase_if(accepted, [&](const auto& entry) { return entry.first.first == chunk; });
      } else {
        ASSERT_TRUE(picker.on_verified(block.chunk));
      }
    }
  }

  ASSERT_TRUE(picker.is_complete()) << "seed " << seed;
  EXPECT_EQ(accepted.size(), (kChunks - 1) * 4 + 4U); // the short last chunk still has 4
  for (const auto& [block, times] : accepted) {
    EXPECT_EQ(times, 1) << "chunk " << block.first << " offset " << block.second;
  }
  EXPECT_FALSE(failed_once.empty()) << "seed " << seed;
}

TEST(PiecePicker, completesWholeFileInSimulation) {
  std::uint32_t cancels = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    simulate_swarm(seed, cancels);
  }
  EXPECT_GT(cancels, 0U); // endgame happened, and the simulation honoured its cancels
}

TEST(PiecePicker, rejectsInvalidShapesAndPeers) {
  core::SeededRandom random{1};
  EXPECT_EQ(PiecePicker::create({64, 0}, random, kBlock).error(), std::errc::invalid_argument);
  EXPECT_EQ(PiecePicker::create({64}, random, 0).error(), std::errc::invalid_argument);
  EXPECT_EQ(
      PiecePicker::create(std::vector<std::uint32_t>(core::kMaxChunks + 1, 64), random).error(),
      core::Errc::file_too_large);
  EXPECT_TRUE(PiecePicker::create(std::vector<std::uint32_t>(core::kMaxChunks, 64), random));

  auto picker = make_picker(2);
  EXPECT_EQ(picker.add_peer(kA, has_all(3)).error(), std::errc::invalid_argument);
  ASSERT_TRUE(picker.add_peer(kA, has_all(2)));
  EXPECT_EQ(picker.add_peer(kA, has_all(2)).error(), std::errc::invalid_argument);
  EXPECT_EQ(picker.peer_has(kA, ChunkIndex{2}).error(), core::Errc::chunk_index_out_of_range);
  EXPECT_EQ(picker.peer_has(kB, ChunkIndex{0}).error(), std::errc::invalid_argument);
}

} // namespace
} // namespace swarmshare::transfer
