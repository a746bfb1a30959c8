#include "swarmshare/dht/lan_discovery.hpp"

#include "lan/lan_sockets.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <optional>

namespace swarmshare::dht {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using lan::Family;

/// After a receive error other than cancellation, pause rather than spin.
constexpr std::chrono::milliseconds kReceiveErrorPause{100};

} // namespace

struct LanDiscovery::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor executor_in, const crypto::PeerId& self, std::uint16_t peer_port,
       std::uint16_t dht_port, const core::Clock& clock_in, LanDiscoveryOptions options_in)
      : executor(std::move(executor_in)), clock(clock_in), options(std::move(options_in)),
        protocol(self, peer_port, dht_port, clock_in,
                 LanProtocolOptions{options.network,
                                    std::chrono::duration_cast<LanDuration>(
                                        options.announce_interval * options.missed_intervals),
                                    options.max_peers, options.reply_limits}),
        timer(executor), v4(executor), v6(executor) {}

  // ---- Running ----

  void send_to_group(LanKind kind) {
    auto datagram = protocol.encode(kind);
    if (!datagram) {
      return;
    }
    const auto payload = asio::buffer(datagram.value());
    boost::system::error_code ignored;
    if (v4.open) {
      for (const auto& interface : v4.interfaces) {
        v4.unicast.set_option(asio::ip::multicast::outbound_interface(*interface.ipv4), ignored);
        v4.unicast.send_to(payload, udp::endpoint(options.ipv4_group, options.port), 0, ignored);
      }
    }
    if (v6.open) {
      for (const auto& interface : v6.interfaces) {
        auto group = options.ipv6_group;
        group.scope_id(interface.index);
        v6.unicast.set_option(asio::ip::multicast::outbound_interface(interface.index), ignored);
        v6.unicast.send_to(payload, udp::endpoint(group, options.port), 0, ignored);
      }
    }
  }

  void handle(Family& family, std::span<const std::uint8_t> datagram, const udp::endpoint& sender,
              LanPath path) {
    const auto verdict = protocol.receive(datagram, lan::source_of(sender), path);
    if (!verdict.reply) {
      return;
    }
    auto reply = protocol.encode(LanKind::reply);
    if (reply) {
      // To the hello's source address and port: the asker's own unicast socket.
      boost::system::error_code ignored;
      family.unicast.send_to(asio::buffer(reply.value()), sender, 0, ignored);
    }
  }

  static asio::awaitable<void> receive_loop(std::shared_ptr<Impl> self, Family& family,
                                            LanPath path, std::uint64_t run) {
    auto& socket = path == LanPath::group ? family.group : family.unicast;
    auto& buffer = path == LanPath::group ? family.group_buffer : family.unicast_buffer;
    udp::endpoint sender;
    for (;;) {
      boost::system::error_code error;
      const std::size_t size = co_await socket.async_receive_from(
          asio::buffer(buffer), sender, asio::redirect_error(asio::use_awaitable, error));
      if (run != self->run || error == asio::error::operation_aborted) {
        co_return; // stopped (and maybe started again, with new loops)
      }
      if (error) {
        asio::steady_timer pause(self->executor, kReceiveErrorPause);
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
        if (run != self->run) {
          co_return;
        }
        continue;
      }
      self->handle(family, std::span<const std::uint8_t>(buffer.data(), size), sender, path);
    }
  }

  static asio::awaitable<void> timer_loop(std::shared_ptr<Impl> self, std::uint64_t run) {
    const auto interval = std::chrono::duration_cast<LanDuration>(self->options.announce_interval);
    auto next_announce = self->clock.steady_now() + interval;
    for (;;) {
      auto wake = next_announce;
      if (const auto expiry = self->protocol.table().next_expiry()) {
        wake = std::min(wake, *expiry);
      }
      // At least a millisecond: a clock that does not move must not make this spin.
      const auto wait =
          std::max<LanDuration>(wake - self->clock.steady_now(), std::chrono::milliseconds{1});
      self->timer.expires_after(wait);
      boost::system::error_code error;
      co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
      if (run != self->run || error == asio::error::operation_aborted) {
        co_return;
      }
      self->protocol.table().expire();
      const auto now = self->clock.steady_now();
      if (now >= next_announce) {
        self->send_to_group(LanKind::announce);
        next_announce += interval;
        if (next_announce <= now) { // we were held up for over an interval: do not catch up
          next_announce = now + interval;
        }
      }
    }
  }

  core::Status start() {
    if (options.disabled || running) {
      return core::Status{boost::outcome_v2::success()};
    }
    if (options.announce_interval.count() <= 0 || options.missed_intervals == 0) {
      return std::make_error_code(std::errc::invalid_argument);
    }
    if (!protocol.encode(LanKind::hello)) {
      return std::make_error_code(std::errc::invalid_argument); // bad network ID or port 0
    }
    status = LanDiscoveryStatus{};
    std::error_code error;
    const auto interfaces = lan::find_interfaces(options.interfaces, error);
    if (error) {
      return error;
    }
    if (options.ipv4) {
      status.ipv4_error = lan::open_ipv4(v4, options, interfaces);
      v4.open = !status.ipv4_error;
      if (!v4.open) {
        v4.close();
      }
    } else {
      status.ipv4_error = std::make_error_code(std::errc::operation_not_supported);
    }
    // IPv6 is a bonus: its failure (no IPv6, no route for ff02::) leaves IPv4 running.
    if (options.ipv6) {
      status.ipv6_error = lan::open_ipv6(v6, options, interfaces);
      v6.open = !status.ipv6_error;
      if (!v6.open) {
        v6.close();
      }
    } else {
      status.ipv6_error = std::make_error_code(std::errc::operation_not_supported);
    }
    if (!v4.open && !v6.open) {
      return options.ipv4 ? status.ipv4_error : status.ipv6_error;
    }
    status.running = running = true;
    status.ipv4 = v4.open;
    status.ipv6 = v6.open;
    for (const auto* family : {&v4, &v6}) {
      for (const auto& interface : family->interfaces) {
        if (std::find(status.interfaces.begin(), status.interfaces.end(), interface.name) ==
            status.interfaces.end()) {
          status.interfaces.push_back(interface.name);
        }
      }
    }
    ++run;
    auto self = shared_from_this();
    for (auto* family : {&v4, &v6}) {
      if (family->open) {
        asio::co_spawn(executor, receive_loop(self, *family, LanPath::group, run), asio::detached);
        asio::co_spawn(executor, receive_loop(self, *family, LanPath::unicast, run),
                       asio::detached);
      }
    }
    asio::co_spawn(executor, timer_loop(self, run), asio::detached);
    send_to_group(LanKind::hello);
    return core::Status{boost::outcome_v2::success()};
  }

  void stop() {
    if (!running) {
      return;
    }
    running = false;
    ++run; // loops of this run end when they next wake, whatever woke them
    v4.close();
    v6.close();
    timer.cancel();
    protocol.table().clear();
    status.running = status.ipv4 = status.ipv6 = false;
  }

  asio::any_io_executor executor;
  const core::Clock& clock;
  LanDiscoveryOptions options;
  LanProtocol protocol;
  asio::steady_timer timer;
  Family v4;
  Family v6;
  LanDiscoveryStatus status;
  bool running = false;
  std::uint64_t run = 0; // which start() the running loops belong to
};

