#include "swarmshare/dht/routing_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;

// Node IDs are hashes of Peer IDs, so a node in a chosen bucket is found by trying keys.
class Nodes {
public:
  explicit Nodes(const NodeId& own) : own_(own) {}

  /// A node whose ID shares exactly `shared_bits` leading bits with ours.
  NodeContact sharing(std::size_t shared_bits, const core::Endpoint& endpoint) {
    for (;;) {
      const NodeContact contact = NodeContact::of(next_peer(), endpoint);
      if (common_prefix_bits(own_, contact.id) == shared_bits) {
        return contact;
      }
    }
  }
  /// A node in the far half (bucket 0 once the first split happened), on its own /24.
  NodeContact far() { return sharing(0, public_v4(++subnet_)); }

  static core::Endpoint public_v4(std::uint32_t subnet, std::uint8_t host = 1) {
    return core::Endpoint::ipv4({20, static_cast<std::uint8_t>(subnet >> 8U),
                                 static_cast<std::uint8_t>(subnet & 0xFFU), host},
                                7000);
  }

private:
  crypto::PeerId next_peer() {
    std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
    key.fill(0xA5);
    for (std::size_t i = 0; i < 4; ++i) {
      key[i] = static_cast<std::uint8_t>(counter_ >> (8 * i));
    }
    ++counter_;
    return crypto::PeerId{key};
  }

  NodeId own_;
  std::uint32_t counter_ = 0;
  std::uint32_t subnet_ = 0;
};

NodeId own_id() {
  NodeId::Bytes bytes{};
  bytes.fill(0x3C);
  return NodeId{bytes};
}

class RoutingTableTest : public ::testing::Test {
protected:
  core::ManualClock clock_;
  core::SeededRandom random_{42};
  RoutingTable table_{own_id(), clock_, random_};
  Nodes nodes_{own_id()};

  void admit(const NodeContact& contact) {
    const auto outcome = table_.on_response(contact);
    ASSERT_EQ(outcome.admission, Admission::inserted);
  }

  /// Bucket 0 (the far half) full of 8 nodes, answered one second apart (the first is the
  /// least recently seen), and already split off, so it can no longer grow.
  std::vector<NodeContact> fill_far_bucket() {
    std::vector<NodeContact> far;
    for (int i = 0; i < 8; ++i) {
      far.push_back(nodes_.far());
      admit(far.back());
      clock_.advance(1s);
    }
    // One more far node splits the whole-space bucket; the far half is still full.
    (void)table_.on_response(nodes_.far());
    EXPECT_EQ(table_.bucket_count(), 2U);
    return far;
  }
};

// ----- Admission and splitting ----------------------------------------------------------------

TEST_F(RoutingTableTest, startsEmptyWithOneBucketCoveringTheWholeSpace) {
  EXPECT_TRUE(table_.empty());
  EXPECT_EQ(table_.bucket_count(), 1U);
  for (std::size_t bits : {0U, 1U, 5U}) {
    admit(nodes_.sharing(bits, Nodes::public_v4(100 + static_cast<std::uint32_t>(bits))));
  }
  EXPECT_EQ(table_.size(), 3U);
  EXPECT_EQ(table_.bucket_count(), 1U);
}

TEST_F(RoutingTableTest, splitsOnlyTheBucketHoldingOwnId) {
  fill_far_bucket();
  EXPECT_EQ(table_.size(), 8U);
  // The far half no longer holds our ID: more far nodes never make it grow or split.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(table_.on_response(nodes_.far()).admission, Admission::cached);
  }
  EXPECT_EQ(table_.bucket_count(), 2U);
  EXPECT_EQ(table_.size(), 8U);
  // The near half still takes nodes, and splits again when it overflows.
  for (std::uint32_t i = 0; i < 8; ++i) {
    admit(nodes_.sharing(1, Nodes::public_v4(500 + i)));
  }
  EXPECT_EQ(table_.bucket_count(), 2U);
  admit(nodes_.sharing(2, Nodes::public_v4(510)));
  EXPECT_EQ(table_.bucket_count(), 3U);
  EXPECT_EQ(table_.size(), 17U);
}

