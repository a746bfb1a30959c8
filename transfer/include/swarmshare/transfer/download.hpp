#pragma once
// One download, end to end: the manifest (from the caller, the resume record, a registry or a
// peer), the pre-allocated .part file and its resume record, the swarm that fetches and
// verifies chunks, the sources loop that keeps asking the registries and dials new peers,
// and the move into the download folder when every chunk has verified.
//
// The engine (client::Session) owns downloads and decides what happens around them (the
// queue, the share question, the state database); a download reports through its
// DownloadObserver and never blocks the network thread on the disk.
//
// Threads: everything runs on `network` (single-threaded); disk work on `disk`.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/core/random.hpp"
#include "swarmshare/core/registry.hpp"
#include "swarmshare/crypto/secure_channel.hpp"
#include "swarmshare/transfer/disk_io.hpp"
#include "swarmshare/transfer/rate_limiter.hpp"
#include "swarmshare/transfer/swarm.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace swarmshare::transfer {

struct DownloadOptions {
  /// Peers connected at once for this download.
  std::uint32_t max_peers = 8;
  /// How often the registries are asked for sources while the download runs.
  std::chrono::milliseconds source_interval = std::chrono::seconds{3};
  /// With no source at all for this long (from start, or since the last peer left with
  /// nothing found since), the download fails with Errc::no_sources.
  std::chrono::milliseconds no_source_timeout = std::chrono::seconds{60};
  /// A peer that failed to dial is not tried again for this long.
  std::chrono::milliseconds redial_after = std::chrono::seconds{30};
  /// This download's own rate limit, bytes per second (0: none), on top of the global one
  /// in DownloadEnvironment::limits: both apply, the stricter wins. Changed while running
  /// by Download::set_download_rate.
  std::uint64_t download_rate = 0;
  SwarmOptions swarm;
};

/// What the caller knows at the start.
struct DownloadRequest {
  core::FileId file_id;
  /// Where the finished file goes; created if missing.
  std::filesystem::path folder;
  /// The manifest when the caller has it already (a search hit, a share link, a restart);
  /// otherwise the download asks the registries, then its peers.
  std::shared_ptr<const core::Manifest> manifest;
  /// Sources known at the start (a share link's peers, LAN peers); more come from the
  /// registries.
  std::vector<core::PeerSource> initial_sources;
};

enum class DownloadState {
  fetching_manifest,
  allocating, ///< free space checked, .part being created (or the resume record loaded)
  downloading,
  paused,
  completed, ///< every chunk verified and the file moved into the folder
  failed,
  cancelled,
};

[[nodiscard]] std::string_view to_string(DownloadState state) noexcept;

/// How far one chunk is, as DownloadProgress::chunk_states holds it: one byte per chunk, so
/// the client and the GUI can keep and pass the vector as it is. The values are fixed.
enum class ChunkProgress : std::uint8_t {
  missing = 0,     ///< nothing of it asked for or received (or it failed and is asked again)
  in_progress = 1, ///< blocks requested from a peer or partly received, or being verified
  verified = 2,    ///< verified: on disk for good and served to other peers
};

[[nodiscard]] constexpr std::uint8_t to_byte(ChunkProgress progress) noexcept {
  return static_cast<std::uint8_t>(progress);
}

struct DownloadProgress {
  DownloadState state = DownloadState::fetching_manifest;
  std::uint64_t total_bytes = 0;
  std::uint64_t verified_bytes = 0;
  /// Verified before this run (from the resume record): not downloaded again.
  std::uint64_t resumed_bytes = 0;
  /// Received from peers in this run and kept.
  std::uint64_t received_bytes = 0;
  /// Bytes per second over the last few seconds.
  std::uint64_t download_rate = 0;
  std::uint64_t upload_rate = 0;
  std::uint32_t peers = 0;
  std::uint32_t sources_known = 0;
  /// One ChunkProgress per chunk, as its byte (for the chunk bar): 0 missing, 1 in progress
  /// (requested, partly received or being verified), 2 verified. Only chunks counted in
  /// verified_bytes are 2.
  std::vector<std::uint8_t> chunk_states;
  /// For each chunk, how many connected peers have it (255: 255 or more); empty while no
  /// swarm runs (fetching the manifest, paused, done).
  std::vector<std::uint8_t> chunk_availability;
};

