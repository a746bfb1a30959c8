#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/tracker/client.hpp"

#include "run_coroutine.hpp"

#include "swarmshare/core/chunking.hpp"
#include "swarmshare/core/framing.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/secure_channel.hpp"
#include "swarmshare/tracker/error.hpp"
#include "swarmshare/tracker/protocol.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace swarmshare::tracker {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using AsioError = boost::system::error_code;

constexpr std::uint64_t kStart = 1'700'000'000;

std::chrono::system_clock::time_point at(std::uint64_t unix_seconds) {
  return std::chrono::system_clock::time_point{std::chrono::seconds{unix_seconds}};
}

core::Manifest make_manifest(const std::string& name) {
  return core::Manifest::create(name, 0, core::ChunkSize{}, {}).value();
}

protocol::Announce announce_of(const core::Manifest& manifest) {
  protocol::Announce announce;
  announce.file_id = manifest.file_id();
  announce.manifest = manifest.encoded();
  announce.port = 7000;
  return announce;
}

awaitable<void> sleep_for(milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  AsioError ignored;
  co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
}

// Polls, for conditions that other coroutines on the same thread make true. The condition
// is taken by value as it is: a temporary std::function made from a lambda in a co_await
// expression would be destroyed twice by g++ 12.
template <class Condition>
awaitable<bool> eventually(Condition condition, milliseconds limit = std::chrono::seconds{5}) {
  const auto deadline = steady_clock::now() + limit;
  while (!condition()) {
    if (steady_clock::now() > deadline) {
      co_return false;
    }
    co_await sleep_for(milliseconds{2});
  }
  co_return true;
}

// One installation: an identity and the key manager that certifies its static key, with a
// clock fixed at kStart (certificates are checked against it).
struct Installation {
  crypto::Identity identity = crypto::Identity::generate();
  core::ManualClock clock{at(kStart)};
  crypto::StaticKeyManager keys{identity, crypto::NetworkId::public_network(), clock};

  [[nodiscard]] crypto::ChannelConfig config() {
    crypto::ChannelConfig config(keys, clock);
    config.handshake_timeout = std::chrono::seconds{2};
    return config;
  }
};

template <class T>
bool is(const protocol::Request& request) {
  return std::holds_alternative<T>(request);
}

// A tracker whose answers the test scripts: a secure channel responder on 127.0.0.1 that
// decodes each request, logs it and sends whatever the handler returns (nothing: the
// request is never answered).
class FakeTracker {
public:
  using Handler = std::function<std::vector<protocol::Reply>(const protocol::Request&)>;

  explicit FakeTracker(asio::io_context& io) : io_(io) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
  }
  FakeTracker(const FakeTracker&) = delete;
  FakeTracker& operator=(const FakeTracker&) = delete;
  FakeTracker(FakeTracker&&) = delete;
  FakeTracker& operator=(FakeTracker&&) = delete;
  ~FakeTracker() { stop(); }

  [[nodiscard]] TrackerAddress address() const {
    return TrackerAddress{"127.0.0.1", port_, std::nullopt};
  }
  [[nodiscard]] const crypto::PeerId& peer_id() const { return installation_.identity.peer_id(); }
  [[nodiscard]] const std::vector<protocol::Request>& requests() const { return requests_; }
  [[nodiscard]] int connections() const { return connections_; }
  /// Connections the client ended with its FINAL (not cut).
  [[nodiscard]] int clean_closes() const { return clean_closes_; }
  [[nodiscard]] int open_sessions() const {
    return static_cast<int>(std::count_if(sessions_.begin(), sessions_.end(),
                                          [](const auto& weak) { return !weak.expired(); }));
  }

  void set_handler(Handler handler) { handler_ = std::move(handler); }
  void set_ttl_seconds(std::uint32_t ttl) { ttl_seconds_ = ttl; }
  void set_manifest(protocol::Bytes bytes) { manifest_ = std::move(bytes); }
  /// While refusing, every connection is closed as soon as it is accepted.
  void refuse(bool refusing) { refusing_ = refusing; }

  /// Cuts every open connection, as a crashed tracker would.
  void drop_connections() {
    for (const auto& weak : sessions_) {
      if (const auto session = weak.lock()) {
        session->reset();
      }
    }
  }

  void stop() {
    AsioError ignored;
    acceptor_.close(ignored); // NOLINT(bugprone-unused-return-value)
    drop_connections();
  }

  /// What a healthy tracker answers.
  [[nodiscard]] std::vector<protocol::Reply>
  standard_reply(const protocol::Request& request) const {
    const protocol::RequestId id = protocol::request_id(request);
    if (is<protocol::Announce>(request) || is<protocol::Refresh>(request)) {
      return {
          protocol::AnnounceOkReply{id, ttl_seconds_, core::Endpoint::ipv4({127, 0, 0, 1}, 40000)}};
    }
    if (is<protocol::GetPeers>(request)) {
      return {protocol::PeersReply{id, {}}};
    }
    if (is<protocol::GetManifest>(request)) {
      return {protocol::ManifestReply{id, manifest_}};
    }
    if (is<protocol::Search>(request)) {
      return {protocol::SearchReply{id, 0, {}}};
    }
    if (is<protocol::GetStats>(request)) {
      return {protocol::StatsReply{id, 1, 2, 3, 4}};
    }
    if (is<protocol::GetDhtPeers>(request)) {
      return {protocol::DhtPeersReply{id, {}}};
    }
    return {protocol::OkReply{id}};
  }

