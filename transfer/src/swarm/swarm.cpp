#include "swarmshare/transfer/swarm.hpp"

#include "swarm/chunk_buffers.hpp"
#include "swarm/peer_link.hpp"
#include "swarmshare/crypto/secure_channel.hpp"
#include "swarmshare/transfer/error.hpp"
#include "swarmshare/transfer/piece_picker.hpp"
#include "swarmshare/transfer/seed_reveal.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace swarmshare::transfer {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

/// Block reads in flight on the disk threads for one peer: enough to keep its queue fed.
constexpr std::uint32_t kReadsInFlightPerPeer = 4;
/// Received bytes on their way to the disk at most; past it no new requests go out until
/// writes complete, so a disk slower than the network never makes memory grow.
constexpr std::uint64_t kMaxPendingWriteBytes = std::uint64_t{16} * 1024 * 1024;
/// Requests per peer in endgame (see request_more).
constexpr std::uint32_t kEndgameRequestsPerPeer = 4;
/// How often request timeouts and late endgame requests are looked for.
constexpr std::chrono::milliseconds kTickInterval{250};
/// In endgame, a request unanswered this long is duplicated to another peer.
constexpr std::chrono::milliseconds kEndgameAfter{500};
/// Requests kept out with a peer cover about this much of its measured delivery rate. More
/// fills no link faster; it only commits chunks to a slow peer's queue that a faster one
/// could have sent, and a seeder's queues would hold the same chunks for many downloaders
/// (each asks for what looks rarest, not seeing what the others asked for).
constexpr std::chrono::milliseconds kRequestQueueTime{500};
/// Requests out with a peer whose rate is not known yet, and at least: a peer starts with a
/// short pipeline that grows with its measured rate.
constexpr std::uint32_t kInitialRequestsPerPeer = 8;
constexpr std::uint32_t kMinRequestsPerPeer = 4;

// On a disk thread: the block's bytes as a data message, or why not. A file that changed
// (or is shorter than it was) stops the serving of the whole file.
[[nodiscard]] core::Result<wire::Bytes> read_and_encode(ChunkStorage& storage, std::uint64_t start,
                                                        const BlockRef& block) {
  if (auto unchanged = storage.check_unchanged(); !unchanged) {
    return unchanged.error();
  }
  std::vector<std::uint8_t> buffer(block.length);
  auto read = storage.read(start, buffer);
  if (!read) {
    return read.error();
  }
  if (read.value() != block.length) {
    return make_error_code(core::Errc::file_changed);
  }
  return wire::encode_data(block.chunk, block.offset, buffer);
}

[[nodiscard]] BlockRequest to_request(const BlockRef& block) noexcept {
  return {block.chunk, block.offset, block.length};
}
[[nodiscard]] BlockRef to_ref(const BlockRequest& block) noexcept {
  return {block.chunk, block.offset, block.length};
}

struct Outstanding {
  BlockRequest block;
  Clock::time_point sent;
};

struct Peer {
  explicit Peer(const crypto::PeerId& peer_id) : id(peer_id) {}
  /// Its link's own upload limit, when there is one. The Peer is erased only once its link
  /// has ended (detach comes from on_closed; abort_all aborts first), and an ended link
  /// never touches its limiters again.
  std::unique_ptr<RateLimiter> upload_limiter;
  std::shared_ptr<PeerLink> link;
  PeerSlot slot{};
  crypto::PeerId id;
  // Their side.
  std::optional<Bitfield> haves; ///< from their have_map, kept up to date by have
  std::uint32_t their_budget = 0;
  std::vector<Outstanding> outstanding; ///< our requests to them
  /// Bytes they delivered since the last rate sample, and the rate so far (bytes per
  /// second, smoothed; 0 until the first sample).
  std::uint64_t delivered_since_sample = 0;
  double delivery_rate = 0;
  // Our side, serving them.
  bool unchoked = false;
  std::deque<BlockRef> to_serve;
  std::uint32_t reads_in_flight = 0;
  std::vector<BlockRef> cancelled_in_flight;
  bool served_any = false;
  std::uint32_t shared_failures = 0;
};

} // namespace

