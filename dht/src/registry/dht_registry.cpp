#include "swarmshare/dht/dht_registry.hpp"

#include "registry/await_callback.hpp"
#include "swarmshare/dht/error.hpp"
#include "swarmshare/dht/keyword_index.hpp"

#include <algorithm>

namespace swarmshare::dht {

namespace {

/// A record older than this is signed again before we hand it out as our own: it still has
/// an hour to live wherever it lands.
constexpr std::chrono::seconds kResignAfter{kPeerRecordLifetime / 2};

[[nodiscard]] std::chrono::system_clock::time_point from_unix(std::uint64_t seconds) {
  return std::chrono::system_clock::time_point{
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds{static_cast<std::int64_t>(seconds)})};
}

} // namespace

DhtRegistry::DhtRegistry(Node& node, Scheduler& scheduler, const crypto::Identity& identity,
                         const crypto::NetworkId& network, const core::Clock& clock,
                         boost::asio::any_io_executor executor, DhtRegistryOptions options)
    : node_(node), scheduler_(scheduler), identity_(identity), network_(network), clock_(clock),
      executor_(std::move(executor)), options_(options) {
  next_republish_ = scheduler_.now() + options_.republish_interval;
  watch_timer_ = scheduler_.after(options_.watch_interval, [this, alive = alive_] {
    if (*alive) {
      watch();
    }
  });
}

DhtRegistry::~DhtRegistry() {
  *alive_ = false;
  scheduler_.cancel(watch_timer_);
}

void DhtRegistry::set_advertised_address(const core::Endpoint& address) {
  const bool changed = !advertised_ || *advertised_ != address.with_port(0);
  advertised_ = address.with_port(0);
  address_given_ = true;
  if (changed && !node_.routing_table().empty()) {
    republish_all();
  }
}

std::optional<PeerRecord> DhtRegistry::sign_record(const Kept& kept) const {
  std::vector<core::Endpoint> endpoints = kept.share.endpoints;
  if (endpoints.empty() && advertised_ && kept.share.port != 0) {
    endpoints.push_back(advertised_->with_port(kept.share.port));
  }
  if (endpoints.size() > kMaxPeerRecordEndpoints) {
    endpoints.resize(kMaxPeerRecordEndpoints);
  }
  if (endpoints.empty()) {
    return std::nullopt;
  }
  auto record = make_peer_record(identity_, network_, kept.share.manifest->file_id(),
                                 std::move(endpoints), clock_);
  if (!record) {
    return std::nullopt;
  }
  return std::move(record).value();
}

void DhtRegistry::publish(Kept& kept, std::function<void(core::Status)> done) {
  auto record = sign_record(kept);
  if (!record) {
    done(make_error_code(Errc::no_address));
    return;
  }
  kept.record = record;
  ++publications_;
  node_.announce(*record, [this, alive = alive_, done = std::move(done)](std::size_t stored) {
    if (!*alive) {
      return;
    }
    stored_ += stored;
    done(stored > 0 ? core::Status{boost::outcome_v2::success()}
                    : core::Status{make_error_code(Errc::not_stored)});
  });
  if (kept.share.listed && options_.publish_keywords) {
    const auto& manifest = *kept.share.manifest;
    KeywordEntry entry{manifest.file_id(), manifest.file_size(), manifest.name()};
    publish_keywords(node_, identity_, entry, record->issued, [](std::size_t) {});
  }
}

void DhtRegistry::republish_all() {
  next_republish_ = scheduler_.now() + options_.republish_interval;
  for (auto& [file_id, kept] : kept_) {
    publish(kept, [](core::Status) {});
  }
}

void DhtRegistry::watch() {
  // Until the engine names our address, the one DHT nodes report seeing is the best guess
  // (behind a NAT, the only one others can reach).
  if (!address_given_) {
    if (const auto reported = node_.reported_address();
        reported && (!advertised_ || *advertised_ != *reported)) {
      advertised_ = reported;
      if (usable_ && !kept_.empty()) {
        republish_all();
      }
    }
  }
  const bool usable_now = !node_.routing_table().empty();
  const bool joined = usable_now && !usable_;
  usable_ = usable_now;
  if (joined || (usable_now && scheduler_.now() >= next_republish_)) {
    republish_all();
  }
  watch_timer_ = scheduler_.after(options_.watch_interval, [this, alive = alive_] {
    if (*alive) {
      watch();
    }
  });
}

