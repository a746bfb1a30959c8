#include "swarmshare/dht/udp_transport.hpp"

#include "swarmshare/dht/message.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <vector>

namespace swarmshare::dht {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

/// After a receive error that is not about one datagram, pause rather than spin.
constexpr std::chrono::milliseconds kReceiveErrorPause{100};

std::error_code to_std(const boost::system::error_code& error) {
  return {error.value(), std::system_category()};
}

udp::endpoint to_udp(const core::Endpoint& endpoint) {
  const auto& mapped = endpoint.mapped_address();
  if (endpoint.is_v4()) {
    return {asio::ip::address_v4({mapped[12], mapped[13], mapped[14], mapped[15]}),
            endpoint.port()};
  }
  return {asio::ip::address_v6(mapped), endpoint.port()};
}

/// An IPv4 peer seen through a dual-stack socket (::ffff:a.b.c.d) comes back as IPv4, so
/// the node sees one address per peer whatever socket heard it.
core::Endpoint from_udp(const udp::endpoint& endpoint) {
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v4()) {
    return core::Endpoint::ipv4(address.to_v4().to_bytes(), endpoint.port());
  }
  return core::Endpoint::ipv6(address.to_v6().to_bytes(), endpoint.port());
}

/// Errors about one datagram (an ICMP "port unreachable" reported on the next receive, on
/// some systems): the socket is fine, receive again at once.
bool is_per_datagram(const boost::system::error_code& error) {
  return error == asio::error::connection_refused || error == asio::error::connection_reset ||
         error == asio::error::message_size;
}

struct Outgoing {
  udp::endpoint to;
  std::vector<std::uint8_t> bytes;
};

} // namespace

struct UdpTransport::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor executor_in, DatagramSink& sink_in, UdpOptions options_in)
      : executor(std::move(executor_in)), sink(&sink_in), options(options_in), socket(executor),
        pause(executor) {}

  boost::system::error_code bind(const udp::endpoint& endpoint) {
    boost::system::error_code error;
    socket.close(error);
    socket.open(endpoint.protocol(), error);
    if (!error && endpoint.address().is_v6()) {
      socket.set_option(asio::ip::v6_only(options.ipv6_only), error);
    }
    if (!error) {
      socket.bind(endpoint, error);
    }
    if (!error) {
      local = from_udp(socket.local_endpoint(error));
    }
    return error;
  }

  static asio::awaitable<void> receive_loop(std::shared_ptr<Impl> self) {
    udp::endpoint sender;
    while (!self->closed) {
      boost::system::error_code error;
      const std::size_t size = co_await self->socket.async_receive_from(
          asio::buffer(self->buffer), sender, asio::redirect_error(asio::use_awaitable, error));
      if (self->closed) {
        co_return; // closed or destroyed: the sink may be gone
      }
      if (error) {
        ++self->stats.receive_errors;
        if (!is_per_datagram(error)) {
          self->pause.expires_after(kReceiveErrorPause);
          co_await self->pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
        }
        continue;
      }
      // The buffer is one byte over the cap: a larger datagram arrives cut to that size
      // and shows as oversized here instead of as a truncated message.
      if (size > kMaxReceivedDatagramBytes) {
        ++self->stats.oversized_dropped;
        continue;
      }
      ++self->stats.datagrams_received;
      self->stats.bytes_received += size;
      self->sink->on_datagram(from_udp(sender),
                              std::span<const std::uint8_t>(self->buffer.data(), size));
    }
  }

  void send(const core::Endpoint& to, std::span<const std::uint8_t> datagram) {
    if (closed) {
      ++stats.unsendable_dropped;
      return;
    }
    udp::endpoint destination = to_udp(to);
    if (local.is_v4() != to.is_v4()) {
      if (local.is_v4() || options.ipv6_only) {
        ++stats.unsendable_dropped; // the other family: this socket cannot reach it
        return;
      }
      // An IPv4 peer through a dual-stack socket: its IPv4-mapped IPv6 address.
      destination = udp::endpoint(
          asio::ip::make_address_v6(asio::ip::v4_mapped, destination.address().to_v4()),
          destination.port());
    }
    if (queue.size() >= options.max_queued_sends) {
      ++stats.queue_full_dropped;
      return;
    }
    queue.push_back(Outgoing{destination, {datagram.begin(), datagram.end()}});
    if (!sending) {
      send_next();
    }
  }

  // One datagram in flight at a time: the queue keeps order and bounds memory, and the
  // datagram's bytes stay in queue.front() until its send completes.
  void send_next() {
    if (queue.empty() || closed) {
      sending = false;
      return;
    }
    sending = true;
    const auto& next = queue.front();
    socket.async_send_to(
        asio::buffer(next.bytes), next.to,
        [self = shared_from_this()](const boost::system::error_code& error, std::size_t size) {
          if (self->closed) {
            return;
          }
          if (error) {
            ++self->stats.send_errors;
          } else {
            ++self->stats.datagrams_sent;
            self->stats.bytes_sent += size;
          }
          self->queue.pop_front();
          self->send_next();
        });
  }

  void close() noexcept {
    if (closed) {
      return;
    }
    closed = true;
    sending = false;
    boost::system::error_code ignored;
    socket.close(ignored); // pending receive and send complete with operation_aborted
    pause.cancel();
    queue.clear();
  }

  asio::any_io_executor executor;
  DatagramSink* sink;
  UdpOptions options;
  udp::socket socket;
  asio::steady_timer pause;
  core::Endpoint local;
  bool fell_back = false;
  bool closed = false;
  bool sending = false;
  std::deque<Outgoing> queue;
  UdpStats stats;
  std::array<std::uint8_t, kMaxReceivedDatagramBytes + 1> buffer{};
};

core::Result<std::unique_ptr<UdpTransport>> UdpTransport::open(asio::any_io_executor executor,
                                                               const core::Endpoint& bind,
                                                               DatagramSink& sink,
                                                               UdpOptions options) {
  auto impl = std::make_shared<Impl>(std::move(executor), sink, options);
  const auto wanted = to_udp(bind);
  auto error = impl->bind(wanted);
  if (error == asio::error::address_in_use && options.fall_back_when_taken && bind.port() != 0) {
    error = impl->bind(udp::endpoint(wanted.address(), 0));
    impl->fell_back = !error;
  }
  if (error) {
    impl->close();
    return to_std(error);
  }
  asio::co_spawn(impl->executor, Impl::receive_loop(impl), asio::detached);
  return std::unique_ptr<UdpTransport>(new UdpTransport(std::move(impl)));
}

UdpTransport::UdpTransport(std::shared_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

UdpTransport::~UdpTransport() { impl_->close(); }

void UdpTransport::send(const core::Endpoint& to, std::span<const std::uint8_t> datagram) {
  impl_->send(to, datagram);
}

void UdpTransport::close() noexcept { impl_->close(); }

bool UdpTransport::is_open() const noexcept { return !impl_->closed; }

const core::Endpoint& UdpTransport::local_endpoint() const noexcept { return impl_->local; }

bool UdpTransport::fell_back() const noexcept { return impl_->fell_back; }

UdpStats UdpTransport::stats() const noexcept { return impl_->stats; }

} // namespace swarmshare::dht
