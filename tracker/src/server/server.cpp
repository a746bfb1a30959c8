#include "swarmshare/tracker/server.hpp"

#include "server/connection.hpp"
#include "server/request_handler.hpp"
#include "swarmshare/core/asio_endpoint.hpp"
#include "swarmshare/core/platform/thread.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace swarmshare::tracker {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

/// Requests are small: a short read buffer per connection keeps thousands of connections
/// cheap (the channel's default suits bulk transfers); a rare large announce takes a few
/// more reads.
constexpr std::size_t kReadChunkBytes = 4096;
/// How long stop() lets connections finish their replies and close cleanly.
constexpr std::chrono::seconds kShutdownGrace{2};
/// After accept() fails (out of file descriptors, typically), wait before trying again
/// rather than spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

using core::from_asio;
using core::to_asio;

} // namespace

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
  case LogLevel::debug: return "debug";
  case LogLevel::info: return "info";
  case LogLevel::warning: return "warning";
  case LogLevel::error: return "error";
  }
  return "unknown";
}

struct Server::Impl {
  Impl(Store& store_in, crypto::StaticKeyManager& keys, ServerOptions options_in,
       const core::Clock& clock_in, LogSink log_in)
      : store(store_in), options(std::move(options_in)), clock(clock_in), log(std::move(log_in)),
        handler(store_in, options.limits, options.admins, clock_in), environment{handler,
                                                                                 options.limits,
                                                                                 clock_in, counters,
                                                                                 log},
        channel_config(keys, clock_in) {
    channel_config.handshake_timeout = options.limits.handshake_timeout;
    channel_config.idle_timeout = options.limits.idle_timeout;
    channel_config.read_chunk_bytes = kReadChunkBytes;
  }

  void write_log(LogLevel level, const std::string& text) const {
    if (log) {
      log(level, text);
    }
  }

  asio::io_context& next_context() {
    auto& context = *contexts[next_context_index];
    next_context_index = (next_context_index + 1) % contexts.size();
    return context;
  }

  /// Admits a new connection from `address`, or says why not.
  [[nodiscard]] bool admit(const core::Endpoint::Bytes16& address) {
    const std::lock_guard lock(mutex);
    if (open_connections >= options.limits.max_connections) {
      return false;
    }
    auto& count = connections_per_address[address];
    if (count >= options.limits.max_connections_per_address) {
      if (count == 0) {
        connections_per_address.erase(address);
      }
      return false;
    }
    ++count;
    ++open_connections;
    return true;
  }

