// The sources loop: ask the registries, remember who has the file, dial the peers not yet
// connected; and, for a download that knows only the File ID, find the manifest.

#include "download/download_impl.hpp"
#include "download/manifest_fetch.hpp"
#include "swarmshare/transfer/error.hpp"
#include "swarmshare/transfer/peer_server.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>

#include <algorithm>

namespace swarmshare::transfer {
namespace {

namespace asio = boost::asio;
using RealClock = std::chrono::steady_clock;

/// Peers asked of each registry per round: enough to fill max_peers after failures.
constexpr std::uint32_t kMinSourcesAsked = 50;
/// A dial (connect, handshake, hellos) or a manifest request that takes longer has failed.
constexpr std::chrono::milliseconds kDialTimeout{10'000};

std::string origin_text(core::SourceOrigin origin) { return std::string{core::to_string(origin)}; }

} // namespace

bool Download::Impl::is_self(const core::PeerKey& key) const noexcept {
  return key.bytes == self_id.bytes();
}

std::uint32_t Download::Impl::peers_now() const noexcept {
  return current.swarm ? current.swarm->counters().peers : 0;
}

asio::awaitable<std::vector<core::PeerSource>> Download::Impl::gather_sources() {
  auto self = shared_from_this();
  std::vector<core::PeerSource> merged;
  const auto add = [&merged](const core::PeerSource& source) {
    const auto same = std::find_if(merged.begin(), merged.end(), [&](const core::PeerSource& s) {
      return s.peer == source.peer;
    });
    if (same == merged.end()) {
      merged.push_back(source);
      return;
    }
    // The first origin stays (the caller's, then the tracker's); endpoints add up.
    for (const auto& endpoint : source.endpoints) {
      if (std::find(same->endpoints.begin(), same->endpoints.end(), endpoint) ==
          same->endpoints.end()) {
        same->endpoints.push_back(endpoint);
      }
    }
  };
  for (const auto& source : request.initial_sources) {
    add(source);
  }
  const std::uint32_t limit = std::max(kMinSourcesAsked, options.max_peers * 4);
  for (core::Registry* registry : environment.registries) {
    if (registry == nullptr || dead) {
      continue;
    }
    auto found = co_await registry->find_peers(request.file_id, limit);
    if (!found) {
      continue; // an unreachable registry is not an answer; the next round asks again
    }
    for (const auto& source : found.value()) {
      add(source);
    }
  }
  co_return merged;
}

void Download::Impl::note_sources(const std::vector<core::PeerSource>& found) {
  for (const auto& source : found) {
    if (is_self(source.peer) || source.endpoints.empty()) {
      continue;
    }
    const auto [entry, added] =
        known.try_emplace(source.peer, KnownSource{source, std::nullopt, false, false});
    if (!added) {
      entry->second.source.endpoints = source.endpoints; // the latest addresses
      continue;
    }
    notify([source](DownloadObserver& to) { to.on_source_found(source); });
  }
}

asio::awaitable<void> Download::Impl::sources_loop(std::uint64_t run) {
  auto self = shared_from_this();
  while (active(run)) {
    auto found = co_await gather_sources();
    if (!active(run)) {
      co_return;
    }
    note_sources(found);
    dial_new_sources(run);
    const auto now = RealClock::now();
    if (peers_now() > 0) {
      sourceless_since = now;
    }
    const auto deadline = sourceless_since + options.no_source_timeout;
    if (peers_now() == 0 && dialling == 0 && now >= deadline) {
      fail(make_error_code(Errc::no_sources),
           known.empty() ? "No source found for \"" + manifest->name() + "\""
                         : "None of the " + std::to_string(known.size()) + " sources of \"" +
                               manifest->name() + "\" could be reached");
      co_return;
    }
    auto wait = std::chrono::duration_cast<RealClock::duration>(options.source_interval);
    if (peers_now() == 0 && deadline > now) {
      wait = std::min(wait, deadline - now);
    }
    sources_timer.expires_after(wait);
    boost::system::error_code ignored;
    co_await sources_timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

void Download::Impl::dial_new_sources(std::uint64_t run) {
  if (!current.swarm) {
    return;
  }
  const auto now = RealClock::now();
  for (auto& [key, source] : known) {
    if (peers_now() + dialling >= options.max_peers) {
      return;
    }
    const crypto::PeerId peer{key.bytes};
    if (source.refused || source.dialling || current.swarm->is_attached(peer) ||
        current.swarm->is_banned(peer) ||
        (source.last_failure && now - *source.last_failure < options.redial_after)) {
      continue;
    }
    source.dialling = true;
    ++dialling;
    asio::co_spawn(
        environment.network,
        [self = shared_from_this(), run, peer_key = key]() { return self->dial(run, peer_key); },
        asio::detached);
  }
}

asio::awaitable<void> Download::Impl::dial(std::uint64_t run, core::PeerKey key) {
  auto self = shared_from_this();
  const core::PeerSource source = known.at(key).source;
  const crypto::PeerId peer{key.bytes};
  for (const auto& endpoint : source.endpoints) {
    auto channel =
        co_await dial_peer(environment.channel, endpoint, peer, request.file_id, kDialTimeout);
    if (!active(run)) {
      co_return; // the channel, if any, closes here
    }
    KnownSource& entry = known.at(key);
    if (channel) {
      entry.dialling = false;
      --dialling;
      if (current.swarm && !current.swarm->is_attached(peer) && !current.swarm->is_banned(peer)) {
        dialled_in.insert(peer);
        current.swarm->attach(std::move(channel).value(), endpoint);
        log("Connected to peer " + short_id(peer) + " (" + origin_text(source.origin) + ")");
      }
      co_return;
    }
    if (dial_failed(entry, endpoint, channel.error())) {
      break;
    }
  }
  KnownSource& entry = known.at(key);
  entry.dialling = false;
  --dialling;
  entry.last_failure = RealClock::now();
}

bool Download::Impl::dial_failed(KnownSource& entry, const core::Endpoint& endpoint,
                                 std::error_code error) {
  const std::string who = "peer " + short_id(crypto::PeerId{entry.source.peer.bytes});
  if (error == Errc::peer_id_mismatch) {
    entry.refused = true;
    log("Refused " + endpoint.to_string() + ": it is not " + who + " as " +
        origin_text(entry.source.origin) + " said; not trying it again");
    return true;
  }
  log("Could not connect to " + who + " at " + endpoint.to_string() + ": " + error.message());
  return error == Errc::peer_banned || error == Errc::peer_not_sharing;
}

asio::awaitable<core::Result<core::Manifest>> Download::Impl::fetch_manifest(std::uint64_t run) {
  auto self = shared_from_this();
  const core::FileId id = request.file_id;
  // On the disk strand; named, as in run(): g++ 12 and temporaries inside a co_await.
  auto search_folder = [folder = request.folder, id,
                        &disk = disk_io]() -> asio::awaitable<std::optional<core::Manifest>> {
    co_return detail::find_manifest_in_folder(folder, id, disk);
  };
  std::optional<core::Manifest> recorded =
      co_await asio::co_spawn(*disk_strand, std::move(search_folder), asio::use_awaitable);
  if (!active(run)) {
    co_return make_error_code(core::Errc::cancelled);
  }
  if (recorded) {
    log("Manifest of \"" + recorded->name() + "\" taken from its resume record");
    co_return std::move(*recorded);
  }
  const auto deadline = RealClock::now() + options.no_source_timeout;
  for (;;) {
    for (core::Registry* registry : environment.registries) {
      if (registry == nullptr) {
        continue;
      }
      auto found = co_await registry->find_manifest(id);
      if (!active(run)) {
        co_return make_error_code(core::Errc::cancelled);
      }
      // Registries check the File ID; so do we, since a wrong manifest would waste the
      // whole download.
      if (found && found.value().file_id() == id) {
        log("Manifest of \"" + found.value().name() + "\" found via " +
            origin_text(registry->origin()));
        co_return std::move(found).value();
      }
    }
    auto from_peer = co_await manifest_from_peers(run);
    if (!active(run)) {
      co_return make_error_code(core::Errc::cancelled);
    }
    if (from_peer) {
      co_return std::move(*from_peer);
    }
    const auto now = RealClock::now();
    if (now >= deadline) {
      co_return make_error_code(Errc::no_sources);
    }
    sources_timer.expires_after(std::min(
        std::chrono::duration_cast<RealClock::duration>(options.source_interval), deadline - now));
    boost::system::error_code ignored;
    co_await sources_timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (!active(run)) {
      co_return make_error_code(core::Errc::cancelled);
    }
  }
}

asio::awaitable<std::optional<core::Manifest>>
Download::Impl::manifest_from_peers(std::uint64_t run) {
  auto self = shared_from_this();
  auto found = co_await gather_sources();
  if (!active(run)) {
    co_return std::nullopt;
  }
  note_sources(found);
  std::vector<core::PeerKey> keys;
  for (const auto& [key, source] : known) {
    keys.push_back(key);
  }
  const auto now = RealClock::now();
  for (const auto& key : keys) {
    const KnownSource candidate = known.at(key);
    if (candidate.refused ||
        (candidate.last_failure && now - *candidate.last_failure < options.redial_after)) {
      continue;
    }
    const crypto::PeerId peer{key.bytes};
    for (const auto& endpoint : candidate.source.endpoints) {
      auto channel =
          co_await dial_peer(environment.channel, endpoint, peer, request.file_id, kDialTimeout);
      if (!active(run)) {
        co_return std::nullopt;
      }
      if (!channel) {
        if (dial_failed(known.at(key), endpoint, channel.error())) {
          break;
        }
        continue;
      }
      crypto::SecureChannel opened = std::move(channel).value();
      auto manifest_reply =
          co_await detail::ask_for_manifest(opened, request.file_id, kDialTimeout);
      if (!active(run)) {
        co_return std::nullopt;
      }
      if (manifest_reply) {
        log("Manifest of \"" + manifest_reply.value().name() + "\" received from peer " +
            short_id(peer));
        co_return std::move(manifest_reply).value();
      }
      log("Peer " + short_id(peer) +
          " did not send the manifest: " + manifest_reply.error().message());
      break;
    }
  }
  co_return std::nullopt;
}

} // namespace swarmshare::transfer
