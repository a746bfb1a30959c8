#pragma once
// A DHT node as others know it: who it is and where it answers.

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/node_id.hpp"

namespace swarmshare::dht {

struct NodeContact {
  crypto::PeerId peer;     ///< the sender's identity, as its messages name it
  core::Endpoint endpoint; ///< the UDP address its answers came from
  /// Always NodeId::of_peer(peer); kept beside it because every distance needs it.
  NodeId id;

  [[nodiscard]] static NodeContact of(const crypto::PeerId& peer,
                                      const core::Endpoint& endpoint) noexcept {
    return NodeContact{peer, endpoint, NodeId::of_peer(peer)};
  }
  friend bool operator==(const NodeContact&, const NodeContact&) = default;
};

} // namespace swarmshare::dht