class DownloadObserver {
public:
  DownloadObserver() = default;
  DownloadObserver(const DownloadObserver&) = delete;
  DownloadObserver& operator=(const DownloadObserver&) = delete;
  DownloadObserver(DownloadObserver&&) = delete;
  DownloadObserver& operator=(DownloadObserver&&) = delete;
  virtual ~DownloadObserver() = default;

  /// The manifest is known (fetched and checked against the File ID, or given).
  virtual void on_manifest(const core::Manifest& /*manifest*/) {}
  /// A registry (or the caller) named a peer we did not know yet.
  virtual void on_source_found(const core::PeerSource& /*source*/) {}
  /// About once a second while running, and at each state change.
  virtual void on_progress(const DownloadProgress& /*progress*/) {}
  /// Every chunk verified, the file is at `path` (the .part and the resume record are gone).
  virtual void on_completed(const std::filesystem::path& /*path*/) {}
  /// The download stopped for good: no sources before the timeout, storage full or
  /// unwritable, the manifest not found. The .part file and its record are kept (except
  /// when nothing was ever written) so a later attempt resumes.
  virtual void on_failed(std::error_code /*error*/, const std::string& /*detail*/) {}
  /// A line for the status log ("Connected to peer abcd1234 (tracker)", "Chunk 12 failed
  /// verification; peer abcd1234 banned").
  virtual void on_log(const std::string& /*line*/) {}
};

/// Everything a download needs from its process; all must outlive the download.
struct DownloadEnvironment {
  boost::asio::any_io_executor network;
  boost::asio::any_io_executor disk;
  crypto::ChannelConfig channel; ///< our side of every peer channel
  /// Asked in order: the first that answers with enough peers wins (the tracker first).
  std::vector<core::Registry*> registries;
  SwarmLimits limits;
  core::Random* random = nullptr;
  const core::Clock* clock = nullptr;
  DiskIo* disk_io = nullptr; ///< null: posix_disk_io()
};

class Download {
public:
  Download(DownloadEnvironment environment, DownloadRequest request, DownloadOptions options,
           DownloadObserver& observer);
  Download(const Download&) = delete;
  Download& operator=(const Download&) = delete;
  Download(Download&&) = delete;
  Download& operator=(Download&&) = delete;
  /// Stops at once (as pause(), without the goodbyes' wait); files stay as they are.
  ~Download();

  /// Starts (or resumes from the .part and its record: chunks the record trusts are not
  /// fetched again; a record that does not match its .part makes the download re-verify
  /// those chunks from the .part before trusting them).
  void start();
  /// Disconnects the peers and stops asking for sources; the resume record is saved.
  void pause();
  void resume();
  /// Stops and deletes the .part file and its record.
  void cancel();
  /// Changes this download's own limit (DownloadOptions::download_rate) from now on, while
  /// running or not; kUnlimited (0): none. The global limit still applies.
  void set_download_rate(std::uint64_t bytes_per_second);
  /// Changes the upload limit of each peer it serves (SwarmOptions::upload_rate_per_peer)
  /// from now on, for the running swarm and for one built on a later resume.
  void set_upload_rate_per_peer(std::uint64_t bytes_per_second);

  [[nodiscard]] const core::FileId& file_id() const noexcept;
  [[nodiscard]] DownloadState state() const noexcept;
  [[nodiscard]] DownloadProgress progress() const;
  /// The manifest once known.
  [[nodiscard]] std::shared_ptr<const core::Manifest> manifest() const;
  /// The swarm while downloading (the peer server attaches incoming peers for this File
  /// ID to it: a downloader serves its verified chunks); null before and after.
  [[nodiscard]] Swarm* swarm() noexcept;
  /// Where the .part file is (or will be).
  [[nodiscard]] std::filesystem::path part_path() const;

private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

} // namespace swarmshare::transfer
