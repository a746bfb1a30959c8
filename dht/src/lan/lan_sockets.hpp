#pragma once
// LAN discovery's sockets: one pair per address family (see lan_discovery.hpp), opened and
// joined here, used by lan_discovery.cpp.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "lan/lan_interfaces.hpp"
#include "swarmshare/dht/lan_discovery.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <cstdint>
#include <system_error>
#include <vector>

namespace swarmshare::dht::lan {

using boost::asio::ip::udp;

struct Family {
  explicit Family(const boost::asio::any_io_executor& executor);

  udp::socket group;   ///< bound to the group's port, shared; hears hellos and announces
  udp::socket unicast; ///< ephemeral port, ours alone; sends to the group, hears replies
  bool open = false;
  std::vector<Interface> interfaces; ///< those the group was joined on
  // One byte over the cap, so an oversize datagram shows as such instead of being cut.
  std::array<std::uint8_t, kMaxLanMessageBytes + 1> group_buffer{};
  std::array<std::uint8_t, kMaxLanMessageBytes + 1> unicast_buffer{};

  void close();
};

/// Opens and joins the IPv4 pair on those of `interfaces` that have an IPv4 address.
[[nodiscard]] std::error_code open_ipv4(Family& v4, const LanDiscoveryOptions& options,
                                        const std::vector<Interface>& interfaces);
/// The same for IPv6 on those that have IPv6.
[[nodiscard]] std::error_code open_ipv6(Family& v6, const LanDiscoveryOptions& options,
                                        const std::vector<Interface>& interfaces);

/// A datagram's source as the table keeps it (IPv4-mapped addresses back to IPv4).
[[nodiscard]] LanSource source_of(const udp::endpoint& sender);

} // namespace swarmshare::dht::lan
