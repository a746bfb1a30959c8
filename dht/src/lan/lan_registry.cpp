#include "swarmshare/dht/lan_registry.hpp"

#include <algorithm>

namespace swarmshare::dht {

namespace {

// fe80::/10: reachable only through the interface it was heard on, which an Endpoint
// cannot carry; the peer's IPv4 address (or a routable IPv6 one) is dialled instead.
[[nodiscard]] bool needs_scope(const core::Endpoint& endpoint) noexcept {
  if (endpoint.is_v4()) {
    return false;
  }
  const auto& bytes = endpoint.mapped_address();
  return bytes[0] == 0xfe && (bytes[1] & 0xc0U) == 0x80;
}

} // namespace

std::vector<core::PeerSource> LanRegistry::sources(std::uint32_t limit) const {
  auto peers = discovery_.snapshot();
  std::sort(peers.begin(), peers.end(),
            [](const LanPeer& a, const LanPeer& b) { return a.last_seen > b.last_seen; });
  const auto now_steady = std::chrono::steady_clock::now();
  const auto now_wall = std::chrono::system_clock::now();
  std::vector<core::PeerSource> found;
  for (const auto& peer : peers) {
    if (found.size() >= limit) {
      break;
    }
    core::PeerSource source;
    source.peer.bytes = peer.peer_id.bytes();
    source.origin = core::SourceOrigin::lan;
    source.last_seen = now_wall - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                      now_steady - peer.last_seen);
    for (const auto& address : peer.addresses()) {
      if (!needs_scope(address.endpoint)) {
        source.endpoints.push_back(address.endpoint.with_port(peer.peer_port));
      }
    }
    if (!source.endpoints.empty()) {
      found.push_back(std::move(source));
    }
  }
  return found;
}

core::Registry::Awaitable<core::Status> LanRegistry::announce(core::ShareAnnouncement /*share*/) {
  co_return boost::outcome_v2::success();
}

core::Registry::Awaitable<core::Status> LanRegistry::unannounce(core::FileId /*file_id*/) {
  co_return boost::outcome_v2::success();
}

core::Registry::Awaitable<core::Result<std::vector<core::PeerSource>>>
LanRegistry::find_peers(core::FileId /*file_id*/, std::uint32_t limit) {
  co_return sources(limit);
}

core::Registry::Awaitable<core::Result<core::Manifest>>
LanRegistry::find_manifest(core::FileId /*file_id*/) {
  co_return make_error_code(core::Errc::file_not_found);
}

core::Registry::Awaitable<core::Result<std::vector<core::SearchHit>>>
LanRegistry::search(std::string /*text*/, std::uint32_t /*limit*/) {
  co_return std::vector<core::SearchHit>{};
}

} // namespace swarmshare::dht
