#pragma once
// The network interfaces LAN discovery uses, found with getifaddrs() (GetAdaptersAddresses on
// Windows, where an interface's name is the one Windows shows, e.g. "Ethernet").

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include <boost/asio/ip/address_v4.hpp>

#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace swarmshare::dht::lan {

struct Interface {
  std::string name;
  unsigned index = 0;                              ///< for IPv6 joins and sends
  std::optional<boost::asio::ip::address_v4> ipv4; ///< for IPv4 joins and sends
  bool ipv6 = false;                               ///< has some IPv6 address
};

/// The interfaces named in `names` (each must exist), or when `names` is empty every
/// interface that is up, multicast-capable and not loopback. Errors come from the system,
/// or are std::errc::no_such_device for a missing name.
[[nodiscard]] std::vector<Interface> find_interfaces(const std::vector<std::string>& names,
                                                     std::error_code& error);

} // namespace swarmshare::dht::lan
