// Iterative lookups over a small simulated network of real-behaving nodes: they converge on
// the k closest, fail over past stalled and silent nodes, stop when done, and collect
// records and tokens.

#include "swarmshare/dht/lookup.hpp"

#include "dht_test_values.hpp"

#include "fake_network.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace swarmshare::dht {
namespace {

using test_values::identity_from;

using namespace std::chrono_literals;
using testing::endpoint_number;
using testing::FakeNetwork;
using testing::peer_number;

std::vector<NodeId> ids_of(const std::vector<NodeContact>& contacts) {
  std::vector<NodeId> ids;
  for (const NodeContact& contact : contacts) {
    ids.push_back(contact.id);
  }
  return ids;
}

std::vector<NodeId> ids_of(const std::vector<AnsweredNode>& nodes) {
  std::vector<NodeId> ids;
  for (const AnsweredNode& node : nodes) {
    ids.push_back(node.contact.id);
  }
  return ids;
}

class LookupTest : public ::testing::Test {
protected:
  LookupTest() {
    clock_.set_system_time(
        std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}});
    network_.attach(client_, our_endpoint_);
  }

  /// A few nodes we know from an earlier exchange: the lookup must find the rest.
  void know_nodes(std::initializer_list<std::size_t> indexes) {
    for (std::size_t index : indexes) {
      (void)table_.on_response(network_.nodes()[index].contact);
    }
  }

  /// Runs a lookup to its end (virtual time) and returns its result.
  LookupResult run(const LookupTarget& target, LookupOptions options = {},
                   std::vector<NodeContact> seeds = {}) {
    std::optional<LookupResult> result;
    auto lookup = Lookup::create(client_, clock_, target, options, std::move(seeds));
    lookup->start([&result](const LookupResult& done) { result = done; });
    lookup.reset(); // the lookup keeps itself alive while it runs
    for (int i = 0; i < 1000 && !result; ++i) {
      scheduler_.advance(10ms);
    }
    EXPECT_TRUE(result.has_value());
    return result.value_or(LookupResult{});
  }

  crypto::PeerId self_ = peer_number(1);
  core::Endpoint our_endpoint_ = core::Endpoint::ipv4({198, 51, 100, 1}, 7000);
  crypto::NetworkId net_ = crypto::NetworkId::from_name("lookup test");
  core::ManualClock clock_;
  core::SeededRandom random_{5};
  testing::ManualScheduler scheduler_{clock_};
  FakeNetwork network_{scheduler_, clock_, net_, 40};
  RoutingTable table_{NodeId::of_peer(self_), clock_, random_};
  RpcClient client_{network_, scheduler_, table_, random_, self_, net_};
};

TEST_F(LookupTest, lookupFindsTheKClosestNodes) {
  know_nodes({3, 17, 29});
  for (const char* word : {"alpha", "bravo", "charlie"}) {
    const NodeId target = NodeId::of_word(word);
    const LookupResult result = run(LookupTarget::find_node(target));
    EXPECT_TRUE(result.success) << word;
    EXPECT_EQ(ids_of(result.closest), ids_of(network_.closest(target, 8))) << word;
    EXPECT_LT(result.stats.requests, 40U) << word;
    EXPECT_EQ(result.stats.replies, result.stats.requests);
    EXPECT_GT(result.stats.bytes_sent, 0U);
    EXPECT_GT(result.stats.bytes_received, 0U);
    EXPECT_GT(result.stats.duration, 0ms);
  }
  // Everyone who answered is now in our routing table.
  EXPECT_GT(table_.size(), 8U);
}

TEST_F(LookupTest, lookupStopsWhenTheKClosestHaveAnswered) {
  const NodeId target = NodeId::of_word("stop");
  // Seeded with the true 8 closest and 12 farther nodes: nothing closer exists, so the
  // lookup asks exactly those 8 and never the farther ones.
  std::vector<NodeContact> seeds = network_.closest(target, 20);
  const LookupResult result = run(LookupTarget::find_node(target), {}, seeds);
  EXPECT_TRUE(result.success);
  EXPECT_EQ(result.stats.requests, 8U);
  for (std::size_t i = 8; i < seeds.size(); ++i) {
    EXPECT_EQ(network_.find(seeds[i].id)->queries, 0U);
  }
  const std::size_t sent = network_.sent.size();
  scheduler_.advance(10s);
  EXPECT_EQ(network_.sent.size(), sent);
}

