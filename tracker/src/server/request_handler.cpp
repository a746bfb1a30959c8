#include "server/request_handler.hpp"

#include "swarmshare/crypto/certificate.hpp" // to_unix_seconds

#include <algorithm>
#include <type_traits>
#include <utility>

namespace swarmshare::tracker {
namespace {

namespace wire = protocol;

[[nodiscard]] std::vector<wire::PeerEntry> to_wire(std::vector<PeerEntry>&& entries) {
  std::vector<wire::PeerEntry> peers;
  peers.reserve(entries.size());
  for (auto& entry : entries) {
    peers.push_back(wire::PeerEntry{entry.peer, std::move(entry.endpoints),
                                    crypto::to_unix_seconds(entry.last_seen)});
  }
  return peers;
}

} // namespace

wire::ErrorReply error_reply(wire::RequestId id, wire::ErrorCode code) {
  return wire::ErrorReply{id, code, std::string{wire::default_error_text(code)}};
}

wire::ErrorReply error_reply(wire::RequestId id, const std::error_code& error) {
  return error_reply(id, wire::wire_error_for(error));
}

RequestHandler::RequestHandler(Store& store, const ServerLimits& limits,
                               std::vector<crypto::PeerId> admins, const core::Clock& clock)
    : store_(store), limits_(limits), admins_(std::move(admins)), clock_(clock),
      started_(clock.steady_now()) {}

void RequestHandler::handle(wire::Request request, const crypto::PeerId& asker,
                            const core::Endpoint& observed, Respond respond) {
  std::visit(
      // `request` is ours (taken by value): its alternatives may be moved from.
      [&](auto& typed) {
        using T = std::decay_t<decltype(typed)>;
        const auto id = typed.request_id;
        if constexpr (std::is_same_v<T, wire::Announce>) {
          announce(std::move(typed), asker, observed, std::move(respond));
        } else if constexpr (std::is_same_v<T, wire::Refresh> ||
                             std::is_same_v<T, wire::Unannounce>) {
          const auto ttl = static_cast<std::uint32_t>(store_.entry_ttl().count());
          auto done = [respond = std::move(respond), id, ttl, observed](core::Status status) {
            if (!status) {
              respond(error_reply(id, status.error()));
            } else if constexpr (std::is_same_v<T, wire::Refresh>) {
              respond(wire::AnnounceOkReply{id, ttl, observed});
            } else {
              respond(wire::OkReply{id});
            }
          };
          if constexpr (std::is_same_v<T, wire::Refresh>) {
            store_.refresh_async(asker, typed.file_id, now(), std::move(done));
          } else {
            store_.unannounce_async(asker, typed.file_id, now(), std::move(done));
          }
        } else if constexpr (std::is_same_v<T, wire::GetPeers>) {
          respond(get_peers(typed, asker));
        } else if constexpr (std::is_same_v<T, wire::GetManifest>) {
          respond(get_manifest(typed));
        } else if constexpr (std::is_same_v<T, wire::Search>) {
          respond(search(typed));
        } else if constexpr (std::is_same_v<T, wire::GetStats>) {
          respond(stats(typed));
        } else if constexpr (std::is_same_v<T, wire::GetDhtPeers>) {
          respond(dht_peers(typed));
        } else {
          respond(admin(typed, asker));
        }
      },
      request);
}

void RequestHandler::announce(wire::Announce&& request, const crypto::PeerId& asker,
                              const core::Endpoint& observed, Respond respond) {
  const auto id = request.request_id;
  if (request.manifest && request.manifest->size() > limits_.max_manifest_bytes) {
    respond(error_reply(id, wire::ErrorCode::limit_exceeded));
    return;
  }
  AnnounceRequest stored{asker, request.file_id, {}, {}, false, 0};
  if (request.manifest) {
    stored.manifest = std::move(*request.manifest);
  }
  const bool had_manifest = !stored.manifest.empty();
  if (request.endpoints.empty()) {
    // The usual case: the peer cannot know its public address, we can.
    if (request.port == 0) {
      respond(error_reply(id, wire::ErrorCode::malformed_request));
      return;
    }
    stored.endpoints.push_back(observed.with_port(request.port));
  } else {
    stored.endpoints = std::move(request.endpoints);
  }
  stored.unlisted = request.unlisted;
  stored.dht_port = request.dht_port;
  const auto ttl = static_cast<std::uint32_t>(store_.entry_ttl().count());
  store_.announce_async(
      std::move(stored), now(),
      [respond = std::move(respond), id, ttl, observed, had_manifest](core::Status status) {
        if (status) {
          respond(wire::AnnounceOkReply{id, ttl, observed});
        } else if (status.error() == Errc::unknown_file && !had_manifest) {
          // The client omitted the manifest to save bytes; it sends it when asked.
          respond(error_reply(id, wire::ErrorCode::manifest_required));
        } else {
          respond(error_reply(id, status.error()));
        }
      });
}

wire::Reply RequestHandler::get_peers(const wire::GetPeers& request, const crypto::PeerId& asker) {
  const auto limit = std::min(request.limit, limits_.max_peers_per_reply);
  auto entries = store_.get_peers(request.file_id, limit, asker, now());
  if (!entries) {
    return error_reply(request.request_id, entries.error());
  }
  return wire::PeersReply{request.request_id, to_wire(std::move(entries).value())};
}

wire::Reply RequestHandler::get_manifest(const wire::GetManifest& request) {
  auto manifest = store_.get_manifest(request.file_id);
  if (!manifest) {
    return error_reply(request.request_id, manifest.error());
  }
  return wire::ManifestReply{request.request_id, std::move(manifest).value()};
}

wire::Reply RequestHandler::search(const wire::Search& request) {
  const auto limit = std::min(request.limit, limits_.max_search_results);
  // One more than the page tells whether more follow; the exact total would cost a second
  // query per page, so `total` is exact only on the last page and a lower bound before it.
  auto hits = store_.search(request.text, std::size_t{limit} + 1, request.offset, now());
  if (!hits) {
    return error_reply(request.request_id, hits.error());
  }
  auto& found = hits.value();
  // A page past the end knows nothing of how many came before it.
  const std::uint64_t total = found.empty() ? 0 : request.offset + found.size();
  if (found.size() > limit) {
    found.resize(limit);
  }
  wire::SearchReply reply{request.request_id, total, {}};
  reply.hits.reserve(found.size());
  for (auto& hit : found) {
    reply.hits.push_back(wire::SearchHit{std::move(hit.name), hit.size, hit.file_id,
                                         hit.live_seeders,
                                         crypto::to_unix_seconds(hit.first_seen)});
  }
  return reply;
}

wire::Reply RequestHandler::stats(const wire::GetStats& request) {
  auto counted = store_.stats(now());
  if (!counted) {
    return error_reply(request.request_id, counted.error());
  }
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.steady_now() - started_);
  return wire::StatsReply{request.request_id, counted.value().files, counted.value().live_entries,
                          counted.value().live_peers,
                          static_cast<std::uint64_t>(std::max<std::int64_t>(uptime.count(), 0))};
}

