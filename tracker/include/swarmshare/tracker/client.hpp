#pragma once
// The tracker client: one secure connection to one tracker, shared by every request, and
// the background work that keeps this peer's announces alive.
//
// Connection. Made on the first request (lazily): the host is resolved, each address is
// tried with a TCP connect bounded by ClientOptions::connect_timeout, then the secure
// handshake runs (bounded by ChannelConfig::handshake_timeout) and, when the address pins
// a Peer ID, fails unless the tracker authenticates as it (tracker_identity_mismatch).
// Concurrent requests share one connection attempt and then the connection: each gets a
// fresh non-zero request id, goes through one write queue, and one read loop hands every
// reply to the request with its id, in whatever order the tracker answers. A connection
// with nothing in flight for ClientOptions::idle_disconnect is closed cleanly (before the
// tracker's own idle cut-off); the next request connects again.
//
// Timeouts. Every request fails with tracker_timed_out after ClientOptions::request_timeout
// (10 s). A request that times out although nothing at all arrived since it was sent also
// ends the connection: the path or the tracker is gone, and waiting on it would time out
// everything else too. A tracker that never answers a request type it does not know (a
// newer client's optional request) costs that request only.
//
// Errors. A refusal by the tracker (ErrorReply) is a std::error_code of protocol::ErrorCode
// (compare `error == protocol::ErrorCode::no_entry`); the client's own failures are
// tracker::Errc (tracker_unreachable, tracker_timed_out, tracker_identity_mismatch,
// tracker_connection_lost, tracker_client_stopped, unexpected_reply); a reply that does not
// decode is protocol::Errc::malformed_reply or limit_exceeded.
//
// Announce keeping. keep_announced() hands a file to a background coroutine that
// announces it, refreshes it every refresh_interval (10 min) minus up to refresh_jitter of
// that, and never later than half the TTL the tracker gave, announces it again when a
// refresh gets no_entry, and sends its manifest when the tracker asks (manifest_required).
// After a connection failure (a failed connect, or a connection lost or a request timed out
// with requests in flight) it waits with exponential backoff (backoff_initial 1 s, doubling
// to backoff_max 5 min, each delay shortened by up to backoff_jitter of itself) and then
// announces every kept file again, because the tracker may have restarted or let the
// entries expire meanwhile. Any success resets the backoff. Requests of callers are not
// held back by the backoff: they are paced by their callers, and one that succeeds ends the
// backoff early. The manifest goes with the first announce of a file and then only after
// manifest_required: re-announces leave it out, because the tracker keeps manifests beyond
// entries and one may be 1 MiB, while a file just shared is almost always new to the
// tracker (asking first would cost a round trip every time). A refusal that may pass
// (rate_limited, busy, internal_error, or a timeout on a connection that still answers) is
// retried after a backoff of that file's own; any other refusal (banned, file_deleted, ...)
// is tried again at the refresh interval. At most 32 kept files are in flight at once. The
// announce callback reports every attempt. stop_announcing() only stops the refreshes; the
// tracker drops the entry when its TTL runs out, or at once after unannounce() /
// unannounce_all().
//
// Shutdown. unannounce_all() removes our entries, close() ends the connection cleanly
// (FINAL both ways) and stop() ends everything at once; destruction stops.
//
// Health. TrackerHealth says whether the tracker is reachable, why not, the last round-trip
// time and when it last answered. It changes to connecting when an attempt starts after a
// failure (or for the first time), to reachable on any reply (a refusal included), and to
// unreachable on every connection failure listed above. An idle connection closing is not a
// failure. The health callback runs on the executor when state, last error, failure count
// or retry delay change; round-trip time and last success update quietly.
//
// Time. Timers (connect and request timeouts, backoff, refreshes) run on the executor's
// steady clock, like SecureChannel's timeouts; ClientOptions::clock stamps what health
// reports (round-trip time, time of last success), and ClientOptions::random draws the
// jitter, so tests can pin both.
//
// Threads. The executor must run on one thread (a single-threaded io_context or a strand):
// every member function, and every coroutine awaiting one, must run on it, except health(),
// which any thread may call. Destroy the client on that thread (or after the executor has
// stopped running); destruction stops it. Background coroutines hold the client's shared
// state, so they may finish after the Client object is gone. With g++ 12, pass named values
// to these awaitables, not temporaries that need a conversion or a lifetime extension
// (`get_peers(make_manifest().file_id())`): g++ 12 destroys such a temporary twice when the
// call suspends.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/crypto/secure_channel.hpp"
#include "swarmshare/tracker/error.hpp"
#include "swarmshare/tracker/protocol.hpp"
#include "swarmshare/tracker/tracker_address.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace swarmshare::tracker {