TEST_F(RoutingTableTest, ownIdNeverEntersTheTable) {
  const NodeContact self{nodes_.far().peer, Nodes::public_v4(1), own_id()};
  EXPECT_EQ(table_.on_response(self).admission, Admission::own_id);
  EXPECT_TRUE(table_.empty());
  EXPECT_EQ(table_.on_timeout(own_id()), TimeoutOutcome::not_in_table);
}

TEST_F(RoutingTableTest, neverAdmitsANodeThatOnlyQueriedUs) {
  const NodeContact stranger = nodes_.far();
  EXPECT_FALSE(table_.on_query_from(stranger));
  EXPECT_TRUE(table_.empty());
  EXPECT_FALSE(table_.find(stranger.id));
  EXPECT_TRUE(table_.closest(stranger.id, 8).empty());
}

TEST_F(RoutingTableTest, answeringAgainRefreshesAKnownNode) {
  const NodeContact node = nodes_.far();
  admit(node);
  EXPECT_EQ(table_.on_response(node).admission, Admission::refreshed);
  EXPECT_EQ(table_.size(), 1U);
}

// ----- Status ---------------------------------------------------------------------------------

TEST_F(RoutingTableTest, nodeTurnsQuestionableAfterFifteenMinutesWithoutAnAnswer) {
  const NodeContact node = nodes_.far();
  admit(node);
  clock_.advance(15min - 1s);
  EXPECT_EQ(table_.status_of(node.id), NodeStatus::good);
  clock_.advance(1s);
  EXPECT_EQ(table_.status_of(node.id), NodeStatus::questionable);
  EXPECT_EQ(table_.on_response(node).admission, Admission::refreshed);
  EXPECT_EQ(table_.status_of(node.id), NodeStatus::good);
}

TEST_F(RoutingTableTest, queryFromANodeThatAnsweredKeepsItGood) {
  const NodeContact node = nodes_.far();
  admit(node);
  clock_.advance(10min);
  EXPECT_TRUE(table_.on_query_from(node));
  clock_.advance(10min);
  EXPECT_EQ(table_.status_of(node.id), NodeStatus::good);
  clock_.advance(5min);
  EXPECT_EQ(table_.status_of(node.id), NodeStatus::questionable);
}

TEST_F(RoutingTableTest, queryFromAnotherEndpointRefreshesNothing) {
  const NodeContact node = nodes_.far();
  admit(node);
  clock_.advance(10min);
  EXPECT_FALSE(table_.on_query_from(NodeContact::of(node.peer, Nodes::public_v4(9999))));
  clock_.advance(10min);
  EXPECT_EQ(table_.status_of(node.id), NodeStatus::questionable);
}

TEST_F(RoutingTableTest, nodeIsBadAfterTwoConsecutiveTimeoutsAndLeavesLookups) {
  const NodeContact node = nodes_.far();
  admit(node);
  EXPECT_EQ(table_.on_timeout(node.id), TimeoutOutcome::counted);
  EXPECT_EQ(table_.status_of(node.id), NodeStatus::good);
  EXPECT_EQ(table_.on_timeout(node.id), TimeoutOutcome::now_bad);
  EXPECT_EQ(table_.status_of(node.id), NodeStatus::bad);
  EXPECT_TRUE(table_.closest(node.id, 8).empty());
}

TEST_F(RoutingTableTest, anAnswerBetweenTimeoutsStartsTheCountAgain) {
  const NodeContact node = nodes_.far();
  admit(node);
  EXPECT_EQ(table_.on_timeout(node.id), TimeoutOutcome::counted);
  EXPECT_EQ(table_.on_response(node).admission, Admission::refreshed);
  EXPECT_EQ(table_.on_timeout(node.id), TimeoutOutcome::counted);
  EXPECT_NE(table_.status_of(node.id), NodeStatus::bad);
}

