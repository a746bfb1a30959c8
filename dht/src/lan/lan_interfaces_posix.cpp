// find_interfaces on Linux and macOS: getifaddrs.

#include "lan/lan_interfaces.hpp"

#include <algorithm>
#include <cerrno>
#include <map>

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace swarmshare::dht::lan {
namespace {

struct IfAddrs {
  ifaddrs* list = nullptr;
  IfAddrs() = default;
  IfAddrs(const IfAddrs&) = delete;
  IfAddrs& operator=(const IfAddrs&) = delete;
  IfAddrs(IfAddrs&&) = delete;
  IfAddrs& operator=(IfAddrs&&) = delete;
  ~IfAddrs() {
    if (list != nullptr) {
      ::freeifaddrs(list);
    }
  }
};

} // namespace

std::vector<Interface> find_interfaces(const std::vector<std::string>& names,
                                       std::error_code& error) {
  error.clear();
  IfAddrs addrs;
  if (::getifaddrs(&addrs.list) != 0) {
    error = std::error_code{errno, std::system_category()};
    return {};
  }
  std::map<std::string, Interface> found;
  for (const ifaddrs* item = addrs.list; item != nullptr; item = item->ifa_next) {
    if (item->ifa_name == nullptr) {
      continue;
    }
    const std::string name = item->ifa_name;
    const bool named = std::find(names.begin(), names.end(), name) != names.end();
    if (!names.empty() && !named) {
      continue;
    }
    // A default choice skips loopback (nobody else is there) and links that cannot carry
    // multicast (point-to-point tunnels, mostly).
    const auto flags = item->ifa_flags;
    if (names.empty() &&
        ((flags & IFF_UP) == 0 || (flags & IFF_MULTICAST) == 0 || (flags & IFF_LOOPBACK) != 0)) {
      continue;
    }
    auto& entry = found[name];
    entry.name = name;
    if (item->ifa_addr == nullptr) {
      continue;
    }
    if (item->ifa_addr->sa_family == AF_INET && !entry.ipv4) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(item->ifa_addr);
      entry.ipv4 = boost::asio::ip::address_v4(ntohl(in->sin_addr.s_addr));
    } else if (item->ifa_addr->sa_family == AF_INET6) {
      entry.ipv6 = true;
    }
  }
  std::vector<Interface> result;
  for (auto& [name, entry] : found) {
    entry.index = ::if_nametoindex(name.c_str());
    if (entry.index != 0) {
      result.push_back(std::move(entry));
    }
  }
  for (const auto& name : names) {
    if (found.find(name) == found.end()) {
      error = std::make_error_code(std::errc::no_such_device);
      return {};
    }
  }
  return result;
}

} // namespace swarmshare::dht::lan