struct Swarm::Impl final : PeerLink::Handler, std::enable_shared_from_this<Swarm::Impl> {
  Impl(asio::any_io_executor network_executor, asio::any_io_executor disk_executor,
       std::shared_ptr<const core::Manifest> file, std::shared_ptr<ChunkStorage> chunk_storage,
       Bitfield have_chunks, SwarmOptions swarm_options, core::Random& random_source,
       SwarmLimits swarm_limits, SwarmObserver& swarm_observer)
      : network(std::move(network_executor)), disk(std::move(disk_executor)),
        manifest(std::move(file)), storage(std::move(chunk_storage)), have(std::move(have_chunks)),
        options(swarm_options), random(random_source), limits(swarm_limits),
        clock(limits.clock != nullptr ? *limits.clock : core::real_clock()),
        observer(swarm_observer), tick_timer(network) {
    downloading = !have.all();
    if (downloading) {
      buffers = std::make_shared<detail::ChunkBuffers>(manifest->chunk_size().bytes(),
                                                       options.assembly_memory_bytes);
    }
    serving = !downloading || options.serve_while_downloading;
    if (!downloading) {
      reveal.emplace(have.chunk_count(), random);
    }
    if (downloading) {
      auto made = PiecePicker::for_manifest(*manifest, random);
      if (made) {
        picker.emplace(std::move(made).value());
        for (std::uint32_t i = 0; i < have.chunk_count(); ++i) {
          if (have.test(core::ChunkIndex{i})) {
            (void)picker->set_have(core::ChunkIndex{i});
          }
        }
      } else {
        downloading = false; // a manifest the picker refuses cannot be downloaded
      }
    }
  }

  // ---- Attaching and detaching ----

  void attach(crypto::SecureChannel channel, const core::Endpoint& remote) {
    auto link = std::make_shared<PeerLink>(std::move(channel), remote);
    // A refused link only says goodbye: it moves no data and gets no limiter of its own.
    const bool refused = stopped || banned.contains(link->peer_id());
    Peer peer(link->peer_id());
    if (!refused && options.upload_rate_per_peer != RateLimiter::kUnlimited) {
      peer.upload_limiter = std::make_unique<RateLimiter>(clock, options.upload_rate_per_peer);
    }
    link->set_limiters(limiters_for(peer));
    link->start(*this);
    if (stopped) {
      link->close(wire::GoodbyeReason::shutting_down);
      return;
    }
    if (banned.contains(link->peer_id())) {
      link->close(wire::GoodbyeReason::banned);
      return;
    }
    peer.link = link;
    peer.slot = PeerSlot{next_slot++};
    by_link[link.get()] = peer.slot;
    const auto slot = peer.slot;
    peers.emplace(slot, std::move(peer));
    if (reveal) {
      // A seed shows each downloader its share of the chunks (seed_reveal.hpp), with haves.
      reveal->add_peer(slot);
      link->send(wire::HaveMap{Bitfield::create(have.chunk_count()).value()});
    } else {
      link->send(wire::HaveMap{have});
    }
    link->send(wire::Budget{0}); // a slot is decided once we know what the peer lacks
    observer.on_peer_attached(link->peer_id());
  }

  [[nodiscard]] PeerLink::Limiters limiters_for(const Peer& peer) const noexcept {
    return PeerLink::Limiters{.global_upload = limits.upload,
                              .peer_upload = peer.upload_limiter.get(),
                              .global_download = limits.download,
                              .swarm_download = limits.swarm_download};
  }

  void set_upload_rate_per_peer(std::uint64_t bytes_per_second) {
    options.upload_rate_per_peer = bytes_per_second;
    for (auto& [slot, peer] : peers) {
      if (peer.upload_limiter) {
        // Kept even when lifted: the link may be waiting on it, and an unlimited limiter
        // costs nothing.
        peer.upload_limiter->set_rate(bytes_per_second);
      } else if (bytes_per_second != RateLimiter::kUnlimited) {
        peer.upload_limiter = std::make_unique<RateLimiter>(clock, bytes_per_second);
        peer.link->set_limiters(limiters_for(peer));
      }
    }
  }

  void detach(PeerSlot slot, std::error_code why) {
    const auto found = peers.find(slot);
    if (found == peers.end()) {
      return;
    }
    Peer& peer = found->second;
    const crypto::PeerId id = peer.id;
    const bool had_slot = peer.unchoked;
    by_link.erase(peer.link.get());
    if (picker) {
      picker->remove_peer(slot);
    }
    if (reveal) {
      reveal->remove_peer(slot);
    }
    peers.erase(found);
    observer.on_peer_detached(id, why);
    if (had_slot) {
      fill_upload_slots();
    }
    request_from_everyone(); // its blocks are back in the pool
  }

