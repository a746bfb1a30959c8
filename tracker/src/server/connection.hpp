#pragma once
// One client connection of the tracker server, after its handshake: the read loop, the
// write queue, the request rate limit and the cap on replies owed.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "server/request_handler.hpp"
#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/framing.hpp"
#include "swarmshare/crypto/secure_channel.hpp"
#include "swarmshare/tracker/server.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace swarmshare::tracker {

/// A token bucket: `rate` tokens a second, holding at most `burst`.
class RateLimiter {
public:
  RateLimiter(double rate, double burst, std::chrono::steady_clock::time_point now) noexcept
      : rate_(rate), burst_(burst), tokens_(burst), last_(now) {}

  /// Takes a token if one is there.
  [[nodiscard]] bool try_take(std::chrono::steady_clock::time_point now) noexcept;

private:
  double rate_;
  double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

/// Counters the connections of a server update together.
struct ServerCounterCells {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> handshakes_failed{0};
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> error_replies{0};
  std::atomic<std::uint64_t> rate_limited{0};
  std::atomic<std::uint64_t> entries_expired{0};
  /// Replies the store's writer thread has yet to hand to a connection's loop; the server
  /// destroys its loops only once this is zero.
  std::atomic<std::uint64_t> replies_in_transit{0};
};

/// What every connection of one server shares. Outlives the connections.
struct ConnectionEnvironment {
  RequestHandler& handler;
  const ServerLimits& limits;
  const core::Clock& clock;
  ServerCounterCells& counters;
  const LogSink& log;
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
  /// `on_destroyed` runs when the connection is gone for good (both loops ended and no
  /// reply is on its way to it): the server frees its slot then.
  Connection(crypto::SecureChannel channel, const core::Endpoint& remote,
             ConnectionEnvironment& environment, std::function<void()> on_destroyed);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Connection(Connection&&) = delete;
  Connection& operator=(Connection&&) = delete;
  ~Connection();

  /// Serves the connection until it ends: the peer closed, failed, idled out, or
  /// shutdown() was called and the peer closed in turn.
  boost::asio::awaitable<void> run();

  /// Sends what is queued, then FINAL. The peer is expected to close in turn. Must run on
  /// the connection's executor.
  void shutdown();

  [[nodiscard]] boost::asio::any_io_executor get_executor() const {
    return channel_.get_executor();
  }

private:
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> write_loop();
  /// Handles one complete message; false when the connection must close.
  [[nodiscard]] bool on_message(core::Message&& message);
  void send(const protocol::Reply& reply);
  void owe_reply() noexcept { ++replies_owed_; }
  void log(LogLevel level, const std::string& text) const;

  crypto::SecureChannel channel_;
  core::Endpoint remote_;
  ConnectionEnvironment& environment_;
  core::FrameDecoder decoder_;
  RateLimiter rate_;
  /// Requests refused for rate in a row; a client that ignores rate_limited gets closed.
  std::uint32_t refused_in_a_row_ = 0;
  /// Replies owed: requests still being handled plus replies not yet written. The read loop
  /// pauses at limits.max_in_flight.
  std::size_t replies_owed_ = 0;
  std::deque<std::vector<std::uint8_t>> outbox_;
  boost::asio::steady_timer outbox_ready_;
  boost::asio::steady_timer read_resume_;
  bool reading_paused_ = false;
  bool closing_ = false;
  bool failed_ = false;
  std::function<void()> on_destroyed_;
};

} // namespace swarmshare::tracker