private:
  using Session = std::optional<crypto::SecureChannel>;

  awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket(io_);
      AsioError ec;
      co_await acceptor_.async_accept(socket, asio::redirect_error(use_awaitable, ec));
      if (ec) {
        co_return;
      }
      if (refusing_) {
        socket.close(ec);
        continue;
      }
      ++connections_;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  awaitable<void> serve(tcp::socket socket) {
    auto accepted =
        co_await crypto::SecureChannel::accept(std::move(socket), installation_.config());
    if (!accepted) {
      co_return;
    }
    auto session = std::make_shared<Session>(std::move(accepted).value());
    sessions_.push_back(session);
    core::FrameDecoder decoder(protocol::server_frame_limits());
    for (;;) {
      auto message = co_await (*session)->read_message();
      if (!*session) {
        co_return; // dropped
      }
      if (!message) {
        if (message.error() == crypto::Errc::channel_closed) {
          ++clean_closes_;
          (void)co_await (*session)->close(); // answer the client's FINAL with ours
        }
        co_return;
      }
      std::vector<protocol::Reply> replies;
      const auto fed = decoder.feed(message.value(), [&](core::Message&& decoded) {
        auto request = protocol::decode_request(decoded);
        ASSERT_TRUE(request && request.value()) << "the client sent a bad request";
        requests_.push_back(*request.value());
        auto answer = handler_ ? handler_(*request.value()) : standard_reply(*request.value());
        replies.insert(replies.end(), answer.begin(), answer.end());
      });
      if (!fed) {
        co_return;
      }
      for (const protocol::Reply& reply : replies) {
        const auto bytes = protocol::encode_reply(reply);
        EXPECT_TRUE(bytes) << bytes.error().message();
        if (!*session || !bytes || !co_await (*session)->write_message(bytes.value())) {
          co_return;
        }
      }
    }
  }

  asio::io_context& io_;
  Installation installation_;
  tcp::acceptor acceptor_{io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
  std::uint16_t port_ = acceptor_.local_endpoint().port();
  Handler handler_;
  std::uint32_t ttl_seconds_ = 1800;
  protocol::Bytes manifest_{0x01};
  bool refusing_ = false;
  int connections_ = 0;
  int clean_closes_ = 0;
  std::vector<protocol::Request> requests_;
  std::vector<std::weak_ptr<Session>> sessions_;
};

class TrackerClientTest : public ::testing::Test {
protected:
  [[nodiscard]] ClientOptions options() {
    ClientOptions options;
    options.clock = health_clock_;
    options.random = []() { return 0.0; }; // no jitter: delays are exactly the base
    options.connect_timeout = std::chrono::seconds{2};
    options.request_timeout = std::chrono::seconds{2};
    options.backoff_initial = milliseconds{20};
    options.backoff_max = std::chrono::seconds{1};
    return options;
  }

  Client& make_client(ClientOptions options, std::optional<TrackerAddress> address = std::nullopt) {
    client_ = std::make_unique<Client>(io_.get_executor(), me_.config(),
                                       address ? *address : tracker_.address(), std::move(options));
    client_->set_health_callback(
        [this](const TrackerHealth& health) { reports_.push_back(health); });
    return *client_;
  }
  Client& make_client() { return make_client(options()); }

  void run(const std::function<awaitable<void>()>& body) {
    swarmshare::test::run_coroutine(io_, body, std::chrono::seconds{10});
  }

  // Requests of type T the tracker received about `file_id`.
  template <class T>
  [[nodiscard]] std::vector<T> received(const core::FileId& file_id) const {
    std::vector<T> found;
    for (const auto& request : tracker_.requests()) {
      if (const auto* typed = std::get_if<T>(&request); typed && typed->file_id == file_id) {
        found.push_back(*typed);
      }
    }
    return found;
  }

  [[nodiscard]] std::vector<TrackerState> reported_states() const {
    std::vector<TrackerState> states;
    for (const auto& report : reports_) {
      states.push_back(report.state);
    }
    return states;
  }