  void ban(PeerSlot slot) {
    const auto found = peers.find(slot);
    if (found == peers.end() || !banned.insert(found->second.id).second) {
      return; // gone, or banned already (its other chunks in flight fail too)
    }
    if (picker) {
      picker->ban_peer(slot);
    }
    observer.on_peer_banned(found->second.id);
    found->second.link->close(wire::GoodbyeReason::banned);
  }

  void stop(wire::GoodbyeReason reason) {
    stopped = true;
    tick_timer.cancel();
    for (auto& [slot, peer] : peers) {
      peer.link->close(reason);
    }
  }

  void abort_all() {
    stopped = true;
    tick_timer.cancel();
    for (auto& [slot, peer] : peers) {
      peer.link->abort();
    }
    peers.clear();
    by_link.clear();
  }

  // ---- PeerLink::Handler ----

  void on_message(PeerLink& link, wire::Message&& message) override {
    const auto found = by_link.find(&link);
    if (found == by_link.end()) {
      return;
    }
    Peer& peer = peers.at(found->second);
    std::visit([&](auto& typed) { handle(peer, typed); }, message);
  }

  void on_closed(PeerLink& link, std::error_code why) override {
    const auto found = by_link.find(&link);
    if (found == by_link.end()) {
      return;
    }
    // Later, not now: a link can end inside one of our own calls on it (a send that fails),
    // and that call's caller still holds the peer.
    asio::post(network, [weak = weak_from_this(), slot = found->second, why]() {
      if (auto self = weak.lock()) {
        self->detach(slot, why);
      }
    });
  }

  void on_data_sent(PeerLink& link, std::uint32_t data_bytes) override {
    const auto found = by_link.find(&link);
    if (found == by_link.end()) {
      return;
    }
    Peer& peer = peers.at(found->second);
    // Counted once written, not when queued: a queue dropped at the end was never uploaded.
    counters.uploaded += data_bytes;
    if (!peer.served_any) {
      peer.served_any = true;
      ++counters.peers_served;
    }
    pump_uploads(peer);
  }

  void protocol_error(Peer& peer) { peer.link->close(wire::GoodbyeReason::protocol_error); }

  // ---- Messages ----

  void handle(Peer& peer, const wire::Hello& /*hello*/) { protocol_error(peer); }
  void handle(Peer& peer, const wire::Goodbye& /*goodbye*/) {
    // The link answers with its own goodbye and ends; on_closed detaches the peer.
    peer.their_budget = 0;
  }
  void handle(Peer& peer, const wire::ManifestRequest& /*request*/) {
    peer.link->send(wire::ManifestReply{manifest->encoded()});
  }
  void handle(Peer& /*peer*/, const wire::ManifestReply& /*reply*/) {
    // We have the manifest already; an unasked copy is ignored.
  }

  void handle(Peer& peer, wire::HaveMap& map) {
    if (map.chunks.chunk_count() != have.chunk_count() || peer.haves) {
      protocol_error(peer);
      return;
    }
    peer.haves = std::move(map.chunks);
    if (picker) {
      if (!picker->add_peer(peer.slot, to_vector(*peer.haves))) {
        protocol_error(peer);
        return;
      }
    }
    if (reveal) {
      reveal->peer_has_map(peer.slot, *peer.haves); // shown chunks once it holds a slot
    }
    fill_upload_slots();
    request_more(peer);
  }

  void handle(Peer& peer, const wire::Have& message) {
    if (!peer.haves || !peer.haves->set(message.chunk)) {
      protocol_error(peer);
      return;
    }
    if (picker) {
      (void)picker->peer_has(peer.slot, message.chunk);
    }
    if (reveal) {
      reveal->peer_has(peer.slot, message.chunk);
      if (peer.unchoked) {
        show_more(peer);
      }
    }
    request_more(peer);
  }

  // A seed shows the peer more of its chunks once it fetched most of those shown.
  void show_more(Peer& peer) {
    for (const core::ChunkIndex chunk : reveal->top_up(peer.slot)) {
      peer.link->send(wire::Have{chunk});
    }
  }

  void handle(Peer& peer, const wire::Budget& budget) {
    peer.their_budget = budget.blocks;
    request_more(peer);
  }

