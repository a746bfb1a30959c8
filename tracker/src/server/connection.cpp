#include "server/connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace swarmshare::tracker {
namespace {

namespace asio = boost::asio;

/// A client that goes on sending this many requests after being told rate_limited, without
/// a single one admitted in between, is not going to slow down.
constexpr std::uint32_t kMaxRefusedInARow = 200;

/// Waits on a timer used as a signal: it never expires on its own, cancel() wakes it.
asio::awaitable<void> wait_for_signal(asio::steady_timer& signal) {
  signal.expires_at(asio::steady_timer::time_point::max());
  boost::system::error_code ignored;
  co_await signal.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

} // namespace

bool RateLimiter::try_take(std::chrono::steady_clock::time_point now) noexcept {
  if (now > last_) {
    const std::chrono::duration<double> elapsed = now - last_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    last_ = now;
  }
  if (tokens_ < 1.0) {
    return false;
  }
  tokens_ -= 1.0;
  return true;
}

Connection::Connection(crypto::SecureChannel channel, const core::Endpoint& remote,
                       ConnectionEnvironment& environment, std::function<void()> on_destroyed)
    : channel_(std::move(channel)), remote_(remote), environment_(environment), decoder_([&] {
        auto limits = protocol::server_frame_limits();
        limits.max_frame_bytes =
            std::min(limits.max_frame_bytes, environment.limits.max_frame_bytes);
        return limits;
      }()),
      rate_(environment.limits.requests_per_second, 2.0 * environment.limits.requests_per_second,
            environment.clock.steady_now()),
      outbox_ready_(channel_.get_executor()), read_resume_(channel_.get_executor()),
      on_destroyed_(std::move(on_destroyed)) {}

Connection::~Connection() {
  if (on_destroyed_) {
    on_destroyed_();
  }
}

asio::awaitable<void> Connection::run() {
  asio::co_spawn(
      channel_.get_executor(), [self = shared_from_this()]() { return self->write_loop(); },
      asio::detached);
  co_await read_loop();
  outbox_ready_.cancel();
}

void Connection::shutdown() {
  closing_ = true;
  outbox_ready_.cancel();
}

asio::awaitable<void> Connection::read_loop() {
  for (;;) {
    while (replies_owed_ >= environment_.limits.max_in_flight && !failed_) {
      reading_paused_ = true;
      co_await wait_for_signal(read_resume_);
      reading_paused_ = false;
    }
    if (failed_) {
      co_return;
    }
    auto bytes = co_await channel_.read_message();
    if (!bytes) {
      if (bytes.error() == crypto::Errc::channel_closed) {
        // The peer is done sending; what we owe it still goes out before our FINAL.
        closing_ = true;
      } else {
        log(LogLevel::debug, "connection ended: " + bytes.error().message());
        failed_ = true;
      }
      co_return;
    }
    bool keep = true;
    auto fed = decoder_.feed(bytes.value(), [&](core::Message&& message) {
      if (keep) {
        keep = on_message(std::move(message));
      }
    });
    if (!fed || !keep) {
      if (!fed) {
        log(LogLevel::debug, "closing: bad frame: " + fed.error().message());
      }
      failed_ = true;
      co_return;
    }
  }
}

bool Connection::on_message(core::Message&& message) {
  if (closing_) {
    return true; // shutting down: nothing new is started
  }
  auto& counters = environment_.counters;
  if (!protocol::is_request_type(message.type)) {
    return true; // a newer client's optional message: ignored, as docs/PROTOCOL.md says
  }
  counters.requests.fetch_add(1, std::memory_order_relaxed);
  if (!rate_.try_take(environment_.clock.steady_now())) {
    counters.rate_limited.fetch_add(1, std::memory_order_relaxed);
    if (++refused_in_a_row_ >= kMaxRefusedInARow) {
      log(LogLevel::info, "closing: the client ignores rate limiting");
      return false;
    }
    owe_reply();
    send(error_reply(protocol::peek_request_id(message), protocol::ErrorCode::rate_limited));
    return true;
  }
  refused_in_a_row_ = 0;
  owe_reply();
  auto request = protocol::decode_request(message);
  if (!request) {
    send(error_reply(protocol::peek_request_id(message), request.error()));
    return true;
  }
  counters.replies_in_transit.fetch_add(1, std::memory_order_relaxed);
  environment_.handler.handle(
      std::move(*request.value()), channel_.peer_id(), remote_,
      [self = shared_from_this()](protocol::Reply reply) {
        // From the writer thread this posts; from our own loop it runs at once.
        asio::dispatch(self->channel_.get_executor(),
                       [self, reply = std::move(reply)]() { self->send(reply); });
        self->environment_.counters.replies_in_transit.fetch_sub(1, std::memory_order_release);
      });
  return true;
}

void Connection::send(const protocol::Reply& reply) {
  if (std::holds_alternative<protocol::ErrorReply>(reply)) {
    environment_.counters.error_replies.fetch_add(1, std::memory_order_relaxed);
  }
  auto frame = protocol::encode_reply(reply);
  if (!frame) {
    // Only a bug of ours gets here (every reply we build is within the limits).
    log(LogLevel::error, "cannot encode a reply: " + frame.error().message());
    frame = protocol::encode_reply(
        error_reply(protocol::request_id(reply), protocol::ErrorCode::internal_error));
  }
  outbox_.push_back(std::move(frame).value());
  outbox_ready_.cancel();
}

asio::awaitable<void> Connection::write_loop() {
  for (;;) {
    if (failed_) {
      co_return;
    }
    if (outbox_.empty()) {
      if (closing_ && replies_owed_ == 0) {
        break;
      }
      co_await wait_for_signal(outbox_ready_);
      continue;
    }
    auto frame = std::move(outbox_.front());
    outbox_.pop_front();
    auto written = co_await channel_.write_message(frame);
    --replies_owed_;
    if (reading_paused_ && replies_owed_ < environment_.limits.max_in_flight) {
      read_resume_.cancel();
    }
    if (!written) {
      failed_ = true;
      read_resume_.cancel();
      co_return;
    }
  }
  auto closed = co_await channel_.close();
  if (!closed) {
    failed_ = true;
  }
}

void Connection::log(LogLevel level, const std::string& text) const {
  if (environment_.log) {
    environment_.log(level, remote_.to_string() + " " + channel_.peer_id().to_short_string() +
                                ": " + text);
  }
}

} // namespace swarmshare::tracker
