// The tracker server over real secure channels on 127.0.0.1: every operation, the ownership
// rules, expiry, admin requests, and each limit against abuse.

#include "store_fixtures.hpp"
#include "tracker_test_client.hpp"

#include "swarmshare/core/clock.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/tracker/server.hpp"
#include "swarmshare/tracker/store.hpp"
#include "temp_dir.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

namespace swarmshare::tracker::test {
namespace {

using namespace std::chrono_literals;
using protocol::ErrorCode;

constexpr std::uint8_t kTrackerSeed = 0x70;
constexpr std::uint8_t kAdminSeed = 0xAD;

// For counters the server updates just after the event a test saw: polls for up to 5 s.
template <class Predicate>
bool eventually(Predicate predicate) {
  for (int i = 0; i < 500; ++i) {
    if (predicate()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return predicate();
}

class ServerTest : public ::testing::Test {
protected:
  ServerTest()
      : clock_(std::chrono::system_clock::now()),
        tracker_identity_(crypto::Identity::from_seed(TestClient::filled(kTrackerSeed))),
        keys_(tracker_identity_, crypto::NetworkId::public_network(), clock_) {}

  void start(ServerLimits limits = relaxed_limits()) {
    store_.emplace(Store::open(dir_.path() / "tracker.db").value());
    ServerOptions options;
    options.listen = loopback_any_port();
    options.limits = limits;
    options.io_threads = 2;
    options.admins = {crypto::Identity::from_seed(TestClient::filled(kAdminSeed)).peer_id()};
    auto server = Server::start(*store_, keys_, options, clock_);
    ASSERT_TRUE(server) << server.error().message();
    server_ = std::move(server).value();
  }

  static core::Endpoint loopback_any_port() {
    // Endpoint::parse refuses port 0; the server binds what it is given.
    auto endpoint = core::Endpoint::ipv4({127, 0, 0, 1}, 0);
    return endpoint;
  }

  // Per-address caps sized for many clients on one host, as the tests need.
  static ServerLimits relaxed_limits() {
    ServerLimits limits;
    limits.max_connections_per_address = 64;
    limits.requests_per_second = 10'000;
    return limits;
  }

  [[nodiscard]] std::uint16_t port() const { return server_->local_endpoint().port(); }

  [[nodiscard]] TestClient client(std::uint8_t seed) {
    TestClient made(port(), seed);
    EXPECT_TRUE(made.connected());
    return made;
  }

  static protocol::Announce announce_with_manifest(const core::Manifest& m,
                                                   std::uint16_t port_number = 7000) {
    protocol::Announce request;
    request.file_id = m.file_id();
    request.manifest = m.encoded();
    request.port = port_number;
    return request;
  }

  swarmshare::test::TempDir dir_;
  core::ManualClock clock_;
  crypto::Identity tracker_identity_;
  crypto::StaticKeyManager keys_;
  std::optional<Store> store_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, announceRecordsTheObservedAddressWithTheStatedPort) {
  start();
  auto seeder = client(1);
  const auto m = manifest("holiday-video-2026.bin");
  const auto& ok =
      reply_as<protocol::AnnounceOkReply>(seeder.call(announce_with_manifest(m, 7001)));
  EXPECT_EQ(ok.ttl_seconds, kDefaultEntryTtl.count());
  EXPECT_EQ(ok.observed.to_string().rfind("127.0.0.1:", 0), 0U);

  auto leecher = client(2);
  const auto& peers =
      reply_as<protocol::PeersReply>(leecher.call(protocol::GetPeers{0, m.file_id(), 50}));
  ASSERT_EQ(peers.peers.size(), 1U);
  EXPECT_EQ(peers.peers[0].peer_id, seeder.peer_id());
  ASSERT_EQ(peers.peers[0].endpoints.size(), 1U);
  EXPECT_EQ(peers.peers[0].endpoints[0].to_string(), "127.0.0.1:7001");
}

TEST_F(ServerTest, announceKeepsEndpointsThePeerListsItself) {
  start();
  auto seeder = client(1);
  const auto m = manifest("a.bin");
  auto request = announce_with_manifest(m);
  request.endpoints = {core::Endpoint::parse("[2001:db8::7]:7070").value(),
                       core::Endpoint::parse("192.0.2.9:7071").value()};
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(seeder.call(request)));
  auto other = client(2);
  const auto& peers =
      reply_as<protocol::PeersReply>(other.call(protocol::GetPeers{0, m.file_id(), 50}));
  ASSERT_EQ(peers.peers.size(), 1U);
  EXPECT_EQ(peers.peers[0].endpoints, request.endpoints);
}

TEST_F(ServerTest, getPeersNeverReturnsTheAsker) {
  start();
  auto a = client(1);
  auto b = client(2);
  const auto m = manifest("shared.iso");
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(a.call(announce_with_manifest(m))));
  protocol::Announce again;
  again.file_id = m.file_id();
  again.port = 7002;
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(b.call(again)));
  const auto& seen_by_a =
      reply_as<protocol::PeersReply>(a.call(protocol::GetPeers{0, m.file_id(), 50}));
  ASSERT_EQ(seen_by_a.peers.size(), 1U);
  EXPECT_EQ(seen_by_a.peers[0].peer_id, b.peer_id());
}

TEST_F(ServerTest, firstAnnounceWithoutManifestIsAskedForIt) {
  start();
  auto a = client(1);
  protocol::Announce request;
  request.file_id = manifest("new.bin").file_id();
  request.port = 7000;
  EXPECT_EQ(error_code_of(a.call(request)), ErrorCode::manifest_required);
}

TEST_F(ServerTest, manifestThatDoesNotHashToTheFileIdIsRefused) {
  start();
  auto a = client(1);
  auto request = announce_with_manifest(manifest("real.bin"));
  request.file_id = manifest("other.bin").file_id();
  EXPECT_EQ(error_code_of(a.call(request)), ErrorCode::manifest_mismatch);
  EXPECT_EQ(error_code_of(a.call(protocol::GetManifest{0, request.file_id})),
            ErrorCode::unknown_file);
}

TEST_F(ServerTest, getManifestReturnsTheAnnouncedBytes) {
  start();
  auto a = client(1);
  const auto m = manifest("m.bin");
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(a.call(announce_with_manifest(m))));
  const auto& got =
      reply_as<protocol::ManifestReply>(client(2).call(protocol::GetManifest{0, m.file_id()}));
  EXPECT_EQ(got.manifest, m.encoded());
}