LanDiscovery::LanDiscovery(boost::asio::any_io_executor executor, const crypto::PeerId& self,
                           std::uint16_t peer_port, std::uint16_t dht_port,
                           const core::Clock& clock, LanDiscoveryOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), self, peer_port, dht_port, clock,
                                   std::move(options))) {}

LanDiscovery::~LanDiscovery() {
  stop();
  // The loops still hold the state until they see the cancellation; no events after this.
  impl_->protocol.table().set_listener(nullptr);
}

void LanDiscovery::set_listener(LanPeerListener listener) {
  impl_->protocol.table().set_listener(std::move(listener));
}

core::Status LanDiscovery::start() { return impl_->start(); }

void LanDiscovery::stop() { impl_->stop(); }

LanDiscoveryStatus LanDiscovery::status() const { return impl_->status; }

std::vector<LanPeer> LanDiscovery::snapshot() const { return impl_->protocol.table().snapshot(); }

namespace {
std::uint16_t local_port(const udp::socket& socket) {
  boost::system::error_code error;
  const auto endpoint = socket.local_endpoint(error);
  return error ? 0 : endpoint.port();
}
} // namespace

std::uint16_t LanDiscovery::ipv4_unicast_port() const { return local_port(impl_->v4.unicast); }

std::uint16_t LanDiscovery::ipv6_unicast_port() const { return local_port(impl_->v6.unicast); }

} // namespace swarmshare::dht
