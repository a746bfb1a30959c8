#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/crypto/secure_channel.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarmshare::crypto {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using boost::system::error_code;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::uint64_t kStart = 1'700'000'000;

std::chrono::system_clock::time_point at(std::uint64_t unix_seconds) {
  return std::chrono::system_clock::time_point{std::chrono::seconds{unix_seconds}};
}

Bytes ascii(std::string_view text) { return {text.begin(), text.end()}; }

Bytes pattern(std::size_t size, std::uint8_t seed) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) {
    bytes[i] = static_cast<std::uint8_t>(seed + i * 7 + (i >> 11));
  }
  return bytes;
}

// Lets one coroutine wait for another on the same executor: a timer that never expires on
// its own, cancelled to wake the waiter.
class Signal {
public:
  explicit Signal(const asio::any_io_executor& executor)
      : timer_(executor, steady_clock::time_point::max()) {}

  void raise() {
    raised_ = true;
    timer_.cancel();
  }
  awaitable<void> wait() {
    while (!raised_) {
      error_code ec;
      co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }

private:
  asio::steady_timer timer_;
  bool raised_ = false;
};

// One installation: an identity, a clock fixed at kStart (certificates are checked against
// it) and the key manager that certifies its static key.
struct Peer {
  Identity identity = Identity::generate();
  core::ManualClock clock{at(kStart)};
  StaticKeyManager keys{identity, NetworkId::public_network(), clock};

  [[nodiscard]] ChannelConfig config(milliseconds handshake_timeout = std::chrono::seconds{5}) {
    ChannelConfig config(keys, clock);
    config.handshake_timeout = handshake_timeout;
    return config;
  }
  [[nodiscard]] const PeerId& id() const { return identity.peer_id(); }
};

// Forwards bytes between a client-side and a server-side socket, optionally one byte per
// write or with one bit flipped at a given offset of a direction.
struct Relay {
  struct Direction {
    std::size_t forwarded = 0;
    std::optional<std::size_t> flip_at;
  };

  tcp::socket client_side;
  tcp::socket server_side;
  bool one_byte_writes = false;
  Direction to_server;
  Direction to_client;
};

awaitable<void> pump(tcp::socket& from, tcp::socket& to, Relay::Direction& direction,
                     bool one_byte_writes) {
  Bytes buffer(64 * 1024);
  error_code ec;
  for (;;) {
    const std::size_t n = co_await from.async_read_some(asio::buffer(buffer),
                                                        asio::redirect_error(use_awaitable, ec));
    if (ec) {
      break;
    }
    if (direction.flip_at && *direction.flip_at >= direction.forwarded &&
        *direction.flip_at < direction.forwarded + n) {
      buffer[*direction.flip_at - direction.forwarded] ^= 0x01;
    }
    direction.forwarded += n;
    if (one_byte_writes) {
      for (std::size_t i = 0; i < n && !ec; ++i) {
        co_await asio::async_write(to, asio::buffer(&buffer[i], 1),
                                   asio::redirect_error(use_awaitable, ec));
      }
    } else {
      co_await asio::async_write(to, asio::buffer(buffer.data(), n),
                                 asio::redirect_error(use_awaitable, ec));
    }
    if (ec) {
      break;
    }
  }
  error_code ignored;
  if (ec == asio::error::eof) {
    to.shutdown(tcp::socket::shutdown_send, ignored); // pass a clean end on
  } else {
    from.close(ignored);
    to.close(ignored);
  }
}

// Reads until the peer closes; returns how many bytes came before that.
awaitable<std::size_t> drain_until_closed(tcp::socket& socket) {
  Bytes buffer(4096);
  std::size_t total = 0;
  for (;;) {
    error_code ec;
    total += co_await socket.async_read_some(asio::buffer(buffer),
                                             asio::redirect_error(use_awaitable, ec));
    if (ec) {
      co_return total;
    }
  }
}

awaitable<void> write_all(tcp::socket& socket, Bytes bytes) {
  error_code ec;
  co_await asio::async_write(socket, asio::buffer(bytes), asio::redirect_error(use_awaitable, ec));
  EXPECT_FALSE(ec) << ec.message();
}

class SecureChannelOverTcp : public ::testing::Test {
protected:
  using Session = std::function<awaitable<void>(SecureChannel&)>;