TEST_F(ServerTest, onlyTheAnnouncerCanRefreshOrUnannounce) {
  start();
  auto owner = client(1);
  auto stranger = client(2);
  const auto m = manifest("mine.bin");
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(owner.call(announce_with_manifest(m))));
  EXPECT_EQ(error_code_of(stranger.call(protocol::Unannounce{0, m.file_id()})),
            ErrorCode::not_owner);
  EXPECT_EQ(error_code_of(stranger.call(protocol::Refresh{0, m.file_id()})), ErrorCode::not_owner);
  ASSERT_NO_THROW(
      (void)reply_as<protocol::AnnounceOkReply>(owner.call(protocol::Refresh{0, m.file_id()})));
  ASSERT_NO_THROW(
      (void)reply_as<protocol::OkReply>(owner.call(protocol::Unannounce{0, m.file_id()})));
  const auto& peers =
      reply_as<protocol::PeersReply>(stranger.call(protocol::GetPeers{0, m.file_id(), 50}));
  EXPECT_TRUE(peers.peers.empty());
}

TEST_F(ServerTest, searchFindsByWordAndByFileIdPrefixButNeverUnlisted) {
  start();
  auto a = client(1);
  const auto listed = manifest("holiday-video-2026.bin");
  const auto hidden = manifest("holiday-secret.bin");
  ASSERT_NO_THROW(
      (void)reply_as<protocol::AnnounceOkReply>(a.call(announce_with_manifest(listed))));
  auto unlisted = announce_with_manifest(hidden);
  unlisted.unlisted = true;
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(a.call(unlisted)));

  auto b = client(2);
  const auto& by_word =
      reply_as<protocol::SearchReply>(b.call(protocol::Search{0, "HOLIDAY", 10, 0}));
  ASSERT_EQ(by_word.hits.size(), 1U);
  EXPECT_EQ(by_word.hits[0].name, "holiday-video-2026.bin");
  EXPECT_EQ(by_word.hits[0].file_id, listed.file_id());
  EXPECT_EQ(by_word.hits[0].live_seeders, 1U);
  EXPECT_EQ(by_word.total, 1U);

  const auto prefix = listed.file_id().to_hex().substr(0, 8);
  const auto& by_prefix =
      reply_as<protocol::SearchReply>(b.call(protocol::Search{0, prefix, 10, 0}));
  ASSERT_EQ(by_prefix.hits.size(), 1U);
  EXPECT_EQ(by_prefix.hits[0].file_id, listed.file_id());

  const auto& secret =
      reply_as<protocol::SearchReply>(b.call(protocol::Search{0, "secret", 10, 0}));
  EXPECT_TRUE(secret.hits.empty());
  // Unlisted is not unreachable: its File ID still finds its peers.
  const auto& peers =
      reply_as<protocol::PeersReply>(b.call(protocol::GetPeers{0, hidden.file_id(), 50}));
  EXPECT_EQ(peers.peers.size(), 1U);
}