  asio::io_context io_;
  Installation me_;
  core::ManualClock health_clock_{at(kStart)};
  FakeTracker tracker_{io_};
  std::vector<TrackerHealth> reports_;
  std::unique_ptr<Client> client_;
};

// ---- Requests ----

TEST_F(TrackerClientTest, pipelinedRequestsEachGetTheirOwnReplyInAnyOrder) {
  std::vector<protocol::Request> held;
  tracker_.set_handler([&](const protocol::Request& request) {
    held.push_back(request);
    std::vector<protocol::Reply> replies;
    if (held.size() < 3) {
      return replies; // all three are in flight at once before any answer
    }
    for (auto it = held.rbegin(); it != held.rend(); ++it) {
      const protocol::RequestId id = protocol::request_id(*it);
      if (is<protocol::Search>(*it)) {
        replies.emplace_back(protocol::SearchReply{id, 7, {}});
      } else if (is<protocol::GetStats>(*it)) {
        replies.emplace_back(protocol::StatsReply{id, 42, 0, 0, 0});
      } else {
        replies.emplace_back(protocol::PeersReply{
            id,
            {protocol::PeerEntry{
                me_.identity.peer_id(), {core::Endpoint::ipv4({192, 0, 2, 1}, 5)}, 9}}});
      }
    }
    return replies;
  });
  Client& client = make_client();
  std::optional<core::Result<protocol::SearchReply>> search;
  std::optional<core::Result<protocol::StatsReply>> stats;
  std::optional<core::Result<std::vector<protocol::PeerEntry>>> peers;
  run([&]() -> awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(
        executor, [&]() -> awaitable<void> { search = co_await client.search("words", 10); },
        asio::detached);
    asio::co_spawn(
        executor, [&]() -> awaitable<void> { stats = co_await client.stats(); }, asio::detached);
    asio::co_spawn(
        executor,
        [&]() -> awaitable<void> {
          peers = co_await client.get_peers(make_manifest("x").file_id());
        },
        asio::detached);
    EXPECT_TRUE(co_await eventually([&] { return search && stats && peers; }));
  });
  ASSERT_TRUE(search && stats && peers);
  ASSERT_TRUE(*search) << search->error().message();
  ASSERT_TRUE(*stats) << stats->error().message();
  ASSERT_TRUE(*peers) << peers->error().message();
  EXPECT_EQ(search->value().total, 7U);
  EXPECT_EQ(stats->value().files, 42U);
  ASSERT_EQ(peers->value().size(), 1U);
  EXPECT_EQ(peers->value()[0].last_seen, 9U);
  EXPECT_EQ(tracker_.connections(), 1);
  ASSERT_EQ(held.size(), 3U);
  EXPECT_NE(protocol::request_id(held[0]), protocol::request_id(held[1]));
  EXPECT_NE(protocol::request_id(held[1]), protocol::request_id(held[2]));
  EXPECT_NE(protocol::request_id(held[0]), protocol::request_id(held[2]));
}

TEST_F(TrackerClientTest, requestTheTrackerNeverAnswersTimesOut) {
  tracker_.set_handler([](const protocol::Request&) { return std::vector<protocol::Reply>{}; });
  ClientOptions settings = options();
  settings.request_timeout = milliseconds{100};
  Client& client = make_client(settings);
  std::optional<core::Result<protocol::StatsReply>> stats;
  const auto started = steady_clock::now();
  run([&]() -> awaitable<void> { stats = co_await client.stats(); });
  const auto took = steady_clock::now() - started;
  ASSERT_TRUE(stats);
  ASSERT_FALSE(*stats);
  EXPECT_EQ(stats->error(), Errc::tracker_timed_out);
  EXPECT_GE(took, milliseconds{100});
  EXPECT_LT(took, std::chrono::seconds{3}); // far below the 10 s default: the option counts
  // Nothing came back at all: the connection is given up and the tracker counts as down.
  EXPECT_EQ(client.health().state, TrackerState::unreachable);
  EXPECT_EQ(client.health().last_error, Errc::tracker_timed_out);
}

TEST_F(TrackerClientTest, unansweredRequestTypeCostsOnlyThatRequest) {
  // A newer client's optional request, which an older tracker ignores.
  tracker_.set_handler([&](const protocol::Request& request) {
    return is<protocol::GetStats>(request) ? std::vector<protocol::Reply>{}
                                           : tracker_.standard_reply(request);
  });
  ClientOptions settings = options();
  settings.request_timeout = milliseconds{100};
  Client& client = make_client(settings);
  run([&]() -> awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    std::optional<core::Result<protocol::StatsReply>> stats;
    asio::co_spawn(
        executor, [&]() -> awaitable<void> { stats = co_await client.stats(); }, asio::detached);
    co_await sleep_for(milliseconds{10});
    EXPECT_TRUE(co_await client.search("text", 5)); // answered while stats waits
    EXPECT_TRUE(co_await eventually([&] { return stats.has_value(); }));
    EXPECT_EQ(stats->error(), Errc::tracker_timed_out);
    EXPECT_TRUE(co_await client.search("text", 5));
  });
  EXPECT_EQ(tracker_.connections(), 1);
  EXPECT_EQ(client.health().state, TrackerState::reachable);
  EXPECT_EQ(client.health().consecutive_failures, 0U);
}

