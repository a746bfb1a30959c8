// The DHT as a registry, over real UDP on 127.0.0.1: a few UdpNodes in one process join
// through the first, publish shares and find each other's.

#include "dht_test_values.hpp"
#include "run_coroutine.hpp"
#include "swarmshare/core/msgpack_io.hpp"
#include "swarmshare/dht/error.hpp"
#include "swarmshare/dht/udp_node.hpp"
#include "temp_dir.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>

namespace swarmshare::dht {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test_values::identity_from;

std::shared_ptr<const core::Manifest> manifest_named(const std::string& name) {
  return std::make_shared<const core::Manifest>(
      core::Manifest::create(name, 0, core::ChunkSize{}, {}).value());
}

core::ShareAnnouncement share_of(const std::shared_ptr<const core::Manifest>& manifest,
                                 std::uint16_t port, bool listed = true) {
  core::ShareAnnouncement share;
  share.manifest = manifest;
  share.listed = listed;
  share.endpoints.push_back(core::Endpoint::ipv4({127, 0, 0, 1}, port));
  return share;
}

// Polls `condition` until it holds or `limit` passes.
asio::awaitable<bool> eventually(const std::function<bool()>& condition,
                                 std::chrono::milliseconds limit = 5s) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) {
      co_return false;
    }
    timer.expires_after(20ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return true;
}

class DhtRegistryTest : public ::testing::Test {
protected:
  // Binds 127.0.0.1 on a free port; joins through `bootstrap` once started.
  UdpNode& open_node(std::uint8_t seed, std::vector<core::Endpoint> bootstrap = {},
                     std::optional<std::filesystem::path> saved_table = std::nullopt) {
    identities_.push_back(identity_from(seed));
    UdpNodeOptions options;
    options.bind = core::Endpoint::ipv4({127, 0, 0, 1}, 0);
    options.bootstrap = std::move(bootstrap);
    options.saved_table = std::move(saved_table);
    options.registry.watch_interval = watch_interval_;
    options.registry.republish_interval = republish_interval_;
    auto opened = UdpNode::open(io_.get_executor(), identities_.back(), network_,
                                core::real_clock(), options);
    EXPECT_TRUE(opened) << opened.error().message();
    nodes_.push_back(std::move(opened).value());
    return *nodes_.back();
  }

  // Starts `node` and waits until its first join ended.
  asio::awaitable<bool> join(UdpNode& node) {
    bool ended = false;
    node.start([&ended](bool) { ended = true; });
    const std::function<bool()> join_ended = [&ended] { return ended; };
    co_return co_await eventually(join_ended) && !node.node().routing_table().empty();
  }

  // Node 1 (opened and started on first use) and node `seed`, joined through it.
  asio::awaitable<UdpNode*> joined_through_first(std::uint8_t seed) {
    if (nodes_.empty()) {
      open_node(1).start();
    }
    auto& node = open_node(seed, {nodes_.front()->local_endpoint()});
    EXPECT_TRUE(co_await join(node));
    co_return &node;
  }

  void run(const std::function<asio::awaitable<void>()>& body) {
    test::run_coroutine(io_, body, 30s);
  }

  std::chrono::milliseconds watch_interval_ = 50ms;
  std::chrono::milliseconds republish_interval_ = std::chrono::minutes{30};
  crypto::NetworkId network_ = crypto::NetworkId::from_name("dht registry test");
  asio::io_context io_;
  std::deque<crypto::Identity> identities_;
  std::vector<std::unique_ptr<UdpNode>> nodes_;
};

TEST_F(DhtRegistryTest, findsAnotherPeersShareLabelledDht) {
  run([&]() -> asio::awaitable<void> {
    auto& sharer = *co_await joined_through_first(2);
    auto& seeker = *co_await joined_through_first(3);

    const auto manifest = manifest_named("holiday-video.bin");
    auto announced = co_await sharer.registry().announce(share_of(manifest, 6001));
    EXPECT_TRUE(announced) << announced.error().message();

    auto found = co_await seeker.registry().find_peers(manifest->file_id(), 10);
    EXPECT_TRUE(found) << found.error().message();
    if (!found) {
      co_return;
    }
    EXPECT_EQ(found.value().size(), 1U);
    if (!(found.value().size() == 1U)) {
      co_return;
    }
    const auto& source = found.value().front();
    EXPECT_EQ(source.peer.bytes, identities_[1].peer_id().bytes());
    EXPECT_EQ(source.origin, core::SourceOrigin::dht);
    EXPECT_EQ(source.endpoints.size(), 1U);
    if (!(source.endpoints.size() == 1U)) {
      co_return;
    }
    EXPECT_EQ(source.endpoints.front(), core::Endpoint::ipv4({127, 0, 0, 1}, 6001));
  });
}

TEST_F(DhtRegistryTest, neverNamesItselfAsASource) {
  run([&]() -> asio::awaitable<void> {
    auto& sharer = *co_await joined_through_first(2);
    const auto manifest = manifest_named("mine.bin");
    EXPECT_TRUE(co_await sharer.registry().announce(share_of(manifest, 6001)));
    auto found = co_await sharer.registry().find_peers(manifest->file_id(), 10);
    EXPECT_TRUE(found);
    if (found) {
      EXPECT_TRUE(found.value().empty());
    }
  });
}

