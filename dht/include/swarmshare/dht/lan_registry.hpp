#pragma once
// LAN discovery as a registry: every peer heard on the local network is offered as a
// source for every download ("every download asks each known LAN peer directly"). The
// multicast datagrams say who is there, never what they share, so a LAN peer is a
// candidate: the download dials it, the secure channel proves its Peer ID, and a peer that
// does not share the file says so in the hello exchange (not_sharing) and is not asked
// again. The manifest, too, comes from such a peer over the channel.
//
// Search asks each LAN peer for its catalogue (the listed files it shares, fetched over the
// secure channel by the engine: transfer::fetch_catalogue) and matches the names here.

#include "swarmshare/core/registry.hpp"
#include "swarmshare/dht/lan_discovery.hpp"

#include <functional>
#include <system_error>

namespace swarmshare::dht {

/// Fetches the catalogue of the LAN peer `peer` at `endpoint` (its peer port): the files it
/// lists, as hits labelled LAN with 1 seeder each.
using CatalogueFetch =
    std::function<boost::asio::awaitable<core::Result<std::vector<core::SearchHit>>>(
        crypto::PeerId peer, core::Endpoint endpoint)>;

/// One LAN peer's catalogue, or why it could not be fetched.
struct LanCatalogue {
  crypto::PeerId peer{std::array<std::uint8_t, crypto::kPeerIdBytes>{}};
  core::Endpoint endpoint;
  std::error_code error; ///< empty when `files` is its whole catalogue
  std::vector<core::SearchHit> files;
};

/// LAN peers asked by one search or listing at most: a LAN party, not the internet.
inline constexpr std::size_t kMaxCataloguePeers = 64;

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
  /// Files in the LAN peers' catalogues whose names hold every word of `text` (dht::split_words
  /// rules), or whose File ID starts with it (8 or more hex digits); one hit per file, its
  /// seeders the peers that list it, most first. No catalogue fetch set: no hits.
  [[nodiscard]] Awaitable<core::Result<std::vector<core::SearchHit>>>
  search(std::string text, std::uint32_t limit) override;

  /// How search and list_catalogues fetch a peer's catalogue (the engine sets it).
  void set_catalogue_fetch(CatalogueFetch fetch) { fetch_ = std::move(fetch); }
  /// Every LAN peer's catalogue (at most kMaxCataloguePeers peers, most recently heard
  /// first), for browsing.
  [[nodiscard]] Awaitable<std::vector<LanCatalogue>> list_catalogues();

  /// The sources find_peers gives, now (for tests and the engine's own use).
  [[nodiscard]] std::vector<core::PeerSource> sources(std::uint32_t limit) const;

private:
  const LanDiscovery& discovery_;
  CatalogueFetch fetch_;
};

} // namespace swarmshare::dht
