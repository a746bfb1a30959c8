#pragma once
// The real world a DHT node runs in: a Transport on one Boost.Asio UDP socket.
//
// Binding: an IPv4 address (0.0.0.0, 127.0.0.1...) gives an IPv4-only socket; an IPv6
// address gives an IPv6 socket, and [::] with ipv6_only off (the default) also takes IPv4
// (IPv4 peers then show as ::ffff:a.b.c.d, which this class turns back into IPv4 both
// ways). So a node that wants both families binds [::] and needs one socket, not two. An
// IPv4-only socket drops datagrams for IPv6 destinations (counted as unsendable).
//
// Threads: everything runs on the given executor, with no thread of its own. Call send(),
// close(), stats() and the destructor on that executor's thread (or while it is not
// running); the sink is called there too, and it may call send() or close() or even
// destroy the transport from inside on_datagram().

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/dht/transport.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace swarmshare::dht {

/// The DHT's UDP port unless configured: next to the tracker's TCP 7070 (tracker-server's
/// default listen address) so a firewall rule can name both, and clear of LAN discovery's
/// UDP 27183 and of BitTorrent's DHT (6881). When it is taken (a second client on the
/// host), UdpOptions::fall_back_when_taken binds any free port instead.
inline constexpr std::uint16_t kDefaultDhtPort = 7071;

struct UdpOptions {
  /// When the requested port is in use, bind port 0 (any free port) rather than fail;
  /// local_endpoint() and fell_back() then tell what happened, for the caller to print.
  bool fall_back_when_taken = true;
  /// For an IPv6 bind address: refuse IPv4 (true) or take both families (false).
  bool ipv6_only = false;
  /// Datagrams waiting to be handed to the kernel; more are dropped (and counted), as a
  /// full router queue would: the requester's timeout copes, memory stays bounded.
  std::size_t max_queued_sends = 512;
};

/// Counters since open(), for logs and tests.
struct UdpStats {
  std::uint64_t datagrams_received = 0; ///< handed to the sink
  std::uint64_t bytes_received = 0;
  std::uint64_t oversized_dropped = 0; ///< over kMaxReceivedDatagramBytes, never seen by the sink
  std::uint64_t receive_errors = 0;
  std::uint64_t datagrams_sent = 0; ///< taken by the kernel
  std::uint64_t bytes_sent = 0;
  std::uint64_t queue_full_dropped = 0; ///< send() with max_queued_sends waiting
  std::uint64_t unsendable_dropped = 0; ///< IPv6 destination on an IPv4 socket, or closed
  std::uint64_t send_errors = 0;        ///< the kernel refused (no route, too large...)
};

class UdpTransport final : public Transport {
public:
  /// Opens a socket bound to `bind` (port 0: any free port) and starts receiving into
  /// `sink`, which must outlive the transport (or its close()). Errors are the socket's,
  /// e.g. std::errc::address_in_use when the port is taken and fall_back_when_taken is
  /// off, std::errc::address_not_available for an address that is not ours.
  [[nodiscard]] static core::Result<std::unique_ptr<UdpTransport>>
  open(boost::asio::any_io_executor executor, const core::Endpoint& bind, DatagramSink& sink,
       UdpOptions options = {});

  UdpTransport(const UdpTransport&) = delete;
  UdpTransport& operator=(const UdpTransport&) = delete;
  UdpTransport(UdpTransport&&) = delete;
  UdpTransport& operator=(UdpTransport&&) = delete;
  /// Closes: no sink call after this, even for datagrams already received.
  ~UdpTransport() override;

  /// Queues the datagram; never blocks and never reports (see Transport).
  void send(const core::Endpoint& to, std::span<const std::uint8_t> datagram) override;

  /// Stops receiving and sending; queued datagrams are dropped. A second call does nothing.
  void close() noexcept;
  [[nodiscard]] bool is_open() const noexcept;

  /// The address and port actually bound (the real port after a port-0 or fallback bind).
  [[nodiscard]] const core::Endpoint& local_endpoint() const noexcept;
  /// Whether the requested port was taken and another one was bound instead.
  [[nodiscard]] bool fell_back() const noexcept;
  [[nodiscard]] UdpStats stats() const noexcept;

private:
  struct Impl;
  explicit UdpTransport(std::shared_ptr<Impl> impl) noexcept;
  std::shared_ptr<Impl> impl_; // shared with the receive loop and send handlers
};

} // namespace swarmshare::dht
