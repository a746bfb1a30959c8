#pragma once
// The tracker as a core::Registry: the engine's view of tracker::Client. Sources and search
// hits are labelled SourceOrigin::tracker; shares are kept announced by the client.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/registry.hpp"
#include "swarmshare/tracker/client.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace swarmshare::tracker {

class TrackerRegistry final : public core::Registry {
public:
  /// `client` must outlive the registry and run on the executor its calls run on. The
  /// registry takes the client's announce callback for itself. `dht_port`: the UDP port of
  /// this peer's DHT node, 0 for none (see set_dht_port).
  explicit TrackerRegistry(Client& client, std::uint16_t dht_port = 0,
                           std::chrono::milliseconds first_announce_timeout = std::chrono::seconds{
                               30});
  /// Announces still waiting for their first answer complete with tracker_client_stopped.
  ~TrackerRegistry() override;
  TrackerRegistry(const TrackerRegistry&) = delete;
  TrackerRegistry& operator=(const TrackerRegistry&) = delete;
  TrackerRegistry(TrackerRegistry&&) = delete;
  TrackerRegistry& operator=(TrackerRegistry&&) = delete;

  /// For announces made after this call: the engine learns its DHT port only once the node
  /// is bound, after the registry exists. Shares already announced keep the port they were
  /// announced with until announced again.
  void set_dht_port(std::uint16_t port) noexcept { dht_port_ = port; }

  [[nodiscard]] core::SourceOrigin origin() const noexcept override {
    return core::SourceOrigin::tracker;
  }
  [[nodiscard]] Awaitable<core::Status> announce(core::ShareAnnouncement share) override;
  [[nodiscard]] Awaitable<core::Status> unannounce(core::FileId file_id) override;
  [[nodiscard]] Awaitable<core::Result<std::vector<core::PeerSource>>>
  find_peers(core::FileId file_id, std::uint32_t limit) override;
  [[nodiscard]] Awaitable<core::Result<core::Manifest>>
  find_manifest(core::FileId file_id) override;
  [[nodiscard]] Awaitable<core::Result<std::vector<core::SearchHit>>>
  search(std::string text, std::uint32_t limit) override;

private:
  struct Waiter;

  void on_announce_attempt(const core::FileId& file_id, std::error_code error);

  Client& client_;
  std::uint16_t dht_port_;
  std::chrono::milliseconds first_announce_timeout_;
  // Announces waiting for their first attempt's outcome, by file.
  std::map<core::FileId, std::vector<std::shared_ptr<Waiter>>> waiting_;
};

} // namespace swarmshare::tracker