TEST_F(TrackerClientTest, pinnedWrongPeerIdFailsWithIdentityMismatch) {
  const Installation impostor_expected;
  TrackerAddress address = tracker_.address();
  address.peer_id = impostor_expected.identity.peer_id();
  Client& client = make_client(options(), address);
  std::optional<core::Result<protocol::StatsReply>> stats;
  run([&]() -> awaitable<void> { stats = co_await client.stats(); });
  ASSERT_TRUE(stats);
  ASSERT_FALSE(*stats);
  EXPECT_EQ(stats->error(), Errc::tracker_identity_mismatch);
  EXPECT_EQ(client.health().last_error, Errc::tracker_identity_mismatch);
  EXPECT_NE(client.health().last_error_text.find(address.peer_id->to_string()), std::string::npos)
      << client.health().last_error_text;
  EXPECT_TRUE(tracker_.requests().empty());
}

TEST_F(TrackerClientTest, pinnedRightPeerIdConnects) {
  TrackerAddress address = tracker_.address();
  address.peer_id = tracker_.peer_id();
  Client& client = make_client(options(), address);
  std::optional<core::Result<protocol::StatsReply>> stats;
  run([&]() -> awaitable<void> { stats = co_await client.stats(); });
  ASSERT_TRUE(stats && *stats) << (stats ? stats->error().message() : "no result");
  EXPECT_EQ(stats->value().uptime_seconds, 4U);
}

TEST_F(TrackerClientTest, errorReplyComesOutAsTheMatchingErrorCode) {
  tracker_.set_handler([](const protocol::Request& request) {
    const protocol::RequestId id = protocol::request_id(request);
    if (is<protocol::GetPeers>(request)) {
      return std::vector<protocol::Reply>{
          protocol::ErrorReply{id, protocol::ErrorCode::unknown_file, "no such file"}};
    }
    // A code from a newer tracker.
    return std::vector<protocol::Reply>{
        protocol::ErrorReply{id, static_cast<protocol::ErrorCode>(99), "something new"}};
  });
  Client& client = make_client();
  std::optional<core::Result<std::vector<protocol::PeerEntry>>> peers;
  std::optional<core::Result<protocol::StatsReply>> stats;
  run([&]() -> awaitable<void> {
    peers = co_await client.get_peers(make_manifest("x").file_id(), 10);
    stats = co_await client.stats();
  });
  ASSERT_TRUE(peers && stats);
  ASSERT_FALSE(*peers);
  EXPECT_EQ(peers->error(), protocol::ErrorCode::unknown_file);
  EXPECT_EQ(peers->error().category(), protocol::wire_error_category());
  EXPECT_EQ(peers->error().message(), "unknown file");
  ASSERT_FALSE(*stats);
  EXPECT_EQ(stats->error().value(), 99);
  EXPECT_EQ(stats->error().category(), protocol::wire_error_category());
  EXPECT_EQ(stats->error().message(), "tracker error 99");
  // A refusal is an answer: the tracker is reachable.
  EXPECT_EQ(client.health().state, TrackerState::reachable);
}

TEST_F(TrackerClientTest, manifestThatDoesNotHashToTheFileIdIsRefused) {
  const core::Manifest wanted = make_manifest("wanted.bin");
  tracker_.set_manifest(make_manifest("other.bin").encoded());
  Client& client = make_client();
  std::optional<core::Result<core::Manifest>> manifest;
  run([&]() -> awaitable<void> { manifest = co_await client.get_manifest(wanted.file_id()); });
  ASSERT_TRUE(manifest);
  ASSERT_FALSE(*manifest);
  EXPECT_EQ(manifest->error(), Errc::manifest_mismatch);
}

TEST_F(TrackerClientTest, manifestThatHashesToTheFileIdIsReturnedDecoded) {
  const core::Manifest wanted = make_manifest("wanted.bin");
  tracker_.set_manifest(wanted.encoded());
  Client& client = make_client();
  std::optional<core::Result<core::Manifest>> manifest;
  run([&]() -> awaitable<void> { manifest = co_await client.get_manifest(wanted.file_id()); });
  ASSERT_TRUE(manifest && *manifest) << (manifest ? manifest->error().message() : "no result");
  EXPECT_EQ(manifest->value(), wanted);
  EXPECT_EQ(manifest->value().name(), "wanted.bin");
}

