#pragma once
// A minimal, synchronous tracker client for the server tests: it speaks the protocol over a
// real secure channel, one call at a time or pipelined, and can also misbehave (raw frames,
// raw bytes). The production client lives in tracker/client.hpp; these tests pin down the
// server on its own.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/framing.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/secure_channel.hpp"
#include "swarmshare/tracker/protocol.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

namespace swarmshare::tracker::test {

class TestClient {
public:
  using Reply = protocol::Reply;

  /// Connects to 127.0.0.1:`port` as the identity of `seed`. The handshake's outcome is in
  /// connected().
  TestClient(std::uint16_t port, std::uint8_t seed,
             std::optional<crypto::PeerId> expected_tracker = std::nullopt)
      : identity_(crypto::Identity::from_seed(filled(seed))),
        keys_(std::make_unique<crypto::StaticKeyManager>(
            identity_, crypto::NetworkId::public_network(), core::real_clock())),
        decoder_(protocol::client_frame_limits()) {
    crypto::ChannelConfig config(*keys_);
    run([&]() -> boost::asio::awaitable<void> {
      boost::asio::ip::tcp::socket socket(*io_);
      boost::system::error_code error;
      co_await socket.async_connect({boost::asio::ip::make_address_v4("127.0.0.1"), port},
                                    boost::asio::redirect_error(boost::asio::use_awaitable, error));
      if (error) {
        co_return;
      }
      auto channel =
          co_await crypto::SecureChannel::connect(std::move(socket), config, expected_tracker);
      if (channel) {
        channel_.emplace(std::move(channel).value());
      }
    });
  }

  [[nodiscard]] bool connected() const noexcept { return channel_.has_value(); }
  [[nodiscard]] const crypto::PeerId& peer_id() const noexcept { return identity_.peer_id(); }

  /// Sends `request` with a fresh request id and returns its reply.
  [[nodiscard]] core::Result<Reply> call(protocol::Request request) {
    std::visit([&](auto& typed) { typed.request_id = next_id_++; }, request);
    auto sent = send(request);
    if (!sent) {
      return sent.error();
    }
    return receive();
  }

  /// Sends `request` without waiting; a request id of 0 gets a fresh one.
  [[nodiscard]] core::Status send(protocol::Request request) {
    std::visit(
        [&](auto& typed) {
          if (typed.request_id == 0) {
            typed.request_id = next_id_++;
          }
        },
        request);
    auto frame = protocol::encode_request(request);
    if (!frame) {
      return frame.error();
    }
    return send_bytes(frame.value());
  }

  /// Sends bytes as one record, whatever they are.
  [[nodiscard]] core::Status send_bytes(const std::vector<std::uint8_t>& bytes) {
    core::Status result = std::make_error_code(std::errc::not_connected);
    run([&]() -> boost::asio::awaitable<void> {
      result = co_await channel_->write_message(bytes);
    });
    return result;
  }

  /// The next reply, however many records it takes. Errors: the channel's (channel_closed
  /// when the tracker closed cleanly, a reset otherwise).
  [[nodiscard]] core::Result<Reply> receive() {
    while (pending_.empty()) {
      core::Result<crypto::Bytes> bytes = std::make_error_code(std::errc::not_connected);
      run([&]() -> boost::asio::awaitable<void> { bytes = co_await channel_->read_message(); });
      if (!bytes) {
        return bytes.error();
      }
      std::error_code failure;
      auto fed = decoder_.feed(bytes.value(), [&](core::Message&& message) {
        auto reply = protocol::decode_reply(message);
        if (!reply) {
          failure = reply.error();
        } else if (reply.value()) {
          pending_.push_back(std::move(*reply.value()));
        }
      });
      if (!fed) {
        return fed.error();
      }
      if (failure) {
        return failure;
      }
    }
    auto reply = std::move(pending_.front());
    pending_.pop_front();
    return reply;
  }

  /// Closes our side cleanly and reads until the tracker closes its side.
  void close() {
    if (!channel_) {
      return;
    }
    run([&]() -> boost::asio::awaitable<void> {
      (void)co_await channel_->close();
      for (;;) {
        auto bytes = co_await channel_->read_message();
        if (!bytes) {
          break;
        }
      }
    });
  }

  [[nodiscard]] protocol::RequestId last_request_id() const noexcept { return next_id_ - 1; }

  static crypto::Key32 filled(std::uint8_t value) {
    crypto::Key32 key{};
    key.fill(value);
    return key;
  }

private:
  template <class F>
  void run(F function) {
    std::exception_ptr failure;
    bool done = false;
    boost::asio::co_spawn(*io_, std::move(function), [&](const std::exception_ptr& error) {
      failure = error;
      done = true;
    });
    io_->restart();
    // Until this call is done: the channel may keep timers of its own armed meanwhile.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (!done && std::chrono::steady_clock::now() < deadline) {
      io_->run_one_until(deadline);
    }
    if (failure) {
      std::rethrow_exception(failure);
    }
    if (!done) {
      throw std::runtime_error("test client call did not finish");
    }
  }

  crypto::Identity identity_;
  std::unique_ptr<crypto::StaticKeyManager> keys_;
  // On the heap so that a client can move: the channel keeps pointing at its loop.
  std::unique_ptr<boost::asio::io_context> io_ = std::make_unique<boost::asio::io_context>();
  std::optional<crypto::SecureChannel> channel_;
  core::FrameDecoder decoder_;
  std::deque<Reply> pending_;
  protocol::RequestId next_id_ = 1;
};

/// A first announce of `m`: manifest included, the address the tracker observes.
[[nodiscard]] inline protocol::Announce announce_with_manifest(const core::Manifest& m,
                                                               std::uint16_t port = 7000) {
  protocol::Announce request;
  request.file_id = m.file_id();
  request.manifest = m.encoded();
  request.port = port;
  return request;
}

/// The reply as a T (a copy: callers pass the temporary a call returns), or throws.
template <class T>
[[nodiscard]] T reply_as(const core::Result<protocol::Reply>& reply) {
  if (!reply) {
    throw std::runtime_error("no reply: " + reply.error().message());
  }
  if (const auto* typed = std::get_if<T>(&reply.value())) {
    return *typed;
  }
  if (const auto* error = std::get_if<protocol::ErrorReply>(&reply.value())) {
    throw std::runtime_error("error reply: " + error->text);
  }
  throw std::runtime_error("unexpected reply type");
}

/// The code of an ErrorReply, or nullopt for any other reply.
[[nodiscard]] inline std::optional<protocol::ErrorCode>
error_code_of(const core::Result<protocol::Reply>& reply) {
  if (reply) {
    if (const auto* error = std::get_if<protocol::ErrorReply>(&reply.value())) {
      return error->code;
    }
  }
  return std::nullopt;
}

} // namespace swarmshare::tracker::test
