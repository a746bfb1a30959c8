#include "swarmshare/transfer/peer_server.hpp"

#include "swarmshare/core/asio_endpoint.hpp"
#include "swarmshare/transfer/catalogue.hpp"
#include "swarmshare/transfer/error.hpp"
#include "swarmshare/transfer/swarm.hpp"
#include "swarmshare/transfer/wire.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <variant>

namespace swarmshare::transfer {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

/// After accept() fails (out of descriptors, typically), wait before trying again.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

// A channel that a deadline may take away: when the timer fires first, the channel is
// destroyed, which closes its socket and ends the read or write waiting on it.
struct Deadline {
  explicit Deadline(crypto::SecureChannel owned) : channel(std::move(owned)) {}
  std::optional<crypto::SecureChannel> channel;
  bool expired = false;
};

asio::awaitable<void> expire_after(std::shared_ptr<Deadline> deadline, asio::steady_timer& timer) {
  boost::system::error_code cancelled;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
  if (!cancelled) {
    deadline->expired = true;
    deadline->channel.reset();
  }
}

// Reads one record within the deadline; empty when it passed or the channel failed.
asio::awaitable<std::optional<std::vector<std::uint8_t>>>
read_first_record(std::shared_ptr<Deadline> deadline) {
  auto record = co_await deadline->channel->read_message();
  if (deadline->expired || !record) {
    co_return std::nullopt;
  }
  co_return std::move(record).value();
}

// The record as a wire message; empty when it is not one we know.
std::optional<wire::Message> as_message(const std::optional<std::vector<std::uint8_t>>& record) {
  if (!record) {
    return std::nullopt;
  }
  auto decoded = wire::decode(*record);
  if (!decoded || !decoded.value()) {
    return std::nullopt;
  }
  return std::move(*decoded.value());
}

// Reads one message within the deadline; an empty result when it passed, the channel
// failed or the message is not a wire message we know.
asio::awaitable<std::optional<wire::Message>> read_first(std::shared_ptr<Deadline> deadline) {
  co_return as_message(co_await read_first_record(deadline));
}

asio::awaitable<void> say_goodbye(crypto::SecureChannel& channel, wire::GoodbyeReason reason) {
  if (auto goodbye = wire::encode(wire::Goodbye{reason})) {
    (void)co_await channel.write_message(goodbye.value());
  }
  (void)co_await channel.close();
}

} // namespace

struct PeerServer::Impl : std::enable_shared_from_this<PeerServer::Impl> {
  Impl(asio::any_io_executor executor_, crypto::ChannelConfig config_, SwarmLookup lookup_,
       PeerServerOptions options_)
      : executor(std::move(executor_)), config(std::move(config_)), lookup(std::move(lookup_)),
        options(options_), acceptor(executor), retry_timer(executor) {}

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      boost::system::error_code error;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, error));
      if (stopped) {
        break;
      }
      if (error) {
        retry_timer.expires_after(kAcceptRetryDelay);
        co_await retry_timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
        continue;
      }
      if (pending >= options.max_pending) {
        continue; // the socket closes as it goes out of scope
      }
      ++pending;
      asio::co_spawn(
          executor,
          [self, moved = std::move(socket)]() mutable { return self->welcome(std::move(moved)); },
          asio::detached);
    }
  }

  // The handshake and the hellos of one incoming connection.
  asio::awaitable<void> welcome(tcp::socket socket) {
    auto self = shared_from_this();
    boost::system::error_code ignored;
    const auto remote_asio = socket.remote_endpoint(ignored);
    auto channel = co_await crypto::SecureChannel::accept(std::move(socket), config);
    if (!channel) {
      --pending;
      co_return;
    }
    auto deadline = std::make_shared<Deadline>(std::move(channel).value());
    asio::steady_timer timer(executor, options.hello_timeout);
    asio::co_spawn(executor, expire_after(deadline, timer), asio::detached);
    auto first_record = co_await read_first_record(deadline);
    timer.cancel();
    --pending;
    if (!deadline->channel || !first_record) {
      co_return; // silent or slow: dropped without a word
    }
    if (const auto asked = decode_catalogue_request(*first_record)) {
      co_await answer_catalogue(*deadline->channel, *asked);
      co_return;
    }
    auto first = as_message(first_record);
    if (!first) {
      co_return; // garbled: dropped without a word
    }
    auto* hello = std::get_if<wire::Hello>(&*first);
    if (hello == nullptr) {
      co_await say_goodbye(*deadline->channel, wire::GoodbyeReason::protocol_error);
      co_return;
    }
    if (hello->version < wire::kMinVersion) {
      co_await say_goodbye(*deadline->channel, wire::GoodbyeReason::unsupported_version);
      co_return;
    }
    Swarm* swarm = stopped ? nullptr : lookup(hello->file_id);
    if (swarm == nullptr) {
      co_await say_goodbye(*deadline->channel, wire::GoodbyeReason::not_sharing);
      co_return;
    }
    if (swarm->is_banned(deadline->channel->peer_id())) {
      co_await say_goodbye(*deadline->channel, wire::GoodbyeReason::banned);
      co_return;
    }
    auto answer = wire::encode(wire::Hello{wire::kVersion, hello->file_id});
    if (!answer || !co_await deadline->channel->write_message(answer.value())) {
      co_return;
    }
    // The swarm may have gone while we wrote: look it up again rather than trust the pointer.
    swarm = stopped ? nullptr : lookup(hello->file_id);
    if (swarm != nullptr) {
      swarm->attach(std::move(*deadline->channel), core::from_asio(remote_asio));
    }
  }

  // One page of the listed shares, then a goodbye: the dialler reconnects for the next.
  asio::awaitable<void> answer_catalogue(crypto::SecureChannel& channel, CatalogueRequest asked) {
    auto self = shared_from_this();
    const auto entries = catalogue && !stopped ? catalogue() : std::vector<CatalogueEntry>{};
    if (auto page = encode(page_of(entries, asked))) {
      (void)co_await channel.write_message(page.value());
    }
    co_await say_goodbye(channel, wire::GoodbyeReason::done);
  }

  asio::any_io_executor executor;
  crypto::ChannelConfig config;
  SwarmLookup lookup;
  CatalogueSource catalogue;
  PeerServerOptions options;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  core::Endpoint local;
  std::uint32_t pending = 0;
  bool stopped = false;
};

