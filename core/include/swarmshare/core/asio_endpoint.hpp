#pragma once
// core::Endpoint to and from Boost.Asio's TCP endpoints, for every part that opens sockets.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/endpoint.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace swarmshare::core {

[[nodiscard]] inline boost::asio::ip::tcp::endpoint to_asio(const Endpoint& endpoint) {
  const auto& mapped = endpoint.mapped_address();
  if (endpoint.is_v4()) {
    return {boost::asio::ip::address_v4({mapped[12], mapped[13], mapped[14], mapped[15]}),
            endpoint.port()};
  }
  return {boost::asio::ip::address_v6(mapped), endpoint.port()};
}

/// An IPv4 address that reached a dual-stack socket as ::ffff:a.b.c.d comes back as IPv4.
[[nodiscard]] inline Endpoint from_asio(const boost::asio::ip::tcp::endpoint& endpoint) {
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v4()) {
    return Endpoint::ipv4(address.to_v4().to_bytes(), endpoint.port());
  }
  return Endpoint::ipv6(address.to_v6().to_bytes(), endpoint.port());
}

} // namespace swarmshare::core