  void handle(Peer& peer, const wire::Request& request) {
    const BlockRef& block = request.block;
    if (!validate_block(*manifest, block)) {
      protocol_error(peer);
      return;
    }
    if (!serving || !peer.unchoked) {
      peer.link->send(wire::Reject{block, wire::RejectReason::not_serving});
      return;
    }
    if (!have.test(block.chunk)) {
      peer.link->send(wire::Reject{block, wire::RejectReason::not_have});
      return;
    }
    if (peer.to_serve.size() + peer.reads_in_flight >= options.budget_per_peer) {
      peer.link->send(wire::Reject{block, wire::RejectReason::over_budget});
      return;
    }
    peer.to_serve.push_back(block);
    pump_uploads(peer);
  }

  void handle(Peer& peer, const wire::Cancel& cancel) {
    const auto queued = std::find(peer.to_serve.begin(), peer.to_serve.end(), cancel.block);
    if (queued != peer.to_serve.end()) {
      peer.to_serve.erase(queued);
    } else if (peer.reads_in_flight > 0) {
      peer.cancelled_in_flight.push_back(cancel.block);
    }
  }

  void handle(Peer& peer, const wire::Reject& reject) {
    const auto request = to_request(reject.block);
    if (forget_outstanding(peer, request) && picker) {
      picker->on_request_failed(peer.slot, request);
    }
    if (reject.reason != wire::RejectReason::over_budget) {
      // It will not serve us this now; asking again at once would only spin. The peer's
      // next have or budget message asks again.
      return;
    }
    request_from_everyone();
  }

  void handle(Peer& peer, wire::Data& data) {
    const BlockRef block = data.block();
    if (!validate_block(*manifest, block)) {
      protocol_error(peer);
      return;
    }
    const auto request = to_request(block);
    if (!downloading || !forget_outstanding(peer, request)) {
      counters.wasted += block.length; // cancelled, or never asked: dropped
      return;
    }
    auto arrival = picker->on_block(peer.slot, request);
    if (arrival.verdict != BlockVerdict::accepted) {
      counters.wasted += block.length;
      request_more(peer);
      return;
    }
    for (const PeerSlot other : arrival.cancel_at) {
      const auto holder = peers.find(other);
      if (holder != peers.end() && forget_outstanding(holder->second, request)) {
        holder->second.link->send(wire::Cancel{block});
      }
    }
    counters.downloaded += block.length;
    peer.delivered_since_sample += block.length;
    write_block(peer.slot, block, std::move(data.bytes), arrival.chunk_complete);
    request_more(peer);
  }

  // ---- Serving ----

  [[nodiscard]] bool lacks_something_we_have(const Peer& peer) const {
    // Asked again after every verified chunk: a complete peer (most often a seeder we
    // download from) must not cost a walk over every chunk each time.
    if (!peer.haves || peer.haves->all()) {
      return false;
    }
    for (std::uint32_t i = 0; i < have.chunk_count(); ++i) {
      if (have.test(core::ChunkIndex{i}) && !peer.haves->test(core::ChunkIndex{i})) {
        return true;
      }
    }
    return false;
  }

  void fill_upload_slots() {
    if (!serving || stopped) {
      return;
    }
    std::uint32_t used = 0;
    for (const auto& [slot, peer] : peers) {
      used += peer.unchoked ? 1U : 0U;
    }
    for (auto& [slot, peer] : peers) {
      if (used >= options.upload_slots) {
        return;
      }
      if (!peer.unchoked && !peer.link->closing() && lacks_something_we_have(peer)) {
        peer.unchoked = true;
        ++used;
        peer.link->send(wire::Budget{options.budget_per_peer});
        if (reveal) {
          reveal->set_served(peer.slot, true);
          show_more(peer);
        }
      }
    }
  }

  void pump_uploads(Peer& peer) {
    while (!peer.to_serve.empty() && peer.reads_in_flight < kReadsInFlightPerPeer &&
           peer.link->queued_bytes() < options.max_queued_bytes_per_peer && !file_changed) {
      const BlockRef block = peer.to_serve.front();
      peer.to_serve.pop_front();
      ++peer.reads_in_flight;
      read_block_for(peer.slot, block);
    }
  }

  void read_block_for(PeerSlot slot, BlockRef block) {
    const auto offset = manifest->chunk_offset(block.chunk);
    asio::post(disk, [weak = weak_from_this(), store = storage, slot, block,
                      start = offset ? offset.value() + block.offset : 0]() {
      core::Result<wire::Bytes> encoded = read_and_encode(*store, start, block);
      if (auto self = weak.lock()) {
        asio::post(self->network, [weak, slot, block, result = std::move(encoded)]() mutable {
          if (auto alive = weak.lock()) {
            alive->on_block_read(slot, block, std::move(result));
          }
        });
      }
    });
  }