TEST_F(ServerTest, searchPagesAndSaysWhetherMoreFollow) {
  start();
  auto a = client(1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(
        a.call(announce_with_manifest(manifest("song-" + std::to_string(i) + ".ogg")))));
  }
  const auto& first = reply_as<protocol::SearchReply>(a.call(protocol::Search{0, "song", 2, 0}));
  EXPECT_EQ(first.hits.size(), 2U);
  EXPECT_GT(first.total, 2U);
  const auto& last = reply_as<protocol::SearchReply>(a.call(protocol::Search{0, "song", 2, 4}));
  EXPECT_EQ(last.hits.size(), 1U);
  EXPECT_EQ(last.total, 5U);
}

TEST_F(ServerTest, entriesExpireWithoutRefreshAndTheFileStaysSearchable) {
  start();
  auto a = client(1);
  const auto m = manifest("fading.bin");
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(a.call(announce_with_manifest(m))));
  clock_.advance(kDefaultEntryTtl + 1s);
  auto b = client(2);
  const auto& peers =
      reply_as<protocol::PeersReply>(b.call(protocol::GetPeers{0, m.file_id(), 50}));
  EXPECT_TRUE(peers.peers.empty());
  EXPECT_EQ(error_code_of(a.call(protocol::Refresh{0, m.file_id()})), ErrorCode::no_entry);
  const auto& found = reply_as<protocol::SearchReply>(b.call(protocol::Search{0, "fading", 10, 0}));
  ASSERT_EQ(found.hits.size(), 1U);
  EXPECT_EQ(found.hits[0].live_seeders, 0U);
}

TEST_F(ServerTest, statsCountLiveEntriesAndPeers) {
  start();
  auto a = client(1);
  auto b = client(2);
  ASSERT_NO_THROW(
      (void)reply_as<protocol::AnnounceOkReply>(a.call(announce_with_manifest(manifest("x")))));
  ASSERT_NO_THROW(
      (void)reply_as<protocol::AnnounceOkReply>(a.call(announce_with_manifest(manifest("y")))));
  ASSERT_NO_THROW(
      (void)reply_as<protocol::AnnounceOkReply>(b.call(announce_with_manifest(manifest("x")))));
  const auto& stats = reply_as<protocol::StatsReply>(b.call(protocol::GetStats{}));
  EXPECT_EQ(stats.files, 2U);
  EXPECT_EQ(stats.peer_entries, 3U);
  EXPECT_EQ(stats.peers, 2U);
}

TEST_F(ServerTest, announceWithoutDhtPortIsNotADhtPeer) {
  start();
  auto a = client(1);
  auto b = client(2);
  auto with_dht = announce_with_manifest(manifest("d"));
  with_dht.dht_port = 6881;
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(a.call(with_dht)));
  ASSERT_NO_THROW(
      (void)reply_as<protocol::AnnounceOkReply>(b.call(announce_with_manifest(manifest("d")))));
  const auto& dht = reply_as<protocol::DhtPeersReply>(b.call(protocol::GetDhtPeers{0, 10}));
  ASSERT_EQ(dht.peers.size(), 1U);
  EXPECT_EQ(dht.peers[0].peer_id, a.peer_id());
}

