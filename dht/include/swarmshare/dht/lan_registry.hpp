#pragma once
// LAN discovery as a registry: every peer heard on the local network is offered as a
// source for every download ("every download asks each known LAN peer directly"). The
// multicast datagrams say who is there, never what they share, so a LAN peer is a
// candidate: the download dials it, the secure channel proves its Peer ID, and a peer that
// does not share the file says so in the hello exchange (not_sharing) and is not asked
// again. The manifest, too, comes from such a peer over the channel.

#include "swarmshare/core/registry.hpp"
#include "swarmshare/dht/lan_discovery.hpp"

namespace swarmshare::dht {

class LanRegistry final : public core::Registry {
public:
  /// `discovery` must outlive the registry; both live on the same executor.
  explicit LanRegistry(const LanDiscovery& discovery) noexcept : discovery_(discovery) {}

  [[nodiscard]] core::SourceOrigin origin() const noexcept override {
    return core::SourceOrigin::lan;
  }
  /// Nothing to send: LAN discovery already tells the link we are here.
  [[nodiscard]] Awaitable<core::Status> announce(core::ShareAnnouncement share) override;
  [[nodiscard]] Awaitable<core::Status> unannounce(core::FileId file_id) override;
  /// Every LAN peer we can dial (IPv4, or IPv6 that needs no interface scope), most
  /// recently heard first, at most `limit`.
  [[nodiscard]] Awaitable<core::Result<std::vector<core::PeerSource>>>
  find_peers(core::FileId file_id, std::uint32_t limit) override;
  /// LAN discovery holds no manifests (core::Errc::file_not_found): the download asks the
  /// peers themselves.
  [[nodiscard]] Awaitable<core::Result<core::Manifest>>
  find_manifest(core::FileId file_id) override;
  /// No catalogue yet: no hits.
  [[nodiscard]] Awaitable<core::Result<std::vector<core::SearchHit>>>
  search(std::string text, std::uint32_t limit) override;

  /// The sources find_peers gives, now (for tests and the engine's own use).
  [[nodiscard]] std::vector<core::PeerSource> sources(std::uint32_t limit) const;

private:
  const LanDiscovery& discovery_;
};

} // namespace swarmshare::dht