  void on_block_read(PeerSlot slot, BlockRef block, core::Result<wire::Bytes> result) {
    if (!result && result.error() == core::Errc::file_changed) {
      stop_serving_changed_file();
      return;
    }
    const auto found = peers.find(slot);
    if (found == peers.end()) {
      return;
    }
    Peer& peer = found->second;
    --peer.reads_in_flight;
    const auto cancelled =
        std::find(peer.cancelled_in_flight.begin(), peer.cancelled_in_flight.end(), block);
    if (cancelled != peer.cancelled_in_flight.end()) {
      peer.cancelled_in_flight.erase(cancelled);
    } else if (!result) {
      peer.link->send(wire::Reject{block, wire::RejectReason::not_serving});
    } else {
      peer.link->send_encoded(std::move(result).value(), block.length);
    }
    pump_uploads(peer);
  }

  void stop_serving_changed_file() {
    if (file_changed) {
      return;
    }
    file_changed = true;
    serving = false;
    observer.on_file_changed();
    for (auto& [slot, peer] : peers) {
      peer.link->close(wire::GoodbyeReason::file_changed);
    }
  }

  // ---- Downloading ----

  [[nodiscard]] static std::vector<bool> to_vector(const Bitfield& bits) {
    std::vector<bool> out(bits.chunk_count());
    for (std::uint32_t i = 0; i < bits.chunk_count(); ++i) {
      out[i] = bits.test(core::ChunkIndex{i});
    }
    return out;
  }

  [[nodiscard]] static bool forget_outstanding(Peer& peer, const BlockRequest& block) {
    const auto found = std::find_if(peer.outstanding.begin(), peer.outstanding.end(),
                                    [&](const Outstanding& entry) { return entry.block == block; });
    if (found == peer.outstanding.end()) {
      return false;
    }
    peer.outstanding.erase(found);
    return true;
  }

  void request_more(Peer& peer) {
    if (!downloading || stopped || storage_failed || !peer.haves || peer.link->closing() ||
        pending_write_bytes >= kMaxPendingWriteBytes) {
      return;
    }
    // In endgame every request duplicates one already out elsewhere. Duplicates are worth
    // their waste only when a request is late (a slow or stalled peer holding the finish),
    // and then a few at a time.
    const bool late = picker->in_endgame() && any_request_late();
    const std::uint32_t pipeline =
        late ? std::min(options.requests_per_peer, kEndgameRequestsPerPeer) : pipeline_for(peer);
    const std::uint32_t allowed = std::min(peer.their_budget, pipeline);
    if (peer.outstanding.size() >= allowed) {
      return;
    }
    const auto want = allowed - static_cast<std::uint32_t>(peer.outstanding.size());
    const auto now = Clock::now();
    const auto endgame = late ? PiecePicker::Endgame::allowed : PiecePicker::Endgame::not_now;
    for (const auto& block : picker->pick(peer.slot, want, endgame)) {
      peer.outstanding.push_back(Outstanding{block, now});
      peer.link->send(wire::Request{to_ref(block)});
    }
    ensure_ticking();
  }

  // How many requests to keep out with the peer: kRequestQueueTime of its delivery rate.
  [[nodiscard]] std::uint32_t pipeline_for(const Peer& peer) const {
    const std::uint32_t most = options.requests_per_peer;
    if (peer.delivery_rate <= 0) {
      return std::min(most, kInitialRequestsPerPeer);
    }
    const double seconds = std::chrono::duration<double>(kRequestQueueTime).count();
    const double blocks = peer.delivery_rate * seconds / picker->block_bytes();
    const auto wanted = static_cast<std::uint32_t>(std::min<double>(blocks + 1, most));
    return std::clamp(wanted, std::min(most, kMinRequestsPerPeer), most);
  }

  // Once per tick: each peer's delivery rate, smoothed over about a second.
  void sample_delivery_rates(std::chrono::duration<double> elapsed) {
    if (elapsed.count() <= 0) {
      return;
    }
    for (auto& [slot, peer] : peers) {
      const double sample = static_cast<double>(peer.delivered_since_sample) / elapsed.count();
      peer.delivered_since_sample = 0;
      if (peer.outstanding.empty() && sample == 0) {
        continue; // idle by our choice: nothing learnt about its link
      }
      peer.delivery_rate =
          peer.delivery_rate <= 0 ? sample : 0.75 * peer.delivery_rate + 0.25 * sample;
    }
  }

