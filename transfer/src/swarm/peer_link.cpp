#include "swarm/peer_link.hpp"

#include "swarmshare/crypto/error.hpp"
#include "swarmshare/transfer/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <variant>

namespace swarmshare::transfer {
namespace {

namespace asio = boost::asio;

} // namespace

PeerLink::PeerLink(crypto::SecureChannel channel, core::Endpoint remote)
    : channel_(std::move(channel)), peer_id_(channel_.peer_id()), remote_(remote),
      outbox_ready_(channel_.get_executor()) {}

PeerLink::~PeerLink() = default;

void PeerLink::start(Handler& handler) {
  handler_ = &handler;
  auto self = shared_from_this();
  asio::co_spawn(
      channel_.get_executor(), [self]() { return self->read_loop(); }, asio::detached);
  asio::co_spawn(
      channel_.get_executor(), [self]() { return self->write_loop(); }, asio::detached);
}

void PeerLink::send(const wire::Message& message) {
  if (closing_ || ended_) {
    return;
  }
  auto encoded = wire::encode(message);
  if (!encoded) {
    // Our own bug (a value out of range): better to end the link than to send garbage.
    end(encoded.error());
    return;
  }
  const auto* data = std::get_if<wire::Data>(&message);
  send_encoded(std::move(encoded).value(),
               data != nullptr ? static_cast<std::uint32_t>(data->bytes.size()) : 0);
}

void PeerLink::send_encoded(wire::Bytes message, std::uint32_t data_bytes) {
  if (closing_ || ended_) {
    return;
  }
  queued_bytes_ += message.size();
  outbox_.push_back(Outgoing{std::move(message), data_bytes});
  outbox_ready_.cancel();
}

void PeerLink::close(wire::GoodbyeReason reason) {
  if (closing_ || ended_) {
    return;
  }
  send(wire::Goodbye{reason});
  closing_ = true;
  outbox_ready_.cancel();
}

void PeerLink::abort() noexcept {
  ended_ = true;
  handler_ = nullptr;
  outbox_.clear();
  queued_bytes_ = 0;
  outbox_ready_.cancel();
  // Destroying the channel closes its socket, which ends the pending read and write; they
  // hold the channel's state, not this object's copy of it.
  crypto::SecureChannel dropped = std::move(channel_);
}

void PeerLink::end(std::error_code why) {
  if (ended_) {
    return;
  }
  ended_ = true;
  outbox_ready_.cancel();
  if (auto* handler = std::exchange(handler_, nullptr)) {
    handler->on_closed(*this, why);
  }
}

asio::awaitable<void> PeerLink::pace(std::chrono::nanoseconds wait) {
  asio::steady_timer timer(channel_.get_executor(), wait);
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

asio::awaitable<void> PeerLink::read_loop() {
  auto self = shared_from_this(); // the link lives while its loops run
  while (!ended_) {
    auto record = co_await channel_.read_message();
    if (ended_) {
      break;
    }
    if (!record) {
      if (record.error() == crypto::Errc::channel_closed) {
        // The peer finished cleanly. Close our side too if we had not (it said goodbye).
        if (!closing_) {
          closing_ = true;
          outbox_ready_.cancel();
        }
        if (write_done_) {
          end({});
        }
      } else {
        end(record.error());
      }
      break;
    }
    auto decoded = wire::decode(record.value());
    if (!decoded) {
      close(wire::GoodbyeReason::protocol_error);
      end(decoded.error());
      break;
    }
    if (!decoded.value()) {
      continue; // a message type from a newer version: ignored by design
    }
    wire::Message message = std::move(*decoded.value());
    ++counters_.messages_received;
    std::chrono::nanoseconds wait{0};
    if (const auto* data = std::get_if<wire::Data>(&message)) {
      counters_.data_bytes_received += data->bytes.size();
      wait = reserve_all({limiters_.global_download, limiters_.swarm_download}, data->bytes.size());
    }
    if (std::holds_alternative<wire::Hello>(message)) {
      close(wire::GoodbyeReason::protocol_error);
      end(make_error_code(Errc::message_malformed)); // a second hello
      break;
    }
    if (std::holds_alternative<wire::Goodbye>(message)) {
      close(wire::GoodbyeReason::done); // answered in kind; read on until its FINAL
    }
    if (handler_ != nullptr) {
      handler_->on_message(*this, std::move(message));
    }
    if (wait > std::chrono::nanoseconds::zero()) {
      co_await pace(wait);
    }
  }
  read_done_ = true;
}

asio::awaitable<void> PeerLink::write_loop() {
  auto self = shared_from_this();
  while (!ended_) {
    if (outbox_.empty()) {
      if (closing_) {
        (void)co_await channel_.close();
        break;
      }
      outbox_ready_.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ignored;
      co_await outbox_ready_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    Outgoing item = std::move(outbox_.front());
    outbox_.pop_front();
    queued_bytes_ -= item.bytes.size();
    if (item.data_bytes > 0) {
      const auto wait =
          reserve_all({limiters_.global_upload, limiters_.peer_upload}, item.data_bytes);
      if (wait > std::chrono::nanoseconds::zero()) {
        co_await pace(wait);
        if (ended_) {
          break;
        }
      }
    }
    auto written = co_await channel_.write_message(item.bytes);
    if (!written) {
      end(written.error());
      break;
    }
    ++counters_.messages_sent;
    counters_.data_bytes_sent += item.data_bytes;
    if (item.data_bytes > 0 && handler_ != nullptr) {
      handler_->on_data_sent(*this, item.data_bytes);
    }
  }
  write_done_ = true;
  if (read_done_) {
    end({});
  }
}

} // namespace swarmshare::transfer
