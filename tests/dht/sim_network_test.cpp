// The simulated network: latency, loss, virtual timers, killed nodes, determinism, scale.

#include "swarmshare/dht/sim_network.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <set>
#include <tuple>
#include <vector>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;
using TimePoint = Scheduler::TimePoint;

struct Received {
  TimePoint at;
  core::Endpoint from;
  std::vector<std::uint8_t> bytes;
};

struct Recorder final : DatagramSink {
  explicit Recorder(const SimNetwork& net_in) : net(net_in) {}
  void on_datagram(const core::Endpoint& from, std::span<const std::uint8_t> datagram) override {
    got.push_back({net.now(), from, {datagram.begin(), datagram.end()}});
    if (hook) {
      hook(from);
    }
  }
  const SimNetwork& net;
  std::vector<Received> got;
  std::function<void(const core::Endpoint&)> hook;
};

SimOptions lossless() {
  SimOptions options;
  options.loss = 0;
  return options;
}

const std::vector<std::uint8_t> kPayload{1, 2, 3};

TEST(SimNetwork, nodesGetDistinctPublicAddressesInDistinctSubnets) {
  core::SeededRandom random(1);
  SimNetwork net(random);
  std::vector<std::unique_ptr<Recorder>> sinks;
  std::set<std::array<std::uint8_t, 3>> subnets;
  for (int i = 0; i < 70'000; ++i) { // past the first /8
    sinks.push_back(std::make_unique<Recorder>(net));
    const auto node = net.add_node(*sinks.back());
    const auto address = node.endpoint().address_bytes();
    ASSERT_TRUE(node.endpoint().is_v4());
    EXPECT_EQ(node.endpoint().port(), kSimNodePort);
    EXPECT_GE(address[0], 11);
    EXPECT_LT(address[0], 100);
    EXPECT_EQ(node.index(), static_cast<std::uint32_t>(i));
    subnets.insert({address[0], address[1], address[2]});
  }
  EXPECT_EQ(subnets.size(), 70'000U);
  EXPECT_EQ(net.node_count(), 70'000U);

  Recorder chosen(net);
  const auto at = core::Endpoint::parse("192.0.2.7:7071").value();
  ASSERT_TRUE(net.add_node(chosen, at));
  EXPECT_EQ(net.add_node(chosen, at).error(), std::errc::address_in_use);
  EXPECT_FALSE(net.add_node(chosen, at.with_port(0)));
}

TEST(SimNetwork, latencyIsWithinBoundsAndFixedPerPair) {
  core::SeededRandom random(2);
  SimNetwork net(random, lossless());
  std::vector<std::unique_ptr<Recorder>> sinks;
  std::vector<SimEndpoint> nodes;
  for (int i = 0; i < 40; ++i) {
    sinks.push_back(std::make_unique<Recorder>(net));
    nodes.push_back(net.add_node(*sinks.back()));
  }
  std::set<SimNetwork::Duration> seen;
  for (const auto& a : nodes) {
    for (const auto& b : nodes) {
      const auto one_way = net.one_way_latency(a.endpoint(), b.endpoint());
      EXPECT_GE(one_way, 10ms); // half of 20 ms
      EXPECT_LE(one_way, 40ms); // half of 80 ms
      EXPECT_EQ(one_way, net.one_way_latency(b.endpoint(), a.endpoint()));
      seen.insert(one_way);
    }
  }
  EXPECT_GT(seen.size(), 100U); // drawn, not constant

  // Every datagram between a pair takes exactly that long, whenever it is sent.
  for (int round = 0; round < 3; ++round) {
    const auto sent_at = net.now();
    nodes[0].transport().send(nodes[1].endpoint(), kPayload);
    nodes[1].transport().send(nodes[0].endpoint(), kPayload);
    net.run_for(1s);
    const auto expected = sent_at + net.one_way_latency(nodes[0].endpoint(), nodes[1].endpoint());
    ASSERT_EQ(sinks[1]->got.size(), round + 1U);
    EXPECT_EQ(sinks[1]->got.back().at, expected);
    EXPECT_EQ(sinks[1]->got.back().from, nodes[0].endpoint());
    EXPECT_EQ(sinks[0]->got.back().at, expected);
  }
  EXPECT_EQ(net.stats().datagrams_delivered, 6U);
  EXPECT_EQ(net.stats().bytes_delivered, 18U);

  SimOptions fixed = lossless();
  fixed.min_round_trip = fixed.max_round_trip = 100ms;
  SimNetwork constant(random, fixed);
  Recorder x(constant);
  Recorder y(constant);
  const auto nx = constant.add_node(x);
  const auto ny = constant.add_node(y);
  EXPECT_EQ(constant.one_way_latency(nx.endpoint(), ny.endpoint()), 50ms);
}

TEST(SimNetwork, lossRateIsCloseToTheConfiguredOne) {
  core::SeededRandom random(3);
  SimNetwork net(random); // 1% by default
  Recorder a(net);
  Recorder b(net);
  const auto na = net.add_node(a);
  const auto nb = net.add_node(b);
  constexpr int kCount = 10'000;
  for (int i = 0; i < kCount; ++i) {
    na.transport().send(nb.endpoint(), kPayload);
  }
  net.run_for(1s);
  const auto stats = net.stats();
  EXPECT_EQ(stats.datagrams_sent, static_cast<std::uint64_t>(kCount));
  EXPECT_EQ(stats.datagrams_lost + stats.datagrams_delivered, stats.datagrams_sent);
  EXPECT_EQ(b.got.size(), stats.datagrams_delivered);
  EXPECT_GE(stats.datagrams_lost, 50U);
  EXPECT_LE(stats.datagrams_lost, 150U);
  EXPECT_EQ(stats.bytes_lost, stats.datagrams_lost * kPayload.size());
}

TEST(SimNetwork, timersFireInOrderAtTheirVirtualTimes) {
  core::SeededRandom random(4);
  SimNetwork net(random, lossless());
  Recorder sink(net);
  auto& scheduler = net.add_node(sink).scheduler();
  const auto start = net.now();
  EXPECT_EQ(scheduler.now(), start);
  EXPECT_EQ(net.clock().steady_now(), start);
  const auto wall_start = net.clock().system_now();

  std::vector<std::pair<int, TimePoint>> calls;
  const auto record = [&](int tag) { return [&, tag] { calls.emplace_back(tag, net.now()); }; };
  (void)scheduler.after(300ms, record(3));
  (void)scheduler.after(100ms, record(1));
  (void)scheduler.after(200ms, record(2));
  (void)scheduler.after(200ms, record(22));
  const auto cancelled = scheduler.after(150ms, record(99));
  scheduler.cancel(cancelled);
  scheduler.cancel(Scheduler::TimerId{0});
  (void)scheduler.after(250ms, [&] {
    (void)scheduler.after(0ms, record(25)); // not from inside after(): next event
  });
  EXPECT_TRUE(calls.empty());

  net.run_until(start + 250ms);
  EXPECT_EQ(net.now(), start + 250ms);
  net.run_for(1s);
  EXPECT_EQ(net.now(), start + 1250ms);
  EXPECT_EQ(calls, (std::vector<std::pair<int, TimePoint>>{{1, start + 100ms},
                                                           {2, start + 200ms},
                                                           {22, start + 200ms},
                                                           {25, start + 250ms},
                                                           {3, start + 300ms}}));
  EXPECT_EQ(net.clock().system_now() - wall_start, 1250ms);
  EXPECT_EQ(net.stats().timers_fired, 6U);
}

TEST(SimNetwork, killedNodeGetsNothingAndItsTimersStop) {
  core::SeededRandom random(5);
  SimNetwork net(random, lossless());
  Recorder a(net);
  Recorder b(net);
  const auto na = net.add_node(a);
  const auto nb = net.add_node(b);
  int fired = 0;
  (void)nb.scheduler().after(1s, [&] { ++fired; });
  na.transport().send(nb.endpoint(), kPayload); // on the way when b dies
  net.run_for(1ms);
  EXPECT_TRUE(net.kill(nb.endpoint()));
  EXPECT_FALSE(net.is_alive(nb.endpoint()));
  na.transport().send(nb.endpoint(), kPayload);
  nb.transport().send(na.endpoint(), kPayload); // a dead node sends nothing
  net.run_for(5s);
  EXPECT_TRUE(b.got.empty());
  EXPECT_TRUE(a.got.empty());
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(net.stats().datagrams_undeliverable, 2U);

  // Unknown endpoints swallow datagrams too.
  na.transport().send(core::Endpoint::parse("198.51.100.1:7071").value(), kPayload);
  EXPECT_EQ(net.stats().datagrams_undeliverable, 3U);
  EXPECT_FALSE(net.kill(core::Endpoint::parse("198.51.100.1:7071").value()));

  // Back as if restarted: receives again; timers from before stay gone.
  (void)nb.scheduler().after(1s, [&] { ++fired; });
  EXPECT_TRUE(net.revive(nb.endpoint()));
  (void)nb.scheduler().after(1s, [&] { fired += 10; });
  na.transport().send(nb.endpoint(), kPayload);
  net.run_for(5s);
  EXPECT_EQ(b.got.size(), 1U);
  EXPECT_EQ(fired, 10);
}

/// Every node pings a random node each simulated second and answers pings: the traffic
/// of a small DHT, for the determinism and scale tests.
struct PingWorld {
  struct Pinger final : DatagramSink {
    explicit Pinger(PingWorld& world_in) : world(world_in) {}
    void on_datagram(const core::Endpoint& from, std::span<const std::uint8_t> datagram) override {
      world.log.emplace_back(world.net.now(), index, from, datagram.size());
      if (datagram.size() == 1) {
        world.nodes[index].transport().send(from, world.pong);
      }
    }
    void tick() {
      const auto& to = world.nodes[world.random.below(world.nodes.size())].endpoint();
      world.nodes[index].transport().send(to, world.ping);
      (void)world.nodes[index].scheduler().after(1s, [this] { tick(); });
    }
    PingWorld& world;
    std::uint32_t index = 0;
  };

  PingWorld(std::uint64_t seed, std::size_t count) : random(seed), net(random) {
    for (std::size_t i = 0; i < count; ++i) {
      pingers.push_back(std::make_unique<Pinger>(*this));
      nodes.push_back(net.add_node(*pingers.back()));
      pingers.back()->index = nodes.back().index();
    }
    for (auto& pinger : pingers) { // first ticks spread over the first second
      (void)nodes[pinger->index].scheduler().after(std::chrono::milliseconds{random.below(1000)},
                                                   [p = pinger.get()] { p->tick(); });
    }
  }

  core::SeededRandom random;
  SimNetwork net;
  std::vector<std::unique_ptr<Pinger>> pingers;
  std::vector<SimEndpoint> nodes;
  std::vector<std::uint8_t> ping{1};
  std::vector<std::uint8_t> pong{2, 2};
  std::vector<std::tuple<TimePoint, std::uint32_t, core::Endpoint, std::size_t>> log;
};

TEST(SimNetwork, sameSeedGivesTheSameRun) {
  PingWorld first(42, 300);
  PingWorld second(42, 300);
  PingWorld other(43, 300);
  for (auto* world : {&first, &second, &other}) {
    world->net.run_for(10s);
  }
  ASSERT_GT(first.log.size(), 5'000U);
  EXPECT_EQ(first.log, second.log);
  EXPECT_EQ(first.net.stats().datagrams_lost, second.net.stats().datagrams_lost);
  EXPECT_NE(first.log, other.log);
}

// Scale, not speed (bench/ measures time): ten thousand nodes keep every count consistent.
TEST(SimNetwork, tenThousandNodesAccountForEveryDatagram) {
  PingWorld world(7, 10'000);
  world.net.run_for(30s);
  const auto stats = world.net.stats();
  // 10,000 pings and about as many pongs per simulated second, plus 10,000 timers.
  EXPECT_GE(stats.events, 800'000U);
  EXPECT_NEAR(static_cast<double>(stats.datagrams_lost) / static_cast<double>(stats.datagrams_sent),
              0.01, 0.002);
  EXPECT_EQ(stats.datagrams_delivered, world.log.size());
  // Every datagram sent was delivered, lost, undeliverable, or is still on its way.
  const auto accounted =
      stats.datagrams_delivered + stats.datagrams_lost + stats.datagrams_undeliverable;
  ASSERT_LE(accounted, stats.datagrams_sent);
  EXPECT_LE(stats.datagrams_sent - accounted, world.net.pending_events());
}

} // namespace
} // namespace swarmshare::dht