  struct Outcome {
    std::optional<std::error_code> client_error; // set when connect failed
    std::optional<std::error_code> server_error; // set when accept failed
    bool client_ran = false;
    bool server_ran = false;
  };

  // A connected pair of loopback sockets: {client end, server end}.
  std::pair<tcp::socket, tcp::socket> connected_pair() {
    tcp::socket client(io_);
    tcp::socket server(io_);
    client.connect(acceptor_.local_endpoint());
    acceptor_.accept(server);
    return {std::move(client), std::move(server)};
  }

  // A client and a server joined through a relay: {client end, server end, relay}.
  std::unique_ptr<Relay> relayed_pair(tcp::socket& client, tcp::socket& server) {
    auto [client_end, relay_client_side] = connected_pair();
    auto [relay_server_side, server_end] = connected_pair();
    client = std::move(client_end);
    server = std::move(server_end);
    return std::make_unique<Relay>(
        Relay{std::move(relay_client_side), std::move(relay_server_side), false, {}, {}});
  }

  void start(Relay& relay) {
    // Every write goes out at once, as the channel's own do: one byte per segment when asked.
    relay.client_side.set_option(tcp::no_delay(true));
    relay.server_side.set_option(tcp::no_delay(true));
    spawn([&relay]() -> awaitable<void> {
      co_await pump(relay.client_side, relay.server_side, relay.to_server, relay.one_byte_writes);
    });
    spawn([&relay]() -> awaitable<void> {
      co_await pump(relay.server_side, relay.client_side, relay.to_client, relay.one_byte_writes);
    });
  }

  template <class F>
  void spawn(F function) {
    asio::co_spawn(io_, std::move(function), [](const std::exception_ptr& error) {
      if (error) {
        std::rethrow_exception(error);
      }
    });
  }

  // Runs everything spawned until it is done. The limit is only a safety net against a hang;
  // every test finishes far sooner.
  void run() {
    io_.restart();
    io_.run_for(std::chrono::seconds{10});
    EXPECT_TRUE(io_.stopped()) << "work left after the safety limit";
  }

  // Spawns connect() on `client_socket` and accept() on `server_socket`, then each session on
  // its channel, and runs to the end.
  Outcome run_sessions(tcp::socket client_socket, tcp::socket server_socket,
                       ChannelConfig client_config, ChannelConfig server_config,
                       const Session& client_session, const Session& server_session,
                       std::optional<PeerId> expected_peer = std::nullopt) {
    Outcome outcome;
    spawn([&]() -> awaitable<void> {
      auto channel = co_await SecureChannel::connect(std::move(client_socket),
                                                     std::move(client_config), expected_peer);
      if (!channel) {
        outcome.client_error = channel.error();
        co_return;
      }
      SecureChannel open = std::move(channel).value();
      outcome.client_ran = true;
      co_await client_session(open);
    });
    spawn([&]() -> awaitable<void> {
      auto channel =
          co_await SecureChannel::accept(std::move(server_socket), std::move(server_config));
      if (!channel) {
        outcome.server_error = channel.error();
        co_return;
      }
      SecureChannel open = std::move(channel).value();
      outcome.server_ran = true;
      co_await server_session(open);
    });
    run();
    return outcome;
  }

  Outcome run_sessions(const Session& client_session, const Session& server_session) {
    auto [client, server] = connected_pair();
    return run_sessions(std::move(client), std::move(server), alice_.config(), bob_.config(),
                        client_session, server_session);
  }