/// A number uniformly drawn from [0, 1). Injected so tests can fix the jitter.
using RandomSource = std::function<double()>;

/// A RandomSource seeded from the operating system.
[[nodiscard]] RandomSource default_random_source();

struct ClientOptions {
  /// Name resolution plus TCP connect; the handshake after it has the channel's own timeout.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds{10};
  /// From sending a request to its reply.
  std::chrono::milliseconds request_timeout = std::chrono::seconds{10};
  /// A connection with no request in flight for this long is closed cleanly, before the
  /// tracker's idle timeout (5 min) or our channel's (ChannelConfig::idle_timeout, 2 min)
  /// would cut it. Zero: never by us (the idle timeouts still apply; the next request then
  /// connects again).
  std::chrono::milliseconds idle_disconnect = std::chrono::seconds{60};
  /// Reconnect delays after consecutive failures: initial, doubling up to max.
  std::chrono::milliseconds backoff_initial = std::chrono::seconds{1};
  std::chrono::milliseconds backoff_max = std::chrono::minutes{5};
  /// Each backoff delay is shortened by up to this fraction of itself (0 .. 1).
  double backoff_jitter = 0.5;
  /// How often a kept announce is refreshed (at most: never later than TTL / 2).
  std::chrono::milliseconds refresh_interval = std::chrono::minutes{10};
  /// Each refresh delay is shortened by up to this fraction of itself (0 .. 1), so that
  /// peers who started together do not refresh together.
  double refresh_jitter = 0.2;
  /// Stamps health reports. Must outlive the client.
  std::reference_wrapper<const core::Clock> clock = core::real_clock();
  /// Draws jitter; empty means default_random_source().
  RandomSource random;
};

enum class TrackerState {
  unknown,     ///< nothing tried yet
  connecting,  ///< a first attempt, or one after a failure, is in progress
  reachable,   ///< the tracker answered the last time we asked
  unreachable, ///< the last attempt failed; see last_error and retry_in
};

[[nodiscard]] std::string_view to_string(TrackerState state) noexcept;

struct TrackerHealth {
  TrackerState state = TrackerState::unknown;
  /// The last connection failure (kept after recovery, for "last error" displays).
  std::error_code last_error;
  /// last_error with its reason, for people: "connect 192.0.2.7:7070: Connection refused".
  std::string last_error_text;
  /// From sending a request to its reply, for the last reply received.
  std::optional<std::chrono::milliseconds> last_round_trip;
  /// When the tracker last answered (ClientOptions::clock's wall time).
  std::optional<std::chrono::system_clock::time_point> last_success;
  /// Connection failures since the last success.
  std::uint32_t consecutive_failures = 0;
  /// The backoff delay chosen after the last failure; zero after a success.
  std::chrono::milliseconds retry_in{0};

  friend bool operator==(const TrackerHealth&, const TrackerHealth&) = default;
};

using HealthCallback = std::function<void(const TrackerHealth&)>;
/// After each attempt to announce or refresh a kept file: an empty error_code on success.
using AnnounceCallback = std::function<void(const core::FileId&, std::error_code)>;

class Client {
public:
  template <class T>
  using Awaitable = boost::asio::awaitable<T>;

