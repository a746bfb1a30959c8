#pragma once
// The tracker first, the DHT when the tracker cannot give a download enough: one registry
// made of a primary and a fallback, for the lookups of downloads and searches.
//
// find_peers asks the primary, and the fallback too when the primary failed (unreachable,
// timed out) or named fewer than `enough_peers` peers: a swarm the tracker barely knows
// may be well known in the DHT (peers whose tracker went down announced only there). The
// answers are merged, the primary's first. search and find_manifest ask the fallback
// when the primary failed or found nothing. announce and unannounce go to both (the
// DHT mirrors the tracker), though the engine announces to each registry itself to report
// each one's outcome.
//
// Sources keep the origin their registry gave them ("tracker", "DHT").

#include "swarmshare/core/registry.hpp"

namespace swarmshare::core {

struct FallbackOptions {
  /// Fewer peers than this from the primary and the fallback is asked too. A download
  /// talks to 8 peers at most by default: with under 5 it has room for more, and a lookup
  /// in the DHT costs a few dozen datagrams.
  std::uint32_t enough_peers = 5;
};

class FallbackRegistry final : public Registry {
public:
  /// Both must outlive this and run on the executor its calls run on.
  FallbackRegistry(Registry& primary, Registry& fallback, FallbackOptions options = {}) noexcept
      : primary_(primary), fallback_(fallback), options_(options) {}

  /// The primary's: the registry to name when none of the answers says better.
  [[nodiscard]] SourceOrigin origin() const noexcept override { return primary_.origin(); }
  /// Both; the primary's error when it failed (else the fallback's).
  [[nodiscard]] Awaitable<Status> announce(ShareAnnouncement share) override;
  [[nodiscard]] Awaitable<Status> unannounce(FileId file_id) override;
  /// Errors: the primary's, when both failed.
  [[nodiscard]] Awaitable<Result<std::vector<PeerSource>>> find_peers(FileId file_id,
                                                                      std::uint32_t limit) override;
  [[nodiscard]] Awaitable<Result<Manifest>> find_manifest(FileId file_id) override;
  [[nodiscard]] Awaitable<Result<std::vector<SearchHit>>> search(std::string text,
                                                                 std::uint32_t limit) override;

private:
  Registry& primary_;
  Registry& fallback_;
  FallbackOptions options_;
};

} // namespace swarmshare::core