  asio::io_context io_;
  tcp::acceptor acceptor_{io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
  Peer alice_; // connects
  Peer bob_;   // accepts
};

// ----- Handshake -----------------------------------------------------------------------------

TEST_F(SecureChannelOverTcp, handshakesThenCarriesMessagesBothWaysAndEndsCleanly) {
  std::optional<Hash64> client_hash;
  std::optional<Hash64> server_hash;
  const Outcome outcome = run_sessions(
      [&](SecureChannel& channel) -> awaitable<void> {
        EXPECT_EQ(channel.peer_id(), bob_.id());
        client_hash = channel.handshake_hash();
        EXPECT_TRUE(co_await channel.write_message(ascii("hello bob")));
        auto reply = co_await channel.read_message();
        EXPECT_TRUE(reply && reply.value() == ascii("hello alice"));
        EXPECT_TRUE(co_await channel.close());
        // Our side is closed; bob's direction still carries a message, then its FINAL.
        auto last = co_await channel.read_message();
        EXPECT_TRUE(last && last.value() == ascii("after your close"));
        auto end = co_await channel.read_message();
        EXPECT_EQ(end.error(), Errc::channel_closed);
      },
      [&](SecureChannel& channel) -> awaitable<void> {
        EXPECT_EQ(channel.peer_id(), alice_.id());
        server_hash = channel.handshake_hash();
        auto hello = co_await channel.read_message();
        EXPECT_TRUE(hello && hello.value() == ascii("hello bob"));
        EXPECT_TRUE(co_await channel.write_message(ascii("hello alice")));
        auto end = co_await channel.read_message();
        EXPECT_EQ(end.error(), Errc::channel_closed);
        // End of stream stays end of stream.
        EXPECT_EQ((co_await channel.read_message()).error(), Errc::channel_closed);
        EXPECT_TRUE(co_await channel.write_message(ascii("after your close")));
        EXPECT_TRUE(co_await channel.close());
      });
  EXPECT_TRUE(outcome.client_ran && outcome.server_ran);
  ASSERT_TRUE(client_hash && server_hash);
  EXPECT_EQ(*client_hash, *server_hash);
}

TEST_F(SecureChannelOverTcp, connectsWhenTheResponderIsTheExpectedPeer) {
  auto [client, server] = connected_pair();
  const Outcome outcome = run_sessions(
      std::move(client), std::move(server), alice_.config(), bob_.config(),
      [&](SecureChannel& channel) -> awaitable<void> {
        EXPECT_EQ(channel.peer_id(), bob_.id());
        co_return;
      },
      [&](SecureChannel& channel) -> awaitable<void> {
        EXPECT_EQ(channel.peer_id(), alice_.id());
        co_return;
      },
      bob_.id());
  EXPECT_TRUE(outcome.client_ran && outcome.server_ran);
}

TEST_F(SecureChannelOverTcp, wrongExpectedPeerFailsTheInitiatorAndTheResponderNeverLearnsWho) {
  const Peer carol;
  std::optional<std::error_code> reason;
  ChannelConfig client_config = alice_.config();
  client_config.on_handshake_failure = [&](std::error_code why) { reason = why; };
  auto [client, server] = connected_pair();
  const auto never = [](SecureChannel&) -> awaitable<void> {
    ADD_FAILURE() << "no channel may open";
    co_return;
  };
  const Outcome outcome = run_sessions(std::move(client), std::move(server), client_config,
                                       bob_.config(), never, never, carol.id());
  ASSERT_TRUE(outcome.client_error);
  EXPECT_EQ(*outcome.client_error, Errc::handshake_failed);
  EXPECT_EQ(reason, make_error_code(Errc::unexpected_peer));
  // Message 3 (alice's identity) was never sent, so bob's accept cannot complete.
  ASSERT_TRUE(outcome.server_error);
  EXPECT_EQ(*outcome.server_error, Errc::handshake_failed);
}

TEST_F(SecureChannelOverTcp, silentInitiatorIsCutOffByTheHandshakeTimeout) {
  auto [raw_end, server] = connected_pair();
  tcp::socket& raw = raw_end; // clang 14 cannot capture a structured binding
  std::optional<core::Result<SecureChannel>> accepted;
  std::size_t bytes_from_server = 1;
  const auto started = steady_clock::now();
  spawn([&, socket = std::move(server)]() mutable -> awaitable<void> {
    accepted.emplace(
        co_await SecureChannel::accept(std::move(socket), bob_.config(milliseconds{100})));
  });
  spawn([&]() -> awaitable<void> { bytes_from_server = co_await drain_until_closed(raw); });
  run();
  ASSERT_TRUE(accepted);
  ASSERT_FALSE(*accepted);
  EXPECT_EQ(accepted->error(), Errc::handshake_timeout);
  EXPECT_EQ(bytes_from_server, 0U); // a close, nothing else
  EXPECT_GE(steady_clock::now() - started, milliseconds{100});
}

TEST_F(SecureChannelOverTcp, responderThatNeverAnswersIsCutOffByTheHandshakeTimeout) {
  auto [client, raw_end] = connected_pair();
  tcp::socket& raw = raw_end; // clang 14 cannot capture a structured binding
  std::optional<core::Result<SecureChannel>> connected;
  spawn([&, socket = std::move(client)]() mutable -> awaitable<void> {
    connected.emplace(
        co_await SecureChannel::connect(std::move(socket), alice_.config(milliseconds{100})));
  });
  std::size_t message_1_bytes = 0;
  spawn([&]() -> awaitable<void> { message_1_bytes = co_await drain_until_closed(raw); });
  run();
  ASSERT_TRUE(connected);
  ASSERT_FALSE(*connected);
  EXPECT_EQ(connected->error(), Errc::handshake_timeout);
  EXPECT_EQ(message_1_bytes, kHandshakeLengthBytes + kNoiseDhBytes);
}

TEST_F(SecureChannelOverTcp, halfAHandshakeMessageThenAStallIsCutOffByTheHandshakeTimeout) {
  auto [raw_end, server] = connected_pair();
  tcp::socket& raw = raw_end; // clang 14 cannot capture a structured binding
  std::optional<core::Result<SecureChannel>> accepted;
  spawn([&, socket = std::move(server)]() mutable -> awaitable<void> {
    accepted.emplace(
        co_await SecureChannel::accept(std::move(socket), bob_.config(milliseconds{100})));
  });
  spawn([&]() -> awaitable<void> {
    Bytes half{0x00, 0x20}; // announces message 1 (32 bytes), sends 10 of them
    half.resize(12, 0x42);
    co_await write_all(raw, half);
    co_await drain_until_closed(raw);
  });
  run();
  ASSERT_TRUE(accepted);
  ASSERT_FALSE(*accepted);
  EXPECT_EQ(accepted->error(), Errc::handshake_timeout);
}

TEST_F(SecureChannelOverTcp, garbageFromARawPeerFailsTheHandshakeWithoutAReply) {
  struct Case {
    const char* name;
    Bytes bytes;
    std::error_code reason;
  };
  Bytes oversized{0xFF, 0xFF};
  oversized.resize(2 + 1000, 0x00);
  Bytes junk_message_3 = pattern(2 + 32, 3); // any 32 bytes pass as an ephemeral key
  junk_message_3[0] = 0;
  junk_message_3[1] = 32;
  const Bytes junk_tail = pattern(2 + 200, 9);
  junk_message_3.insert(junk_message_3.end(), junk_tail.begin(), junk_tail.end());
  junk_message_3[34] = 0;
  junk_message_3[35] = 200;
  Bytes one_over{0x00, 0x00};
  one_over[0] = static_cast<std::uint8_t>((kMaxHandshakeMessageBytes + 1) >> 8);
  one_over[1] = static_cast<std::uint8_t>(kMaxHandshakeMessageBytes + 1);
  const std::vector<Case> cases{
      {"zero length", {0x00, 0x00}, make_error_code(Errc::message_too_large)},
      {"length 65535", oversized, make_error_code(Errc::message_too_large)},
      {"one over the largest message", one_over, make_error_code(Errc::message_too_large)},
      {"short message 1", {0x00, 0x05, 1, 2, 3, 4, 5}, make_error_code(Errc::message_truncated)},
      {"junk message 3", junk_message_3, make_error_code(Errc::decrypt_failed)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto [raw_end, server] = connected_pair();
    tcp::socket& raw = raw_end; // clang 14 cannot capture a structured binding
    std::optional<core::Result<SecureChannel>> accepted;
    std::optional<std::error_code> reason;
    ChannelConfig config = bob_.config(std::chrono::seconds{5}); // must fail long before
    config.on_handshake_failure = [&](std::error_code why) { reason = why; };
    const auto started = steady_clock::now();
    spawn([&, socket = std::move(server)]() mutable -> awaitable<void> {
      accepted.emplace(co_await SecureChannel::accept(std::move(socket), config));
    });
    std::size_t received = 0;
    spawn([&]() -> awaitable<void> {
      co_await write_all(raw, c.bytes);
      received = co_await drain_until_closed(raw);
    });
    run();
    ASSERT_TRUE(accepted);
    ASSERT_FALSE(*accepted);
    EXPECT_EQ(accepted->error(), Errc::handshake_failed);
    EXPECT_EQ(reason, c.reason) << (reason ? reason->message() : "no reason");
    EXPECT_LT(steady_clock::now() - started, std::chrono::seconds{1});
    if (c.reason != Errc::decrypt_failed) {
      EXPECT_EQ(received, 0U); // refused before message 2: the peer saw only a close
    }
  }
}

TEST_F(SecureChannelOverTcp, aFlippedBitInAnyHandshakeMessageFailsTheHandshake) {
  struct Case {
    const char* name;
    bool to_server;
    std::size_t offset;
    bool client_opens; // message 3 is the initiator's last word: it cannot know it was hit
  };
  const std::size_t message_3_start = kHandshakeLengthBytes + kNoiseDhBytes;
  const std::vector<Case> cases{
      {"message 1", true, kHandshakeLengthBytes + 3, false},
      {"message 2", false, kHandshakeLengthBytes + 40, false},
      {"message 2 payload", false, kHandshakeLengthBytes + 120, false},
      {"message 3", true, message_3_start + kHandshakeLengthBytes + 5, true},
      {"message 3 length", true, message_3_start + 1, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    tcp::socket client(io_);
    tcp::socket server(io_);
    auto relay = relayed_pair(client, server);
    (c.to_server ? relay->to_server : relay->to_client).flip_at = c.offset;
    start(*relay);
    std::optional<std::error_code> after_open;
    const Outcome outcome = run_sessions(
        std::move(client), std::move(server), alice_.config(), bob_.config(),
        [&](SecureChannel& channel) -> awaitable<void> {
          auto read = co_await channel.read_message();
          after_open = read ? std::error_code{} : read.error();
        },
        [](SecureChannel&) -> awaitable<void> {
          ADD_FAILURE() << "the responder must not open";
          co_return;
        });
    ASSERT_TRUE(outcome.server_error);
    EXPECT_EQ(*outcome.server_error, Errc::handshake_failed);
    EXPECT_EQ(outcome.client_ran, c.client_opens);
    if (c.client_opens) {
      ASSERT_TRUE(after_open);
      EXPECT_TRUE(*after_open); // the responder's close: an error, not a message
      EXPECT_NE(*after_open, Errc::channel_closed);
    } else {
      ASSERT_TRUE(outcome.client_error);
      EXPECT_EQ(*outcome.client_error, Errc::handshake_failed);
    }
  }
}

// ----- Records -------------------------------------------------------------------------------

TEST_F(SecureChannelOverTcp, aFlippedBitInARecordFailsTheRead) {
  tcp::socket client(io_);
  tcp::socket server(io_);
  auto relay = relayed_pair(client, server);
  start(*relay);
  std::optional<std::error_code> read_error;
  const Outcome outcome = run_sessions(
      std::move(client), std::move(server), alice_.config(), bob_.config(),
      [&](SecureChannel& channel) -> awaitable<void> {
        EXPECT_TRUE(co_await channel.write_message(ascii("first, intact")));
        // Wait until bob has it, so everything before the second record has passed the relay.
        EXPECT_TRUE(co_await channel.read_message());
        // Inside the next record's ciphertext, after its 4-byte length.
        relay->to_server.flip_at = relay->to_server.forwarded + kRecordLengthBytes + 6;
        EXPECT_TRUE(co_await channel.write_message(ascii("second, tampered")));
        EXPECT_FALSE(co_await channel.read_message()); // ends when bob closes
      },
      [&](SecureChannel& channel) -> awaitable<void> {
        auto first = co_await channel.read_message();
        EXPECT_TRUE(first && first.value() == ascii("first, intact"));
        EXPECT_TRUE(co_await channel.write_message(ascii("got it")));
        auto second = co_await channel.read_message();
        read_error = second ? std::error_code{} : second.error();
        // The failure is sticky.
        EXPECT_EQ((co_await channel.read_message()).error(), Errc::record_auth_failed);
      });
  EXPECT_TRUE(outcome.client_ran && outcome.server_ran);
  EXPECT_EQ(read_error, make_error_code(Errc::record_auth_failed));
}

TEST_F(SecureChannelOverTcp, tcpCloseWithoutFinalIsAStreamTruncation) {
  std::optional<std::error_code> end;
  const Outcome outcome = run_sessions(
      [](SecureChannel& channel) -> awaitable<void> {
        EXPECT_TRUE(co_await channel.write_message(ascii("then gone")));
        co_return; // the channel is destroyed without close(): no FINAL
      },
      [&](SecureChannel& channel) -> awaitable<void> {
        auto message = co_await channel.read_message();
        EXPECT_TRUE(message && message.value() == ascii("then gone"));
        auto next = co_await channel.read_message();
        end = next ? std::error_code{} : next.error();
      });
  EXPECT_TRUE(outcome.client_ran && outcome.server_ran);
  EXPECT_EQ(end, make_error_code(Errc::stream_truncated));
}

TEST_F(SecureChannelOverTcp, oneByteTcpFragmentsStillCarryTheHandshakeAndMessages) {
  tcp::socket client(io_);
  tcp::socket server(io_);
  auto relay = relayed_pair(client, server);
  relay->one_byte_writes = true;
  start(*relay);
  const Bytes big = pattern(3000, 5);
  const Outcome outcome = run_sessions(
      std::move(client), std::move(server), alice_.config(), bob_.config(),
      [&](SecureChannel& channel) -> awaitable<void> {
        EXPECT_TRUE(co_await channel.write_message(ascii("a")));
        EXPECT_TRUE(co_await channel.write_message(big));
        auto echo = co_await channel.read_message();
        EXPECT_TRUE(echo && echo.value() == big);
        EXPECT_TRUE(co_await channel.close());
        EXPECT_EQ((co_await channel.read_message()).error(), Errc::channel_closed);
      },
      [&](SecureChannel& channel) -> awaitable<void> {
        auto a = co_await channel.read_message();
        EXPECT_TRUE(a && a.value() == ascii("a"));
        auto received = co_await channel.read_message();
        EXPECT_TRUE(received && received.value() == big);
        EXPECT_TRUE(co_await channel.write_message(received.value()));
        EXPECT_EQ((co_await channel.read_message()).error(), Errc::channel_closed);
        EXPECT_TRUE(co_await channel.close());
      });
  EXPECT_TRUE(outcome.client_ran && outcome.server_ran);
  EXPECT_GT(relay->to_server.forwarded, big.size());
}

TEST_F(SecureChannelOverTcp, aMessageAtTheRecordCapPassesAndOneByteMoreIsRefused) {
  const Bytes at_cap = pattern(kDefaultMaxRecordBytes, 1);
  const Outcome outcome = run_sessions(
      [&](SecureChannel& channel) -> awaitable<void> {
        EXPECT_TRUE(co_await channel.write_message(at_cap));
        const Bytes over = pattern(kDefaultMaxRecordBytes + 1, 2);
        auto refused = co_await channel.write_message(over);
        EXPECT_TRUE(!refused && refused.error() == Errc::record_too_large);
        // Nothing was sent, so the channel is still good.
        EXPECT_TRUE(co_await channel.write_message(ascii("still here")));
        EXPECT_TRUE(co_await channel.close());
      },
      [&](SecureChannel& channel) -> awaitable<void> {
        auto big = co_await channel.read_message();
        EXPECT_TRUE(big && big.value() == at_cap);
        auto after = co_await channel.read_message();
        EXPECT_TRUE(after && after.value() == ascii("still here"));
        EXPECT_EQ((co_await channel.read_message()).error(), Errc::channel_closed);
      });
  EXPECT_TRUE(outcome.client_ran && outcome.server_ran);
}

TEST_F(SecureChannelOverTcp, aReadThatWaitsLongerThanTheIdleTimeoutFails) {
  auto [client, server] = connected_pair();
  ChannelConfig server_config = bob_.config();
  server_config.idle_timeout = milliseconds{100};
  std::optional<std::error_code> server_end;
  std::optional<std::error_code> client_end;
  steady_clock::duration waited{};
  const Outcome outcome = run_sessions(
      std::move(client), std::move(server), alice_.config(), server_config,
      [&](SecureChannel& channel) -> awaitable<void> {
        auto read = co_await channel.read_message(); // alice says nothing and waits
        client_end = read ? std::error_code{} : read.error();
      },
      [&](SecureChannel& channel) -> awaitable<void> {
        const auto started = steady_clock::now();
        auto read = co_await channel.read_message();
        waited = steady_clock::now() - started;
        server_end = read ? std::error_code{} : read.error();
        EXPECT_FALSE(co_await channel.write_message(ascii("too late")));
      });
  EXPECT_TRUE(outcome.client_ran && outcome.server_ran);
  EXPECT_EQ(server_end, make_error_code(Errc::idle_timeout));
  EXPECT_GE(waited, milliseconds{100});
  EXPECT_LT(waited, std::chrono::seconds{1});
  // Alice sees the close, without FINAL.
  EXPECT_EQ(client_end, make_error_code(Errc::stream_truncated));
}

TEST_F(SecureChannelOverTcp, tenThousandMessagesEachWayArriveInOrderWhileBothSidesWrite) {
  constexpr std::uint32_t kCount = 10'000;
  const auto message = [](std::uint32_t i) {
    Bytes bytes = pattern(1 + i % 300, static_cast<std::uint8_t>(i));
    bytes[0] = static_cast<std::uint8_t>(i);
    return bytes;
  };
  const auto talk = [&](SecureChannel& channel, std::uint32_t& received) -> awaitable<void> {
    // The writer runs beside this reader on the same channel.
    auto writer_done = std::make_shared<Signal>(channel.get_executor());
    asio::co_spawn(
        channel.get_executor(),
        [&channel, message, writer_done]() -> awaitable<void> {
          for (std::uint32_t i = 0; i < kCount; ++i) {
            EXPECT_TRUE(co_await channel.write_message(message(i)));
          }
          EXPECT_TRUE(co_await channel.close());
          writer_done->raise();
        },
        [](const std::exception_ptr& error) {
          if (error) {
            std::rethrow_exception(error);
          }
        });
    for (;;) {
      auto next = co_await channel.read_message();
      if (!next) {
        EXPECT_EQ(next.error(), Errc::channel_closed);
        break;
      }
      EXPECT_EQ(next.value(), message(received));
      ++received;
    }
    // Keep the channel alive until our own writer is done with it.
    co_await writer_done->wait();
  };
  std::uint32_t client_received = 0;
  std::uint32_t server_received = 0;
  const Outcome outcome =
      run_sessions([&](SecureChannel& channel) { return talk(channel, client_received); },
                   [&](SecureChannel& channel) { return talk(channel, server_received); });
  EXPECT_TRUE(outcome.client_ran && outcome.server_ran);
  EXPECT_EQ(client_received, kCount);
  EXPECT_EQ(server_received, kCount);
}

TEST_F(SecureChannelOverTcp, aSecondReadWhileOneIsPendingIsRefusedAndChangesNothing) {
  const Outcome outcome = run_sessions(
      [&](SecureChannel& channel) -> awaitable<void> {
        std::optional<core::Result<Bytes>> first;
        Signal first_done(channel.get_executor());
        asio::co_spawn(
            channel.get_executor(),
            [&]() -> awaitable<void> {
              first.emplace(co_await channel.read_message());
              first_done.raise();
            },
            [](const std::exception_ptr&) {});
        // Let the spawned read start and wait on the socket.
        co_await asio::post(channel.get_executor(), use_awaitable);
        auto second = co_await channel.read_message();
        EXPECT_FALSE(second);
        EXPECT_TRUE(!second && second.error() == Errc::out_of_order);
        EXPECT_TRUE(co_await channel.write_message(ascii("ping")));
        co_await first_done.wait();
        EXPECT_TRUE(first && *first && first->value() == ascii("pong"));
        EXPECT_TRUE(co_await channel.close());
      },
      [&](SecureChannel& channel) -> awaitable<void> {
        auto ping = co_await channel.read_message();
        EXPECT_TRUE(ping && ping.value() == ascii("ping"));
        EXPECT_TRUE(co_await channel.write_message(ascii("pong")));
        EXPECT_EQ((co_await channel.read_message()).error(), Errc::channel_closed);
      });
  EXPECT_TRUE(outcome.client_ran && outcome.server_ran);
}

TEST_F(SecureChannelOverTcp, destroyingAChannelEndsItsPendingReadAndThePeerSeesATruncation) {
  std::optional<core::Result<Bytes>> pending;
  std::optional<std::error_code> server_end;
  const Outcome outcome = run_sessions(
      [&](SecureChannel& channel) -> awaitable<void> {
        asio::co_spawn(
            channel.get_executor(),
            [&]() -> awaitable<void> { pending.emplace(co_await channel.read_message()); },
            [](const std::exception_ptr&) {});
        co_await asio::post(channel.get_executor(), use_awaitable);
        co_return; // the channel goes away while its read waits
      },
      [&](SecureChannel& channel) -> awaitable<void> {
        auto read = co_await channel.read_message();
        server_end = read ? std::error_code{} : read.error();
      });
  EXPECT_TRUE(outcome.client_ran && outcome.server_ran);
  ASSERT_TRUE(pending);
  EXPECT_FALSE(*pending);
  EXPECT_EQ(server_end, make_error_code(Errc::stream_truncated));
}

// ----- Fuzz seeds ----------------------------------------------------------------------------

// Fixed keys for fuzz/fuzz_handshake_responder.cpp; they must match the constants there.
constexpr std::uint64_t kFuzzNow = 1'700'000'000;

Key32 filled(std::uint8_t value) {
  Key32 key{};
  key.fill(value);
  return key;
}

CertifiedStaticKey fixed_certified_key(std::uint8_t identity_seed, std::uint8_t static_secret) {
  const Identity identity = Identity::from_seed(filled(identity_seed));
  KeyPair key_pair = KeyPair::from_secret_key(filled(static_secret)).value();
  const NetworkId network = NetworkId::public_network();
  const StaticKeyCertificate certificate = certify_static_key(
      identity, network, key_pair.public_key(), kFuzzNow + kCertificateValidity.count());
  return CertifiedStaticKey{std::move(key_pair), certificate, network};
}

Bytes framed(ByteView message) {
  Bytes out(kHandshakeLengthBytes + message.size());
  out[0] = static_cast<std::uint8_t>(message.size() >> 8);
  out[1] = static_cast<std::uint8_t>(message.size());
  std::copy(message.begin(), message.end(), out.begin() + kHandshakeLengthBytes);
  return out;
}

// The seeds of fuzz/fuzz_handshake_responder.cpp: with the fuzzer's fixed keys and clock the
// handshake must complete, so the fuzzer starts past message 3. With
// SWARMSHARE_WRITE_HANDSHAKE_SEEDS naming a directory the seeds are also written there.
// From the source root (one line):
//   SWARMSHARE_WRITE_HANDSHAKE_SEEDS=fuzz/seeds/handshake
//     <build>/bin/crypto_channel_tests --gtest_filter='HandshakeFuzzSeeds.*'
TEST(HandshakeFuzzSeeds, fixedKeysCompleteTheHandshakeAndSeedsAreWrittenWhenAsked) {
  // Tests run single-threaded here, so nothing can change the environment while we read it.
  const char* dir =
      std::getenv("SWARMSHARE_WRITE_HANDSHAKE_SEEDS"); // NOLINT(concurrency-mt-unsafe)
  const core::ManualClock clock{at(kFuzzNow)};
  // Responder: identity seed 0x11, static secret 0x22, ephemeral secret 0x33.
  // Initiator: identity seed 0x44, static secret 0x55, ephemeral secret 0x66.
  SecureHandshake responder = SecureHandshake::responder(
      fixed_certified_key(0x11, 0x22), clock, KeyPair::from_secret_key(filled(0x33)).value());
  SecureHandshake initiator =
      SecureHandshake::initiator(fixed_certified_key(0x44, 0x55), clock, std::nullopt,
                                 KeyPair::from_secret_key(filled(0x66)).value());
  const Bytes message_1 = initiator.start().value();
  const Bytes message_2 = responder.on_message(message_1).value().send;
  const Bytes message_3 = initiator.on_message(message_2).value().send;
  ASSERT_TRUE(responder.on_message(message_3));
  ASSERT_TRUE(responder.is_complete());

  auto keys = initiator.split_keys().value();
  RecordSender sender(keys.send, initiator.handshake_hash().value());
  Bytes records = sender.start().value();
  for (const Bytes& record :
       {sender.seal(ascii("hello responder")).value(), sender.close().value()}) {
    records.insert(records.end(), record.begin(), record.end());
  }

  const auto write = [&](const std::string& name, const std::vector<Bytes>& parts) {
    if (dir == nullptr) {
      return;
    }
    std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary);
    for (const Bytes& part : parts) {
      out.write(reinterpret_cast<const char*>(part.data()),
                static_cast<std::streamsize>(part.size()));
    }
    ASSERT_TRUE(out.good());
  };
  write("message_1.bin", {framed(message_1)});
  write("handshake.bin", {framed(message_1), framed(message_3)});
  write("handshake_records.bin", {framed(message_1), framed(message_3), records});
}

} // namespace
} // namespace swarmshare::crypto