  [[nodiscard]] bool any_request_late() const {
    const auto late = Clock::now() - kEndgameAfter;
    return std::any_of(peers.begin(), peers.end(), [&](const auto& entry) {
      return std::any_of(entry.second.outstanding.begin(), entry.second.outstanding.end(),
                         [&](const Outstanding& request) { return request.sent < late; });
    });
  }

  void request_from_everyone() {
    for (auto& [slot, peer] : peers) {
      request_more(peer);
    }
  }

  void write_block(PeerSlot from, BlockRef block, wire::Bytes bytes, bool chunk_complete) {
    const auto chunk_offset = manifest->chunk_offset(block.chunk);
    const std::uint64_t start = chunk_offset ? chunk_offset.value() + block.offset : 0;
    auto& state = chunk_writes[block.chunk];
    if (!state.buffer && !state.blocks_on_disk && buffers) {
      // Decided at the chunk's first block and kept: a chunk is either all in memory or
      // all on disk until it verifies.
      state.buffer = buffers->acquire();
    }
    ++state.pending;
    pending_write_bytes += block.length;
    state.complete = state.complete || chunk_complete;
    state.contributors.insert(from);
    auto done = [weak = weak_from_this(), chunk = block.chunk,
                 length = block.length](core::Status written) {
      if (auto self = weak.lock()) {
        asio::post(self->network, [weak, chunk, length, written]() {
          if (auto alive = weak.lock()) {
            alive->on_block_written(chunk, length, written);
          }
        });
      }
    };
    if (state.buffer) {
      asio::post(disk, [buffers = buffers, index = *state.buffer, offset = block.offset,
                        bytes = std::move(bytes), done = std::move(done)]() {
        // validate_block keeps offset + size inside the chunk, and so inside the buffer.
        std::memcpy(buffers->memory(index).data() + offset, bytes.data(), bytes.size());
        done(boost::outcome_v2::success());
      });
      return;
    }
    state.blocks_on_disk = true;
    asio::post(disk, [store = storage, start, bytes = std::move(bytes), done = std::move(done)]() {
      done(store->write(start, bytes));
    });
  }

  void on_block_written(core::ChunkIndex chunk, std::uint32_t length, core::Status written) {
    const bool was_full = pending_write_bytes >= kMaxPendingWriteBytes;
    pending_write_bytes -= std::min<std::uint64_t>(pending_write_bytes, length);
    if (was_full && pending_write_bytes < kMaxPendingWriteBytes) {
      request_from_everyone();
    }
    auto& state = chunk_writes[chunk];
    --state.pending;
    if (!written) {
      fail_storage(written.error());
      return;
    }
    if (state.pending == 0 && state.complete) {
      verify_chunk(chunk, state.buffer);
    }
  }

  // Hashes the chunk (from its buffer, or read back from the .part file) on a disk thread;
  // an assembled chunk that verifies is then written whole.
  void verify_chunk(core::ChunkIndex chunk, std::optional<std::uint32_t> buffer) {
    const auto offset = manifest->chunk_offset(chunk);
    const auto length = manifest->chunk_length(chunk);
    if (!offset || !length) {
      return;
    }
    asio::post(disk, [weak = weak_from_this(), store = storage, file = manifest, chunk, buffer,
                      buffers = buffers, start = offset.value(), size = length.value()]() {
      core::Status verdict = boost::outcome_v2::success();
      if (buffer) {
        const auto bytes = buffers->memory(*buffer).first(size);
        if (!core::verify_chunk(*file, chunk, bytes)) {
          verdict = make_error_code(Errc::chunk_verification_failed);
        } else if (auto written = store->write(start, bytes); !written) {
          verdict = written.error();
        }
      } else {
        std::vector<std::uint8_t> bytes(size);
        auto read = store->read(start, bytes);
        if (!read) {
          verdict = read.error();
        } else if (read.value() != size || !core::verify_chunk(*file, chunk, bytes)) {
          verdict = make_error_code(Errc::chunk_verification_failed);
        }
      }
      if (auto self = weak.lock()) {
        asio::post(self->network, [weak, chunk, verdict]() {
          if (auto alive = weak.lock()) {
            alive->on_chunk_checked(chunk, verdict);
          }
        });
      }
    });
  }