TEST_F(TrackerClientTest, requestTheTrackerWouldRefuseIsNotSentAndNeedsNoConnection) {
  Client& client = make_client();
  std::optional<core::Result<protocol::SearchReply>> search;
  run([&]() -> awaitable<void> { search = co_await client.search("text", 0); });
  ASSERT_TRUE(search);
  EXPECT_EQ(search->error(), protocol::Errc::invalid_message);
  EXPECT_EQ(tracker_.connections(), 0);
}

TEST_F(TrackerClientTest, unreachableTrackerFailsWithItsAddressInTheHealthText) {
  tcp::acceptor closed(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const TrackerAddress nowhere{"127.0.0.1", closed.local_endpoint().port(), std::nullopt};
  closed.close();
  Client& client = make_client(options(), nowhere);
  std::optional<core::Result<protocol::StatsReply>> stats;
  run([&]() -> awaitable<void> { stats = co_await client.stats(); });
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->error(), Errc::tracker_unreachable);
  const TrackerHealth health = client.health();
  EXPECT_EQ(health.state, TrackerState::unreachable);
  EXPECT_EQ(health.consecutive_failures, 1U);
  EXPECT_NE(health.last_error_text.find(nowhere.host_port()), std::string::npos)
      << health.last_error_text;
}

TEST_F(TrackerClientTest, idleConnectionIsClosedAndTheNextRequestReconnectsQuietly) {
  ClientOptions settings = options();
  settings.idle_disconnect = milliseconds{20};
  Client& client = make_client(settings);
  run([&]() -> awaitable<void> {
    EXPECT_TRUE(co_await client.stats());
    EXPECT_TRUE(co_await eventually([&] { return tracker_.open_sessions() == 0; }));
    EXPECT_TRUE(co_await client.stats());
  });
  EXPECT_EQ(tracker_.connections(), 2);
  EXPECT_EQ(reported_states(),
            (std::vector<TrackerState>{TrackerState::connecting, TrackerState::reachable}));
}

TEST_F(TrackerClientTest, stopFailsWaitingRequestsAtOnceAndEveryLaterOne) {
  tracker_.set_handler([](const protocol::Request&) { return std::vector<protocol::Reply>{}; });
  ClientOptions settings = options();
  settings.request_timeout = std::chrono::seconds{5};
  Client& client = make_client(settings);
  std::optional<core::Result<protocol::StatsReply>> waiting;
  std::optional<core::Result<protocol::StatsReply>> later;
  const auto started = steady_clock::now();
  run([&]() -> awaitable<void> {
    asio::co_spawn(
        co_await asio::this_coro::executor,
        [&]() -> awaitable<void> { waiting = co_await client.stats(); }, asio::detached);
    EXPECT_TRUE(co_await eventually([&] { return tracker_.requests().size() == 1; }));
    client.stop();
    EXPECT_TRUE(co_await eventually([&] { return waiting.has_value(); }));
    later = co_await client.stats();
  });
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds{2});
  ASSERT_TRUE(waiting && later);
  EXPECT_EQ(waiting->error(), Errc::tracker_client_stopped);
  EXPECT_EQ(later->error(), Errc::tracker_client_stopped);
  EXPECT_EQ(tracker_.connections(), 1);
}

TEST_F(TrackerClientTest, closeSaysGoodbyeCleanlyThenStops) {
  Client& client = make_client();
  std::optional<core::Result<protocol::StatsReply>> after;
  run([&]() -> awaitable<void> {
    EXPECT_TRUE(co_await client.stats());
    co_await client.close();
    after = co_await client.stats();
  });
  EXPECT_EQ(tracker_.clean_closes(), 1);
  EXPECT_EQ(tracker_.open_sessions(), 0);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->error(), Errc::tracker_client_stopped);
}

// ---- Backoff and health ----

