#pragma once
// A peer's reachable address: IPv4 or IPv6 and a port, the same in storage, on the wire and
// in the UI. IPv4 is kept as an IPv4-mapped IPv6 address internally, so both families
// share one representation; on the wire each keeps its own length (4 or 16 bytes).

#include "swarmshare/core/error.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace swarmshare::core {

class Endpoint {
public:
  using Bytes16 = std::array<std::uint8_t, 16>;

  Endpoint() = default;
  [[nodiscard]] static Endpoint ipv4(const std::array<std::uint8_t, 4>& address,
                                     std::uint16_t port) noexcept;
  [[nodiscard]] static Endpoint ipv6(const Bytes16& address, std::uint16_t port) noexcept;
  /// From the wire: 4 or 16 address bytes. Anything else is Errc::invalid_endpoint.
  [[nodiscard]] static Result<Endpoint> from_bytes(std::span<const std::uint8_t> address,
                                                   std::uint16_t port);
  /// "192.0.2.7:7070" or "[2001:db8::1]:7070". Port 0 is invalid.
  [[nodiscard]] static Result<Endpoint> parse(std::string_view text);

  /// The same address with another port, family kept. Port 0 is for binding only ("any
  /// free port"): never put it on the wire.
  [[nodiscard]] Endpoint with_port(std::uint16_t port) const noexcept {
    Endpoint copy = *this;
    copy.port_ = port;
    return copy;
  }

  [[nodiscard]] bool is_v4() const noexcept;
  /// The address as it goes on the wire: 4 bytes for IPv4, 16 for IPv6.
  [[nodiscard]] std::span<const std::uint8_t> address_bytes() const noexcept;
  [[nodiscard]] const Bytes16& mapped_address() const noexcept { return address_; }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// The same forms parse() accepts (IPv6 compressed per RFC 5952).
  [[nodiscard]] std::string to_string() const;

  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;

private:
  Bytes16 address_{};
  std::uint16_t port_ = 0;
};

} // namespace swarmshare::core