TEST(RoutingTableOptions, badAfterIsAnOption) {
  core::ManualClock clock;
  core::SeededRandom random{1};
  RoutingTableOptions options;
  options.timeouts_until_bad = 3;
  RoutingTable table{own_id(), clock, random, options};
  Nodes nodes{own_id()};
  const NodeContact node = nodes.far();
  EXPECT_EQ(table.on_response(node).admission, Admission::inserted);
  EXPECT_EQ(table.on_timeout(node.id), TimeoutOutcome::counted);
  EXPECT_EQ(table.on_timeout(node.id), TimeoutOutcome::counted);
  EXPECT_EQ(table.on_timeout(node.id), TimeoutOutcome::now_bad);
}

// ----- Full buckets ---------------------------------------------------------------------------

TEST_F(RoutingTableTest, fullBucketOfGoodNodesKeepsNewcomerOnlyAsCandidate) {
  fill_far_bucket();
  const NodeContact newcomer = nodes_.far();
  const auto outcome = table_.on_response(newcomer);
  EXPECT_EQ(outcome.admission, Admission::cached);
  EXPECT_FALSE(outcome.ping);
  EXPECT_FALSE(table_.find(newcomer.id));
  EXPECT_TRUE(table_.is_candidate(newcomer.id));
}

TEST_F(RoutingTableTest, badNodeIsReplacedAtOnceByAWaitingCandidate) {
  const auto far = fill_far_bucket();
  const NodeContact candidate = nodes_.far();
  EXPECT_EQ(table_.on_response(candidate).admission, Admission::cached);
  EXPECT_EQ(table_.on_timeout(far[5].id), TimeoutOutcome::counted);
  EXPECT_EQ(table_.on_timeout(far[5].id), TimeoutOutcome::replaced_by_candidate);
  EXPECT_FALSE(table_.find(far[5].id));
  EXPECT_EQ(table_.size(), 8U);
}

TEST_F(RoutingTableTest, badNodeWithoutCandidateIsReplacedByTheNextNewcomer) {
  RoutingTableOptions options;
  options.bucket_size = 2;
  RoutingTable table{own_id(), clock_, random_, options};
  const NodeContact a = nodes_.far();
  const NodeContact b = nodes_.far();
  const NodeContact near = nodes_.sharing(1, Nodes::public_v4(7777));
  ASSERT_EQ(table.on_response(a).admission, Admission::inserted);
  ASSERT_EQ(table.on_response(b).admission, Admission::inserted);
  ASSERT_EQ(table.on_response(near).admission, Admission::inserted); // after one split
  ASSERT_EQ(table.bucket_count(), 2U);
  EXPECT_EQ(table.on_timeout(a.id), TimeoutOutcome::counted);
  EXPECT_EQ(table.on_timeout(a.id), TimeoutOutcome::now_bad);
  const NodeContact newcomer = nodes_.far();
  EXPECT_EQ(table.on_response(newcomer).admission, Admission::replaced_bad);
  EXPECT_FALSE(table.find(a.id));
  EXPECT_TRUE(table.find(newcomer.id));
}

TEST_F(RoutingTableTest, questionableNodeIsPingedBeforeEviction) {
  const auto far = fill_far_bucket();
  clock_.advance(15min);
  const NodeContact newcomer = nodes_.far();
  const auto outcome = table_.on_response(newcomer);
  ASSERT_EQ(outcome.admission, Admission::ping_questionable);
  ASSERT_TRUE(outcome.ping);
  // The least recently seen questionable node: the first one that answered.
  EXPECT_EQ(outcome.ping->id, far[0].id);
  EXPECT_TRUE(table_.find(far[0].id)); // nothing evicted before the ping's result
  EXPECT_FALSE(table_.find(newcomer.id));

  EXPECT_EQ(table_.on_timeout(far[0].id), TimeoutOutcome::replaced_by_candidate);
  EXPECT_FALSE(table_.find(far[0].id));
  EXPECT_TRUE(table_.find(newcomer.id));
  EXPECT_EQ(table_.status_of(newcomer.id), NodeStatus::good);
  EXPECT_EQ(table_.size(), 8U);
}