core::Registry::Awaitable<core::Status> DhtRegistry::announce(core::ShareAnnouncement share) {
  const auto file_id = share.manifest->file_id();
  kept_.insert_or_assign(file_id, Kept{std::move(share), std::nullopt});
  if (node_.routing_table().empty()) {
    co_return make_error_code(Errc::not_joined);
  }
  co_return co_await detail::await_callback<core::Status>(
      executor_, [this, file_id](std::function<void(core::Status)> done) {
        const auto kept = kept_.find(file_id);
        if (kept == kept_.end()) { // withdrawn meanwhile: nothing to publish
          done(boost::outcome_v2::success());
          return;
        }
        publish(kept->second, std::move(done));
      });
}

core::Registry::Awaitable<core::Status> DhtRegistry::unannounce(core::FileId file_id) {
  kept_.erase(file_id);
  co_return boost::outcome_v2::success();
}

core::Registry::Awaitable<core::Result<std::vector<core::PeerSource>>>
DhtRegistry::find_peers(core::FileId file_id, std::uint32_t limit) {
  if (node_.routing_table().empty()) {
    co_return make_error_code(Errc::not_joined);
  }
  ++lookups_;
  const LookupResult found = co_await detail::await_callback<LookupResult>(
      executor_, [this, file_id](std::function<void(LookupResult)> done) {
        node_.lookup(LookupTarget::get_peers(file_id),
                     [done = std::move(done)](const LookupResult& result) { done(result); });
      });
  if (found.closest.empty() && found.peers.empty()) {
    co_return make_error_code(Errc::timed_out);
  }
  std::vector<core::PeerSource> sources;
  for (const auto& record : found.peers) {
    if (sources.size() >= limit) {
      break;
    }
    if (record.peer == identity_.peer_id()) {
      continue;
    }
    core::PeerSource source;
    source.peer.bytes = record.peer.bytes();
    source.endpoints = record.endpoints;
    source.origin = core::SourceOrigin::dht;
    source.last_seen = from_unix(record.issued);
    sources.push_back(std::move(source));
  }
  co_return sources;
}

core::Registry::Awaitable<core::Result<core::Manifest>>
DhtRegistry::find_manifest(core::FileId /*file_id*/) {
  co_return make_error_code(core::Errc::file_not_found);
}

core::Registry::Awaitable<core::Result<std::vector<core::SearchHit>>>
DhtRegistry::search(std::string text, std::uint32_t limit) {
  if (node_.routing_table().empty()) {
    co_return make_error_code(Errc::not_joined);
  }
  ++lookups_;
  using Found = core::Result<std::vector<KeywordHit>>;
  // Captures only what has no destructor: g++ 12 destroys a temporary with one twice when it
  // sits in a co_await expression. The text stays in this frame.
  const std::string query = std::move(text);
  const Found found = co_await detail::await_callback<Found>(
      executor_, [this, query = &query, limit](std::function<void(Found)> done) {
        search_keywords(node_, *query, limit, std::move(done));
      });
  if (!found) {
    co_return found.error();
  }
  std::vector<core::SearchHit> hits;
  hits.reserve(found.value().size());
  for (const auto& hit : found.value()) {
    core::SearchHit converted;
    converted.file_id = hit.entry.file_id;
    converted.name = hit.entry.name;
    converted.size = hit.entry.size;
    converted.seeders = hit.publishers;
    converted.origin = core::SourceOrigin::dht;
    hits.push_back(std::move(converted));
  }
  co_return hits;
}

std::optional<PeerRecord> DhtRegistry::own_record(const core::FileId& file_id) {
  const auto kept = kept_.find(file_id);
  if (kept == kept_.end()) {
    return std::nullopt;
  }
  auto& record = kept->second.record;
  if (!record || from_unix(record->issued) + kResignAfter < clock_.system_now()) {
    record = sign_record(kept->second);
  }
  return record;
}

DhtRegistryStats DhtRegistry::stats() const {
  return DhtRegistryStats{kept_.size(), publications_, stored_, lookups_,
                          !node_.routing_table().empty()};
}

} // namespace swarmshare::dht