TEST_F(ServerTest, dhtPeersCarryTheAnnouncedDhtPort) {
  start();
  auto a = client(1);
  auto request = announce_with_manifest(manifest("d"), 7001);
  request.dht_port = 6881;
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(a.call(request)));
  auto b = client(2);
  const auto& dht = reply_as<protocol::DhtPeersReply>(b.call(protocol::GetDhtPeers{0, 10}));
  ASSERT_EQ(dht.peers.size(), 1U);
  // The observed address with the DHT node's port, not the peer port it announced.
  ASSERT_EQ(dht.peers[0].endpoints.size(), 1U);
  EXPECT_EQ(dht.peers[0].endpoints[0].to_string(), "127.0.0.1:6881");
  // The file's sources keep the peer port.
  const auto& peers =
      reply_as<protocol::PeersReply>(b.call(protocol::GetPeers{0, manifest("d").file_id(), 50}));
  ASSERT_EQ(peers.peers.size(), 1U);
  EXPECT_EQ(peers.peers[0].endpoints[0].to_string(), "127.0.0.1:7001");
}

TEST_F(ServerTest, dhtPeersCarryTheDhtPortOnEveryListedEndpoint) {
  start();
  auto a = client(1);
  auto request = announce_with_manifest(manifest("d"));
  request.endpoints = {core::Endpoint::parse("[2001:db8::7]:7070").value(),
                       core::Endpoint::parse("192.0.2.9:7071").value()};
  request.dht_port = 6881;
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(a.call(request)));
  auto b = client(2);
  const auto& dht = reply_as<protocol::DhtPeersReply>(b.call(protocol::GetDhtPeers{0, 10}));
  ASSERT_EQ(dht.peers.size(), 1U);
  EXPECT_EQ(dht.peers[0].endpoints,
            (std::vector<core::Endpoint>{core::Endpoint::parse("[2001:db8::7]:6881").value(),
                                         core::Endpoint::parse("192.0.2.9:6881").value()}));
}

TEST_F(ServerTest, adminRequestsFromOthersAreRefused) {
  start();
  auto a = client(1);
  const auto m = manifest("keep.bin");
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(a.call(announce_with_manifest(m))));
  EXPECT_EQ(error_code_of(a.call(protocol::AdminDeleteFile{0, m.file_id()})), ErrorCode::not_admin);
  EXPECT_EQ(error_code_of(a.call(protocol::AdminBanPeer{0, a.peer_id()})), ErrorCode::not_admin);
}

TEST_F(ServerTest, adminDeletesAFileAndBansAPeer) {
  start();
  auto a = client(1);
  const auto m = manifest("bad.bin");
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(a.call(announce_with_manifest(m))));
  auto admin = client(kAdminSeed);
  ASSERT_NO_THROW(
      (void)reply_as<protocol::OkReply>(admin.call(protocol::AdminDeleteFile{0, m.file_id()})));
  EXPECT_EQ(error_code_of(a.call(protocol::GetManifest{0, m.file_id()})), ErrorCode::file_deleted);
  EXPECT_EQ(error_code_of(a.call(announce_with_manifest(m))), ErrorCode::file_deleted);

  ASSERT_NO_THROW(
      (void)reply_as<protocol::OkReply>(admin.call(protocol::AdminBanPeer{0, a.peer_id()})));
  EXPECT_EQ(error_code_of(a.call(announce_with_manifest(manifest("more.bin")))), ErrorCode::banned);
  TestClient again(port(), 1);
  if (again.connected()) {
    // The handshake completes before the tracker knows who it is; then it hangs up.
    EXPECT_FALSE(again.call(protocol::GetStats{}));
  }
}

TEST_F(ServerTest, malformedRequestGetsAnErrorReplyWithItsIdAndTheConnectionLives) {
  start();
  auto a = client(1);
  // A get_peers whose File ID is 3 bytes long.
  auto frame = core::encode_frame(protocol::GetPeers::kType, [](auto& packer) {
    packer.pack_array(3);
    packer.pack(std::uint32_t{77});
    packer.pack_bin(3);
    packer.pack_bin_body("abc", 3);
    packer.pack(std::uint32_t{5});
  });
  ASSERT_TRUE(a.send_bytes(frame.value()));
  const auto reply = a.receive();
  ASSERT_TRUE(reply);
  const auto& error = std::get<protocol::ErrorReply>(reply.value());
  EXPECT_EQ(error.request_id, 77U);
  EXPECT_EQ(error.code, ErrorCode::malformed_request);
  EXPECT_NO_THROW((void)reply_as<protocol::StatsReply>(a.call(protocol::GetStats{})));
}