TEST_F(RoutingTableTest, questionableNodeThatAnswersThePingKeepsItsPlace) {
  const auto far = fill_far_bucket();
  clock_.advance(15min);
  const NodeContact newcomer = nodes_.far();
  const auto outcome = table_.on_response(newcomer);
  ASSERT_EQ(outcome.admission, Admission::ping_questionable);
  EXPECT_EQ(table_.on_response(*outcome.ping).admission, Admission::refreshed);
  EXPECT_TRUE(table_.find(far[0].id));
  EXPECT_FALSE(table_.find(newcomer.id));
  EXPECT_FALSE(table_.is_candidate(newcomer.id));
}

TEST_F(RoutingTableTest, eachNewcomerPingsAnotherQuestionableNode) {
  const auto far = fill_far_bucket();
  clock_.advance(15min);
  const auto first = table_.on_response(nodes_.far());
  const auto second = table_.on_response(nodes_.far());
  ASSERT_TRUE(first.ping);
  ASSERT_TRUE(second.ping);
  EXPECT_EQ(first.ping->id, far[0].id);
  EXPECT_EQ(second.ping->id, far[1].id);
}

TEST_F(RoutingTableTest, pendingPingsKeepTheirCandidatesAndLaterNewcomersAreDropped) {
  const auto far = fill_far_bucket(); // its ninth node waits in the cache
  clock_.advance(15min);
  std::vector<NodeContact> awaited;
  for (int i = 0; i < 4; ++i) { // the cache holds 4: the idle ninth node makes room
    awaited.push_back(nodes_.far());
    ASSERT_EQ(table_.on_response(awaited.back()).admission, Admission::ping_questionable);
  }
  EXPECT_EQ(table_.on_response(nodes_.far()).admission, Admission::dropped);
  for (const NodeContact& candidate : awaited) {
    EXPECT_TRUE(table_.is_candidate(candidate.id));
  }
  EXPECT_EQ(table_.on_timeout(far[2].id), TimeoutOutcome::replaced_by_candidate);
  EXPECT_TRUE(table_.find(awaited[2].id));
}

TEST_F(RoutingTableTest, candidateThatTimesOutIsForgotten) {
  fill_far_bucket();
  const NodeContact candidate = nodes_.far();
  EXPECT_EQ(table_.on_response(candidate).admission, Admission::cached);
  EXPECT_EQ(table_.on_timeout(candidate.id), TimeoutOutcome::candidate_dropped);
  EXPECT_FALSE(table_.is_candidate(candidate.id));
}

// ----- Spoofing and diversity -----------------------------------------------------------------

TEST_F(RoutingTableTest, knownPeerAtAnotherEndpointDoesNotMoveTheEntry) {
  const NodeContact node = nodes_.far();
  admit(node);
  const NodeContact spoofed = NodeContact::of(node.peer, Nodes::public_v4(4242));
  EXPECT_EQ(table_.on_response(spoofed).admission, Admission::endpoint_mismatch);
  EXPECT_EQ(table_.find(node.id)->endpoint, node.endpoint);
  clock_.advance(20min); // questionable is not enough either
  EXPECT_EQ(table_.on_response(spoofed).admission, Admission::endpoint_mismatch);
  EXPECT_EQ(table_.find(node.id)->endpoint, node.endpoint);
}

TEST_F(RoutingTableTest, badEntryMovesToTheEndpointThatAnswers) {
  const NodeContact node = nodes_.far();
  admit(node);
  (void)table_.on_timeout(node.id);
  (void)table_.on_timeout(node.id);
  const NodeContact moved = NodeContact::of(node.peer, Nodes::public_v4(4242));
  EXPECT_EQ(table_.on_response(moved).admission, Admission::relocated);
  EXPECT_EQ(table_.find(node.id)->endpoint, moved.endpoint);
  EXPECT_EQ(table_.status_of(node.id), NodeStatus::good);
}

