#pragma once
// LAN discovery: peers on one link find each other with no tracker, by UDP multicast.
//
// Each family (IPv4 always, IPv6 where it can be set up) has two sockets:
//  - the group socket, bound to the group's port with SO_REUSEADDR and SO_REUSEPORT so every
//    process on the host hears the group; it only receives hellos and announces;
//  - a unicast socket on an ephemeral port. Our hellos and announces are sent from it, so a
//    hello's source port names this one process, and the unicast reply to the hello reaches
//    it (a reply to the shared group port would land in whichever process the kernel picks).
// A hello is sent at start and answered at once by every peer that hears it; announces
// follow every interval; peers silent for `missed_intervals` intervals expire.
//
// Everything runs on the given executor with no thread of its own. Call start(), stop(),
// snapshot() and the destructor on that executor's thread (or while it is not running);
// the listener is called there too.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/lan_peers.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace swarmshare::dht {

/// 239.255.0.0/16 is IPv4's administratively scoped "local" range; 239.255.83.87 ("SW")
/// stays clear of SSDP (239.255.255.250) and SLP (239.255.255.253).
inline constexpr std::array<std::uint8_t, 4> kDefaultLanIpv4Group{239, 255, 83, 87};
/// Link-local scope (ff02::); the group ID 0x83575348 ("SWSH" with the top bit set) lies in
/// RFC 3307's dynamically allocated range, away from IANA's permanent ff02::1, ::fb, ::c...
inline constexpr std::array<std::uint8_t, 16> kDefaultLanIpv6Group{
    0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x83, 0x57, 0x53, 0x48};
/// Not in IANA's registry nor used by SSDP (1900), mDNS (5353), BitTorrent LSD (6771) or
/// Syncthing (21027).
inline constexpr std::uint16_t kDefaultLanPort = 27183;

struct LanDiscoveryOptions {
  /// Never start (the CLI's --no-lan): start() succeeds and does nothing.
  bool disabled = false;
  std::string network{kDefaultLanNetwork};
  boost::asio::ip::address_v4 ipv4_group{kDefaultLanIpv4Group};
  boost::asio::ip::address_v6 ipv6_group{kDefaultLanIpv6Group};
  std::uint16_t port = kDefaultLanPort;
  bool ipv4 = true;
  bool ipv6 = true;
  /// Interfaces to use, by name. Empty: every interface that is up, multicast-capable and
  /// not loopback, as found at start(). Naming one (tests name "lo") uses it whatever its
  /// flags.
  std::vector<std::string> interfaces;
  std::chrono::milliseconds announce_interval{std::chrono::seconds{30}};
  /// A peer silent for this many intervals has gone.
  unsigned missed_intervals = 3;
  LanReplyLimits reply_limits;
  std::size_t max_peers = 1024;
};

/// What start() achieved, for logs and the UI.
struct LanDiscoveryStatus {
  bool running = false;
  bool ipv4 = false; ///< IPv4 sockets open and the group joined on at least one interface
  bool ipv6 = false;
  std::vector<std::string> interfaces; ///< the interfaces in use
  std::error_code ipv4_error;          ///< why IPv4 is off, if it is
  std::error_code ipv6_error;          ///< why IPv6 is off, if it is (never stops IPv4)
};

class LanDiscovery {
public:
  /// `peer_port`: our TCP peer listener (must not be 0); `dht_port`: our DHT UDP port, 0
  /// when there is none.
  LanDiscovery(boost::asio::any_io_executor executor, const crypto::PeerId& self,
               std::uint16_t peer_port, std::uint16_t dht_port, const core::Clock& clock,
               LanDiscoveryOptions options);
  LanDiscovery(const LanDiscovery&) = delete;
  LanDiscovery& operator=(const LanDiscovery&) = delete;
  LanDiscovery(LanDiscovery&&) = delete;
  LanDiscovery& operator=(LanDiscovery&&) = delete;
  ~LanDiscovery();

  /// Called on appearance, change and expiry of a LAN peer. Set before start(). It must not
  /// call back into this object other than snapshot().
  void set_listener(LanPeerListener listener);

  /// Opens the sockets, joins the groups, sends the hello. Succeeds if either family works
  /// (or when disabled); otherwise the IPv4 error. A second call does nothing.
  [[nodiscard]] core::Status start();
  /// Closes the sockets, cancels the timer, forgets the peers (without events).
  void stop();

  [[nodiscard]] LanDiscoveryStatus status() const;
  /// The LAN peers seen, for the UI.
  [[nodiscard]] std::vector<LanPeer> snapshot() const;
  /// The ephemeral ports of our unicast sockets (0 when closed), for tests and logs.
  [[nodiscard]] std::uint16_t ipv4_unicast_port() const;
  [[nodiscard]] std::uint16_t ipv6_unicast_port() const;

private:
  struct Impl;
  std::shared_ptr<Impl> impl_; // shared with the running coroutines, which outlive stop()
};

} // namespace swarmshare::dht
