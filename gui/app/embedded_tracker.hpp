#pragma once
// "Run a tracker on this computer": the tracker server inside the desktop client, for a LAN
// group with no tracker of its own. Its database and identity live in the home's tracker/
// folder, apart from the client's own, so the same home can later move to a standalone
// swarmshare-tracker (`--db HOME/tracker/tracker.db`). No wx here.
#include <utility> // before Boost.Asio (through the tracker's headers): std::exchange

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/tracker/server.hpp"
#include "swarmshare/tracker/store.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace swarmshare::gui {

class EmbeddedTracker {
public:
  /// Opens (or creates) the tracker's database and identity in `folder` and listens on
  /// `listen`. Errors: the folder, database or identity cannot be made, or the bind failed
  /// (std::errc::address_in_use when another program holds the port).
  [[nodiscard]] static core::Result<std::unique_ptr<EmbeddedTracker>>
  start(const std::filesystem::path& folder, const core::Endpoint& listen);

  EmbeddedTracker(const EmbeddedTracker&) = delete;
  EmbeddedTracker& operator=(const EmbeddedTracker&) = delete;
  EmbeddedTracker(EmbeddedTracker&&) = delete;
  EmbeddedTracker& operator=(EmbeddedTracker&&) = delete;
  /// Stops the server; announces it acknowledged are already durable.
  ~EmbeddedTracker();

  [[nodiscard]] const core::Endpoint& local_endpoint() const noexcept;
  /// The tracker's Peer ID, which the client pins when it connects to it.
  [[nodiscard]] std::string peer_id() const;

private:
  EmbeddedTracker(tracker::Store store, crypto::Identity identity);

  tracker::Store store_;
  crypto::Identity identity_;
  crypto::StaticKeyManager keys_;
  std::unique_ptr<tracker::Server> server_;
};

} // namespace swarmshare::gui
