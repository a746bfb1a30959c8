#include "swarmshare/dht/lan_registry.hpp"

#include "swarmshare/dht/records.hpp"

#include <algorithm>
#include <cctype>

namespace swarmshare::dht {

namespace {

// fe80::/10: reachable only through the interface it was heard on, which an Endpoint
// cannot carry; the peer's IPv4 address (or a routable IPv6 one) is dialled instead.
[[nodiscard]] bool needs_scope(const core::Endpoint& endpoint) noexcept {
  if (endpoint.is_v4()) {
    return false;
  }
  const auto& bytes = endpoint.mapped_address();
  return bytes[0] == 0xfe && (bytes[1] & 0xc0U) == 0x80;
}

} // namespace

std::vector<core::PeerSource> LanRegistry::sources(std::uint32_t limit) const {
  auto peers = discovery_.snapshot();
  std::sort(peers.begin(), peers.end(),
            [](const LanPeer& a, const LanPeer& b) { return a.last_seen > b.last_seen; });
  const auto now_steady = std::chrono::steady_clock::now();
  const auto now_wall = std::chrono::system_clock::now();
  std::vector<core::PeerSource> found;
  for (const auto& peer : peers) {
    if (found.size() >= limit) {
      break;
    }
    core::PeerSource source;
    source.peer.bytes = peer.peer_id.bytes();
    source.origin = core::SourceOrigin::lan;
    source.last_seen = now_wall - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                      now_steady - peer.last_seen);
    for (const auto& address : peer.addresses()) {
      if (!needs_scope(address.endpoint)) {
        source.endpoints.push_back(address.endpoint.with_port(peer.peer_port));
      }
    }
    if (!source.endpoints.empty()) {
      found.push_back(std::move(source));
    }
  }
  return found;
}

core::Registry::Awaitable<core::Status> LanRegistry::announce(core::ShareAnnouncement /*share*/) {
  co_return boost::outcome_v2::success();
}

core::Registry::Awaitable<core::Status> LanRegistry::unannounce(core::FileId /*file_id*/) {
  co_return boost::outcome_v2::success();
}

core::Registry::Awaitable<core::Result<std::vector<core::PeerSource>>>
LanRegistry::find_peers(core::FileId /*file_id*/, std::uint32_t limit) {
  co_return sources(limit);
}

core::Registry::Awaitable<core::Result<core::Manifest>>
LanRegistry::find_manifest(core::FileId /*file_id*/) {
  co_return make_error_code(core::Errc::file_not_found);
}

core::Registry::Awaitable<std::vector<LanCatalogue>> LanRegistry::list_catalogues() {
  std::vector<LanCatalogue> listings;
  if (!fetch_) {
    co_return listings;
  }
  for (const auto& source : sources(static_cast<std::uint32_t>(kMaxCataloguePeers))) {
    LanCatalogue listing;
    listing.peer = crypto::PeerId{source.peer.bytes};
    listing.endpoint = source.endpoints.front();
    auto fetched = co_await fetch_(listing.peer, listing.endpoint);
    if (fetched) {
      listing.files = std::move(fetched).value();
    } else {
      listing.error = fetched.error();
    }
    listings.push_back(std::move(listing));
  }
  co_return listings;
}

namespace {

// A File ID prefix query: 8 to 64 hex digits and nothing else.
[[nodiscard]] bool is_id_prefix(std::string_view text) noexcept {
  return text.size() >= 8 && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

[[nodiscard]] bool matches(const core::SearchHit& file, const std::vector<std::string>& words,
                           const std::string& id_prefix) {
  if (!id_prefix.empty() && file.file_id.to_hex().starts_with(id_prefix)) {
    return true;
  }
  if (words.empty()) {
    return false;
  }
  const auto name_words = split_words(file.name);
  return std::all_of(words.begin(), words.end(), [&](const std::string& word) {
    return std::find(name_words.begin(), name_words.end(), word) != name_words.end();
  });
}

} // namespace

core::Registry::Awaitable<core::Result<std::vector<core::SearchHit>>>
LanRegistry::search(std::string text, std::uint32_t limit) {
  const auto words = split_words(text);
  std::string id_prefix;
  if (is_id_prefix(text)) {
    for (const char c : text) {
      id_prefix.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  std::vector<core::SearchHit> hits;
  if (words.empty() && id_prefix.empty()) {
    co_return hits;
  }
  const auto listings = co_await list_catalogues();
  for (const auto& listing : listings) {
    for (const auto& file : listing.files) {
      if (!matches(file, words, id_prefix)) {
        continue;
      }
      const auto known = std::find_if(hits.begin(), hits.end(), [&](const core::SearchHit& hit) {
        return hit.file_id == file.file_id;
      });
      if (known != hits.end()) {
        ++known->seeders;
      } else {
        core::SearchHit hit = file;
        hit.seeders = 1;
        hit.origin = core::SourceOrigin::lan;
        hits.push_back(std::move(hit));
      }
    }
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const core::SearchHit& a, const core::SearchHit& b) {
                     return a.seeders != b.seeders ? a.seeders > b.seeders : a.name < b.name;
                   });
  if (hits.size() > limit) {
    hits.resize(limit);
  }
  co_return hits;
}

} // namespace swarmshare::dht