TEST_F(TrackerClientTest, backoffAfterFailuresGrowsAndResetsOnSuccess) {
  tracker_.refuse(true);
  ClientOptions settings = options();
  settings.refresh_interval = milliseconds{30};
  Client& client = make_client(settings);
  const core::Manifest file = make_manifest("a.bin");
  const auto unreachable_reports = [&] {
    std::vector<TrackerHealth> found;
    std::copy_if(reports_.begin(), reports_.end(), std::back_inserter(found),
                 [](const auto& report) { return report.state == TrackerState::unreachable; });
    return found;
  };
  std::size_t before_second_outage = 0;
  run([&]() -> awaitable<void> {
    client.keep_announced(announce_of(file));
    EXPECT_TRUE(co_await eventually([&] { return unreachable_reports().size() >= 3; }));
    tracker_.refuse(false);
    EXPECT_TRUE(
        co_await eventually([&] { return !received<protocol::Announce>(file.file_id()).empty(); }));
    EXPECT_TRUE(
        co_await eventually([&] { return client.health().state == TrackerState::reachable; }));
    const TrackerHealth recovered = client.health();
    EXPECT_EQ(recovered.consecutive_failures, 0U);
    EXPECT_EQ(recovered.retry_in, milliseconds::zero());
    // Down again: the next failure starts from the initial delay.
    before_second_outage = unreachable_reports().size();
    tracker_.refuse(true);
    tracker_.drop_connections();
    EXPECT_TRUE(co_await eventually(
        [&] { return unreachable_reports().size() >= before_second_outage + 2; }));
  });
  const auto failures = unreachable_reports();
  ASSERT_GE(before_second_outage, 3U);
  ASSERT_GE(failures.size(), before_second_outage + 2);
  EXPECT_EQ(failures[0].retry_in, milliseconds{20});
  EXPECT_EQ(failures[1].retry_in, milliseconds{40});
  EXPECT_EQ(failures[2].retry_in, milliseconds{80});
  EXPECT_EQ(failures[0].consecutive_failures, 1U);
  EXPECT_EQ(failures[2].consecutive_failures, 3U);
  EXPECT_EQ(failures[0].last_error, Errc::tracker_unreachable);
  EXPECT_EQ(failures[before_second_outage].consecutive_failures, 1U);
  EXPECT_EQ(failures[before_second_outage].retry_in, milliseconds{20});
  EXPECT_EQ(failures[before_second_outage + 1].retry_in, milliseconds{40});
}

TEST_F(TrackerClientTest, backoffDelaysAreCappedAndShortenedByJitter) {
  tracker_.refuse(true);
  ClientOptions settings = options();
  settings.backoff_initial = milliseconds{10};
  settings.backoff_max = milliseconds{30};
  settings.backoff_jitter = 0.5;
  settings.random = []() { return 0.5; }; // shortens each delay by a quarter
  Client& client = make_client(settings);
  run([&]() -> awaitable<void> {
    client.keep_announced(announce_of(make_manifest("a.bin")));
    // The reports are posted: wait for them rather than for the state.
    EXPECT_TRUE(co_await eventually([&] {
      return std::count_if(reports_.begin(), reports_.end(), [](const auto& report) {
               return report.state == TrackerState::unreachable;
             }) >= 4;
    }));
  });
  std::vector<milliseconds> delays;
  for (const auto& report : reports_) {
    if (report.state == TrackerState::unreachable) {
      delays.push_back(report.retry_in);
    }
  }
  ASSERT_GE(delays.size(), 4U);
  // 10, 20, 30 (capped), 30, each times 0.75, rounded.
  EXPECT_EQ(delays[0], milliseconds{8});
  EXPECT_EQ(delays[1], milliseconds{15});
  EXPECT_EQ(delays[2], milliseconds{23});
  EXPECT_EQ(delays[3], milliseconds{23});
}

TEST_F(TrackerClientTest, healthChangesAreReportedWithRoundTripAndLastSuccess) {
  // The tracker takes 25 ms of the injected clock to answer.
  tracker_.set_handler([&](const protocol::Request& request) {
    health_clock_.advance(milliseconds{25});
    return tracker_.standard_reply(request);
  });
  ClientOptions settings = options();
  settings.idle_disconnect = milliseconds{10};
  Client& client = make_client(settings);
  TrackerHealth after_first;
  run([&]() -> awaitable<void> {
    EXPECT_TRUE(co_await client.stats());
    after_first = client.health();
    // The idle connection ends (not a failure), then the tracker goes away.
    EXPECT_TRUE(co_await eventually([&] { return tracker_.open_sessions() == 0; }));
    tracker_.refuse(true);
    EXPECT_EQ((co_await client.stats()).error(), Errc::tracker_unreachable);
    tracker_.refuse(false);
    EXPECT_TRUE(co_await client.stats());
    EXPECT_TRUE(co_await eventually([&] { return reports_.size() >= 5; })); // they are posted
    co_await sleep_for(milliseconds{5});                                    // and no more come
  });
  EXPECT_EQ(after_first.state, TrackerState::reachable);
  EXPECT_EQ(after_first.last_round_trip, milliseconds{25});
  EXPECT_EQ(after_first.last_success, at(kStart) + milliseconds{25});
  EXPECT_EQ(reported_states(),
            (std::vector<TrackerState>{TrackerState::connecting, TrackerState::reachable,
                                       TrackerState::unreachable, TrackerState::connecting,
                                       TrackerState::reachable}));
  ASSERT_EQ(reports_.size(), 5U);
  EXPECT_EQ(reports_[2].last_error, Errc::tracker_unreachable);
  EXPECT_NE(reports_[2].last_error_text.find(tracker_.address().host_port()), std::string::npos)
      << reports_[2].last_error_text;
  EXPECT_EQ(reports_[2].consecutive_failures, 1U);
  EXPECT_EQ(reports_[4].consecutive_failures, 0U);
  // The last error stays visible after recovery.
  EXPECT_EQ(client.health().last_error, Errc::tracker_unreachable);
  EXPECT_EQ(client.health().last_success, at(kStart) + milliseconds{50});
}

