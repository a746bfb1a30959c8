#include "swarmshare/core/fallback_registry.hpp"

#include <algorithm>

namespace swarmshare::core {

Registry::Awaitable<Status> FallbackRegistry::announce(ShareAnnouncement share) {
  auto first = co_await primary_.announce(share);
  auto second = co_await fallback_.announce(std::move(share));
  co_return !first ? first : second;
}

Registry::Awaitable<Status> FallbackRegistry::unannounce(FileId file_id) {
  auto first = co_await primary_.unannounce(file_id);
  auto second = co_await fallback_.unannounce(file_id);
  co_return !first ? first : second;
}

Registry::Awaitable<Result<std::vector<PeerSource>>>
FallbackRegistry::find_peers(FileId file_id, std::uint32_t limit) {
  auto first = co_await primary_.find_peers(file_id, limit);
  if (first && first.value().size() >= std::min(options_.enough_peers, limit)) {
    co_return first;
  }
  auto second = co_await fallback_.find_peers(file_id, limit);
  if (!second) {
    co_return first;
  }
  if (!first) {
    co_return second;
  }
  std::vector<PeerSource> merged = std::move(first).value();
  for (auto& source : second.value()) {
    if (merged.size() >= limit) {
      break;
    }
    const bool known = std::any_of(merged.begin(), merged.end(),
                                   [&](const PeerSource& had) { return had.peer == source.peer; });
    if (!known) {
      merged.push_back(std::move(source));
    }
  }
  co_return merged;
}

Registry::Awaitable<Result<Manifest>> FallbackRegistry::find_manifest(FileId file_id) {
  auto first = co_await primary_.find_manifest(file_id);
  if (first) {
    co_return first;
  }
  auto second = co_await fallback_.find_manifest(file_id);
  co_return second ? std::move(second) : std::move(first);
}

Registry::Awaitable<Result<std::vector<SearchHit>>> FallbackRegistry::search(std::string text,
                                                                             std::uint32_t limit) {
  auto first = co_await primary_.search(text, limit);
  if (first && !first.value().empty()) {
    co_return first;
  }
  auto second = co_await fallback_.search(std::move(text), limit);
  if (!second) {
    co_return first;
  }
  co_return second;
}

} // namespace swarmshare::core
