#include "routing/subnet.hpp"

namespace swarmshare::dht::routing {
namespace {

constexpr std::size_t kV4Offset = 12; // where the IPv4 bytes start in a v4-mapped address

[[nodiscard]] bool is_local_v4(std::uint8_t a, std::uint8_t b) noexcept {
  return a == 127                            // loopback
         || a == 10                          // private
         || (a == 172 && (b & 0xF0U) == 16)  // private 172.16/12
         || (a == 192 && b == 168)           // private
         || (a == 169 && b == 254)           // link-local
         || (a == 100 && (b & 0xC0U) == 64); // carrier-grade NAT 100.64/10
}

[[nodiscard]] bool is_local_v6(const core::Endpoint::Bytes16& address) noexcept {
  bool loopback = address[15] == 1;
  for (std::size_t i = 0; i < 15; ++i) {
    loopback = loopback && address[i] == 0;
  }
  const bool link_local = address[0] == 0xFE && (address[1] & 0xC0U) == 0x80;
  const bool unique_local = (address[0] & 0xFEU) == 0xFC;
  return loopback || link_local || unique_local;
}

} // namespace

std::optional<SubnetKey> limited_subnet(const core::Endpoint& endpoint) noexcept {
  SubnetKey key = endpoint.mapped_address();
  if (endpoint.is_v4()) {
    if (is_local_v4(key[kV4Offset], key[kV4Offset + 1])) {
      return std::nullopt;
    }
    key[15] = 0;
    return key;
  }
  if (is_local_v6(key)) {
    return std::nullopt;
  }
  for (std::size_t i = 8; i < key.size(); ++i) {
    key[i] = 0;
  }
  return key;
}

} // namespace swarmshare::dht::routing