// ---- Announce keeping ----

TEST_F(TrackerClientTest, keptAnnounceCarriesTheManifestFirstThenIsRefreshed) {
  ClientOptions settings = options();
  settings.refresh_interval = milliseconds{20};
  Client& client = make_client(settings);
  const core::Manifest file = make_manifest("kept.bin");
  run([&]() -> awaitable<void> {
    client.keep_announced(announce_of(file));
    EXPECT_TRUE(co_await eventually(
        [&] { return received<protocol::Refresh>(file.file_id()).size() >= 2; }));
  });
  const auto announces = received<protocol::Announce>(file.file_id());
  ASSERT_EQ(announces.size(), 1U);
  EXPECT_EQ(announces[0].manifest, file.encoded());
  EXPECT_EQ(announces[0].port, 7000);
  EXPECT_TRUE(is<protocol::Announce>(tracker_.requests().front()));
  EXPECT_EQ(client.kept_files(), std::vector<core::FileId>{file.file_id()});
}

TEST_F(TrackerClientTest, keptAnnounceIsRefreshedNoLaterThanHalfTheTtl) {
  tracker_.set_ttl_seconds(1);
  std::vector<steady_clock::time_point> arrivals;
  tracker_.set_handler([&](const protocol::Request& request) {
    arrivals.push_back(steady_clock::now());
    return tracker_.standard_reply(request);
  });
  Client& client = make_client(); // refresh_interval: the default 10 minutes
  const core::Manifest file = make_manifest("short-ttl.bin");
  run([&]() -> awaitable<void> {
    client.keep_announced(announce_of(file));
    EXPECT_TRUE(co_await eventually(
        [&] { return received<protocol::Refresh>(file.file_id()).size() >= 1; }));
  });
  ASSERT_GE(arrivals.size(), 2U);
  const auto gap = arrivals[1] - arrivals[0];
  EXPECT_GE(gap, milliseconds{450});
  EXPECT_LE(gap, std::chrono::seconds{2}); // the 10 minute interval was not what counted
}

TEST_F(TrackerClientTest, refreshAnsweredNoEntryIsFollowedByAnAnnounceWithoutManifest) {
  int refreshes = 0;
  tracker_.set_handler([&](const protocol::Request& request) {
    if (is<protocol::Refresh>(request) && ++refreshes == 1) {
      return std::vector<protocol::Reply>{protocol::ErrorReply{
          protocol::request_id(request), protocol::ErrorCode::no_entry, "expired"}};
    }
    return tracker_.standard_reply(request);
  });
  ClientOptions settings = options();
  settings.refresh_interval = milliseconds{20};
  Client& client = make_client(settings);
  const core::Manifest file = make_manifest("kept.bin");
  std::vector<std::error_code> outcomes;
  client.set_announce_callback(
      [&](const core::FileId&, std::error_code error) { outcomes.push_back(error); });
  run([&]() -> awaitable<void> {
    client.keep_announced(announce_of(file));
    EXPECT_TRUE(co_await eventually([&] { return refreshes >= 2; }));
  });
  const auto& requests = tracker_.requests();
  ASSERT_GE(requests.size(), 4U);
  EXPECT_TRUE(is<protocol::Announce>(requests[0]));
  EXPECT_TRUE(is<protocol::Refresh>(requests[1]));
  ASSERT_TRUE(is<protocol::Announce>(requests[2]));
  EXPECT_FALSE(std::get<protocol::Announce>(requests[2]).manifest);
  EXPECT_TRUE(is<protocol::Refresh>(requests[3]));
  ASSERT_GE(outcomes.size(), 2U);
  EXPECT_FALSE(outcomes[0]);
  EXPECT_EQ(outcomes[1], protocol::ErrorCode::no_entry);
}

