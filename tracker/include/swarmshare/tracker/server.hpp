#pragma once
// The tracker server: accepts TCP connections, runs the secure channel on each, and answers
// tracker protocol requests (protocol.hpp) from the registry (store.hpp).
//
// Threads: the server runs `io_threads` event loops, each on its own thread. A connection
// lives on one of them for its whole life (the secure channel is not thread-safe), chosen
// round-robin at accept time. Reads of the registry run on the connection's loop (they are
// short, indexed SQLite queries); writes go to the store's writer thread and their replies
// come back to the connection's loop once durable. So the loops never wait for an fsync.
//
// Per connection: one read loop and one write queue. The read loop stops reading while
// max_in_flight requests of the connection await their reply, so a client that pipelines
// without reading cannot make the server queue unbounded work for it.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/crypto/secure_channel.hpp"
#include "swarmshare/tracker/protocol.hpp"
#include "swarmshare/tracker/store.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace swarmshare::tracker {

/// Limits against abuse. The defaults suit a public tracker; the swarmshare-tracker flags of
/// the same names change them (tests and benchmarks on one host raise the per-address ones).
struct ServerLimits {
  /// Open connections at once, all sources together; more are closed at accept.
  std::size_t max_connections = 10'000;
  /// Open connections from one IP address (a NAT may hide a whole office behind one).
  std::size_t max_connections_per_address = 32;
  /// Sustained requests per second on one connection; a burst of twice as many is allowed.
  /// Requests over it get ErrorCode::rate_limited, and a connection that keeps going at
  /// ten times the rate is closed.
  double requests_per_second = 20.0;
  /// Requests of one connection awaiting their reply before its read loop pauses.
  std::size_t max_in_flight = 64;
  /// Largest frame the server decodes (the record layer caps records at its own maximum).
  std::uint32_t max_frame_bytes = protocol::server_frame_limits().max_frame_bytes;
  /// Largest manifest an announce may carry.
  std::size_t max_manifest_bytes = protocol::kMaxManifestBytes;
  /// Peers in one get_peers reply, whatever the request asks (at most the protocol's cap).
  std::uint32_t max_peers_per_reply = 50;
  /// Hits in one search page, whatever the request asks (at most the protocol's cap).
  std::uint32_t max_search_results = 50;
  std::chrono::milliseconds handshake_timeout = std::chrono::seconds{10};
  /// A connection with no byte received for this long is closed. Clients keep idle
  /// connections alive with the channel's empty keep-alive messages.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes{5};
};

struct ServerOptions {
  core::Endpoint listen;
  ServerLimits limits;
  /// Peer IDs whose admin requests (delete a File ID, ban a Peer ID) are obeyed.
  std::vector<crypto::PeerId> admins;
  /// Event loops (threads) for connections; 0 means one per hardware thread but one (which
  /// the store's writer needs), and at least one.
  unsigned io_threads = 0;
  /// How often the expiry sweep takes its next window of entries (Store::expire), and how
  /// many entries a window holds: 20,480 entries a second by default, a million in under a
  /// minute, at about a millisecond of the writer's time per window.
  std::chrono::milliseconds expiry_step{100};
  std::size_t expiry_window = 2048;
  /// A sweep that reached the last entry waits this long before it starts over.
  std::chrono::milliseconds expiry_rest{10'000};
};

/// Counters since start, for logs and the benchmark. Read at any time from any thread.
struct ServerCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_refused = 0; ///< over max_connections or the per-address cap
  std::uint64_t handshakes_failed = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t requests = 0;
  std::uint64_t error_replies = 0;
  std::uint64_t rate_limited = 0;
  std::uint64_t entries_expired = 0;
};

/// What the server reports for the operator's log. Called from any of the server's threads,
/// concurrently: it must be thread-safe and quick.
enum class LogLevel { debug, info, warning, error };
using LogSink = std::function<void(LogLevel, const std::string&)>;

class Server {
public:
  /// Binds and listens on options.listen, and starts the event loops and the expiry timer.
  /// `store`, `keys` and `clock` must outlive the server. Errors: the bind or listen failure
  /// (address in use, permission denied, ...).
  [[nodiscard]] static core::Result<std::unique_ptr<Server>>
  start(Store& store, crypto::StaticKeyManager& keys, ServerOptions options,
        const core::Clock& clock = core::real_clock(), LogSink log = {});

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  Server(Server&&) = delete;
  Server& operator=(Server&&) = delete;
  /// Stops, as stop() does.
  ~Server();

  /// The address and port actually bound (the real port when options.listen had port 0).
  [[nodiscard]] const core::Endpoint& local_endpoint() const noexcept;
  [[nodiscard]] ServerCounters counters() const noexcept;

  /// Stops accepting, closes every connection, waits for the replies of writes already
  /// acknowledged by the store to be dropped or sent, and joins the threads. Idempotent.
  /// Writes the store already accepted still become durable (the store finishes its queue).
  void stop();

private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

[[nodiscard]] std::string_view to_string(LogLevel level) noexcept;

} // namespace swarmshare::tracker
