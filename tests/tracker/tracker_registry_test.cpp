// The tracker as a core::Registry, against a real in-process tracker on 127.0.0.1: what a
// share announces is what another peer's registry finds, labelled as coming from the tracker.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/tracker/tracker_registry.hpp"

#include "run_coroutine.hpp"

#include "swarmshare/core/chunking.hpp"
#include "swarmshare/core/clock.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/tracker/error.hpp"
#include "swarmshare/tracker/server.hpp"
#include "swarmshare/tracker/store.hpp"
#include "temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

namespace swarmshare::tracker {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

// One installation: identity, certified static key, clock.
struct Installation {
  crypto::Identity identity = crypto::Identity::generate();
  core::ManualClock clock{std::chrono::system_clock::now()};
  crypto::StaticKeyManager keys{identity, crypto::NetworkId::public_network(), clock};
};

[[nodiscard]] std::shared_ptr<const core::Manifest> manifest(const std::string& name) {
  return std::make_shared<const core::Manifest>(
      core::Manifest::create(name, 0, core::ChunkSize{}, {}).value());
}

class TrackerRegistryTest : public ::testing::Test {
protected:
  TrackerRegistryTest() {
    store_.emplace(Store::open(dir_.path() / "tracker.db").value());
    ServerOptions options;
    options.listen = core::Endpoint::ipv4({127, 0, 0, 1}, 0);
    options.limits.max_connections_per_address = 64;
    options.limits.requests_per_second = 10'000;
    options.io_threads = 1;
    auto server = Server::start(*store_, tracker_.keys, options, tracker_.clock);
    EXPECT_TRUE(server) << server.error().message();
    server_ = std::move(server).value();
  }

  [[nodiscard]] TrackerAddress address() const {
    return TrackerAddress{"127.0.0.1", server_->local_endpoint().port(),
                          tracker_.identity.peer_id()};
  }

  [[nodiscard]] static ClientOptions client_options() {
    ClientOptions options;
    options.connect_timeout = 2s;
    options.request_timeout = 2s;
    options.backoff_initial = 20ms;
    options.backoff_max = 1s;
    return options;
  }

  [[nodiscard]] std::unique_ptr<Client> client(Installation& who, TrackerAddress at) {
    crypto::ChannelConfig config(who.keys, who.clock);
    config.handshake_timeout = 2s;
    return std::make_unique<Client>(io_.get_executor(), config, std::move(at), client_options());
  }

  void run(const std::function<awaitable<void>()>& body) {
    swarmshare::test::run_coroutine(io_, body, 20s);
  }