TEST_F(DhtRegistryTest, shareMadeBeforeJoiningIsPublishedOnceJoined) {
  run([&]() -> asio::awaitable<void> {
    auto& seeker = *co_await joined_through_first(3);
    auto& first = *nodes_.front();
    auto& sharer = open_node(2); // no bootstrap node: alone
    EXPECT_FALSE(co_await join(sharer));

    const auto manifest = manifest_named("early.bin");
    auto announced = co_await sharer.registry().announce(share_of(manifest, 6002));
    EXPECT_FALSE(announced);
    if (announced) {
      co_return;
    }
    EXPECT_EQ(announced.error(), make_error_code(Errc::not_joined));

    // It learns of a node (as from the tracker's list or the LAN) and joins: the kept share
    // goes out without another announce.
    sharer.add_contacts({first.local_endpoint()});
    const std::function<bool()> published = [&] { return sharer.registry().stats().stored > 0; };
    EXPECT_TRUE(co_await eventually(published));
    auto found = co_await seeker.registry().find_peers(manifest->file_id(), 10);
    EXPECT_TRUE(found);
    if (found) {
      EXPECT_EQ(found.value().size(), 1U);
    }
  });
}

TEST_F(DhtRegistryTest, shareWithoutEndpointWaitsForAnAddress) {
  run([&]() -> asio::awaitable<void> {
    watch_interval_ = 1h; // it never looks at what nodes report
    auto& sharer = *co_await joined_through_first(2);
    core::ShareAnnouncement share;
    share.manifest = manifest_named("where.bin");
    share.port = 6003; // the peer port, no address
    auto announced = co_await sharer.registry().announce(share);
    EXPECT_FALSE(announced);
    if (announced) {
      co_return;
    }
    EXPECT_EQ(announced.error(), make_error_code(Errc::no_address));

    sharer.registry().set_advertised_address(core::Endpoint::ipv4({127, 0, 0, 1}, 0));
    const std::function<bool()> published = [&] { return sharer.registry().stats().stored > 0; };
    EXPECT_TRUE(co_await eventually(published));
    const auto own = sharer.registry().own_record(share.manifest->file_id());
    EXPECT_TRUE(own.has_value());
    if (own) {
      EXPECT_EQ(own->endpoints.front(), core::Endpoint::ipv4({127, 0, 0, 1}, 6003));
    }
  });
}

TEST_F(DhtRegistryTest, withoutAGivenAddressTheOneNodesReportIsPublished) {
  run([&]() -> asio::awaitable<void> {
    auto& sharer = *co_await joined_through_first(2);
    core::ShareAnnouncement share;
    share.manifest = manifest_named("reported.bin");
    share.port = 6005;
    (void)co_await sharer.registry().announce(share);
    // The first node answered from 127.0.0.1 and saw us there.
    const std::function<bool()> published = [&] { return sharer.registry().stats().stored > 0; };
    EXPECT_TRUE(co_await eventually(published));
    const auto own = sharer.registry().own_record(share.manifest->file_id());
    EXPECT_TRUE(own.has_value());
    if (own) {
      EXPECT_EQ(own->endpoints.front(), core::Endpoint::ipv4({127, 0, 0, 1}, 6005));
    }
  });
}

TEST_F(DhtRegistryTest, searchFindsAListedShareByTheWordsOfItsName) {
  run([&]() -> asio::awaitable<void> {
    auto& sharer = *co_await joined_through_first(2);
    auto& seeker = *co_await joined_through_first(3);
    const auto listed = manifest_named("Holiday-Video 2026.bin");
    const auto unlisted = manifest_named("holiday-secret.bin");
    EXPECT_TRUE(co_await sharer.registry().announce(share_of(listed, 6001)));
    EXPECT_TRUE(co_await sharer.registry().announce(share_of(unlisted, 6001, false)));
    // Keyword records go out beside the peer record: wait until a search sees them.
    std::vector<core::SearchHit> hits;
    for (int attempt = 0; attempt < 50 && hits.empty(); ++attempt) {
      auto found = co_await seeker.registry().search("holiday video", 10);
      EXPECT_TRUE(found) << found.error().message();
      if (found) {
        hits = found.value();
      }
    }
    EXPECT_EQ(hits.size(), 1U); // never the unlisted one
    if (hits.empty()) {
      co_return;
    }
    EXPECT_EQ(hits.front().file_id, listed->file_id());
    EXPECT_EQ(hits.front().name, "Holiday-Video 2026.bin");
    EXPECT_EQ(hits.front().seeders, 1U);
    EXPECT_EQ(hits.front().origin, core::SourceOrigin::dht);
    auto none = co_await seeker.registry().search("holiday beach", 10);
    EXPECT_TRUE(none);
    if (none) {
      EXPECT_TRUE(none.value().empty());
    }
  });
}