TEST_F(RoutingTableTest, admitsAtMostTwoNodesFromOnePublicSlash24PerBucket) {
  EXPECT_EQ(table_.on_response(nodes_.sharing(0, Nodes::public_v4(77, 1))).admission,
            Admission::inserted);
  EXPECT_EQ(table_.on_response(nodes_.sharing(0, Nodes::public_v4(77, 2))).admission,
            Admission::inserted);
  const NodeContact third = nodes_.sharing(0, Nodes::public_v4(77, 3));
  EXPECT_EQ(table_.on_response(third).admission, Admission::subnet_full);
  EXPECT_FALSE(table_.find(third.id));
  // The next /24 is another network.
  EXPECT_EQ(table_.on_response(nodes_.sharing(0, Nodes::public_v4(78, 3))).admission,
            Admission::inserted);
}

TEST_F(RoutingTableTest, subnetLimitCountsOneBucketAtATime) {
  fill_far_bucket();
  // The far bucket already holds a node from 20.0.1/24 (the first far node); the near
  // bucket keeps its own count.
  for (std::uint8_t host = 2; host <= 3; ++host) {
    EXPECT_EQ(table_.on_response(nodes_.sharing(1, Nodes::public_v4(1, host))).admission,
              Admission::inserted);
  }
  EXPECT_EQ(table_.on_response(nodes_.sharing(1, Nodes::public_v4(1, 4))).admission,
            Admission::subnet_full);
}

TEST_F(RoutingTableTest, admitsAtMostTwoNodesFromOnePublicSlash64PerBucket) {
  core::Endpoint::Bytes16 address{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 7};
  for (std::uint8_t host = 1; host <= 3; ++host) {
    address[15] = host;
    const auto outcome = table_.on_response(nodes_.sharing(0, core::Endpoint::ipv6(address, 7000)));
    EXPECT_EQ(outcome.admission, host <= 2 ? Admission::inserted : Admission::subnet_full);
  }
  address[7] = 8; // the next /64
  EXPECT_EQ(table_.on_response(nodes_.sharing(0, core::Endpoint::ipv6(address, 7000))).admission,
            Admission::inserted);
}

