// One DHT node's own duties, on a small simulated network: it lets in the nodes that ask
// it (after they answered its ping), keeps trying its bootstrap node while nobody answers,
// and stores its peer record where a get_peers lookup finds it.

#include "swarmshare/dht/node.hpp"
#include "swarmshare/dht/sim_network.hpp"

#include "simulated_dht.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;

// Nodes with real identities (announces are signed), on one simulated network.
class NodeTest : public ::testing::Test {
protected:
  struct Peer {
    crypto::Identity identity = crypto::Identity::generate();
    core::SeededRandom random;
    sim::Forwarder sink;
    std::optional<SimEndpoint> endpoint;
    std::unique_ptr<Node> node;
    explicit Peer(std::uint64_t seed) : random(seed) {}
  };

  Peer& add_peer() {
    auto peer = std::make_unique<Peer>(peers_.size() + 100);
    peer->endpoint = net_.add_node(peer->sink);
    peer->node =
        std::make_unique<Node>(peer->identity.peer_id(), network_, peer->endpoint->transport(),
                               peer->endpoint->scheduler(), net_.clock(), peer->random);
    peer->sink.node = peer->node.get();
    peers_.push_back(std::move(peer));
    return *peers_.back();
  }

  static SimOptions lossless() {
    SimOptions options;
    options.loss = 0.0; // these tests are about the node's duties, not about loss
    return options;
  }

  core::SeededRandom random_{3};
  SimNetwork net_{random_, lossless()};
  crypto::NetworkId network_ = crypto::NetworkId::public_network();
  std::vector<std::unique_ptr<Peer>> peers_;
};

TEST_F(NodeTest, aNodeThatOnlyAskedIsPingedAndThenKnown) {
  Peer& first = add_peer();
  Peer& newcomer = add_peer();
  first.node->bootstrap({}, [](bool) {});
  std::optional<bool> usable;
  newcomer.node->bootstrap({first.endpoint->endpoint()}, [&usable](bool ok) { usable = ok; });
  net_.run_for(5s);
  ASSERT_EQ(usable, std::optional<bool>{true});
  EXPECT_TRUE(newcomer.node->routing_table().find(first.node->id()).has_value());
  // `first` never asked the newcomer anything: it knows it only from the pong to its ping.
  EXPECT_TRUE(first.node->routing_table().find(newcomer.node->id()).has_value());
}

TEST_F(NodeTest, bootstrapKeepsPingingWhileNobodyAnswers) {
  Peer& first = add_peer();
  Peer& newcomer = add_peer();
  first.node->bootstrap({}, [](bool) {});
  ASSERT_TRUE(net_.kill(first.endpoint->endpoint()));
  std::optional<bool> usable;
  newcomer.node->bootstrap({first.endpoint->endpoint()}, [&usable](bool ok) { usable = ok; });
  net_.run_for(3s); // the first round's ping is lost on a dead node
  EXPECT_FALSE(usable.has_value());
  ASSERT_TRUE(net_.revive(first.endpoint->endpoint()));
  net_.run_for(10s);
  EXPECT_EQ(usable, std::optional<bool>{true});
  EXPECT_TRUE(newcomer.node->routing_table().find(first.node->id()).has_value());
}

TEST_F(NodeTest, anAnnouncedPeerRecordIsFoundByAnotherNodesLookup) {
  for (int i = 0; i < 30; ++i) {
    Peer& peer = add_peer();
    std::vector<core::Endpoint> through;
    if (i > 0) {
      through.push_back(peers_.front()->endpoint->endpoint());
    }
    peer.node->bootstrap(std::move(through), [](bool) {});
    net_.run_for(100ms);
  }
  net_.run_for(10s);

  core::Hash256 digest{};
  digest.fill(0x5a);
  const core::FileId file{digest};
  Peer& sharer = *peers_[7];
  auto record = make_peer_record(sharer.identity, network_, file,
                                 {core::Endpoint::ipv4({11, 0, 7, 1}, 7000)}, net_.clock());
  ASSERT_TRUE(record);
  std::optional<std::size_t> stored;
  sharer.node->announce(record.value(), [&stored](std::size_t count) { stored = count; });
  net_.run_for(5s);
  ASSERT_TRUE(stored.has_value());
  EXPECT_GE(*stored, 1U);

  std::optional<LookupResult> found;
  peers_[21]->node->lookup(LookupTarget::get_peers(file),
                           [&found](const LookupResult& result) { found = result; });
  net_.run_for(5s);
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->peers.size(), 1U);
  EXPECT_EQ(found->peers.front().peer, sharer.identity.peer_id());
}

} // namespace
} // namespace swarmshare::dht
