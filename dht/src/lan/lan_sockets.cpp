#include "lan/lan_sockets.hpp"

#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/v6_only.hpp>

#ifndef _WIN32
#include <sys/socket.h>
#endif

namespace swarmshare::dht::lan {
namespace {

namespace asio = boost::asio;
#ifndef _WIN32
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
#endif

std::error_code to_std(const boost::system::error_code& error) {
  return {error.value(), std::system_category()};
}

// Multicast from the unicast socket: one hop only (the link), and looped back so other
// processes on this host hear it too. Sends never block: a datagram the kernel cannot
// take now is dropped, and the next announce makes up for it.
void configure_sender(udp::socket& socket, boost::system::error_code& error) {
  socket.set_option(asio::ip::multicast::hops(1), error);
  if (!error) {
    socket.set_option(asio::ip::multicast::enable_loopback(true), error);
  }
  if (!error) {
    socket.non_blocking(true, error);
  }
}

// Several processes on this host (each engine, and tests) bind the one discovery port. Linux
// and macOS need SO_REUSEPORT besides SO_REUSEADDR for that; on Windows SO_REUSEADDR alone
// means it (and SO_REUSEPORT does not exist).
void share_port(udp::socket& socket, boost::system::error_code& error) {
  socket.set_option(udp::socket::reuse_address(true), error);
#ifndef _WIN32
  if (!error) {
    socket.set_option(ReusePort(true), error);
  }
#endif
}

} // namespace

Family::Family(const asio::any_io_executor& executor) : group(executor), unicast(executor) {}

void Family::close() {
  boost::system::error_code ignored;
  group.close(ignored);
  unicast.close(ignored);
  open = false;
  interfaces.clear();
}

LanSource source_of(const udp::endpoint& sender) {
  const auto address = sender.address();
  if (address.is_v4()) {
    return {core::Endpoint::ipv4(address.to_v4().to_bytes(), sender.port()), 0};
  }
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    const auto v4 = asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
    return {core::Endpoint::ipv4(v4.to_bytes(), sender.port()), 0};
  }
  // Only a link-local address needs its interface to be reachable again.
  const std::uint32_t scope = v6.is_link_local() ? static_cast<std::uint32_t>(v6.scope_id()) : 0;
  return {core::Endpoint::ipv6(v6.to_bytes(), sender.port()), scope};
}

std::error_code open_ipv4(Family& v4, const LanDiscoveryOptions& options,
                          const std::vector<Interface>& interfaces) {
  boost::system::error_code error;
  v4.group.open(udp::v4(), error);
  if (!error) {
    share_port(v4.group, error);
  }
  if (!error) {
#ifdef _WIN32
    // Windows refuses to bind a multicast address; bound to any address the socket also
    // gets unicast sent to the shared port, which is parsed and dropped like any stray
    // datagram.
    v4.group.bind(udp::endpoint(asio::ip::address_v4::any(), options.port), error);
#else
    // Bound to the group address itself, not 0.0.0.0: the socket then gets the group's
    // datagrams only, not unicast sent to the shared port.
    v4.group.bind(udp::endpoint(options.ipv4_group, options.port), error);
#endif
  }
  if (error) {
    return to_std(error);
  }
  boost::system::error_code join_error = asio::error::no_such_device;
  for (const auto& interface : interfaces) {
    if (!interface.ipv4) {
      continue;
    }
    boost::system::error_code joined;
    v4.group.set_option(asio::ip::multicast::join_group(options.ipv4_group, *interface.ipv4),
                        joined);
    if (joined) {
      join_error = joined;
    } else {
      v4.interfaces.push_back(interface);
    }
  }
  if (v4.interfaces.empty()) {
    return to_std(join_error);
  }
  // One named interface with an address: bind there (tests keep to 127.0.0.1). Otherwise
  // any address, so the socket survives an address change.
  auto local = asio::ip::address_v4::any();
  if (!options.interfaces.empty() && v4.interfaces.size() == 1) {
    local = *v4.interfaces.front().ipv4;
  }
  v4.unicast.open(udp::v4(), error);
  if (!error) {
    v4.unicast.bind(udp::endpoint(local, 0), error);
  }
  if (!error) {
    configure_sender(v4.unicast, error);
  }
  return to_std(error);
}

std::error_code open_ipv6(Family& v6, const LanDiscoveryOptions& options,
                          const std::vector<Interface>& interfaces) {
  boost::system::error_code error;
  v6.group.open(udp::v6(), error);
  if (!error) {
    v6.group.set_option(asio::ip::v6_only(true), error);
  }
  if (!error) {
    share_port(v6.group, error);
  }
  if (!error) {
    // Binding a link-local group address would tie the socket to one interface.
    v6.group.bind(udp::endpoint(asio::ip::address_v6::any(), options.port), error);
  }
  if (error) {
    return to_std(error);
  }
  boost::system::error_code join_error = asio::error::no_such_device;
  for (const auto& interface : interfaces) {
    if (!interface.ipv6) {
      continue;
    }
    auto group = options.ipv6_group;
    group.scope_id(interface.index);
    boost::system::error_code joined;
    v6.group.set_option(asio::ip::multicast::join_group(group), joined);
    if (joined) {
      join_error = joined;
    } else {
      v6.interfaces.push_back(interface);
    }
  }
  if (v6.interfaces.empty()) {
    return to_std(join_error);
  }
  v6.unicast.open(udp::v6(), error);
  if (!error) {
    v6.unicast.set_option(asio::ip::v6_only(true), error);
  }
  if (!error) {
    v6.unicast.bind(udp::endpoint(asio::ip::address_v6::any(), 0), error);
  }
  if (!error) {
    configure_sender(v6.unicast, error);
  }
  return to_std(error);
}

} // namespace swarmshare::dht::lan
