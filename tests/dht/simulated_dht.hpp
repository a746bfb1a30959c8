#pragma once
// A whole DHT in one process: N nodes on a SimNetwork (virtual clock, per-link latency,
// loss), joined one after another through the first, then asked lookups whose right
// answer is known (every node's ID is). For the simulation tests and the benchmark.

#include "swarmshare/core/hash.hpp"
#include "swarmshare/dht/node.hpp"
#include "swarmshare/dht/sim_network.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace swarmshare::dht::sim {

using namespace std::chrono_literals;

// Forwards datagrams to a node made after its endpoint (which the node needs first).
struct Forwarder final : DatagramSink {
  Node* node = nullptr;
  void on_datagram(const core::Endpoint& from, std::span<const std::uint8_t> datagram) override {
    if (node != nullptr) {
      node->on_datagram(from, datagram);
    }
  }
};

struct Member {
  explicit Member(std::uint64_t seed) : random(seed) {}
  core::SeededRandom random;
  Forwarder sink;
  std::optional<SimEndpoint> endpoint;
  std::unique_ptr<Node> node;
  bool alive = true;
};

// Peer IDs need no key pair here: nothing on a find_node lookup is signed.
inline crypto::PeerId peer_of(std::uint64_t seed, std::uint32_t index) {
  std::array<std::uint8_t, 12> input{};
  for (std::size_t i = 0; i < 8; ++i) {
    input[i] = static_cast<std::uint8_t>(seed >> (8 * i));
  }
  for (std::size_t i = 0; i < 4; ++i) {
    input[8 + i] = static_cast<std::uint8_t>(index >> (8 * i));
  }
  return crypto::PeerId{core::blake2b_256(input)};
}

struct LookupOutcome {
  NodeId target;
  bool found_closest = false;
  Scheduler::Duration duration{};
  std::uint64_t requests = 0;
  std::uint64_t bytes = 0;
};

class SimulatedDht {
public:
  SimulatedDht(std::size_t nodes, std::uint64_t seed, SimOptions options = {})
      : seed_(seed), random_(seed), net_(random_, options) {
    members_.reserve(nodes);
    for (std::uint32_t i = 0; i < nodes; ++i) {
      auto member = std::make_unique<Member>(seed * 1'000'003 + i);
      member->endpoint = net_.add_node(member->sink);
      member->node = std::make_unique<Node>(
          peer_of(seed, i), crypto::NetworkId::public_network(), member->endpoint->transport(),
          member->endpoint->scheduler(), net_.clock(), member->random);
      member->sink.node = member->node.get();
      members_.push_back(std::move(member));
    }
  }

  // Node i joins at i * `stagger` through a node that joined before it (the first one
  // alone); then the network runs `settle` more.
  void join_all(Scheduler::Duration stagger, Scheduler::Duration settle) {
    for (std::size_t i = 0; i < members_.size(); ++i) {
      std::vector<core::Endpoint> through;
      if (i > 0) {
        through.push_back(members_[pick_below(i)]->endpoint->endpoint());
      }
      members_[i]->node->bootstrap(std::move(through), [](bool) {});
      net_.run_for(stagger);
    }
    net_.run_for(settle);
  }

  // Kills a fraction of the nodes, chosen at random (never the same twice).
  void kill_fraction(double fraction) {
    std::vector<std::size_t> order(members_.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    for (std::size_t i = order.size(); i > 1; --i) {
      std::swap(order[i - 1], order[pick_below(i)]);
    }
    const auto count = static_cast<std::size_t>(fraction * static_cast<double>(order.size()));
    for (std::size_t i = 0; i < count; ++i) {
      auto& member = *members_[order[i]];
      member.alive = false;
      (void)net_.kill(member.endpoint->endpoint());
    }
  }

  // `count` find_node lookups, one every `spacing`, each from a live node for the ID of
  // another live node; run until all are done.
  std::vector<LookupOutcome> run_lookups(std::size_t count, Scheduler::Duration spacing) {
    auto outcomes = std::make_shared<std::vector<LookupOutcome>>();
    auto pending = std::make_shared<std::size_t>(count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t from = pick_alive();
      std::size_t to = pick_alive();
      while (to == from) {
        to = pick_alive();
      }
      const NodeId target = members_[to]->node->id();
      // The right answer: the live node closest to the target other than the asker (a
      // lookup never lists itself); here the target node itself.
      const NodeId expected = closest_alive(target, from);
      members_[from]->node->lookup(
          LookupTarget::find_node(target),
          [outcomes, pending, expected, target](const LookupResult& result) {
            LookupOutcome outcome;
            outcome.target = target;
            outcome.found_closest =
                !result.closest.empty() && result.closest.front().contact.id == expected;
            outcome.duration = result.stats.duration;
            outcome.requests = result.stats.requests;
            outcome.bytes = result.stats.bytes_sent + result.stats.bytes_received;
            outcomes->push_back(outcome);
            --*pending;
          });
      net_.run_for(spacing);
    }
    for (int guard = 0; *pending > 0 && guard < 600; ++guard) {
      net_.run_for(100ms);
    }
    return *outcomes;
  }

  [[nodiscard]] SimNetwork& network() noexcept { return net_; }
  [[nodiscard]] const std::vector<std::unique_ptr<Member>>& members() const noexcept {
    return members_;
  }

private:
  std::size_t pick_below(std::size_t bound) {
    return static_cast<std::size_t>(random_.below(bound));
  }
  std::size_t pick_alive() {
    for (;;) {
      const auto index = pick_below(members_.size());
      if (members_[index]->alive) {
        return index;
      }
    }
  }
  NodeId closest_alive(const NodeId& target, std::size_t except) const {
    std::optional<NodeId> best;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (i == except || !members_[i]->alive) {
        continue;
      }
      const auto& id = members_[i]->node->id();
      if (!best || closer(target, id, *best)) {
        best = id;
      }
    }
    return *best;
  }

  std::uint64_t seed_;
  core::SeededRandom random_;
  SimNetwork net_;
  std::vector<std::unique_ptr<Member>> members_;
};

} // namespace swarmshare::dht::sim