wire::Reply RequestHandler::dht_peers(const wire::GetDhtPeers& request) {
  auto peers = store_.recent_dht_peers(request.limit, now());
  if (!peers) {
    return error_reply(request.request_id, peers.error());
  }
  return wire::DhtPeersReply{request.request_id, to_wire(std::move(peers).value())};
}

wire::Reply RequestHandler::admin(const wire::AdminDeleteFile& request,
                                  const crypto::PeerId& asker) {
  if (!is_admin(asker)) {
    return error_reply(request.request_id, wire::ErrorCode::not_admin);
  }
  // Blocks this connection's loop for one commit: admin requests are rare.
  if (auto deleted = store_.delete_file(request.file_id, now()); !deleted) {
    return error_reply(request.request_id, deleted.error());
  }
  return wire::OkReply{request.request_id};
}

wire::Reply RequestHandler::admin(const wire::AdminBanPeer& request, const crypto::PeerId& asker) {
  if (!is_admin(asker)) {
    return error_reply(request.request_id, wire::ErrorCode::not_admin);
  }
  if (auto banned = store_.ban_peer(request.peer_id); !banned) {
    return error_reply(request.request_id, banned.error());
  }
  return wire::OkReply{request.request_id};
}

bool RequestHandler::is_admin(const crypto::PeerId& peer) const noexcept {
  return std::find(admins_.begin(), admins_.end(), peer) != admins_.end();
}

} // namespace swarmshare::tracker