TEST_F(RoutingTableTest, lanAddressesAreExemptFromTheSubnetLimit) {
  const std::array<std::array<std::uint8_t, 3>, 7> networks{{{192, 168, 1},
                                                             {10, 0, 0},
                                                             {172, 16, 5},
                                                             {172, 31, 5},
                                                             {127, 0, 0},
                                                             {169, 254, 3},
                                                             {100, 64, 9}}};
  for (const auto& network : networks) {
    RoutingTable table{own_id(), clock_, random_};
    for (std::uint8_t host = 1; host <= 5; ++host) {
      const auto endpoint = core::Endpoint::ipv4({network[0], network[1], network[2], host}, 7000);
      EXPECT_EQ(table.on_response(nodes_.sharing(0, endpoint)).admission, Admission::inserted)
          << endpoint.to_string();
    }
  }
  const std::array<core::Endpoint::Bytes16, 3> v6_networks{{
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},    // ::1
      {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, // fe80::/10
      {0xfd, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, // fc00::/7
  }};
  for (const auto& network : v6_networks) {
    RoutingTable table{own_id(), clock_, random_};
    for (std::uint16_t port = 1; port <= 5; ++port) {
      auto address = network;
      if (address[0] != 0) {
        address[15] = static_cast<std::uint8_t>(port);
      }
      const auto endpoint = core::Endpoint::ipv6(address, port);
      EXPECT_EQ(table.on_response(nodes_.sharing(0, endpoint)).admission, Admission::inserted)
          << endpoint.to_string();
    }
  }
}

TEST_F(RoutingTableTest, publicNeighboursOfPrivateRangesAreLimited) {
  // 172.32/16 and 100.128/16 lie just outside the private and shared ranges.
  for (const std::array<std::uint8_t, 2> network :
       {std::array<std::uint8_t, 2>{172, 32}, std::array<std::uint8_t, 2>{100, 128}}) {
    RoutingTable table{own_id(), clock_, random_};
    for (std::uint8_t host = 1; host <= 3; ++host) {
      const auto endpoint = core::Endpoint::ipv4({network[0], network[1], 0, host}, 7000);
      EXPECT_EQ(table.on_response(nodes_.sharing(0, endpoint)).admission,
                host <= 2 ? Admission::inserted : Admission::subnet_full);
    }
  }
}

// ----- Lookups and refresh --------------------------------------------------------------------

TEST_F(RoutingTableTest, closestReturnsTheNearestUsableNodesInOrder) {
  std::vector<NodeContact> all;
  for (std::size_t bits = 0; bits < 6; ++bits) {
    for (int i = 0; i < 4; ++i) {
      all.push_back(nodes_.sharing(bits, Nodes::public_v4(static_cast<std::uint32_t>(all.size()))));
      admit(all.back());
    }
  }
  (void)table_.on_timeout(all[21].id);
  (void)table_.on_timeout(all[21].id);
  const NodeId target = all[20].id;
  std::erase_if(all, [&](const NodeContact& c) { return c.id == all[21].id; });
  std::sort(all.begin(), all.end(),
            [&](const NodeContact& a, const NodeContact& b) { return closer(target, a.id, b.id); });

  const auto found = table_.closest(target, 8);
  ASSERT_EQ(found.size(), 8U);
  for (std::size_t i = 0; i < found.size(); ++i) {
    EXPECT_EQ(found[i].id, all[i].id) << i;
  }
  EXPECT_EQ(table_.closest(target, 100).size(), all.size());
}

TEST_F(RoutingTableTest, staleBucketsYieldOneRefreshTargetInsideEachRange) {
  fill_far_bucket();
  for (std::uint32_t i = 0; i < 8; ++i) {
    admit(nodes_.sharing(1, Nodes::public_v4(600 + i)));
  }
  admit(nodes_.sharing(2, Nodes::public_v4(610)));
  ASSERT_EQ(table_.bucket_count(), 3U);
  EXPECT_TRUE(table_.refresh_targets().empty());

  clock_.advance(15min);
  const auto targets = table_.refresh_targets();
  ASSERT_EQ(targets.size(), 3U);
  EXPECT_EQ(common_prefix_bits(own_id(), targets[0]), 0U);
  EXPECT_EQ(common_prefix_bits(own_id(), targets[1]), 1U);
  EXPECT_GE(common_prefix_bits(own_id(), targets[2]), 2U);
  EXPECT_NE(targets[2], own_id());
  // Their lookups are on their way: asking again does not repeat them.
  EXPECT_TRUE(table_.refresh_targets().empty());
}

TEST_F(RoutingTableTest, anAnswerOrALookupKeepsABucketFresh) {
  const auto far = fill_far_bucket();
  clock_.advance(10min);
  EXPECT_EQ(table_.on_response(far[2]).admission, Admission::refreshed); // far bucket
  table_.mark_bucket_used(own_id());                                     // near bucket
  clock_.advance(10min);
  EXPECT_TRUE(table_.refresh_targets().empty());
  clock_.advance(5min);
  EXPECT_EQ(table_.refresh_targets().size(), 2U);
}

TEST_F(RoutingTableTest, listsEveryNodeWithItsStatusForTheUi) {
  const NodeContact a = nodes_.far();
  const NodeContact b = nodes_.sharing(3, Nodes::public_v4(900));
  admit(a);
  clock_.advance(16min);
  admit(b);
  const auto listed = table_.nodes();
  ASSERT_EQ(listed.size(), 2U);
  for (const KnownNode& node : listed) {
    if (node.contact == a) {
      EXPECT_EQ(node.status, NodeStatus::questionable);
    } else {
      EXPECT_EQ(node.contact, b);
      EXPECT_EQ(node.status, NodeStatus::good);
    }
  }
}

} // namespace
} // namespace swarmshare::dht