TEST_F(ServerTest, unknownMessageTypeIsIgnored) {
  start();
  auto a = client(1);
  auto frame =
      core::encode_frame(core::MessageType{0x17FE}, [](auto& packer) { packer.pack_nil(); });
  ASSERT_TRUE(a.send_bytes(frame.value()));
  EXPECT_NO_THROW((void)reply_as<protocol::StatsReply>(a.call(protocol::GetStats{})));
}

TEST_F(ServerTest, garbageBytesCloseThatConnectionOnly) {
  start();
  auto a = client(1);
  ASSERT_TRUE(a.send_bytes({0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3}));
  EXPECT_FALSE(a.receive());
  auto b = client(2);
  EXPECT_NO_THROW((void)reply_as<protocol::StatsReply>(b.call(protocol::GetStats{})));
}

TEST_F(ServerTest, pipelinedRequestsAllGetTheirReplies) {
  auto limits = relaxed_limits();
  limits.max_in_flight = 4; // fewer than we send: the read loop must pause and resume
  start(limits);
  auto a = client(1);
  const auto m = manifest("pipe.bin");
  ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(a.call(announce_with_manifest(m))));
  constexpr std::uint32_t kCount = 100;
  for (std::uint32_t i = 0; i < kCount; ++i) {
    protocol::Request request =
        i % 2 == 0 ? protocol::Request{protocol::Refresh{1000 + i, m.file_id()}}
                   : protocol::Request{protocol::GetPeers{1000 + i, m.file_id(), 5}};
    ASSERT_TRUE(a.send(request));
  }
  std::set<protocol::RequestId> answered;
  for (std::uint32_t i = 0; i < kCount; ++i) {
    auto reply = a.receive();
    ASSERT_TRUE(reply) << reply.error().message();
    EXPECT_FALSE(std::holds_alternative<protocol::ErrorReply>(reply.value()));
    answered.insert(protocol::request_id(reply.value()));
  }
  EXPECT_EQ(answered.size(), kCount);
}

TEST_F(ServerTest, requestsOverTheRateLimitAreRefusedWithRateLimited) {
  auto limits = relaxed_limits();
  limits.requests_per_second = 5; // a burst of 10, then 5 a second
  start(limits);
  auto a = client(1);
  constexpr std::uint32_t kCount = 30;
  for (std::uint32_t i = 1; i <= kCount; ++i) {
    ASSERT_TRUE(a.send(protocol::GetStats{i}));
  }
  int limited = 0;
  for (std::uint32_t i = 0; i < kCount; ++i) {
    if (error_code_of(a.receive()) == ErrorCode::rate_limited) {
      ++limited;
    }
  }
  // The test's clock stands still, so no token refills: exactly the burst gets through.
  EXPECT_EQ(limited, 20);
  EXPECT_EQ(server_->counters().rate_limited, 20U);
}

TEST_F(ServerTest, connectionsPerAddressAreCapped) {
  auto limits = relaxed_limits();
  limits.max_connections_per_address = 2;
  start(limits);
  auto a = client(1);
  auto b = client(2);
  TestClient third(port(), 3);
  EXPECT_FALSE(third.connected());
  a.close();
  // Once one leaves, a new one gets in.
  ASSERT_TRUE(eventually([&] { return server_->counters().connections_open < 2; }));
  TestClient fourth(port(), 4);
  EXPECT_TRUE(fourth.connected());
}

TEST_F(ServerTest, totalConnectionsAreCapped) {
  auto limits = relaxed_limits();
  limits.max_connections = 1;
  start(limits);
  auto a = client(1);
  TestClient second(port(), 2);
  EXPECT_FALSE(second.connected());
  EXPECT_TRUE(eventually([&] { return server_->counters().connections_refused >= 1; }));
}

