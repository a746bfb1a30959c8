#pragma once
// The networks the routing table keeps diverse within a bucket (RoutingTableOptions::
// max_nodes_per_subnet).

#include "swarmshare/core/endpoint.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace swarmshare::dht::routing {

/// An endpoint's address with the host bits cleared: the IPv4 /24 (still v4-mapped, so it
/// never equals an IPv6 key) or the IPv6 /64.
using SubnetKey = std::array<std::uint8_t, 16>;

/// The subnet `endpoint` counts against, or nothing for loopback, link-local and private
/// addresses: on a LAN every node shares one /24, and that must not keep them apart.
[[nodiscard]] std::optional<SubnetKey> limited_subnet(const core::Endpoint& endpoint) noexcept;

} // namespace swarmshare::dht::routing