  void release(const core::Endpoint::Bytes16& address) {
    const std::lock_guard lock(mutex);
    auto found = connections_per_address.find(address);
    if (found != connections_per_address.end() && --found->second == 0) {
      connections_per_address.erase(found);
    }
    --open_connections;
    counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
    if (open_connections == 0) {
      all_closed.notify_all();
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto& context = next_context();
      tcp::socket socket(context);
      boost::system::error_code error;
      co_await acceptor->async_accept(socket, asio::redirect_error(asio::use_awaitable, error));
      if (error == asio::error::operation_aborted || stopping.load()) {
        co_return;
      }
      if (error) {
        write_log(LogLevel::warning, "accept failed: " + error.message());
        asio::steady_timer pause(acceptor->get_executor(), kAcceptRetryDelay);
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
        continue;
      }
      auto remote_asio = socket.remote_endpoint(error);
      if (error) {
        continue; // the peer is already gone
      }
      const auto remote = from_asio(remote_asio);
      if (!admit(remote.mapped_address())) {
        counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
        write_log(LogLevel::debug, remote.to_string() + ": refused, too many connections");
        socket.close(error);
        continue;
      }
      counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
      counters.connections_open.fetch_add(1, std::memory_order_relaxed);
      asio::co_spawn(context, serve(std::move(socket), remote), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket, core::Endpoint remote) {
    auto channel = co_await crypto::SecureChannel::accept(std::move(socket), channel_config);
    if (!channel) {
      counters.handshakes_failed.fetch_add(1, std::memory_order_relaxed);
      write_log(LogLevel::debug,
                remote.to_string() + ": handshake failed: " + channel.error().message());
      release(remote.mapped_address());
      co_return;
    }
    const auto peer = channel.value().peer_id();
    if (auto banned = store.is_banned(peer); !banned || banned.value()) {
      write_log(LogLevel::info, remote.to_string() + " " + peer.to_short_string() + ": refused, " +
                                    (banned ? std::string{"banned"} : banned.error().message()));
      release(remote.mapped_address());
      co_return; // destroying the channel resets the connection
    }
    auto connection = std::make_shared<Connection>(
        std::move(channel).value(), remote, environment,
        [this, address = remote.mapped_address()] { release(address); });
    {
      const std::lock_guard lock(mutex);
      if (stopping.load()) {
        connection->shutdown();
      }
      live_connections.emplace(connection.get(), connection);
    }
    co_await connection->run();
    const std::lock_guard lock(mutex);
    live_connections.erase(connection.get());
  }

  void expiry_loop() {
    core::platform::lower_current_thread_priority();
    std::unique_lock lock(mutex);
    auto wait = options.expiry_step;
    while (!stopping.load()) {
      expiry_wake.wait_for(lock, wait, [this] { return stopping.load(); });
      if (stopping.load()) {
        break;
      }
      lock.unlock();
      // One window per step, never a burst: each pass holds up the announces batched with
      // it, and a sweep spread thin keeps that to one short pause per step.
      auto pass = store.expire(clock.system_now(), options.expiry_window);
      wait = options.expiry_step;
      if (pass) {
        counters.entries_expired.fetch_add(pass.value().removed, std::memory_order_relaxed);
        if (pass.value().wrapped) {
          wait = std::max(options.expiry_step, options.expiry_rest);
        }
      } else {
        write_log(LogLevel::warning, "expiry failed: " + pass.error().message());
      }
      lock.lock();
    }
  }

  void stop() {
    if (stopping.exchange(true)) {
      return;
    }
    {
      const std::lock_guard lock(mutex);
      expiry_wake.notify_all();
    }
    asio::post(acceptor->get_executor(), [this] {
      boost::system::error_code ignored;
      acceptor->close(ignored);
    });
    {
      const std::lock_guard lock(mutex);
      for (auto& [raw, weak] : live_connections) {
        if (auto connection = weak.lock()) {
          asio::post(connection->get_executor(), [connection] { connection->shutdown(); });
        }
      }
    }
    {
      std::unique_lock lock(mutex);
      all_closed.wait_for(lock, kShutdownGrace, [this] { return open_connections == 0; });
    }
    // The store finishes every write it accepted; their replies must reach a live loop.
    while (counters.replies_in_transit.load(std::memory_order_acquire) != 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    }
    for (auto& context : contexts) {
      context->stop();
    }
    for (auto& thread : threads) {
      thread.join();
    }
    if (expiry_thread.joinable()) {
      expiry_thread.join();
    }
    // Pending handlers, and with them the last connections, go with their loops.
    acceptor.reset();
    work_guards.clear();
    contexts.clear();
  }

  Store& store;
  ServerOptions options;
  const core::Clock& clock;
  LogSink log;
  ServerCounterCells counters;
  RequestHandler handler;
  ConnectionEnvironment environment;
  crypto::ChannelConfig channel_config;
  core::Endpoint local;

  std::mutex mutex;
  std::condition_variable all_closed;
  std::condition_variable expiry_wake;
  std::size_t open_connections = 0;
  std::map<core::Endpoint::Bytes16, std::size_t> connections_per_address;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> live_connections;
  std::atomic<bool> stopping{false};

  // Destroyed first (declared last): the loops and the connections they hold.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_guards;
  std::size_t next_context_index = 0;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::thread expiry_thread;
};

core::Result<std::unique_ptr<Server>> Server::start(Store& store, crypto::StaticKeyManager& keys,
                                                    ServerOptions options, const core::Clock& clock,
                                                    LogSink log) {
  // By default one CPU is left to the store's writer thread, which every announce passes
  // through: on two cores, two event loops and the writer fight for the CPU and the
  // announces' latency tail grows (docs/BENCHMARKS.md).
  auto threads = options.io_threads != 0 ? options.io_threads
                                         : std::max(1U, std::thread::hardware_concurrency() - 1);
  auto impl = std::make_unique<Impl>(store, keys, std::move(options), clock, std::move(log));
  for (unsigned i = 0; i < threads; ++i) {
    // One thread per loop: the loop may skip its internal locking.
    impl->contexts.push_back(std::make_unique<asio::io_context>(1));
    impl->work_guards.push_back(asio::make_work_guard(*impl->contexts.back()));
  }
  boost::system::error_code error;
  auto acceptor = std::make_unique<tcp::acceptor>(*impl->contexts.front());
  const auto endpoint = to_asio(impl->options.listen);
  acceptor->open(endpoint.protocol(), error);
  if (!error) {
    acceptor->set_option(tcp::acceptor::reuse_address(true), error);
  }
  if (!error) {
    acceptor->bind(endpoint, error);
  }
  if (!error) {
    acceptor->listen(asio::socket_base::max_listen_connections, error);
  }
  if (error) {
    return std::error_code{error.value(), std::system_category()};
  }
  impl->local = from_asio(acceptor->local_endpoint());
  impl->acceptor = std::move(acceptor);
  asio::co_spawn(*impl->contexts.front(), impl->accept_loop(), asio::detached);
  for (auto& context : impl->contexts) {
    impl->threads.emplace_back([&context = *context] { context.run(); });
  }
  impl->expiry_thread = std::thread([raw = impl.get()] { raw->expiry_loop(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

const core::Endpoint& Server::local_endpoint() const noexcept { return impl_->local; }

ServerCounters Server::counters() const noexcept {
  const auto& cells = impl_->counters;
  return ServerCounters{cells.connections_accepted.load(),
                        cells.connections_refused.load(),
                        cells.handshakes_failed.load(),
                        cells.connections_open.load(),
                        cells.requests.load(),
                        cells.error_replies.load(),
                        cells.rate_limited.load(),
                        cells.entries_expired.load()};
}

void Server::stop() {
  if (impl_) {
    impl_->stop();
  }
}

} // namespace swarmshare::tracker
