#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/tracker/client.hpp"

#include "swarmshare/core/framing.hpp"
#include "swarmshare/core/hash.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <unordered_map>
#include <variant>

namespace swarmshare::tracker {

namespace asio = boost::asio;
using asio::use_awaitable;
using asio::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using AsioError = boost::system::error_code;

namespace {

/// Kept files announced or refreshed at the same time, at most: after a reconnect every
/// kept file is due at once, and a burst of thousands would only get us rate-limited.
constexpr std::size_t kMaxKeeperInFlight = 32;

constexpr auto kNever = steady_clock::time_point::max();

milliseconds scaled(milliseconds base, double factor) {
  const double value = static_cast<double>(base.count()) * factor;
  return milliseconds{static_cast<milliseconds::rep>(std::llround(value))};
}

// The request id field of a reply that did not decode, so that the failure reaches the
// request it answers.
std::optional<protocol::RequestId> peek_reply_id(const core::Message& message) {
  const msgpack::object& body = message.body();
  if (body.type != msgpack::type::ARRAY || body.via.array.size == 0) {
    return std::nullopt;
  }
  const msgpack::object& first = body.via.array.ptr[0];
  if (first.type != msgpack::type::POSITIVE_INTEGER ||
      first.via.u64 > std::numeric_limits<protocol::RequestId>::max()) {
    return std::nullopt;
  }
  return static_cast<protocol::RequestId>(first.via.u64);
}

void set_request_id(protocol::Request& request, protocol::RequestId id) {
  std::visit([id](auto& message) { message.request_id = id; }, request);
}

// A refusal worth retrying soon, as opposed to one that holds until something changes on
// the tracker (a ban, a deletion).
bool is_transient_refusal(const std::error_code& error) {
  return error == protocol::ErrorCode::rate_limited || error == protocol::ErrorCode::busy ||
         error == protocol::ErrorCode::internal_error;
}

} // namespace

RandomSource default_random_source() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine]() { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

std::string_view to_string(TrackerState state) noexcept {
  switch (state) {
  case TrackerState::unknown: return "unknown";
  case TrackerState::connecting: return "connecting";
  case TrackerState::reachable: return "reachable";
  case TrackerState::unreachable: return "unreachable";
  }
  return "unknown";
}

// ---- State ----------------------------------------------------------------------------------

namespace {

// A request waiting for its reply. The reader stores the result and cancels the timer; the
// timer expiring on its own is the timeout.
struct Pending {
  explicit Pending(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  std::optional<core::Result<protocol::Reply>> result;
  steady_clock::time_point sent_at;   // ClientOptions::clock, for the round-trip time
  std::uint64_t received_at_send = 0; // Connection::received when the request went out
};

// One secure connection: one read loop, one write loop fed by `queue`.
struct Connection {
  explicit Connection(const asio::any_io_executor& executor)
      : write_wake(executor, kNever), idle_timer(executor) {}

  std::optional<crypto::SecureChannel> channel; // reset when the connection ends hard
  std::deque<protocol::Bytes> queue;
  asio::steady_timer write_wake; // never expires; cancelled to wake the writer
  asio::steady_timer idle_timer;
  std::unordered_map<protocol::RequestId, std::shared_ptr<Pending>> pending;
  core::FrameDecoder decoder{protocol::client_frame_limits()};
  std::uint64_t received = 0; // messages received so far
  bool ended = false;         // takes no more requests
  bool closing = false;       // the writer sends FINAL once the queue is empty
  bool read_done = false;     // the read loop has returned
  asio::steady_timer read_done_timer{write_wake.get_executor(), kNever}; // cancelled then
};

// Marks the read loop as finished however it returns.
class ReadLoopDone {
public:
  explicit ReadLoopDone(Connection& connection) noexcept : connection_(connection) {}
  ReadLoopDone(const ReadLoopDone&) = delete;
  ReadLoopDone& operator=(const ReadLoopDone&) = delete;
  ReadLoopDone(ReadLoopDone&&) = delete;
  ReadLoopDone& operator=(ReadLoopDone&&) = delete;
  ~ReadLoopDone() {
    connection_.read_done = true;
    connection_.read_done_timer.cancel();
  }

private:
  Connection& connection_;
};

// The resolver and socket of a connection attempt, shared with its timeout handler.
struct Attempt {
  explicit Attempt(const asio::any_io_executor& executor)
      : resolver(executor), socket(executor), timer(executor) {}
  tcp::resolver resolver;
  tcp::socket socket;
  asio::steady_timer timer;
  bool done = false;
  bool timed_out = false;

  void abort() {
    AsioError ignored;
    resolver.cancel();
    socket.close(ignored); // NOLINT(bugprone-unused-return-value): best effort
  }
};

struct Kept {
  protocol::Announce announce;
  bool needs_announce = true; // false while our entry is live: refresh it
  // The manifest goes with the first announce of a file (a file just shared is new to the
  // tracker, so asking first would cost a round trip almost every time) and after
  // manifest_required; re-announces after a reconnect or no_entry leave it out, because
  // the tracker keeps manifests beyond entries and a manifest may be up to 1 MiB.
  bool with_manifest = true;
  steady_clock::time_point due{};
  std::uint32_t failures = 0; // consecutive failed attempts of this file alone
  std::uint64_t version = 0;  // changes when the file is kept anew
  bool busy = false;
};

} // namespace

struct Client::State : std::enable_shared_from_this<Client::State> {
  State(asio::any_io_executor executor_in, crypto::ChannelConfig channel_in,
        TrackerAddress address_in, ClientOptions options_in)
      : executor(std::move(executor_in)), channel_config(std::move(channel_in)),
        address(std::move(address_in)), options(std::move(options_in)),
        random(options.random ? options.random : default_random_source()),
        connect_done(executor, kNever), keeper_timer(executor, kNever) {}

  // ---- Requests ----

  protocol::RequestId allocate_id() {
    if (next_id == 0) {
      next_id = 1; // 0 is the tracker's "could not read your id"
    }
    return next_id++;
  }

  Awaitable<core::Result<protocol::Reply>> call(protocol::Request request) {
    const auto self = shared_from_this();
    set_request_id(request, allocate_id());
    // Encoded before connecting, so a request the tracker would refuse costs no connection.
    auto bytes = protocol::encode_request(request);
    if (!bytes) {
      co_return bytes.error();
    }
    if (stopped) {
      co_return Errc::tracker_client_stopped;
    }
    auto connected = co_await ensure_connected();
    if (!connected) {
      co_return connected.error();
    }
    const std::shared_ptr<Connection> connection = connected.value();
    while (connection->pending.contains(protocol::request_id(request))) {
      // Only after four billion requests with a very old one still waiting.
      set_request_id(request, allocate_id());
      bytes = protocol::encode_request(request);
    }
    const protocol::RequestId id = protocol::request_id(request);

    auto pending = std::make_shared<Pending>(executor);
    pending->timer.expires_after(options.request_timeout);
    pending->sent_at = options.clock.get().steady_now();
    pending->received_at_send = connection->received;
    connection->pending.emplace(id, pending);
    connection->idle_timer.cancel();
    connection->queue.push_back(std::move(bytes).value());
    connection->write_wake.cancel();

    AsioError ec;
    co_await pending->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (!pending->result) {
      connection->pending.erase(id);
      if (!connection->ended && connection->received == pending->received_at_send) {
        // Nothing at all came back since we sent: the tracker or the path is gone.
        end_connection(connection, Errc::tracker_timed_out,
                       address.host_port() + " did not answer within " +
                           std::to_string(options.request_timeout.count()) + " ms");
      } else {
        arm_idle(connection);
      }
      co_return Errc::tracker_timed_out;
    }
    core::Result<protocol::Reply> result = std::move(*pending->result);
    if (result) {
      note_success(std::chrono::duration_cast<milliseconds>(options.clock.get().steady_now() -
                                                            pending->sent_at));
      if (const auto* refusal = std::get_if<protocol::ErrorReply>(&result.value())) {
        co_return std::error_code{refusal->code};
      }
    }
    co_return result;
  }

  template <class Reply>
  Awaitable<core::Result<Reply>> call_as(protocol::Request request) {
    const auto self = shared_from_this();
    auto reply = co_await call(std::move(request));
    if (!reply) {
      co_return reply.error();
    }
    if (auto* typed = std::get_if<Reply>(&reply.value())) {
      co_return std::move(*typed);
    }
    co_return Errc::unexpected_reply;
  }

  // ---- Connecting ----

  Awaitable<core::Result<std::shared_ptr<Connection>>> ensure_connected() {
    const auto self = shared_from_this();
    for (;;) {
      if (stopped) {
        co_return Errc::tracker_client_stopped;
      }
      if (active && !active->ended) {
        co_return active;
      }
      if (!connecting) {
        connecting = true;
        ++attempt_number;
        asio::co_spawn(executor, run_connect(self), asio::detached);
      }
      const std::uint64_t mine = attempt_number;
      AsioError ec;
      co_await connect_done.async_wait(asio::redirect_error(use_awaitable, ec));
      if (stopped) {
        co_return Errc::tracker_client_stopped;
      }
      if (active && !active->ended) {
        co_return active;
      }
      if (attempt_number == mine && !connecting) {
        co_return last_connect_error; // the attempt we waited for failed
      }
    }
  }

  static Awaitable<void> run_connect(std::shared_ptr<State> self) {
    if (self->health_snapshot().state != TrackerState::reachable) {
      self->update_health([](TrackerHealth& report) { report.state = TrackerState::connecting; });
    }
    std::string failure_text;
    auto channel = co_await self->connect_once(failure_text);
    self->connecting = false;
    self->attempt.reset();
    if (self->stopped) {
      self->connect_done.cancel();
      co_return; // the channel, if any, is dropped here
    }
    if (channel) {
      auto opened = std::make_shared<Connection>(self->executor);
      opened->channel.emplace(std::move(channel).value());
      self->active = opened;
      asio::co_spawn(self->executor, read_loop(self, opened), asio::detached);
      asio::co_spawn(self->executor, write_loop(self, opened), asio::detached);
      self->arm_idle(opened);
      self->note_success(std::nullopt);
    } else {
      self->last_connect_error = channel.error();
      self->note_failure(channel.error(), failure_text);
    }
    self->connect_done.cancel();
  }

  Awaitable<core::Result<crypto::SecureChannel>> connect_once(std::string& failure_text) {
    const auto self = shared_from_this();
    const std::string where = address.host_port();
    auto current = std::make_shared<Attempt>(executor);
    attempt = current;
    current->timer.expires_after(options.connect_timeout);
    current->timer.async_wait([current](const AsioError& ec) {
      if (!ec && !current->done) {
        current->timed_out = true;
        current->abort();
      }
    });
    const auto fail = [&](std::string_view step, const AsioError& ec) -> std::error_code {
      failure_text =
          std::string{step} + " " + where + ": " +
          (current->timed_out
               ? "timed out after " + std::to_string(options.connect_timeout.count()) + " ms"
               : ec.message());
      return stopped ? make_error_code(Errc::tracker_client_stopped)
                     : make_error_code(Errc::tracker_unreachable);
    };

    AsioError ec;
    const auto endpoints = co_await current->resolver.async_resolve(
        address.host, std::to_string(address.port), tcp::resolver::numeric_service,
        asio::redirect_error(use_awaitable, ec));
    if (ec || stopped || current->timed_out) {
      current->done = true;
      current->timer.cancel();
      co_return fail("resolve", ec);
    }
    co_await asio::async_connect(current->socket, endpoints,
                                 asio::redirect_error(use_awaitable, ec));
    current->done = true;
    current->timer.cancel();
    if (ec || stopped || current->timed_out) {
      co_return fail("connect", ec);
    }

    // The channel reports why a handshake failed only to this hook; a wrong Peer ID is the
    // one reason we report apart from the rest.
    crypto::ChannelConfig config = channel_config;
    auto reason = std::make_shared<std::error_code>();
    config.on_handshake_failure =
        [reason, chained = channel_config.on_handshake_failure](std::error_code why) {
          *reason = why;
          if (chained) {
            chained(why);
          }
        };
    auto channel = co_await crypto::SecureChannel::connect(std::move(current->socket),
                                                           std::move(config), address.peer_id);
    if (!channel) {
      if (*reason == crypto::Errc::unexpected_peer) {
        failure_text = "handshake with " + where + ": the tracker is not Peer ID " +
                       (address.peer_id ? address.peer_id->to_string() : std::string{"?"});
        co_return Errc::tracker_identity_mismatch;
      }
      failure_text = "handshake with " + where + ": " +
                     (*reason ? reason->message() : channel.error().message());
      co_return Errc::tracker_unreachable;
    }
    co_return channel;
  }

  // ---- The connection's loops ----

  static Awaitable<void> read_loop(std::shared_ptr<State> self,
                                   std::shared_ptr<Connection> connection) {
    const ReadLoopDone done(*connection);
    for (;;) {
      if (!connection->channel) {
        co_return;
      }
      auto message = co_await connection->channel->read_message();
      if (!connection->channel) {
        co_return; // ended while we waited; the read failed because of that
      }
      if (!message) {
        self->end_connection(connection, message.error(),
                             "connection to " + self->address.host_port() +
                                 " lost: " + message.error().message());
        co_return;
      }
      ++connection->received;
      const auto fed = connection->decoder.feed(
          message.value(), [&](core::Message&& decoded) { self->deliver(connection, decoded); });
      if (!fed) {
        self->end_connection(connection, fed.error(),
                             "bad frame from " + self->address.host_port() + ": " +
                                 fed.error().message());
        co_return;
      }
    }
  }

  static Awaitable<void> write_loop(std::shared_ptr<State> self,
                                    std::shared_ptr<Connection> connection) {
    for (;;) {
      if (!connection->channel) {
        co_return;
      }
      if (!connection->queue.empty()) {
        const protocol::Bytes bytes = std::move(connection->queue.front());
        connection->queue.pop_front();
        const auto written = co_await connection->channel->write_message(bytes);
        if (!written && connection->channel) {
          self->end_connection(connection, written.error(),
                               "connection to " + self->address.host_port() +
                                   " lost: " + written.error().message());
          co_return;
        }
        continue;
      }
      if (connection->closing) {
        // FINAL; the read loop drops the channel when the tracker's FINAL arrives.
        (void)co_await connection->channel->close();
        co_return;
      }
      AsioError ec;
      co_await connection->write_wake.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }

  void deliver(const std::shared_ptr<Connection>& from, const core::Message& message) {
    auto decoded = protocol::decode_reply(message);
    std::optional<protocol::RequestId> id;
    if (!decoded) {
      id = peek_reply_id(message);
    } else if (decoded.value()) {
      id = protocol::request_id(*decoded.value());
    } else {
      return; // a reply type we do not know: a newer tracker's, ignored
    }
    // Id 0 (the tracker could not read one of our requests) and replies to requests that
    // timed out belong to nobody; the request concerned times out.
    const auto found = id ? from->pending.find(*id) : from->pending.end();
    if (found == from->pending.end()) {
      return;
    }
    const std::shared_ptr<Pending> pending = found->second;
    from->pending.erase(found);
    if (decoded) {
      pending->result.emplace(std::move(*decoded.value()));
    } else {
      pending->result.emplace(decoded.error());
    }
    pending->timer.cancel();
    arm_idle(from);
  }

  // The idle connection is closed cleanly before the tracker's idle timeout cuts it.
  void arm_idle(const std::shared_ptr<Connection>& idle) {
    if (!idle->pending.empty() || idle->ended || options.idle_disconnect <= milliseconds::zero()) {
      return;
    }
    idle->idle_timer.expires_after(options.idle_disconnect);
    idle->idle_timer.async_wait([weak_self = weak_from_this(),
                                 weak = std::weak_ptr<Connection>(idle)](const AsioError& ec) {
      const auto self = weak_self.lock();
      const auto connection = weak.lock();
      if (ec || !self || !connection || connection->ended || !connection->pending.empty()) {
        return;
      }
      self->close_gracefully(connection);
    });
  }

  void close_gracefully(std::shared_ptr<Connection> closing) {
    closing->ended = true;
    closing->closing = true;
    if (active == closing) {
      active.reset();
    }
    std::erase_if(closing_connections, [](const auto& weak) { return weak.expired(); });
    closing_connections.push_back(closing);
    closing->write_wake.cancel();
  }

  // Fails whatever waits on the connection and drops it. A connection that ends with
  // nothing in flight (the tracker closed an idle connection, or answered our FINAL) is not
  // a failure: the next request simply connects again.
  // `ended` by value: it may be `active`, which is reset here.
  void end_connection(std::shared_ptr<Connection> ended, std::error_code why,
                      const std::string& text) {
    const bool had_pending = !ended->pending.empty();
    const bool was_open = !ended->ended;
    ended->ended = true;
    if (active == ended) {
      active.reset();
    }
    const std::error_code for_requests = stopped ? make_error_code(Errc::tracker_client_stopped)
                                                 : make_error_code(Errc::tracker_connection_lost);
    for (auto& [id, pending] : ended->pending) {
      pending->result.emplace(for_requests);
      pending->timer.cancel();
    }
    ended->pending.clear();
    ended->queue.clear();
    ended->idle_timer.cancel();
    ended->channel.reset(); // closes the socket, which ends both loops
    ended->write_wake.cancel();
    if (!stopped && was_open && (had_pending || why == Errc::tracker_timed_out)) {
      note_failure(why == Errc::tracker_timed_out ? why
                                                  : make_error_code(Errc::tracker_connection_lost),
                   text);
    }
  }

  // ---- Backoff and health ----

  milliseconds jittered(milliseconds base, double jitter) {
    const double r = std::clamp(random(), 0.0, 1.0);
    return scaled(base, 1.0 - std::clamp(jitter, 0.0, 1.0) * r);
  }

  milliseconds backoff_delay(std::uint32_t nth_failure) {
    milliseconds base = options.backoff_initial;
    for (std::uint32_t i = 1; i < nth_failure && base < options.backoff_max; ++i) {
      base *= 2;
    }
    return jittered(std::min(base, options.backoff_max), options.backoff_jitter);
  }

  milliseconds refresh_delay(std::uint32_t ttl_seconds) {
    milliseconds base = options.refresh_interval;
    if (ttl_seconds > 0) {
      base = std::min(base, milliseconds{std::uint64_t{ttl_seconds} * 1000 / 2});
    }
    return jittered(base, options.refresh_jitter);
  }

  void note_failure(std::error_code error, const std::string& text) {
    ++failures;
    const milliseconds delay = backoff_delay(failures);
    retry_at = steady_clock::now() + delay;
    // The tracker may have restarted or expired our entries meanwhile.
    for (auto& [id, kept_file] : kept) {
      kept_file.needs_announce = true;
      kept_file.due = {};
    }
    update_health([&](TrackerHealth& report) {
      report.state = TrackerState::unreachable;
      report.last_error = error;
      report.last_error_text = text;
      report.consecutive_failures = failures;
      report.retry_in = delay;
    });
    wake_keeper();
  }

  void note_success(std::optional<milliseconds> round_trip) {
    const bool was_backing_off = failures > 0;
    failures = 0;
    retry_at = {};
    const auto now = options.clock.get().system_now();
    update_health([&](TrackerHealth& report) {
      report.state = TrackerState::reachable;
      report.consecutive_failures = 0;
      report.retry_in = milliseconds::zero();
      if (round_trip) {
        report.last_round_trip = round_trip;
      }
      report.last_success = now;
    });
    if (was_backing_off) {
      wake_keeper();
    }
  }

  TrackerHealth health_snapshot() const {
    const std::lock_guard lock(health_mutex);
    return health;
  }

  template <class Change>
  void update_health(Change change) {
    TrackerHealth before;
    TrackerHealth after;
    {
      const std::lock_guard lock(health_mutex);
      before = health;
      change(health);
      after = health;
    }
    const bool notable = before.state != after.state || before.last_error != after.last_error ||
                         before.last_error_text != after.last_error_text ||
                         before.consecutive_failures != after.consecutive_failures ||
                         before.retry_in != after.retry_in;
    if (notable && health_callback) {
      // Posted, so that a callback may call back into the client.
      asio::post(executor, [callback = health_callback, after]() { callback(after); });
    }
  }

  // ---- Announce keeping ----

  void wake_keeper() {
    keeper_wake = true;
    keeper_timer.cancel();
  }

  void start_keeper() {
    if (!keeper_running && !stopped) {
      keeper_running = true;
      asio::co_spawn(executor, keeper_loop(shared_from_this()), asio::detached);
    }
  }

  static Awaitable<void> keeper_loop(std::shared_ptr<State> self) {
    while (!self->stopped && !self->kept.empty()) {
      self->keeper_wake = false;
      const auto now = steady_clock::now();
      auto wake_at = kNever;
      if (self->failures > 0 && now < self->retry_at) {
        wake_at = self->retry_at; // the backoff holds every kept file
      } else {
        for (auto& [file_id, kept_file] : self->kept) {
          if (kept_file.busy) {
            continue;
          }
          if (kept_file.due > now) {
            wake_at = std::min(wake_at, kept_file.due);
          } else if (self->keeper_in_flight < kMaxKeeperInFlight) {
            kept_file.busy = true;
            ++self->keeper_in_flight;
            asio::co_spawn(self->executor, keep_one(self, file_id, kept_file.version),
                           asio::detached);
          }
        }
      }
      if (self->keeper_wake) {
        continue;
      }
      self->keeper_timer.expires_at(wake_at);
      AsioError ec;
      co_await self->keeper_timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    self->keeper_running = false;
  }

  static Awaitable<void> keep_one(std::shared_ptr<State> self, core::FileId file_id,
                                  std::uint64_t version) {
    protocol::Request request;
    bool announcing = false;
    {
      const auto started = self->kept.find(file_id);
      if (self->stopped || started == self->kept.end() || started->second.version != version) {
        --self->keeper_in_flight; // dropped between being spawned and starting
        self->wake_keeper();
        co_return;
      }
      const Kept& kept_file = started->second;
      announcing = kept_file.needs_announce;
      if (announcing) {
        protocol::Announce announce = kept_file.announce;
        if (!kept_file.with_manifest) {
          announce.manifest.reset();
        }
        request = std::move(announce);
      } else {
        request = protocol::Refresh{0, file_id};
      }
    }
    auto result = co_await self->call_as<protocol::AnnounceOkReply>(std::move(request));
    --self->keeper_in_flight;
    self->wake_keeper();
    const auto found = self->kept.find(file_id);
    if (self->stopped || found == self->kept.end() || found->second.version != version) {
      co_return; // no longer kept, or kept anew meanwhile: this answer is stale
    }
    Kept& kept_file = found->second;
    kept_file.busy = false;
    const auto now = steady_clock::now();
    std::error_code error;
    if (result) {
      // A refresh sent before a reconnect may be answered over the new connection: it does
      // not stand for the announce the reconnect asked for (note_failure).
      if (announcing) {
        kept_file.needs_announce = false;
      }
      kept_file.with_manifest = kept_file.with_manifest && !announcing;
      kept_file.failures = 0;
      kept_file.due = now + self->refresh_delay(result.value().ttl_seconds);
    } else {
      error = result.error();
      if (error == protocol::ErrorCode::no_entry) {
        kept_file.needs_announce = true; // our entry expired or the tracker lost it
        kept_file.due = now;
      } else if (error == protocol::ErrorCode::manifest_required && announcing &&
                 !kept_file.with_manifest && kept_file.announce.manifest) {
        kept_file.with_manifest = true;
        kept_file.due = now;
      } else if (self->failures > 0) {
        kept_file.due = now; // a connection failure: the backoff decides when
      } else if (error.category() == tracker_category() || is_transient_refusal(error)) {
        kept_file.due = now + self->backoff_delay(++kept_file.failures);
      } else {
        // A refusal that holds until the operator changes something: ask again rarely.
        kept_file.needs_announce = true;
        kept_file.due = now + self->refresh_delay(0);
      }
    }
    if (self->announce_callback) {
      asio::post(self->executor, [callback = self->announce_callback, file_id, error]() {
        callback(file_id, error);
      });
    }
  }

  // ---- Stopping ----

  void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (active) {
      end_connection(active, Errc::tracker_client_stopped, {});
    }
    for (const auto& weak : closing_connections) {
      if (const auto closing = weak.lock()) {
        end_connection(closing, Errc::tracker_client_stopped, {});
      }
    }
    closing_connections.clear();
    if (attempt) {
      attempt->abort();
    }
    connect_done.cancel();
    kept.clear();
    wake_keeper();
  }

  // ---- Members ----

  asio::any_io_executor executor;
  crypto::ChannelConfig channel_config;
  TrackerAddress address;
  ClientOptions options;
  RandomSource random;
  bool stopped = false;

  protocol::RequestId next_id = 1;
  std::shared_ptr<Connection> active; // the connection new requests use
  std::vector<std::weak_ptr<Connection>> closing_connections;

  bool connecting = false;
  std::uint64_t attempt_number = 0;
  asio::steady_timer connect_done; // never expires; cancelled when an attempt ends
  std::error_code last_connect_error;
  std::shared_ptr<Attempt> attempt;

  std::uint32_t failures = 0;
  steady_clock::time_point retry_at{};

  std::map<core::FileId, Kept> kept;
  std::uint64_t next_version = 1;
  std::size_t keeper_in_flight = 0;
  bool keeper_running = false;
  bool keeper_wake = false;
  asio::steady_timer keeper_timer;

  mutable std::mutex health_mutex;
  TrackerHealth health;
  HealthCallback health_callback;
  AnnounceCallback announce_callback;
};

// ---- Client ---------------------------------------------------------------------------------
// Arguments of co_awaited calls are named locals, never temporaries that convert (a Search
// becoming a Request): g++ 12 destroys such a temporary twice when the call suspends.

Client::Client(asio::any_io_executor executor, crypto::ChannelConfig channel,
               TrackerAddress address, ClientOptions options)
    : state_(std::make_shared<State>(std::move(executor), std::move(channel), std::move(address),
                                     std::move(options))) {}

Client::~Client() { stop(); }

const TrackerAddress& Client::address() const noexcept { return state_->address; }

Client::Awaitable<core::Result<protocol::AnnounceOkReply>>
Client::announce(protocol::Announce announce) {
  const auto state = state_;
  protocol::Request request = std::move(announce);
  co_return co_await state->call_as<protocol::AnnounceOkReply>(std::move(request));
}

Client::Awaitable<core::Result<protocol::AnnounceOkReply>>
Client::refresh(const core::FileId& file_id) {
  const auto state = state_;
  protocol::Request request = protocol::Refresh{0, file_id};
  co_return co_await state->call_as<protocol::AnnounceOkReply>(std::move(request));
}

Client::Awaitable<core::Status> Client::unannounce(const core::FileId& file_id) {
  const auto state = state_;
  protocol::Request request = protocol::Unannounce{0, file_id};
  auto reply = co_await state->call_as<protocol::OkReply>(std::move(request));
  if (!reply) {
    co_return reply.error();
  }
  co_return boost::outcome_v2::success();
}

Client::Awaitable<core::Result<std::vector<protocol::PeerEntry>>>
Client::get_peers(const core::FileId& file_id, std::uint32_t limit) {
  const auto state = state_;
  protocol::Request request = protocol::GetPeers{0, file_id, limit};
  auto reply = co_await state->call_as<protocol::PeersReply>(std::move(request));
  if (!reply) {
    co_return reply.error();
  }
  co_return std::move(reply.value().peers);
}

Client::Awaitable<core::Result<core::Manifest>> Client::get_manifest(const core::FileId& file_id) {
  const auto state = state_;
  protocol::Request request = protocol::GetManifest{0, file_id};
  auto reply = co_await state->call_as<protocol::ManifestReply>(std::move(request));
  if (!reply) {
    co_return reply.error();
  }
  const protocol::Bytes& bytes = reply.value().manifest;
  // The tracker is not trusted with content: the File ID is the hash of these bytes.
  if (core::FileId{core::blake2b_256(bytes)} != file_id) {
    co_return Errc::manifest_mismatch;
  }
  co_return core::Manifest::decode(bytes);
}

Client::Awaitable<core::Result<protocol::SearchReply>>
Client::search(std::string text, std::uint32_t limit, std::uint32_t offset) {
  const auto state = state_;
  protocol::Request request = protocol::Search{0, std::move(text), limit, offset};
  co_return co_await state->call_as<protocol::SearchReply>(std::move(request));
}

Client::Awaitable<core::Result<protocol::StatsReply>> Client::stats() {
  const auto state = state_;
  protocol::Request request = protocol::GetStats{0};
  co_return co_await state->call_as<protocol::StatsReply>(std::move(request));
}

Client::Awaitable<core::Result<std::vector<protocol::PeerEntry>>>
Client::dht_peers(std::uint32_t limit) {
  const auto state = state_;
  protocol::Request request = protocol::GetDhtPeers{0, limit};
  auto reply = co_await state->call_as<protocol::DhtPeersReply>(std::move(request));
  if (!reply) {
    co_return reply.error();
  }
  co_return std::move(reply.value().peers);
}

Client::Awaitable<core::Result<protocol::Reply>> Client::request(protocol::Request request) {
  const auto state = state_;
  co_return co_await state->call(std::move(request));
}

void Client::keep_announced(protocol::Announce announce) {
  State& state = *state_;
  if (state.stopped) {
    return;
  }
  const core::FileId file_id = announce.file_id;
  Kept& kept_file = state.kept[file_id];
  const bool had_manifest = kept_file.version != 0 && !kept_file.with_manifest;
  kept_file.announce = std::move(announce);
  kept_file.needs_announce = true;
  // A file kept again (new endpoints, say) keeps what we know about the tracker's manifest.
  kept_file.with_manifest = !had_manifest;
  kept_file.due = {};
  kept_file.failures = 0;
  kept_file.version = state.next_version++;
  kept_file.busy = false;
  state.start_keeper();
  state.wake_keeper();
}

void Client::stop_announcing(const core::FileId& file_id) {
  if (state_->kept.erase(file_id) > 0) {
    state_->wake_keeper();
  }
}

std::vector<core::FileId> Client::kept_files() const {
  std::vector<core::FileId> files;
  files.reserve(state_->kept.size());
  for (const auto& [file_id, kept_file] : state_->kept) {
    files.push_back(file_id);
  }
  return files;
}

Client::Awaitable<core::Status> Client::unannounce_all() {
  const auto state = state_;
  const std::vector<core::FileId> files = kept_files();
  state->kept.clear();
  state->wake_keeper();
  if (files.empty()) {
    co_return boost::outcome_v2::success();
  }
  struct Group {
    explicit Group(const asio::any_io_executor& executor) : done(executor, kNever) {}
    asio::steady_timer done;
    std::size_t remaining = 0;
    std::error_code first_error;
  };
  auto group = std::make_shared<Group>(state->executor);
  group->remaining = files.size();
  for (const core::FileId& file_id : files) {
    asio::co_spawn(
        state->executor,
        [](std::shared_ptr<State> owner, std::shared_ptr<Group> waiting,
           core::FileId id) -> Awaitable<void> {
          protocol::Request request = protocol::Unannounce{0, id};
          auto reply = co_await owner->call_as<protocol::OkReply>(std::move(request));
          // No entry left is what we wanted anyway.
          if (!reply && reply.error() != protocol::ErrorCode::no_entry && !waiting->first_error) {
            waiting->first_error = reply.error();
          }
          if (--waiting->remaining == 0) {
            waiting->done.cancel();
          }
        }(state, group, file_id),
        asio::detached);
  }
  while (group->remaining > 0) {
    AsioError ec;
    co_await group->done.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  if (group->first_error) {
    co_return group->first_error;
  }
  co_return boost::outcome_v2::success();
}

TrackerHealth Client::health() const { return state_->health_snapshot(); }

void Client::set_health_callback(HealthCallback callback) {
  state_->health_callback = std::move(callback);
}

void Client::set_announce_callback(AnnounceCallback callback) {
  state_->announce_callback = std::move(callback);
}

Client::Awaitable<void> Client::close() {
  const auto state = state_;
  const std::shared_ptr<Connection> connection = state->active;
  if (!state->stopped && connection && connection->pending.empty()) {
    state->close_gracefully(connection);
    connection->read_done_timer.expires_after(state->options.request_timeout);
    while (!connection->read_done) {
      AsioError ec;
      co_await connection->read_done_timer.async_wait(asio::redirect_error(use_awaitable, ec));
      if (!ec) {
        break; // the tracker did not answer our FINAL in time
      }
    }
  }
  state->stop();
}

void Client::stop() { state_->stop(); }

} // namespace swarmshare::tracker