  void on_chunk_checked(core::ChunkIndex chunk, core::Status verdict) {
    const auto state = chunk_writes.find(chunk);
    std::set<PeerSlot> contributors;
    if (state != chunk_writes.end()) {
      contributors = std::move(state->second.contributors);
      if (state->second.buffer) {
        buffers->release(*state->second.buffer); // its last job, the hash and write, is done
      }
      chunk_writes.erase(state);
    }
    if (!verdict && verdict.error() != Errc::chunk_verification_failed) {
      fail_storage(verdict.error());
      return;
    }
    if (!verdict) {
      const auto length = manifest->chunk_length(chunk);
      counters.wasted += length ? length.value() : 0;
      counters.downloaded -=
          std::min<std::uint64_t>(counters.downloaded, length ? length.value() : 0);
      auto blamed = picker->on_verify_failed(chunk);
      const auto& who =
          blamed ? blamed.value() : std::vector<PeerSlot>(contributors.begin(), contributors.end());
      blame(who);
      request_from_everyone();
      return;
    }
    (void)picker->on_verified(chunk);
    (void)have.set(chunk);
    for (auto& [slot, peer] : peers) {
      peer.link->send(wire::Have{chunk});
    }
    observer.on_chunk_verified(chunk);
    if (have.all()) {
      downloading = false;
      serving = !file_changed;
      // Two complete peers have nothing to exchange.
      for (auto& [slot, peer] : peers) {
        if (peer.haves && peer.haves->all()) {
          peer.link->close(wire::GoodbyeReason::done);
        }
      }
      observer.on_complete();
    }
    fill_upload_slots();
  }

  void blame(const std::vector<PeerSlot>& contributors) {
    if (contributors.size() == 1) {
      ban(contributors.front()); // it alone sent the chunk: it lied
      return;
    }
    for (const PeerSlot slot : contributors) {
      const auto found = peers.find(slot);
      if (found != peers.end() && ++found->second.shared_failures >= options.max_shared_failures) {
        ban(slot);
      }
    }
  }

  void fail_storage(std::error_code error) {
    if (storage_failed) {
      return;
    }
    storage_failed = true;
    downloading = false;
    observer.on_storage_error(error);
    for (auto& [slot, peer] : peers) {
      for (const auto& entry : peer.outstanding) {
        peer.link->send(wire::Cancel{to_ref(entry.block)});
      }
      peer.outstanding.clear();
    }
  }

  // ---- Timeouts ----

  void ensure_ticking() {
    if (ticking || stopped) {
      return;
    }
    ticking = true;
    asio::co_spawn(
        network, [self = shared_from_this()]() { return self->tick_loop(); }, asio::detached);
  }

  asio::awaitable<void> tick_loop() {
    auto last_sample = Clock::now();
    while (!stopped && downloading) {
      tick_timer.expires_after(kTickInterval);
      boost::system::error_code ignored;
      co_await tick_timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      const auto now = Clock::now();
      sample_delivery_rates(now - last_sample);
      last_sample = now;
      request_from_everyone(); // a grown pipeline takes effect at once
      expire_requests();
      if (picker && picker->in_endgame()) {
        request_from_everyone(); // late requests may now be duplicated
      }
    }
    ticking = false;
  }

  void expire_requests() {
    const auto deadline = Clock::now() - options.request_timeout;
    bool any = false;
    for (auto& [slot, peer] : peers) {
      auto& list = peer.outstanding;
      for (auto it = list.begin(); it != list.end();) {
        if (it->sent < deadline) {
          picker->on_request_failed(slot, it->block);
          peer.link->send(wire::Cancel{to_ref(it->block)});
          it = list.erase(it);
          any = true;
        } else {
          ++it;
        }
      }
    }
    if (any) {
      request_from_everyone();
    }
  }

  // ---- State ----

  struct ChunkWrites {
    std::uint32_t pending = 0;
    bool complete = false;
    std::set<PeerSlot> contributors;
    /// The chunk is put together in this buffer (ChunkBuffers) ...
    std::optional<std::uint32_t> buffer;
    /// ... or its blocks went to the .part file as they came.
    bool blocks_on_disk = false;
  };

