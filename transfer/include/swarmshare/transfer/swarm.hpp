#pragma once
// A swarm: everything about one file on one peer. It serves the chunks it has to the peers
// attached to it and, while downloading, fetches the chunks it lacks from them, verifying
// each before it counts, is served on or is marked done.
//
// Who attaches peers is not its business: the peer server attaches the ones that dialled in
// for this File ID, the download attaches the ones it dialled. Who stores the bytes is not
// either (ChunkStorage). What happens reaches the owner through a SwarmObserver.
//
// Threads: a swarm lives on the network thread (`network`, single-threaded). Reading,
// writing and hashing chunks run on `disk` (a thread pool) and come back to the network
// thread; the network thread never waits on the disk.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/core/random.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/transfer/bitfield.hpp"
#include "swarmshare/transfer/chunk_storage.hpp"
#include "swarmshare/transfer/rate_limiter.hpp"
#include "swarmshare/transfer/wire.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

namespace swarmshare::crypto {
class SecureChannel;
}

namespace swarmshare::transfer {

class PeerLink;

struct SwarmOptions {
  /// Peers we serve at once; others are told budget 0 until a slot frees.
  std::uint32_t upload_slots = 8;
  /// Block requests a served peer may have outstanding with us.
  std::uint32_t budget_per_peer = 64;
  /// Requests we keep outstanding with one peer while downloading (within its budget):
  /// 32 blocks of 64 KiB keep 2 MiB in flight, enough for a fast link.
  std::uint32_t requests_per_peer = 32;
  /// An uploader stops reading blocks for a peer while this much is queued for it.
  std::size_t max_queued_bytes_per_peer = std::size_t{4} * 1024 * 1024;
  /// A request unanswered this long goes back to the pool (the peer is probably gone).
  std::chrono::seconds request_timeout{30};
  /// Serve verified chunks while downloading (a setting, on by default).
  bool serve_while_downloading = true;
  /// Failed chunks a peer may share in before it is banned, when it was not the only
  /// contributor (one contributor is banned at once).
  std::uint32_t max_shared_failures = 3;
  /// Upload limit for each attached peer on its own, bytes per second (0: none), on top of
  /// SwarmLimits::upload: both apply, the stricter wins. One peer cannot take all of it.
  std::uint64_t upload_rate_per_peer = 0;
  /// Memory for chunks being received, put together and hashed in memory and written whole
  /// (swarm/chunk_buffers.hpp); chunks beyond it are written block by block and read back
  /// to be hashed. 0: always block by block.
  std::size_t assembly_memory_bytes = std::size_t{16} * 1024 * 1024;
};

/// What a swarm tells its owner. Called on the network thread.
class SwarmObserver {
public:
  SwarmObserver() = default;
  SwarmObserver(const SwarmObserver&) = delete;
  SwarmObserver& operator=(const SwarmObserver&) = delete;
  SwarmObserver(SwarmObserver&&) = delete;
  SwarmObserver& operator=(SwarmObserver&&) = delete;
  virtual ~SwarmObserver() = default;

  virtual void on_chunk_verified(core::ChunkIndex /*chunk*/) {}
  /// Every chunk verified: the download is complete.
  virtual void on_complete() {}
  /// A peer sent a chunk that failed verification and is banned from this swarm.
  virtual void on_peer_banned(const crypto::PeerId& /*peer*/) {}
  virtual void on_peer_attached(const crypto::PeerId& /*peer*/) {}
  virtual void on_peer_detached(const crypto::PeerId& /*peer*/, std::error_code /*why*/) {}
  /// Reading or writing the storage failed (disk full, I/O error); downloading stops.
  virtual void on_storage_error(std::error_code /*error*/) {}
  /// The shared file changed on disk: serving stopped for good.
  virtual void on_file_changed() {}
};

/// Byte counts since the swarm started.
struct SwarmCounters {
  std::uint64_t uploaded = 0;     ///< data bytes sent
  std::uint64_t downloaded = 0;   ///< data bytes received and kept (verified or pending)
  std::uint64_t wasted = 0;       ///< received but thrown away (failed chunks, duplicates)
  std::uint32_t peers = 0;        ///< attached now
  std::uint32_t peers_served = 0; ///< distinct peers that received data from us
};

/// The rate limits a swarm's data passes through; null: no such limit. Every limit that is
/// set applies and the strictest wins. The limiters and the clock must outlive the swarm.
struct SwarmLimits {
  /// Global: every swarm of the process shares it.
  RateLimiter* upload = nullptr;
  /// Global: every swarm of the process shares it.
  RateLimiter* download = nullptr;
  /// This swarm's own download limit (its Download's), shared by its peers only.
  RateLimiter* swarm_download = nullptr;
  /// What the limiters the swarm makes itself (one per peer, SwarmOptions::
  /// upload_rate_per_peer) read the time from; null: core::real_clock(). Tests pass a
  /// core::ManualClock.
  const core::Clock* clock = nullptr;
};

class Swarm {
public:
  /// `have` says which chunks `storage` already holds verified (all of them for a share).
  /// Downloading is on while `have` is not complete.
  Swarm(boost::asio::any_io_executor network, boost::asio::any_io_executor disk,
        std::shared_ptr<const core::Manifest> manifest, std::shared_ptr<ChunkStorage> storage,
        Bitfield have, SwarmOptions options, core::Random& random, SwarmLimits limits,
        SwarmObserver& observer);
  Swarm(const Swarm&) = delete;
  Swarm& operator=(const Swarm&) = delete;
  Swarm(Swarm&&) = delete;
  Swarm& operator=(Swarm&&) = delete;
  /// Drops every link at once (stop() first for a clean goodbye).
  ~Swarm();

  /// A peer whose hellos for this file were exchanged: the swarm sends it our have_map and
  /// a budget, and takes over the channel. A banned peer is sent goodbye(banned).
  void attach(crypto::SecureChannel channel, const core::Endpoint& remote);

  /// Says goodbye to every peer and attaches no more.
  void stop(wire::GoodbyeReason reason = wire::GoodbyeReason::shutting_down);

  [[nodiscard]] const core::Manifest& manifest() const noexcept;
  [[nodiscard]] const Bitfield& have() const noexcept;
  [[nodiscard]] bool complete() const noexcept;
  [[nodiscard]] bool is_attached(const crypto::PeerId& peer) const noexcept;
  [[nodiscard]] bool is_banned(const crypto::PeerId& peer) const noexcept;
  [[nodiscard]] SwarmCounters counters() const noexcept;
  /// Chunks started and not yet verified: blocks requested from a peer or received, or
  /// every block received and the chunk being verified. Ascending; empty unless downloading.
  [[nodiscard]] std::vector<core::ChunkIndex> chunks_in_progress() const;
  /// For each chunk, how many attached peers have it (255 stands for 255 or more): the
  /// availability the piece picker goes by. Empty unless downloading.
  [[nodiscard]] std::vector<std::uint8_t> chunk_availability() const;
  /// Serving on or off (off: every peer gets budget 0; on again: budgets as before).
  void set_serving(bool serving);
  /// Changes SwarmOptions::upload_rate_per_peer (0: none) from now on, for the peers
  /// attached already as well as later ones: a setting changed while files are served must
  /// not wait for every peer to reconnect.
  void set_upload_rate_per_peer(std::uint64_t bytes_per_second);
  [[nodiscard]] std::uint64_t upload_rate_per_peer() const noexcept;

private:
  struct Impl;
  std::shared_ptr<Impl> impl_; // shared with work in flight on the disk threads
};

} // namespace swarmshare::transfer
