#include "embedded_tracker.hpp"

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/platform/paths.hpp"

#include <iostream>

namespace swarmshare::gui {

EmbeddedTracker::EmbeddedTracker(tracker::Store store, crypto::Identity identity)
    : store_(std::move(store)), identity_(std::move(identity)),
      keys_(identity_, crypto::NetworkId::public_network(), core::real_clock()) {}

core::Result<std::unique_ptr<EmbeddedTracker>>
EmbeddedTracker::start(const std::filesystem::path& folder, const core::Endpoint& listen) {
  if (auto made = core::platform::create_private_dir(folder); !made) {
    return made.error();
  }
  auto store = tracker::Store::open(folder / "tracker.db");
  if (!store) {
    return store.error();
  }
  auto identity = crypto::load_or_create_identity(folder);
  if (!identity) {
    return identity.error();
  }
  std::unique_ptr<EmbeddedTracker> tracker(
      new EmbeddedTracker(std::move(store).value(), std::move(identity).value()));
  tracker::ServerOptions options;
  options.listen = listen;
  // A LAN group is small: two event loops are plenty and leave the cores to the transfers.
  options.io_threads = 2;
  // Several copies of the client behind one address (a second home on this computer, a
  // NAT) are normal for a group's tracker.
  options.limits.max_connections_per_address = 256;
  auto server = tracker::Server::start(tracker->store_, tracker->keys_, options, core::real_clock(),
                                       [](tracker::LogLevel level, const std::string& text) {
                                         // The operator's log of a standalone tracker: here only
                                         // what needs attention, on stderr.
                                         if (level >= tracker::LogLevel::warning) {
                                           std::cerr << "tracker: " << text << "\n";
                                         }
                                       });
  if (!server) {
    return server.error();
  }
  tracker->server_ = std::move(server).value();
  return tracker;
}

EmbeddedTracker::~EmbeddedTracker() {
  if (server_) {
    server_->stop();
  }
}

const core::Endpoint& EmbeddedTracker::local_endpoint() const noexcept {
  return server_->local_endpoint();
}

std::string EmbeddedTracker::peer_id() const { return identity_.peer_id().to_string(); }

} // namespace swarmshare::gui