TEST_F(DhtRegistryTest, aKeptShareIsPublishedAgainEveryRepublishInterval) {
  republish_interval_ = 200ms;
  run([&]() -> asio::awaitable<void> {
    auto& sharer = *co_await joined_through_first(2);
    EXPECT_TRUE(co_await sharer.registry().announce(share_of(manifest_named("kept.bin"), 6006)));
    const auto after_announce = sharer.registry().stats().publications;
    const std::function<bool()> republished_twice = [&] {
      return sharer.registry().stats().publications >= after_announce + 2;
    };
    EXPECT_TRUE(co_await eventually(republished_twice, 3s));
    // Withdrawn, it is published no more.
    EXPECT_TRUE(co_await sharer.registry().unannounce(manifest_named("kept.bin")->file_id()));
    const auto at_withdrawal = sharer.registry().stats().publications;
    const std::function<bool()> never = [] { return false; };
    (void)co_await eventually(never, 600ms);
    EXPECT_EQ(sharer.registry().stats().publications, at_withdrawal);
  });
}

TEST_F(DhtRegistryTest, withdrawnShareIsNoLongerAnsweredFor) {
  run([&]() -> asio::awaitable<void> {
    auto& sharer = *co_await joined_through_first(2);
    const auto manifest = manifest_named("gone.bin");
    EXPECT_TRUE(co_await sharer.registry().announce(share_of(manifest, 6004)));
    EXPECT_TRUE(sharer.registry().own_record(manifest->file_id()).has_value());
    EXPECT_TRUE(co_await sharer.registry().unannounce(manifest->file_id()));
    EXPECT_FALSE(sharer.registry().own_record(manifest->file_id()).has_value());
    EXPECT_EQ(sharer.registry().stats().shares, 0U);
  });
}

TEST_F(DhtRegistryTest, findPeersBeforeJoiningSaysNotJoined) {
  run([&]() -> asio::awaitable<void> {
    auto& alone = open_node(1);
    EXPECT_FALSE(co_await join(alone));
    auto found = co_await alone.registry().find_peers(test_values::file_with_byte(7), 10);
    EXPECT_FALSE(found);
    if (found) {
      co_return;
    }
    EXPECT_EQ(found.error(), make_error_code(Errc::not_joined));
  });
}

TEST_F(DhtRegistryTest, theDhtHoldsNoManifests) {
  run([&]() -> asio::awaitable<void> {
    auto& alone = open_node(1);
    auto found = co_await alone.registry().find_manifest(test_values::file_with_byte(7));
    EXPECT_FALSE(found);
    if (found) {
      co_return;
    }
    EXPECT_EQ(found.error(), make_error_code(core::Errc::file_not_found));
  });
}

TEST_F(DhtRegistryTest, savedRoutingTableRejoinsWithoutBootstrapNodes) {
  test::TempDir dir;
  const auto saved = dir.path() / "dht-nodes.bin";
  run([&]() -> asio::awaitable<void> {
    auto& first = open_node(1);
    first.start();
    auto& before = open_node(2, {first.local_endpoint()}, saved);
    EXPECT_TRUE(co_await join(before));
    before.stop();
    EXPECT_TRUE(std::filesystem::exists(saved));

    auto& after = open_node(2, {}, saved); // the same identity, restarted; no --bootstrap
    EXPECT_TRUE(co_await join(after));
    const std::function<bool()> answered = [&] {
      return after.node().routing_table().status_of(first.node().id()) == NodeStatus::good;
    };
    EXPECT_TRUE(co_await eventually(answered));
  });
}

TEST_F(DhtRegistryTest, aLargeSavedTableIsRestoredButOnlyAFewOfItsNodesArePinged) {
  test::TempDir dir;
  const auto saved = dir.path() / "dht-nodes.bin";
  // 200 saved nodes on loopback ports where nobody listens.
  {
    std::vector<std::uint8_t> bytes;
    core::ByteVectorSink sink{bytes};
    msgpack::packer<core::ByteVectorSink> packer(sink);
    packer.pack_array(2);
    packer.pack(kRoutingTableFormatVersion);
    packer.pack_array(200);
    for (std::uint32_t n = 0; n < 200; ++n) {
      std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
      key.fill(0x5A);
      key[0] = static_cast<std::uint8_t>(n);
      packer.pack_array(3);
      core::pack_bin(packer, key);
      core::pack_bin(packer, std::array<std::uint8_t, 4>{127, 0, 0, 1});
      packer.pack(static_cast<std::uint16_t>(41000 + n));
    }
    std::ofstream(saved, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  run([&]() -> asio::awaitable<void> {
    auto& restarted = open_node(9, {}, saved);
    restarted.start();
    asio::steady_timer pause(co_await asio::this_coro::executor, 300ms);
    co_await pause.async_wait(asio::use_awaitable);
    // As many as the buckets hold (more than are pinged): the lookups use them all.
    EXPECT_GT(restarted.node().routing_table().size(), 32U);
    const auto pinged = restarted.transport_stats().datagrams_sent;
    EXPECT_GT(pinged, 0U);
    EXPECT_LE(pinged, 32U); // not 200 pings at once
  });
}

} // namespace
} // namespace swarmshare::dht