TEST_F(TrackerClientTest, announceAnsweredManifestRequiredIsSentAgainWithTheManifest) {
  int refreshes = 0;
  tracker_.set_handler([&](const protocol::Request& request) {
    const protocol::RequestId id = protocol::request_id(request);
    if (is<protocol::Refresh>(request) && ++refreshes == 1) {
      return std::vector<protocol::Reply>{
          protocol::ErrorReply{id, protocol::ErrorCode::no_entry, ""}};
    }
    if (const auto* announce = std::get_if<protocol::Announce>(&request);
        announce && !announce->manifest) {
      // The tracker lost the file meanwhile.
      return std::vector<protocol::Reply>{
          protocol::ErrorReply{id, protocol::ErrorCode::manifest_required, ""}};
    }
    return tracker_.standard_reply(request);
  });
  ClientOptions settings = options();
  settings.refresh_interval = milliseconds{20};
  Client& client = make_client(settings);
  const core::Manifest file = make_manifest("kept.bin");
  run([&]() -> awaitable<void> {
    client.keep_announced(announce_of(file));
    EXPECT_TRUE(co_await eventually([&] { return refreshes >= 2; }));
  });
  const auto announces = received<protocol::Announce>(file.file_id());
  ASSERT_EQ(announces.size(), 3U);
  EXPECT_TRUE(announces[0].manifest);
  EXPECT_FALSE(announces[1].manifest);
  EXPECT_EQ(announces[2].manifest, file.encoded());
}

TEST_F(TrackerClientTest, keptFilesAreAnnouncedAgainAfterAReconnect) {
  ClientOptions settings = options();
  settings.refresh_interval = milliseconds{20};
  Client& client = make_client(settings);
  const core::Manifest first = make_manifest("first.bin");
  const core::Manifest second = make_manifest("second.bin");
  run([&]() -> awaitable<void> {
    client.keep_announced(announce_of(first));
    client.keep_announced(announce_of(second));
    EXPECT_TRUE(co_await eventually([&] {
      return !received<protocol::Refresh>(first.file_id()).empty() &&
             !received<protocol::Refresh>(second.file_id()).empty();
    }));
    tracker_.refuse(true); // the tracker goes down ...
    tracker_.drop_connections();
    EXPECT_TRUE(
        co_await eventually([&] { return client.health().state == TrackerState::unreachable; }));
    tracker_.refuse(false); // ... and comes back
    EXPECT_TRUE(co_await eventually([&] {
      return received<protocol::Announce>(first.file_id()).size() == 2 &&
             received<protocol::Announce>(second.file_id()).size() == 2;
    }));
  });
  for (const auto& file : {first, second}) {
    const auto announces = received<protocol::Announce>(file.file_id());
    ASSERT_EQ(announces.size(), 2U);
    EXPECT_TRUE(announces[0].manifest);
    EXPECT_FALSE(announces[1].manifest); // the tracker keeps manifests: not sent again
  }
  EXPECT_GE(tracker_.connections(), 2);
}

TEST_F(TrackerClientTest, stopAnnouncingEndsTheRefreshes) {
  ClientOptions settings = options();
  settings.refresh_interval = milliseconds{10};
  Client& client = make_client(settings);
  const core::Manifest file = make_manifest("kept.bin");
  std::size_t seen = 0;
  run([&]() -> awaitable<void> {
    client.keep_announced(announce_of(file));
    EXPECT_TRUE(
        co_await eventually([&] { return !received<protocol::Refresh>(file.file_id()).empty(); }));
    client.stop_announcing(file.file_id());
    co_await sleep_for(milliseconds{5}); // a refresh in flight may still arrive
    seen = tracker_.requests().size();
    co_await sleep_for(milliseconds{50});
  });
  EXPECT_EQ(tracker_.requests().size(), seen);
  EXPECT_TRUE(client.kept_files().empty());
}

TEST_F(TrackerClientTest, unannounceAllRemovesEveryKeptFileAndStopsKeeping) {
  ClientOptions settings = options();
  settings.refresh_interval = milliseconds{10};
  Client& client = make_client(settings);
  const core::Manifest first = make_manifest("first.bin");
  const core::Manifest second = make_manifest("second.bin");
  std::optional<core::Status> status;
  std::size_t after_unannounce = 0;
  run([&]() -> awaitable<void> {
    client.keep_announced(announce_of(first));
    client.keep_announced(announce_of(second));
    EXPECT_TRUE(co_await eventually([&] {
      return !received<protocol::Announce>(first.file_id()).empty() &&
             !received<protocol::Announce>(second.file_id()).empty();
    }));
    status = co_await client.unannounce_all();
    co_await sleep_for(milliseconds{5}); // a refresh in flight may still arrive
    after_unannounce = tracker_.requests().size();
    co_await sleep_for(milliseconds{40});
  });
  ASSERT_TRUE(status);
  EXPECT_TRUE(*status) << status->error().message();
  EXPECT_EQ(received<protocol::Unannounce>(first.file_id()).size(), 1U);
  EXPECT_EQ(received<protocol::Unannounce>(second.file_id()).size(), 1U);
  EXPECT_TRUE(client.kept_files().empty());
  EXPECT_EQ(tracker_.requests().size(), after_unannounce);
}

} // namespace
} // namespace swarmshare::tracker
