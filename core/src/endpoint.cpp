#include "swarmshare/core/endpoint.hpp"

#include <utility>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>

namespace swarmshare::core {
namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

} // namespace

Endpoint Endpoint::ipv4(const std::array<std::uint8_t, 4>& address, std::uint16_t port) noexcept {
  Endpoint endpoint;
  std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), endpoint.address_.begin());
  std::copy(address.begin(), address.end(), endpoint.address_.begin() + 12);
  endpoint.port_ = port;
  return endpoint;
}

Endpoint Endpoint::ipv6(const Bytes16& address, std::uint16_t port) noexcept {
  Endpoint endpoint;
  endpoint.address_ = address;
  endpoint.port_ = port;
  return endpoint;
}

Result<Endpoint> Endpoint::from_bytes(std::span<const std::uint8_t> address, std::uint16_t port) {
  if (port == 0) {
    return Errc::invalid_endpoint;
  }
  if (address.size() == 4) {
    std::array<std::uint8_t, 4> v4{};
    std::copy(address.begin(), address.end(), v4.begin());
    return ipv4(v4, port);
  }
  if (address.size() == 16) {
    Bytes16 v6{};
    std::copy(address.begin(), address.end(), v6.begin());
    return ipv6(v6, port);
  }
  return Errc::invalid_endpoint;
}

Result<Endpoint> Endpoint::parse(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == text.size()) {
    return Errc::invalid_endpoint;
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return Errc::invalid_endpoint;
  }
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code parse_error;
  const auto address = boost::asio::ip::make_address(std::string{host}, parse_error);
  // An IPv6 address must be bracketed (its colons would make the port ambiguous), an IPv4
  // one must not.
  if (parse_error || address.is_v6() != bracketed) {
    return Errc::invalid_endpoint;
  }
  const auto port16 = static_cast<std::uint16_t>(port);
  if (address.is_v4()) {
    return ipv4(address.to_v4().to_bytes(), port16);
  }
  return ipv6(address.to_v6().to_bytes(), port16);
}

bool Endpoint::is_v4() const noexcept {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address_.begin());
}

std::span<const std::uint8_t> Endpoint::address_bytes() const noexcept {
  return is_v4() ? std::span{address_}.subspan(12) : std::span{address_};
}

std::string Endpoint::to_string() const {
  if (is_v4()) {
    std::array<std::uint8_t, 4> v4{};
    std::copy(address_.begin() + 12, address_.end(), v4.begin());
    return boost::asio::ip::address_v4(v4).to_string() + ":" + std::to_string(port_);
  }
  return "[" + boost::asio::ip::address_v6(address_).to_string() + "]:" + std::to_string(port_);
}

} // namespace swarmshare::core
