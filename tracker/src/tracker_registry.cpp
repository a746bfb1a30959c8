#include "swarmshare/tracker/tracker_registry.hpp"

#include "swarmshare/tracker/error.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace swarmshare::tracker {
namespace {

namespace asio = boost::asio;

[[nodiscard]] std::chrono::system_clock::time_point from_unix(std::uint64_t seconds) {
  return std::chrono::system_clock::time_point{std::chrono::seconds{seconds}};
}

} // namespace

// Boost 1.74 has no channels: a waiter is a timer that the announce callback cancels once
// it has stored the outcome. The timer running out means the client never reported.
struct TrackerRegistry::Waiter {
  explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  std::optional<std::error_code> outcome;
};

TrackerRegistry::TrackerRegistry(Client& client, std::uint16_t dht_port,
                                 std::chrono::milliseconds first_announce_timeout)
    : client_(client), dht_port_(dht_port), first_announce_timeout_(first_announce_timeout) {
  client_.set_announce_callback([this](const core::FileId& file_id, std::error_code error) {
    on_announce_attempt(file_id, error);
  });
}

TrackerRegistry::~TrackerRegistry() {
  client_.set_announce_callback({});
  for (auto& [file_id, waiters] : waiting_) {
    for (auto& waiter : waiters) {
      waiter->outcome = make_error_code(Errc::tracker_client_stopped);
      waiter->timer.cancel();
    }
  }
}

void TrackerRegistry::on_announce_attempt(const core::FileId& file_id, std::error_code error) {
  const auto found = waiting_.find(file_id);
  if (found == waiting_.end()) {
    return; // a refresh, or an announce nobody waits for
  }
  for (auto& waiter : found->second) {
    waiter->outcome = error;
    waiter->timer.cancel();
  }
  waiting_.erase(found);
}

core::Registry::Awaitable<core::Status> TrackerRegistry::announce(core::ShareAnnouncement share) {
  if (share.manifest == nullptr) {
    co_return make_error_code(core::Errc::manifest_malformed);
  }
  protocol::Announce request;
  request.file_id = share.manifest->file_id();
  // Sent with the first announce so the tracker never has to ask for it (manifest_required).
  request.manifest = share.manifest->encoded();
  request.port = share.port;
  request.endpoints = std::move(share.endpoints);
  request.unlisted = !share.listed;
  request.dht_port = dht_port_;

  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_after(first_announce_timeout_);
  waiting_[request.file_id].push_back(waiter);
  const core::FileId file_id = request.file_id;
  client_.keep_announced(std::move(request));

  if (!waiter->outcome) { // the client may have reported before we got to wait
    boost::system::error_code ignored;
    co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (!waiter->outcome) {
    // Still waiting: forget this waiter (the client keeps trying in the background).
    auto& waiters = waiting_[file_id];
    waiters.erase(std::remove(waiters.begin(), waiters.end(), waiter), waiters.end());
    if (waiters.empty()) {
      waiting_.erase(file_id);
    }
    co_return make_error_code(Errc::tracker_timed_out);
  }
  if (*waiter->outcome) {
    co_return *waiter->outcome;
  }
  co_return boost::outcome_v2::success();
}

core::Registry::Awaitable<core::Status> TrackerRegistry::unannounce(core::FileId file_id) {
  client_.stop_announcing(file_id);
  co_return co_await client_.unannounce(file_id);
}

core::Registry::Awaitable<core::Result<std::vector<core::PeerSource>>>
TrackerRegistry::find_peers(core::FileId file_id, std::uint32_t limit) {
  auto entries = co_await client_.get_peers(file_id, limit);
  if (!entries) {
    co_return entries.error();
  }
  std::vector<core::PeerSource> sources;
  sources.reserve(entries.value().size());
  for (auto& entry : entries.value()) {
    core::PeerSource source;
    source.peer.bytes = entry.peer_id.bytes();
    source.endpoints = std::move(entry.endpoints);
    source.origin = core::SourceOrigin::tracker;
    source.last_seen = from_unix(entry.last_seen);
    sources.push_back(std::move(source));
  }
  co_return sources;
}

core::Registry::Awaitable<core::Result<core::Manifest>>
TrackerRegistry::find_manifest(core::FileId file_id) {
  co_return co_await client_.get_manifest(file_id);
}

core::Registry::Awaitable<core::Result<std::vector<core::SearchHit>>>
TrackerRegistry::search(std::string text, std::uint32_t limit) {
  auto reply = co_await client_.search(std::move(text), limit);
  if (!reply) {
    co_return reply.error();
  }
  std::vector<core::SearchHit> hits;
  hits.reserve(reply.value().hits.size());
  for (auto& hit : reply.value().hits) {
    core::SearchHit converted;
    converted.file_id = hit.file_id;
    converted.name = std::move(hit.name);
    converted.size = hit.size;
    converted.seeders = hit.live_seeders;
    converted.first_seen = from_unix(hit.first_seen);
    converted.origin = core::SourceOrigin::tracker;
    hits.push_back(std::move(converted));
  }
  co_return hits;
}

} // namespace swarmshare::tracker