TEST_F(LookupTest, stalledRequestIsReplacedSoAlphaStayInFlight) {
  const NodeId target = NodeId::of_word("stall");
  std::vector<NodeContact> seeds = network_.closest(target, 12);
  for (std::size_t i = 0; i < 3; ++i) {
    network_.find(seeds[i].id)->latency = 700ms; // slow, but within the 1 s timeout
  }
  std::optional<LookupResult> result;
  auto lookup = Lookup::create(client_, clock_, LookupTarget::find_node(target), {}, seeds);
  lookup->start([&result](const LookupResult& done) { result = done; });
  EXPECT_EQ(network_.sent.size(), 3U); // α = 3, to the three closest
  scheduler_.advance(299ms);
  EXPECT_EQ(network_.sent.size(), 3U);
  scheduler_.advance(1ms);
  EXPECT_EQ(network_.sent.size(), 6U); // three more, so α are active again
  EXPECT_EQ(lookup->stats().stalled, 3U);
  scheduler_.advance(2s);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->success);
  // The late replies were still used: the slow nodes are among the closest that answered.
  EXPECT_EQ(ids_of(result->closest), ids_of(network_.closest(target, 8)));
  EXPECT_EQ(result->stats.timeouts, 0U);
}

TEST_F(LookupTest, silentNodesTimeOutAndTheNextClosestTakeTheirPlace) {
  const NodeId target = NodeId::of_word("silent");
  const std::vector<NodeContact> truth = network_.closest(target, 10);
  network_.find(truth[0].id)->silent = true;
  network_.find(truth[4].id)->silent = true;
  know_nodes({1, 20, 33});
  const LookupResult result = run(LookupTarget::find_node(target));
  EXPECT_TRUE(result.success);
  // The six live nodes of the true eight come first; the rest are the closest the lookup
  // could learn of (replies name at most eight, silent ones included, so the 9th and 10th
  // of the whole network may stay unknown: the same limit as in any Kademlia).
  const std::vector<NodeId> found = ids_of(result.closest);
  ASSERT_EQ(found.size(), 8U);
  const std::vector<NodeId> live{truth[1].id, truth[2].id, truth[3].id,
                                 truth[5].id, truth[6].id, truth[7].id};
  EXPECT_EQ(std::vector<NodeId>(found.begin(), found.begin() + 6), live);
  EXPECT_EQ(std::find(found.begin(), found.end(), truth[0].id), found.end());
  EXPECT_EQ(std::find(found.begin(), found.end(), truth[4].id), found.end());
  // Each silent node is asked twice (a lost datagram is not a dead node) before it fails.
  EXPECT_EQ(result.stats.timeouts, 4U);
}

TEST_F(LookupTest, aNodeWhoseFirstAnswerWasLostIsAskedAgainAndCounts) {
  const NodeId target = NodeId::of_word("lossy");
  const std::vector<NodeContact> truth = network_.closest(target, 8);
  auto* closest = network_.find(truth[0].id);
  closest->silent = true;
  know_nodes({2, 21, 34});
  // Its first answer is lost; it answers the second query.
  std::optional<LookupResult> done;
  auto lookup = Lookup::create(client_, clock_, LookupTarget::find_node(target));
  lookup->start([&done](const LookupResult& finished) { done = finished; });
  for (int i = 0; i < 1000 && !done; ++i) {
    scheduler_.advance(10ms);
    closest->silent = false; // the first query to it is gone; the next one is answered
  }
  EXPECT_GE(client_.stats().timeouts, 1U);
  ASSERT_TRUE(done.has_value());
  const LookupResult& result = *done;
  EXPECT_TRUE(result.success);
  ASSERT_FALSE(result.closest.empty());
  EXPECT_EQ(result.closest.front().contact.id, truth[0].id);
}

TEST_F(LookupTest, aNodeThatWantsItsTokenEchoedIsAskedOnceMoreWithIt) {
  for (auto& node : network_.nodes()) {
    node.demand_token = true;
  }
  know_nodes({3, 17, 29});
  const NodeId target = NodeId::of_word("prove");
  const LookupResult result = run(LookupTarget::find_node(target));
  EXPECT_TRUE(result.success);
  EXPECT_EQ(ids_of(result.closest), ids_of(network_.closest(target, 8)));
  EXPECT_EQ(result.stats.errors, 0U);
  EXPECT_EQ(result.stats.requests % 2, 0U); // each node: refused once, then answered
}

