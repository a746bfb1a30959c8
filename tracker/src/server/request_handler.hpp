#pragma once
// Turns one decoded tracker request into store calls and one reply, with the server's limits
// applied. No sockets here, so every rule of the protocol is testable without a network.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/tracker/protocol.hpp"
#include "swarmshare/tracker/server.hpp"
#include "swarmshare/tracker/store.hpp"

#include <functional>
#include <vector>

namespace swarmshare::tracker {

class RequestHandler {
public:
  /// Receives the one reply to a request. Called either before handle() returns (reads and
  /// refusals) or later from the store's writer thread, once a write is durable.
  using Respond = std::function<void(protocol::Reply)>;

  /// `store` and `clock` must outlive the handler.
  RequestHandler(Store& store, const ServerLimits& limits, std::vector<crypto::PeerId> admins,
                 const core::Clock& clock);

  /// Answers `request` from `asker`, whose connection comes from `observed`.
  void handle(protocol::Request request, const crypto::PeerId& asker,
              const core::Endpoint& observed, Respond respond);

private:
  void announce(protocol::Announce&& request, const crypto::PeerId& asker,
                const core::Endpoint& observed, Respond respond);
  [[nodiscard]] protocol::Reply get_peers(const protocol::GetPeers& request,
                                          const crypto::PeerId& asker);
  [[nodiscard]] protocol::Reply get_manifest(const protocol::GetManifest& request);
  [[nodiscard]] protocol::Reply search(const protocol::Search& request);
  [[nodiscard]] protocol::Reply stats(const protocol::GetStats& request);
  [[nodiscard]] protocol::Reply dht_peers(const protocol::GetDhtPeers& request);
  [[nodiscard]] protocol::Reply admin(const protocol::AdminDeleteFile& request,
                                      const crypto::PeerId& asker);
  [[nodiscard]] protocol::Reply admin(const protocol::AdminBanPeer& request,
                                      const crypto::PeerId& asker);
  [[nodiscard]] bool is_admin(const crypto::PeerId& peer) const noexcept;
  [[nodiscard]] TimePoint now() const { return clock_.system_now(); }

  Store& store_;
  ServerLimits limits_;
  std::vector<crypto::PeerId> admins_;
  const core::Clock& clock_;
  std::chrono::steady_clock::time_point started_;
};

/// An ErrorReply for `error` (see protocol::wire_error_for), with the default text.
[[nodiscard]] protocol::ErrorReply error_reply(protocol::RequestId id,
                                               const std::error_code& error);
[[nodiscard]] protocol::ErrorReply error_reply(protocol::RequestId id, protocol::ErrorCode code);

} // namespace swarmshare::tracker
