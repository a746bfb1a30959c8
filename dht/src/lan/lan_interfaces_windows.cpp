// find_interfaces on Windows: GetAdaptersAddresses. An interface is named by its friendly
// name ("Ethernet", "Wi-Fi"), the one Windows shows the user.

#include "lan/lan_interfaces.hpp"

#include "swarmshare/core/platform/system_error.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <iphlpapi.h>

#include <algorithm>
#include <cstdint>
#include <map>

namespace swarmshare::dht::lan {
namespace {

std::string to_utf8(const wchar_t* text) {
  if (text == nullptr || *text == L'\0') {
    return {};
  }
  const int bytes = ::WideCharToMultiByte(CP_UTF8, 0, text, -1, nullptr, 0, nullptr, nullptr);
  if (bytes <= 1) {
    return {};
  }
  std::string out(static_cast<std::size_t>(bytes), '\0');
  (void)::WideCharToMultiByte(CP_UTF8, 0, text, -1, out.data(), bytes, nullptr, nullptr);
  out.resize(static_cast<std::size_t>(bytes - 1)); // without the terminating NUL
  return out;
}

} // namespace

std::vector<Interface> find_interfaces(const std::vector<std::string>& names,
                                       std::error_code& error) {
  error.clear();
  // The list's size is known only by asking; it may grow between the calls, hence a few
  // tries.
  constexpr ULONG kFirstGuess = 16 * 1024;
  constexpr int kTries = 4;
  constexpr ULONG kFlags =
      GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER;
  ULONG size = kFirstGuess;
  std::vector<std::uint8_t> buffer;
  ULONG result = ERROR_BUFFER_OVERFLOW;
  for (int attempt = 0; attempt < kTries && result == ERROR_BUFFER_OVERFLOW; ++attempt) {
    buffer.resize(size);
    result = ::GetAdaptersAddresses(AF_UNSPEC, kFlags, nullptr,
                                    reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()), &size);
  }
  if (result != NO_ERROR && result != ERROR_NO_DATA) {
    error = core::platform::windows_error(result);
    return {};
  }
  std::map<std::string, Interface> found;
  const auto* first =
      result == NO_ERROR ? reinterpret_cast<const IP_ADAPTER_ADDRESSES*>(buffer.data()) : nullptr;
  for (const auto* adapter = first; adapter != nullptr; adapter = adapter->Next) {
    const std::string name = to_utf8(adapter->FriendlyName);
    if (name.empty()) {
      continue;
    }
    const bool named = std::find(names.begin(), names.end(), name) != names.end();
    if (!names.empty() && !named) {
      continue;
    }
    // A default choice skips loopback (nobody else is there) and links that cannot carry
    // multicast (point-to-point tunnels, mostly), as on POSIX systems.
    const bool up = adapter->OperStatus == IfOperStatusUp;
    const bool multicast = (adapter->Flags & IP_ADAPTER_NO_MULTICAST) == 0;
    const bool loopback = adapter->IfType == IF_TYPE_SOFTWARE_LOOPBACK;
    if (names.empty() && (!up || !multicast || loopback)) {
      continue;
    }
    auto& entry = found[name];
    entry.name = name;
    // The index IPv6 joins and sends need; an adapter without IPv6 has only the IPv4 one.
    entry.index = adapter->Ipv6IfIndex != 0 ? adapter->Ipv6IfIndex : adapter->IfIndex;
    for (const auto* unicast = adapter->FirstUnicastAddress; unicast != nullptr;
         unicast = unicast->Next) {
      const sockaddr* address = unicast->Address.lpSockaddr;
      if (address == nullptr) {
        continue;
      }
      if (address->sa_family == AF_INET && !entry.ipv4) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(address);
        entry.ipv4 = boost::asio::ip::address_v4(ntohl(in->sin_addr.s_addr));
      } else if (address->sa_family == AF_INET6) {
        entry.ipv6 = true;
      }
    }
  }
  std::vector<Interface> interfaces;
  for (auto& [name, entry] : found) {
    if (entry.index != 0) {
      interfaces.push_back(std::move(entry));
    }
  }
  for (const auto& name : names) {
    if (found.find(name) == found.end()) {
      error = std::make_error_code(std::errc::no_such_device);
      return {};
    }
  }
  return interfaces;
}

} // namespace swarmshare::dht::lan