  swarmshare::test::TempDir dir_;
  Installation tracker_;
  std::optional<Store> store_;
  std::unique_ptr<Server> server_;
  asio::io_context io_;
};

TEST_F(TrackerRegistryTest, announcedShareIsFoundByAnotherPeerAsATrackerSource) {
  Installation seeder_home;
  Installation leecher_home;
  auto seeder_client = client(seeder_home, address());
  auto leecher_client = client(leecher_home, address());
  TrackerRegistry seeder(*seeder_client);
  TrackerRegistry leecher(*leecher_client);
  const auto shared = manifest("holiday-video-2026.bin");

  run([&]() -> awaitable<void> {
    core::ShareAnnouncement share;
    share.manifest = shared;
    share.port = 7001;
    const auto announced = co_await seeder.announce(share);
    EXPECT_TRUE(announced) << announced.error().message();

    const auto sources = co_await leecher.find_peers(shared->file_id(), 10);
    EXPECT_TRUE(sources);
    if (sources && sources.value().size() == 1) {
      const auto& source = sources.value().front();
      EXPECT_EQ(source.peer.bytes, seeder_home.identity.peer_id().bytes());
      EXPECT_EQ(source.origin, core::SourceOrigin::tracker);
      EXPECT_EQ(source.endpoints.size(), 1U);
      if (!source.endpoints.empty()) {
        EXPECT_EQ(source.endpoints.front().to_string(), "127.0.0.1:7001");
      }
    } else {
      ADD_FAILURE() << "expected exactly the seeder";
    }

    const auto found = co_await leecher.find_manifest(shared->file_id());
    EXPECT_TRUE(found);
    if (found) {
      EXPECT_EQ(found.value().encoded(), shared->encoded());
    }

    const auto hits = co_await leecher.search("holiday", 10);
    EXPECT_TRUE(hits);
    if (hits && hits.value().size() == 1) {
      EXPECT_EQ(hits.value().front().file_id, shared->file_id());
      EXPECT_EQ(hits.value().front().name, "holiday-video-2026.bin");
      EXPECT_EQ(hits.value().front().seeders, 1U);
      EXPECT_EQ(hits.value().front().origin, core::SourceOrigin::tracker);
    } else {
      ADD_FAILURE() << "expected one search hit";
    }

    const auto withdrawn = co_await seeder.unannounce(shared->file_id());
    EXPECT_TRUE(withdrawn);
    const auto after = co_await leecher.find_peers(shared->file_id(), 10);
    EXPECT_TRUE(after && after.value().empty());
    EXPECT_TRUE(seeder_client->kept_files().empty());
  });
}

TEST_F(TrackerRegistryTest, unlistedShareIsFoundByIdButNotBySearch) {
  Installation seeder_home;
  auto seeder_client = client(seeder_home, address());
  TrackerRegistry seeder(*seeder_client);
  const auto shared = manifest("private-notes.txt");

  run([&]() -> awaitable<void> {
    core::ShareAnnouncement share;
    share.manifest = shared;
    share.port = 7002;
    share.listed = false;
    const auto announced = co_await seeder.announce(share);
    EXPECT_TRUE(announced);
    const auto hits = co_await seeder.search("private", 10);
    EXPECT_TRUE(hits && hits.value().empty());
    const auto found = co_await seeder.find_manifest(shared->file_id());
    EXPECT_TRUE(found);
  });
}

TEST_F(TrackerRegistryTest, announcedShareIsKeptByTheClient) {
  Installation seeder_home;
  auto seeder_client = client(seeder_home, address());
  TrackerRegistry seeder(*seeder_client);
  const auto shared = manifest("kept.bin");
  run([&]() -> awaitable<void> {
    core::ShareAnnouncement share;
    share.manifest = shared;
    share.port = 7003;
    const auto announced = co_await seeder.announce(share);
    EXPECT_TRUE(announced);
  });
  ASSERT_EQ(seeder_client->kept_files().size(), 1U);
  EXPECT_EQ(seeder_client->kept_files().front(), shared->file_id());
}

TEST_F(TrackerRegistryTest, announcesCarryTheDhtPortGivenAtConstruction) {
  Installation seeder_home;
  auto seeder_client = client(seeder_home, address());
  TrackerRegistry seeder(*seeder_client, 6882);
  run([&]() -> awaitable<void> {
    core::ShareAnnouncement share;
    share.manifest = manifest("dht.bin");
    share.port = 7005;
    const auto announced = co_await seeder.announce(share);
    EXPECT_TRUE(announced);
    const auto dht_peers = co_await seeder_client->dht_peers(10);
    EXPECT_TRUE(dht_peers);
    if (dht_peers && dht_peers.value().size() == 1) {
      EXPECT_EQ(dht_peers.value().front().peer_id, seeder_home.identity.peer_id());
      EXPECT_EQ(dht_peers.value().front().endpoints.size(), 1U);
      if (!dht_peers.value().front().endpoints.empty()) {
        EXPECT_EQ(dht_peers.value().front().endpoints.front().to_string(), "127.0.0.1:6882");
      }
    } else {
      ADD_FAILURE() << "expected exactly the seeder";
    }
  });
  seeder_client->stop();
}

TEST_F(TrackerRegistryTest, setDhtPortAppliesToLaterAnnounces) {
  Installation seeder_home;
  auto seeder_client = client(seeder_home, address());
  TrackerRegistry seeder(*seeder_client);
  run([&]() -> awaitable<void> {
    core::ShareAnnouncement before;
    before.manifest = manifest("before.bin");
    before.port = 7006;
    const auto announced_before = co_await seeder.announce(before);
    EXPECT_TRUE(announced_before);
    const auto none = co_await seeder_client->dht_peers(10);
    EXPECT_TRUE(none && none.value().empty()) << "no DHT port yet: not a DHT peer";

    seeder.set_dht_port(6883);
    core::ShareAnnouncement after;
    after.manifest = manifest("after.bin");
    after.port = 7006;
    const auto announced_after = co_await seeder.announce(after);
    EXPECT_TRUE(announced_after);
    const auto dht_peers = co_await seeder_client->dht_peers(10);
    EXPECT_TRUE(dht_peers);
    if (dht_peers && dht_peers.value().size() == 1 &&
        dht_peers.value().front().endpoints.size() == 1) {
      EXPECT_EQ(dht_peers.value().front().endpoints.front().to_string(), "127.0.0.1:6883");
    } else {
      ADD_FAILURE() << "expected the seeder with one DHT endpoint";
    }
  });
  seeder_client->stop();
}

TEST_F(TrackerRegistryTest, announceToAnUnreachableTrackerFailsInsteadOfHanging) {
  // A port that was free a moment ago: nothing listens there.
  std::uint16_t closed_port = 0;
  {
    asio::ip::tcp::acceptor probe(io_, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  Installation seeder_home;
  auto seeder_client = client(seeder_home, TrackerAddress{"127.0.0.1", closed_port, std::nullopt});
  TrackerRegistry seeder(*seeder_client, 0, 5s);
  run([&]() -> awaitable<void> {
    core::ShareAnnouncement share;
    share.manifest = manifest("nowhere.bin");
    share.port = 7004;
    const auto announced = co_await seeder.announce(share);
    EXPECT_FALSE(announced);
    if (!announced) {
      EXPECT_NE(announced.error(), make_error_code(Errc::tracker_timed_out))
          << "the client's own failure should arrive before the safety timeout";
    }
  });
  seeder_client->stop();
}

TEST_F(TrackerRegistryTest, announceWithoutAManifestIsRefusedAtOnce) {
  Installation seeder_home;
  auto seeder_client = client(seeder_home, address());
  TrackerRegistry seeder(*seeder_client);
  run([&]() -> awaitable<void> {
    const auto announced = co_await seeder.announce(core::ShareAnnouncement{});
    EXPECT_FALSE(announced);
  });
  EXPECT_TRUE(seeder_client->kept_files().empty());
}

TEST(SourceOrigin, readsAsTheUserSeesIt) {
  EXPECT_EQ(core::to_string(core::SourceOrigin::tracker), "tracker");
  EXPECT_EQ(core::to_string(core::SourceOrigin::dht), "DHT");
  EXPECT_EQ(core::to_string(core::SourceOrigin::lan), "LAN");
  EXPECT_EQ(core::to_string(core::SourceOrigin::share_link), "link");
}

} // namespace
} // namespace swarmshare::tracker