  asio::any_io_executor network;
  asio::any_io_executor disk;
  std::shared_ptr<const core::Manifest> manifest;
  std::shared_ptr<ChunkStorage> storage;
  Bitfield have;
  SwarmOptions options;
  core::Random& random;
  SwarmLimits limits;
  const core::Clock& clock; ///< for the per-peer limiters
  SwarmObserver& observer;
  std::optional<PiecePicker> picker;
  /// A seed's view of what each downloader was shown (empty while downloading).
  std::optional<SeedReveal> reveal;
  std::map<PeerSlot, Peer> peers;
  std::unordered_map<const PeerLink*, PeerSlot> by_link;
  std::set<crypto::PeerId> banned;
  std::map<core::ChunkIndex, ChunkWrites> chunk_writes;
  /// Shared with the disk jobs that fill and hash the buffers, so it outlives them all.
  std::shared_ptr<detail::ChunkBuffers> buffers;
  SwarmCounters counters;
  asio::steady_timer tick_timer;
  std::uint64_t pending_write_bytes = 0;
  std::uint32_t next_slot = 1;
  bool downloading = false;
  bool serving = true;
  bool stopped = false;
  bool ticking = false;
  bool file_changed = false;
  bool storage_failed = false;
};

Swarm::Swarm(asio::any_io_executor network, asio::any_io_executor disk,
             std::shared_ptr<const core::Manifest> manifest, std::shared_ptr<ChunkStorage> storage,
             Bitfield have, SwarmOptions options, core::Random& random, SwarmLimits limits,
             SwarmObserver& observer)
    : impl_(std::make_shared<Impl>(std::move(network), std::move(disk), std::move(manifest),
                                   std::move(storage), std::move(have), options, random, limits,
                                   observer)) {}

Swarm::~Swarm() { impl_->abort_all(); }

void Swarm::attach(crypto::SecureChannel channel, const core::Endpoint& remote) {
  impl_->attach(std::move(channel), remote);
}

void Swarm::stop(wire::GoodbyeReason reason) { impl_->stop(reason); }

const core::Manifest& Swarm::manifest() const noexcept { return *impl_->manifest; }
const Bitfield& Swarm::have() const noexcept { return impl_->have; }
bool Swarm::complete() const noexcept { return impl_->have.all(); }

bool Swarm::is_attached(const crypto::PeerId& peer) const noexcept {
  return std::any_of(impl_->peers.begin(), impl_->peers.end(),
                     [&](const auto& entry) { return entry.second.id == peer; });
}

bool Swarm::is_banned(const crypto::PeerId& peer) const noexcept {
  return impl_->banned.contains(peer);
}

SwarmCounters Swarm::counters() const noexcept {
  SwarmCounters counters = impl_->counters;
  counters.peers = static_cast<std::uint32_t>(impl_->peers.size());
  return counters;
}

std::vector<std::uint8_t> Swarm::chunk_availability() const {
  std::vector<std::uint8_t> counts;
  if (!impl_->picker) {
    return counts;
  }
  counts.resize(impl_->picker->chunk_count());
  for (std::uint32_t i = 0; i < counts.size(); ++i) {
    const auto peers = impl_->picker->availability(core::ChunkIndex{i});
    const std::uint32_t known = peers ? peers.value() : 0;
    counts[i] = static_cast<std::uint8_t>(std::min<std::uint32_t>(known, 255));
  }
  return counts;
}

std::vector<core::ChunkIndex> Swarm::chunks_in_progress() const {
  std::vector<core::ChunkIndex> chunks;
  if (!impl_->picker) {
    return chunks;
  }
  for (std::uint32_t i = 0; i < impl_->picker->chunk_count(); ++i) {
    const auto state = impl_->picker->chunk_state(core::ChunkIndex{i});
    if (state && (state.value() == ChunkState::partial || state.value() == ChunkState::verifying)) {
      chunks.push_back(core::ChunkIndex{i});
    }
  }
  return chunks;
}

void Swarm::set_upload_rate_per_peer(std::uint64_t bytes_per_second) {
  impl_->set_upload_rate_per_peer(bytes_per_second);
}

std::uint64_t Swarm::upload_rate_per_peer() const noexcept {
  return impl_->options.upload_rate_per_peer;
}

void Swarm::set_serving(bool serving) {
  impl_->serving = serving && !impl_->file_changed;
  if (!impl_->serving) {
    for (auto& [slot, peer] : impl_->peers) {
      if (peer.unchoked) {
        peer.unchoked = false;
        peer.to_serve.clear();
        peer.link->send(wire::Budget{0});
        if (impl_->reveal) {
          impl_->reveal->set_served(slot, false);
        }
      }
    }
  } else {
    impl_->fill_upload_slots();
  }
}

} // namespace swarmshare::transfer