core::Result<std::unique_ptr<PeerServer>>
PeerServer::start(asio::any_io_executor executor, crypto::ChannelConfig config,
                  const core::Endpoint& listen, SwarmLookup lookup, PeerServerOptions options) {
  auto impl =
      std::make_shared<Impl>(std::move(executor), std::move(config), std::move(lookup), options);
  boost::system::error_code error;
  const auto endpoint = core::to_asio(listen);
  impl->acceptor.open(endpoint.protocol(), error);
  if (!error) {
    impl->acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  }
  if (!error) {
    impl->acceptor.bind(endpoint, error);
  }
  if (!error) {
    impl->acceptor.listen(asio::socket_base::max_listen_connections, error);
  }
  if (error) {
    return std::error_code{error.value(), std::system_category()};
  }
  impl->local = core::from_asio(impl->acceptor.local_endpoint());
  asio::co_spawn(
      impl->executor, [impl]() { return impl->accept_loop(); }, asio::detached);
  return std::unique_ptr<PeerServer>(new PeerServer(std::move(impl)));
}

PeerServer::~PeerServer() { stop(); }

const core::Endpoint& PeerServer::local_endpoint() const noexcept { return impl_->local; }

void PeerServer::set_catalogue(CatalogueSource source) { impl_->catalogue = std::move(source); }

void PeerServer::stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->retry_timer.cancel();
}

asio::awaitable<core::Result<crypto::SecureChannel>>
connect_peer(crypto::ChannelConfig config, core::Endpoint endpoint, crypto::PeerId expected,
             std::chrono::milliseconds timeout) {
  const auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  {
    // The connect has its own deadline: the channel's handshake timeout starts after it.
    asio::steady_timer timer(executor, timeout);
    bool timed_out = false;
    asio::co_spawn(
        executor,
        [&timer, &socket, &timed_out]() -> asio::awaitable<void> {
          boost::system::error_code cancelled;
          co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
          if (!cancelled) {
            timed_out = true;
            boost::system::error_code ignored;
            socket.close(ignored);
          }
        },
        asio::detached);
    boost::system::error_code error;
    co_await socket.async_connect(core::to_asio(endpoint),
                                  asio::redirect_error(asio::use_awaitable, error));
    timer.cancel();
    // Let the timer coroutine see its cancellation before the timer goes out of scope.
    co_await asio::post(executor, asio::use_awaitable);
    if (timed_out) {
      co_return make_error_code(Errc::peer_unreachable);
    }
    if (error) {
      co_return std::error_code{error.value(), std::system_category()};
    }
  }
  auto channel =
      co_await crypto::SecureChannel::connect(std::move(socket), std::move(config), expected);
  if (!channel) {
    // The channel aborts a responder that proves another identity before we reveal ours;
    // it reports that as a failed handshake, which for a dialled peer means just this.
    co_return make_error_code(Errc::peer_id_mismatch);
  }
  co_return std::move(channel).value();
}

asio::awaitable<core::Result<crypto::SecureChannel>>
dial_peer(crypto::ChannelConfig config, core::Endpoint endpoint, crypto::PeerId expected,
          core::FileId file_id, std::chrono::milliseconds timeout) {
  const auto executor = co_await asio::this_coro::executor;
  auto channel = co_await connect_peer(std::move(config), endpoint, expected, timeout);
  if (!channel) {
    co_return channel.error();
  }
  auto hello = wire::encode(wire::Hello{wire::kVersion, file_id});
  if (!hello) {
    co_return hello.error();
  }
  if (auto sent = co_await channel.value().write_message(hello.value()); !sent) {
    co_return sent.error();
  }
  auto deadline = std::make_shared<Deadline>(std::move(channel).value());
  asio::steady_timer timer(executor, timeout);
  asio::co_spawn(executor, expire_after(deadline, timer), asio::detached);
  auto answer = co_await read_first(deadline);
  timer.cancel();
  if (!deadline->channel || !answer) {
    co_return make_error_code(Errc::peer_unreachable);
  }
  if (const auto* goodbye = std::get_if<wire::Goodbye>(&*answer)) {
    (void)co_await deadline->channel->close();
    co_return make_error_code(goodbye->reason == wire::GoodbyeReason::banned
                                  ? Errc::peer_banned
                                  : Errc::peer_not_sharing);
  }
  const auto* their_hello = std::get_if<wire::Hello>(&*answer);
  if (their_hello == nullptr || their_hello->file_id != file_id) {
    co_return make_error_code(Errc::message_malformed);
  }
  co_return std::move(*deadline->channel);
}

} // namespace swarmshare::transfer
