#pragma once
// Where a download finds its sources, and where a share is made known: one interface, with
// one implementation per registry (the tracker, the DHT, LAN discovery). It lives in core so
// that transfer/ can ask for sources without knowing who answers, and so that the engine
// can ask several registries and label each source with where it came from.
//
// Calls are coroutines on the registry's own executor (single-threaded or a strand);
// arguments are taken by value, so a caller's temporaries need not outlive a suspension.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/manifest.hpp"

#include <boost/asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace swarmshare::core {

/// A peer's identity as registries carry it: the 32 bytes of its Ed25519 public key, which
/// is its Peer ID (crypto::PeerId converts both ways; core sits below crypto).
struct PeerKey {
  std::array<std::uint8_t, 32> bytes{};
  friend auto operator<=>(const PeerKey&, const PeerKey&) = default;
};

/// Where a source or a search hit came from, shown to the user beside it.
enum class SourceOrigin : std::uint8_t {
  tracker = 1,
  dht,
  lan,
  share_link, ///< endpoints carried by a share link the user opened
};

/// "tracker", "DHT", "LAN", "link".
[[nodiscard]] std::string_view to_string(SourceOrigin origin) noexcept;

/// A peer that has (or had, at last_seen) the file, and how to reach it. The dialler must
/// insist that the peer proves `peer`: an address alone is never trusted.
struct PeerSource {
  PeerKey peer;
  std::vector<Endpoint> endpoints; ///< at least one
  SourceOrigin origin = SourceOrigin::tracker;
  std::chrono::system_clock::time_point last_seen{};
  friend bool operator==(const PeerSource&, const PeerSource&) = default;
};

/// What a sharer tells the registries.
struct ShareAnnouncement {
  std::shared_ptr<const Manifest> manifest; ///< never null
  bool listed = true;                       ///< false: reachable by File ID, never shown by search
  std::uint16_t port = 0;          ///< the peer port; the registry adds the address it observes
  std::vector<Endpoint> endpoints; ///< explicit endpoints instead of observed address + port
};

struct SearchHit {
  FileId file_id;
  std::string name; ///< as in the manifest; sanitize before using it as a file name
  std::uint64_t size = 0;
  std::uint32_t seeders = 0; ///< live, as far as this registry knows
  std::chrono::system_clock::time_point first_seen{};
  SourceOrigin origin = SourceOrigin::tracker;
  friend bool operator==(const SearchHit&, const SearchHit&) = default;
};

class Registry {
public:
  template <class T>
  using Awaitable = boost::asio::awaitable<T>;

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  Registry(Registry&&) = delete;
  Registry& operator=(Registry&&) = delete;
  virtual ~Registry() = default;

  [[nodiscard]] virtual SourceOrigin origin() const noexcept = 0;

  /// Announces the share and keeps it announced (refreshed as the registry needs) until
  /// unannounce. Completes once the first announce was answered or failed; keeping goes on
  /// after a failure (the registry retries).
  [[nodiscard]] virtual Awaitable<Status> announce(ShareAnnouncement share) = 0;
  /// Stops keeping the share and withdraws it.
  [[nodiscard]] virtual Awaitable<Status> unannounce(FileId file_id) = 0;
  /// Up to `limit` peers for the file, never ourselves.
  [[nodiscard]] virtual Awaitable<Result<std::vector<PeerSource>>>
  find_peers(FileId file_id, std::uint32_t limit) = 0;
  /// The file's manifest, already checked to hash to `file_id`.
  [[nodiscard]] virtual Awaitable<Result<Manifest>> find_manifest(FileId file_id) = 0;
  /// Files whose names hold the words of `text`, or whose File ID starts with it.
  [[nodiscard]] virtual Awaitable<Result<std::vector<SearchHit>>> search(std::string text,
                                                                         std::uint32_t limit) = 0;
};

} // namespace swarmshare::core
