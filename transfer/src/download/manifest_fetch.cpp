#include "download/manifest_fetch.hpp"

#include "swarmshare/transfer/error.hpp"
#include "swarmshare/transfer/wire.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <optional>
#include <variant>

namespace swarmshare::transfer::detail {
namespace {

namespace asio = boost::asio;

/// A peer that answers with this many other messages first is not going to answer.
constexpr int kMaxMessagesBeforeManifest = 64;

// The channel and the timer that may take it away: when the timer fires first, the channel
// is destroyed, which closes its socket and ends the read waiting on it. The timer lives
// here, not on a coroutine's stack, so the waiting coroutine never outlives it.
struct Deadline {
  Deadline(crypto::SecureChannel owned, const asio::any_io_executor& executor)
      : channel(std::move(owned)), timer(executor) {}
  std::optional<crypto::SecureChannel> channel;
  asio::steady_timer timer;
};

asio::awaitable<void> expire(std::shared_ptr<Deadline> deadline) {
  boost::system::error_code cancelled;
  co_await deadline->timer.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
  if (!cancelled) {
    deadline->channel.reset();
  }
}

asio::awaitable<core::Result<core::Manifest>> read_manifest(Deadline& deadline,
                                                            const core::FileId& file_id) {
  for (int i = 0; i < kMaxMessagesBeforeManifest; ++i) {
    auto record = co_await deadline.channel->read_message();
    if (!deadline.channel) {
      co_return make_error_code(Errc::peer_unreachable);
    }
    if (!record) {
      co_return record.error();
    }
    auto decoded = wire::decode(record.value());
    if (!decoded) {
      co_return decoded.error();
    }
    if (!decoded.value()) {
      continue; // a newer peer's message type
    }
    if (const auto* reply = std::get_if<wire::ManifestReply>(&*decoded.value())) {
      co_return wire::decode_manifest(*reply, file_id);
    }
    if (std::holds_alternative<wire::Goodbye>(*decoded.value())) {
      co_return make_error_code(Errc::peer_not_sharing);
    }
  }
  co_return make_error_code(Errc::message_malformed);
}

} // namespace

asio::awaitable<core::Result<core::Manifest>> ask_for_manifest(crypto::SecureChannel& channel,
                                                               core::FileId file_id,
                                                               std::chrono::milliseconds timeout) {
  const auto executor = co_await asio::this_coro::executor;
  auto deadline = std::make_shared<Deadline>(std::move(channel), executor);
  auto request = wire::encode(wire::ManifestRequest{});
  if (!request) {
    co_return request.error();
  }
  if (auto sent = co_await deadline->channel->write_message(request.value()); !sent) {
    co_return sent.error();
  }
  deadline->timer.expires_after(timeout);
  asio::co_spawn(executor, expire(deadline), asio::detached);
  auto manifest = co_await read_manifest(*deadline, file_id);
  deadline->timer.cancel();
  if (deadline->channel) {
    if (auto goodbye = wire::encode(wire::Goodbye{wire::GoodbyeReason::done})) {
      (void)co_await deadline->channel->write_message(goodbye.value());
    }
    (void)co_await deadline->channel->close();
  }
  co_return manifest;
}

} // namespace swarmshare::transfer::detail
