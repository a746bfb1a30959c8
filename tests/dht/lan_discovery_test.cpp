// LAN discovery over real sockets. Every multicast here goes over loopback inside a network
// namespace the test creates (netns.hpp), never out of a real interface.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/dht/lan_discovery.hpp"

#include "netns.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;
using test::NetnsInfo;
using test::run_in_new_netns;

/// A safety net for "soon", not a timing goal: the real bound is well under a second.
constexpr auto kGenerous = 10s;

crypto::PeerId peer(std::uint8_t fill) {
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  key.fill(fill);
  return crypto::PeerId{key};
}

/// Loopback only, and announces so rare that within a test only a hello and the unicast
/// reply to it can make two peers meet.
LanDiscoveryOptions loopback_options() {
  LanDiscoveryOptions options;
  options.interfaces = {"lo"};
  options.network = "lan-test";
  options.announce_interval = 600s;
  return options;
}

struct Node {
  Node(boost::asio::io_context& io, std::uint8_t id, LanDiscoveryOptions options)
      : peer_id(peer(id)),
        discovery(io.get_executor(), peer_id, static_cast<std::uint16_t>(7000 + id),
                  static_cast<std::uint16_t>(8000 + id), core::real_clock(), std::move(options)) {
    discovery.set_listener([this](LanPeerEvent event, const LanPeer& p) {
      if (event == LanPeerEvent::expired) {
        expired.push_back(p.peer_id);
      }
    });
  }

  [[nodiscard]] std::optional<LanPeer> seen(const crypto::PeerId& other) const {
    const auto peers = discovery.snapshot();
    const auto found = std::find_if(peers.begin(), peers.end(),
                                    [&](const LanPeer& p) { return p.peer_id == other; });
    return found == peers.end() ? std::nullopt : std::optional<LanPeer>(*found);
  }
  [[nodiscard]] bool knows(const Node& other) const { return seen(other.peer_id).has_value(); }

  crypto::PeerId peer_id;
  LanDiscovery discovery;
  std::vector<crypto::PeerId> expired;
};

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::steady_clock::duration limit = kGenerous) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(10ms);
  }
  return done();
}

bool all_know_each_other(const std::vector<Node*>& nodes) {
  for (const auto* a : nodes) {
    for (const auto* b : nodes) {
      if (a != b && !a->knows(*b)) {
        return false;
      }
    }
  }
  return true;
}

void start(Node& node, bool expect_ipv6 = false) {
  const auto started = node.discovery.start();
  ASSERT_TRUE(started) << started.error().message();
  const auto status = node.discovery.status();
  EXPECT_TRUE(status.running);
  EXPECT_TRUE(status.ipv4) << status.ipv4_error.message();
  if (expect_ipv6) {
    EXPECT_TRUE(status.ipv6) << status.ipv6_error.message();
  }
}

TEST(LanDiscovery, newcomerIsAnsweredAtOnceByUnicast) {
  run_in_new_netns([](const NetnsInfo&) {
    boost::asio::io_context io;
    Node a(io, 1, loopback_options());
    Node b(io, 2, loopback_options());
    start(a);
    io.run_for(50ms);
    start(b);
    // a hears b's hello on the group; b can only learn of a from a's unicast reply (a's
    // next announce is ten minutes away).
    ASSERT_TRUE(run_until(io, [&] { return a.knows(b) && b.knows(a); }));
    const auto a_seen_by_b = b.seen(a.peer_id);
    ASSERT_TRUE(a_seen_by_b->ipv4);
    EXPECT_EQ(a_seen_by_b->ipv4->endpoint, core::Endpoint::ipv4({127, 0, 0, 1}, 7001));
    EXPECT_EQ(a_seen_by_b->dht_port, 8001);
    EXPECT_EQ(b.seen(a.peer_id)->peer_port, 7001);
    EXPECT_EQ(a.seen(b.peer_id)->ipv4->endpoint, core::Endpoint::ipv4({127, 0, 0, 1}, 7002));
  });
}

TEST(LanDiscovery, laterJoinerIsAnsweredAtOnceToo) {
  run_in_new_netns([](const NetnsInfo&) {
    boost::asio::io_context io;
    Node a(io, 1, loopback_options());
    Node b(io, 2, loopback_options());
    Node c(io, 3, loopback_options());
    start(a);
    start(b);
    ASSERT_TRUE(run_until(io, [&] { return all_know_each_other({&a, &b}); }));
    start(c);
    EXPECT_TRUE(run_until(io, [&] { return all_know_each_other({&a, &b, &c}); }));
  });
}

TEST(LanDiscovery, peersSharingThePortAllHearOneAnnouncement) {
  run_in_new_netns([](const NetnsInfo&) {
    boost::asio::io_context io;
    std::vector<std::unique_ptr<Node>> listeners;
    for (std::uint8_t id = 1; id <= 3; ++id) {
      listeners.push_back(std::make_unique<Node>(io, id, loopback_options()));
      start(*listeners.back());
    }
    ASSERT_TRUE(run_until(io, [&] {
      return all_know_each_other({listeners[0].get(), listeners[1].get(), listeners[2].get()});
    }));
    Node newcomer(io, 9, loopback_options());
    start(newcomer);
    // Its one hello reaches every socket on the shared group port, and each reply finds
    // the newcomer's own unicast socket.
    EXPECT_TRUE(run_until(io, [&] {
      return std::all_of(listeners.begin(), listeners.end(), [&](const auto& listener) {
        return listener->knows(newcomer) && newcomer.knows(*listener);
      });
    }));
  });
}