  /// `executor` must be single-threaded or a strand (see the top of this file). `channel`
  /// is the configuration of our side of every connection (its keys and clock must
  /// outlive the client).
  Client(boost::asio::any_io_executor executor, crypto::ChannelConfig channel,
         TrackerAddress address, ClientOptions options = {});
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Client(Client&&) = delete;
  Client& operator=(Client&&) = delete;
  /// Stops the client (as stop()).
  ~Client();

  [[nodiscard]] const TrackerAddress& address() const noexcept;

  // ---- Requests. Each connects if needed and fails after request_timeout. ----

  /// Announces once (no keeping); the request id in `announce` is ignored.
  [[nodiscard]] Awaitable<core::Result<protocol::AnnounceOkReply>>
  announce(protocol::Announce announce);
  [[nodiscard]] Awaitable<core::Result<protocol::AnnounceOkReply>>
  refresh(const core::FileId& file_id);
  [[nodiscard]] Awaitable<core::Status> unannounce(const core::FileId& file_id);
  /// At most `limit` (1 .. kMaxPeersPerReply) peers with live entries, never ourselves.
  [[nodiscard]] Awaitable<core::Result<std::vector<protocol::PeerEntry>>>
  get_peers(const core::FileId& file_id, std::uint32_t limit = protocol::kMaxPeersPerReply);
  /// The manifest, checked to hash to `file_id` (Errc::manifest_mismatch otherwise) and
  /// decoded.
  [[nodiscard]] Awaitable<core::Result<core::Manifest>> get_manifest(const core::FileId& file_id);
  /// One page of search results: text 1 .. 256 bytes, limit 1 .. 100, offset 0 .. 10,000
  /// (protocol::Errc::invalid_message otherwise, before anything is sent).
  [[nodiscard]] Awaitable<core::Result<protocol::SearchReply>>
  search(std::string text, std::uint32_t limit, std::uint32_t offset = 0);
  [[nodiscard]] Awaitable<core::Result<protocol::StatsReply>> stats();
  /// Recently seen DHT-capable peers, `limit` 1 .. kMaxDhtPeersPerReply.
  [[nodiscard]] Awaitable<core::Result<std::vector<protocol::PeerEntry>>>
  dht_peers(std::uint32_t limit = protocol::kMaxDhtPeersPerReply);
  /// Any request (admin requests, tools); an ErrorReply comes back as its error code. The
  /// request id in `request` is ignored.
  [[nodiscard]] Awaitable<core::Result<protocol::Reply>> request(protocol::Request request);

  // ---- Announce keeping ----

  /// Keeps `announce` alive on the tracker in the background (see the top of this file).
  /// Keeping a file already kept replaces its announce and announces it again now.
  void keep_announced(protocol::Announce announce);
  /// Stops refreshing the file; a no-op for a file not kept.
  void stop_announcing(const core::FileId& file_id);
  /// The files being kept, in File ID order.
  [[nodiscard]] std::vector<core::FileId> kept_files() const;
  /// Stops keeping every file and unannounces each (in parallel), for a clean shutdown.
  /// Success when each was removed or had no entry any more; otherwise the first error.
  [[nodiscard]] Awaitable<core::Status> unannounce_all();

  // ---- Health and lifetime ----

  /// A copy of the current health. Any thread.
  [[nodiscard]] TrackerHealth health() const;
  /// Called on the executor after each change (see the top of this file). Replaces any
  /// earlier callback; an empty function removes it.
  void set_health_callback(HealthCallback callback);
  void set_announce_callback(AnnounceCallback callback);

  /// Ends everything at once: requests waiting fail with tracker_client_stopped, the
  /// connection is dropped (without unannouncing: await unannounce_all() first for that),
  /// keeping stops, and later requests fail at once. Idempotent.
  void stop();
  /// A clean goodbye, then stop(): when the connection is idle, our side closes it (FINAL)
  /// and waits, at most request_timeout, for the tracker's FINAL, so the tracker sees an
  /// orderly end rather than a cut stream. With requests in flight it is stop() at once.
  [[nodiscard]] Awaitable<void> close();

private:
  struct State;
  std::shared_ptr<State> state_;
};

} // namespace swarmshare::tracker