TEST_F(LookupTest, getPeersLookupCollectsRecordsAndTokens) {
  core::Hash256 digest{};
  digest.fill(0x42);
  const core::FileId file{digest};
  const NodeId key = NodeId::of_file(file);
  const crypto::Identity alice = identity_from(1);
  const crypto::Identity bob = identity_from(2);
  const PeerRecord from_alice =
      make_peer_record(alice, net_, file, {endpoint_number(1)}, clock_).value();
  const PeerRecord from_bob =
      make_peer_record(bob, net_, file, {endpoint_number(2)}, clock_).value();
  PeerRecord forged = from_bob;
  forged.peer = peer_number(77);
  // The nodes closest to the file hold its records, as announces would have left them.
  for (const NodeContact& contact : network_.closest(key, 8)) {
    network_.find(contact.id)->peers = {from_alice, from_bob, forged};
  }
  know_nodes({2, 11, 38});
  const LookupResult result = run(LookupTarget::get_peers(file));
  EXPECT_TRUE(result.success);
  EXPECT_EQ(ids_of(result.closest), ids_of(network_.closest(key, 8)));
  ASSERT_EQ(result.peers.size(), 2U);
  EXPECT_NE(std::find(result.peers.begin(), result.peers.end(), from_alice), result.peers.end());
  EXPECT_NE(std::find(result.peers.begin(), result.peers.end(), from_bob), result.peers.end());
  EXPECT_GT(result.stats.records_rejected, 0U);
  // Each of the k closest gave its own token, ready for announce_peer.
  for (const AnsweredNode& node : result.closest) {
    ASSERT_TRUE(node.token);
    EXPECT_EQ(node.token, network_.find(node.contact.id)->token);
    EXPECT_EQ(client_.token_for(node.contact.id), node.token);
  }
}

TEST_F(LookupTest, getLookupCollectsTheNewestSignedRecords) {
  const NodeId key = NodeId::of_word("holiday");
  const crypto::Identity alice = identity_from(3);
  const SignedRecord old_record = make_signed_record(alice, net_, key, {}, 1, Bytes{1}).value();
  const SignedRecord new_record = make_signed_record(alice, net_, key, {}, 2, Bytes{2}).value();
  const std::vector<NodeContact> holders = network_.closest(key, 8);
  for (std::size_t i = 0; i < holders.size(); ++i) {
    network_.find(holders[i].id)->records = {i % 2 == 0 ? old_record : new_record};
  }
  know_nodes({5, 25});
  const LookupResult result = run(LookupTarget::get(key));
  EXPECT_TRUE(result.success);
  ASSERT_EQ(result.records.size(), 1U);
  EXPECT_EQ(result.records[0], new_record);
}

TEST_F(LookupTest, neverQueriesOurOwnId) {
  // Every node knows us, so every reply for our own ID names us first.
  const NodeContact us = NodeContact::of(self_, our_endpoint_);
  for (auto& node : network_.nodes()) {
    (void)node.table->on_response(us);
  }
  know_nodes({4, 14, 24});
  const LookupResult result = run(LookupTarget::find_node(us.id));
  EXPECT_TRUE(result.success);
  for (const testing::SentDatagram& datagram : network_.sent) {
    EXPECT_NE(datagram.to, our_endpoint_);
  }
  EXPECT_EQ(ids_of(result.closest), ids_of(network_.closest(us.id, 8)));
}

TEST_F(LookupTest, withNobodyToAskTheLookupEndsUnsuccessfullyButStillCallsBack) {
  bool called = false;
  auto lookup = Lookup::create(client_, clock_, LookupTarget::find_node(NodeId{}));
  lookup->start([&called](const LookupResult& result) {
    called = true;
    EXPECT_FALSE(result.success);
    EXPECT_TRUE(result.closest.empty());
  });
  EXPECT_FALSE(called); // never from inside start()
  scheduler_.advance(0ms);
  EXPECT_TRUE(called);
}

TEST_F(LookupTest, theDeadlineEndsALookupThatCannotFinish) {
  for (auto& node : network_.nodes()) {
    node.latency = 900ms;
  }
  know_nodes({6, 16, 26});
  LookupOptions options;
  options.deadline = 1500ms;
  const LookupResult result = run(LookupTarget::find_node(NodeId::of_word("late")), options);
  EXPECT_FALSE(result.success);
  EXPECT_TRUE(result.deadline_reached);
  EXPECT_EQ(result.stats.duration, 1500ms);
}

TEST_F(LookupTest, aFinishedLookupIsFreedOnceItsLastQueryIsDone) {
  know_nodes({10, 20, 30});
  network_.nodes()[10].silent = true; // leaves a query outstanding until its timeout
  bool done = false;
  auto lookup = Lookup::create(client_, clock_, LookupTarget::find_node(NodeId::of_word("free")));
  const std::weak_ptr<Lookup> watch = lookup;
  lookup->start([&done](const LookupResult&) { done = true; });
  lookup.reset();
  EXPECT_FALSE(watch.expired()); // its queries and timers hold it while it runs
  scheduler_.advance(5s);
  EXPECT_TRUE(done);
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(scheduler_.pending(), 0U);
}

TEST_F(LookupTest, cancelAllOnShutdownEndsRunningLookups) {
  know_nodes({7, 8, 9});
  std::optional<LookupResult> result;
  auto lookup = Lookup::create(client_, clock_, LookupTarget::find_node(NodeId::of_word("bye")));
  lookup->start([&result](const LookupResult& done) { result = done; });
  client_.cancel_all();
  scheduler_.advance(0ms);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->cancelled);
  EXPECT_FALSE(result->success);
}

} // namespace
} // namespace swarmshare::dht
