#pragma once
// Download::Impl, shared by download.cpp (the runs: manifest, storage, swarm, completion,
// progress, the resume record) and sources.cpp (the registries, the dialling, the manifest
// from a peer).
//
// Runs. start() and resume() begin a run, numbered by run_id; pause, cancel, failure,
// completion and the destructor end it by moving run_id on. Every coroutine and every
// completion posted back from the disk carries the number of the run it belongs to and does
// nothing once that run is over, so nothing needs to be cancelled to be harmless.
//
// Callbacks. DownloadObserver calls are posted to the network executor and dropped once the
// Download is destroyed: an observer may pause, cancel or destroy the download from inside a
// callback, and no callback ever runs inside the swarm's own code.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "download/part_file_storage.hpp"
#include "swarmshare/transfer/download.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <deque>
#include <map>
#include <set>

namespace swarmshare::transfer {

struct Download::Impl : std::enable_shared_from_this<Download::Impl> {
  using SteadyTime = std::chrono::steady_clock::time_point;

  Impl(DownloadEnvironment environment, DownloadRequest request, DownloadOptions options,
       DownloadObserver& observer);

  [[nodiscard]] bool active(std::uint64_t run) const noexcept { return !dead && run == run_id; }

  // ---- Runs (download.cpp) ----
  void start_run();
  boost::asio::awaitable<void> run(std::uint64_t run);
  void begin_downloading(std::uint64_t run, detail::PreparedStorage prepared);
  void pause();
  void resume();
  void cancel();
  /// The destructor's stop: no goodbyes, no callbacks; the record is still saved.
  void shutdown();
  void complete(std::uint64_t run);
  void on_finished(std::uint64_t run, core::Result<std::filesystem::path> moved);
  void fail(std::error_code error, std::string detail);
  /// Ends the run: loops stop, the swarm says goodbye and is kept until it is replaced.
  void end_run(wire::GoodbyeReason reason);
  /// Hands the storage to the disk strand for its last record (when `save`) and its close.
  void release_storage(bool save);
  void set_state(DownloadState next);

  // ---- What the swarm reports (download.cpp), posted out of the swarm's own calls ----
  class SwarmEvents;
  void on_chunk_verified(core::ChunkIndex chunk);
  void on_peer_attached(const crypto::PeerId& peer);
  void on_peer_detached(const crypto::PeerId& peer, std::error_code why);

  // ---- Progress and the resume record (download.cpp) ----
  [[nodiscard]] DownloadProgress make_progress() const;
  void emit_progress();
  boost::asio::awaitable<void> progress_loop(std::uint64_t run);
  void sample_rates();
  void request_save();

  // ---- Sources (sources.cpp) ----
  struct KnownSource {
    core::PeerSource source;
    std::optional<SteadyTime> last_failure; ///< real time of the last failed dial
    bool refused = false;                   ///< proved another identity: never again
    bool dialling = false;
  };
  [[nodiscard]] bool is_self(const core::PeerKey& key) const noexcept;
  [[nodiscard]] std::uint32_t peers_now() const noexcept;
  /// The caller's sources, then every registry's in order (one entry per Peer ID).
  boost::asio::awaitable<std::vector<core::PeerSource>> gather_sources();
  /// Remembers new sources (on_source_found for each new Peer ID).
  void note_sources(const std::vector<core::PeerSource>& found);
  boost::asio::awaitable<void> sources_loop(std::uint64_t run);
  void dial_new_sources(std::uint64_t run);
  boost::asio::awaitable<void> dial(std::uint64_t run, core::PeerKey key);
  /// The manifest from a resume record in the folder, the registries, or a peer.
  boost::asio::awaitable<core::Result<core::Manifest>> fetch_manifest(std::uint64_t run);
  boost::asio::awaitable<std::optional<core::Manifest>> manifest_from_peers(std::uint64_t run);
  /// Notes a failed dial; true when the peer must not be tried again at all.
  bool dial_failed(KnownSource& known, const core::Endpoint& endpoint, std::error_code error);

  // ---- Helpers ----
  template <class F>
  void notify(F call) {
    boost::asio::post(environment.network, [weak = weak_from_this(), call = std::move(call)]() {
      if (auto self = weak.lock(); self && !self->dead) {
        call(self->observer);
      }
    });
  }
  void log(std::string line);

  // ---- Configuration ----
  DownloadEnvironment environment;
  DownloadRequest request;
  DownloadOptions options;
  DownloadObserver& observer;
  DiskIo& disk_io;
  const core::Clock& clock;
  core::Random& random;
  /// Record saves, the close and the moves run here one at a time, in order. Dropped at
  /// shutdown: a strand left behind in a state that outlives the Download would outlive
  /// the disk pool that its jobs ran on.
  std::optional<boost::asio::strand<boost::asio::any_io_executor>> disk_strand;
  crypto::PeerId self_id;
  /// This download's own limit (unlimited unless set), so set_download_rate works whether
  /// or not the download started with one. Declared before the swarms: their links hold a
  /// pointer to it.
  RateLimiter download_limiter;

  // ---- State ----
  DownloadState state = DownloadState::fetching_manifest;
  std::uint64_t run_id = 0;
  bool started = false;
  bool dead = false;
  bool finishing = false;
  std::shared_ptr<const core::Manifest> manifest;
  std::filesystem::path part_path;
  std::shared_ptr<detail::PartFileStorage> storage;
  std::vector<bool> verified;
  std::uint64_t verified_bytes = 0;
  std::uint64_t resumed_bytes = 0;
  std::uint64_t received_bytes = 0;
  bool resumed_known = false;

  struct SwarmHolder {
    std::unique_ptr<SwarmEvents> events;
    std::unique_ptr<Swarm> swarm;
  };
  SwarmHolder current;
  std::vector<SwarmHolder> retired; ///< stopped swarms finishing their goodbyes
  std::uint64_t retired_downloaded = 0;
  std::uint64_t retired_uploaded = 0;

  struct RateSample {
    SteadyTime at;
    std::uint64_t downloaded = 0;
    std::uint64_t uploaded = 0;
  };
  std::deque<RateSample> samples;
  std::uint64_t download_rate = 0;
  std::uint64_t upload_rate = 0;

  // The record: one save at a time on the strand; verify_seq counts verified chunks,
  // saved_seq what the last successful save covered.
  bool save_in_flight = false;
  bool save_again = false;
  std::uint64_t verify_seq = 0;
  std::uint64_t saved_seq = 0;
  bool save_error_logged = false;

  // Sources.
  std::map<core::PeerKey, KnownSource> known;
  std::uint32_t dialling = 0;
  std::set<crypto::PeerId> dialled_in; ///< attached by our dial (its log line is written)
  SteadyTime sourceless_since{};
  boost::asio::steady_timer sources_timer;
  boost::asio::steady_timer progress_timer;
};

/// "abcd1234efgh" for logs.
[[nodiscard]] std::string short_id(const crypto::PeerId& peer);

} // namespace swarmshare::transfer