TEST(LanDiscovery, periodicAnnouncesKeepPeersAndAStoppedPeerExpires) {
  run_in_new_netns([](const NetnsInfo&) {
    boost::asio::io_context io;
    auto options = loopback_options();
    options.announce_interval = 200ms;
    options.missed_intervals = 5; // one second of silence
    Node a(io, 1, options);
    Node b(io, 2, options);
    start(a);
    start(b);
    ASSERT_TRUE(run_until(io, [&] { return all_know_each_other({&a, &b}); }));
    // Three expiry times later both are still there: only the announces kept them.
    run_until(
        io, [] { return false; }, 3s);
    EXPECT_TRUE(all_know_each_other({&a, &b}));
    EXPECT_TRUE(a.expired.empty());
    b.discovery.stop();
    EXPECT_TRUE(run_until(io, [&] { return !a.knows(b); }));
    ASSERT_EQ(a.expired.size(), 1U);
    EXPECT_EQ(a.expired.front(), b.peer_id);
  });
}

TEST(LanDiscovery, ipv6LinkLocalMulticastFindsPeers) {
  run_in_new_netns([](const NetnsInfo& info) {
    if (!info.ipv6_multicast) {
      std::cerr << "no IPv6 multicast in the namespace (" << info.ipv6_problem
                << "); nothing to test\n";
      return;
    }
    boost::asio::io_context io;
    auto options = loopback_options();
    options.ipv4 = false;
    Node a(io, 1, options);
    Node b(io, 2, options);
    ASSERT_TRUE(a.discovery.start());
    ASSERT_TRUE(a.discovery.status().ipv6) << a.discovery.status().ipv6_error.message();
    io.run_for(50ms);
    ASSERT_TRUE(b.discovery.start());
    ASSERT_TRUE(run_until(io, [&] { return a.knows(b) && b.knows(a); }));
    const auto seen = b.seen(a.peer_id);
    ASSERT_TRUE(seen->ipv6);
    EXPECT_FALSE(seen->ipv4);
    EXPECT_EQ(seen->ipv6->endpoint, core::Endpoint::parse("[::1]:7001").value());
  });
}

TEST(LanDiscovery, ipv6FailureDoesNotStopIpv4) {
  run_in_new_netns([](const NetnsInfo&) {
    boost::asio::io_context io;
    auto options = loopback_options();
    options.ipv6_group = boost::asio::ip::address_v6::loopback(); // not a group: join fails
    Node a(io, 1, options);
    Node b(io, 2, options);
    start(a);
    start(b);
    EXPECT_FALSE(a.discovery.status().ipv6);
    EXPECT_TRUE(a.discovery.status().ipv6_error);
    EXPECT_TRUE(run_until(io, [&] { return all_know_each_other({&a, &b}); }));
  });
}

TEST(LanDiscovery, stopClosesSocketsAndCancelsTimers) {
  run_in_new_netns([](const NetnsInfo&) {
    boost::asio::io_context io;
    Node a(io, 1, loopback_options());
    start(a);
    EXPECT_NE(a.discovery.ipv4_unicast_port(), 0);
    io.run_for(50ms);
    a.discovery.stop();
    EXPECT_EQ(a.discovery.ipv4_unicast_port(), 0);
    EXPECT_FALSE(a.discovery.status().running);
    // With the sockets closed and the timer cancelled, the loops end and the io_context
    // runs out of work (run_for returns early and the context is stopped).
    io.run_for(kGenerous);
    EXPECT_TRUE(io.stopped());
    // A stopped instance can start again.
    io.restart();
    start(a);
    a.discovery.stop();
  });
}

TEST(LanDiscovery, sameNetworkOnlyPeersMeet) {
  run_in_new_netns([](const NetnsInfo&) {
    boost::asio::io_context io;
    auto other = loopback_options();
    other.network = "other-net";
    Node a(io, 1, loopback_options());
    Node b(io, 2, loopback_options());
    Node stranger(io, 3, other);
    start(a);
    start(stranger);
    io.run_for(50ms);
    start(b);
    ASSERT_TRUE(run_until(io, [&] { return all_know_each_other({&a, &b}); }));
    EXPECT_FALSE(a.knows(stranger));
    EXPECT_FALSE(stranger.knows(b));
  });
}

TEST(LanDiscovery, destroyingARunningInstanceLeavesNoLoopBehind) {
  run_in_new_netns([](const NetnsInfo&) {
    boost::asio::io_context io;
    Node a(io, 1, loopback_options());
    auto b = std::make_unique<Node>(io, 2, loopback_options());
    start(a);
    start(*b);
    ASSERT_TRUE(run_until(io, [&] { return all_know_each_other({&a, b.get()}); }));
    b.reset(); // its loops are still waiting on the io_context
    a.discovery.stop();
    io.run_for(kGenerous);
    EXPECT_TRUE(io.stopped());
  });
}

TEST(LanDiscovery, unknownInterfaceIsAnError) {
  run_in_new_netns([](const NetnsInfo&) {
    boost::asio::io_context io;
    auto options = loopback_options();
    options.interfaces = {"no-such-if0"};
    Node a(io, 1, options);
    const auto started = a.discovery.start();
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error(), std::errc::no_such_device);
    EXPECT_FALSE(a.discovery.status().running);
  });
}

// No namespace needed: a disabled instance opens nothing at all.
TEST(LanDiscovery, disabledNeverStarts) {
  boost::asio::io_context io;
  auto options = loopback_options();
  options.disabled = true;
  Node a(io, 1, options);
  EXPECT_TRUE(a.discovery.start());
  EXPECT_FALSE(a.discovery.status().running);
  EXPECT_EQ(a.discovery.ipv4_unicast_port(), 0);
  EXPECT_EQ(io.run_for(100ms), 0U); // nothing was scheduled
}

} // namespace
} // namespace swarmshare::dht