TEST_F(ServerTest, frameOverTheCapClosesTheConnection) {
  auto limits = relaxed_limits();
  limits.max_frame_bytes = 2048;
  start(limits);
  auto a = client(1);
  std::vector<core::Hash256> hashes(100); // a 100-chunk manifest: about 3.3 KB
  const auto big =
      core::Manifest::create("big.bin", 100ULL * 256 * 1024, core::ChunkSize{}, hashes).value();
  const auto sent = a.send(announce_with_manifest(big));
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_FALSE(a.receive());
}

TEST_F(ServerTest, manifestOverTheCapIsRefusedWithLimitExceeded) {
  auto limits = relaxed_limits();
  limits.max_manifest_bytes = 200;
  start(limits);
  auto a = client(1);
  std::vector<core::Hash256> hashes(10);
  const auto big =
      core::Manifest::create("ten.bin", 10ULL * 256 * 1024, core::ChunkSize{}, hashes).value();
  EXPECT_EQ(error_code_of(a.call(announce_with_manifest(big))), ErrorCode::limit_exceeded);
  EXPECT_NO_THROW(
      (void)reply_as<protocol::AnnounceOkReply>(a.call(announce_with_manifest(manifest("s")))));
}

TEST_F(ServerTest, peersPerReplyAndSearchResultsPerPageAreCapped) {
  auto limits = relaxed_limits();
  limits.max_peers_per_reply = 3;
  limits.max_search_results = 2;
  start(limits);
  const auto m = manifest("popular.bin");
  for (std::uint8_t seed = 1; seed <= 5; ++seed) {
    ASSERT_NO_THROW(
        (void)reply_as<protocol::AnnounceOkReply>(client(seed).call(announce_with_manifest(m))));
  }
  auto asker = client(9);
  const auto& peers =
      reply_as<protocol::PeersReply>(asker.call(protocol::GetPeers{0, m.file_id(), 200}));
  EXPECT_EQ(peers.peers.size(), 3U);
  for (int i = 0; i < 4; ++i) {
    ASSERT_NO_THROW((void)reply_as<protocol::AnnounceOkReply>(
        asker.call(announce_with_manifest(manifest("popular-" + std::to_string(i))))));
  }
  const auto& page =
      reply_as<protocol::SearchReply>(asker.call(protocol::Search{0, "popular", 100, 0}));
  EXPECT_EQ(page.hits.size(), 2U);
}

TEST_F(ServerTest, silentTcpConnectionIsClosedAfterTheHandshakeTimeout) {
  auto limits = relaxed_limits();
  limits.handshake_timeout = 200ms;
  start(limits);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address_v4("127.0.0.1"), port()});
  const auto started = std::chrono::steady_clock::now();
  std::array<std::uint8_t, 16> buffer{};
  boost::system::error_code error;
  (void)boost::asio::read(socket, boost::asio::buffer(buffer), error);
  EXPECT_TRUE(error); // closed by the server, not by us
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_TRUE(eventually([&] { return server_->counters().handshakes_failed >= 1; }));
}

TEST_F(ServerTest, idleConnectionIsClosedAfterTheIdleTimeout) {
  auto limits = relaxed_limits();
  limits.idle_timeout = 300ms;
  start(limits);
  auto a = client(1);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(a.receive()); // we send nothing; the tracker gives up on us
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
}

TEST_F(ServerTest, stopClosesConnectedClientsCleanly) {
  start();
  auto a = client(1);
  EXPECT_NO_THROW((void)reply_as<protocol::StatsReply>(a.call(protocol::GetStats{})));
  std::thread stopper([&] { server_->stop(); });
  const auto reply = a.receive();
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error(), crypto::Errc::channel_closed);
  a.close();
  stopper.join();
}

TEST_F(ServerTest, pinnedClientRefusesATrackerWithAnotherIdentity) {
  start();
  const auto wrong = crypto::Identity::from_seed(TestClient::filled(0x01)).peer_id();
  TestClient pinned_wrong(port(), 2, wrong);
  EXPECT_FALSE(pinned_wrong.connected());
  TestClient pinned_right(port(), 3, tracker_identity_.peer_id());
  EXPECT_TRUE(pinned_right.connected());
}

} // namespace
} // namespace swarmshare::tracker::test
