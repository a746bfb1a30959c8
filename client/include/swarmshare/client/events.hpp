#pragma once
// What the engine tells its front ends. Events queue up inside the session; a notify hook
// (any thread) says "there is something", and the front end drains the queue on its own
// thread (the GUI: CallAfter; the CLI: its main loop). No event carries a pointer into the
// engine: each is a value the front end may keep.

#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/registry.hpp"
#include "swarmshare/tracker/client.hpp"
#include "swarmshare/transfer/download.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <variant>

namespace swarmshare::client {

enum class LogLevel { info, warning, error };

/// A line for the status log: "[14:24:52] Download complete! File saved to: ...".
struct LogLine {
  std::chrono::system_clock::time_point at;
  LogLevel level = LogLevel::info;
  std::string text;
};

/// Hashing a file to share it: progress of a long job.
struct HashProgressed {
  std::filesystem::path path;
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
};

/// A file entered the library (shared, or a download the user chose to share).
struct ShareAdded {
  core::FileId file_id;
  std::string name;
  std::filesystem::path path;
  std::uint64_t size = 0;
  bool listed = true;
  bool downloaded = false; ///< "Active (Downloaded)"
};

/// One registry's answer to a share's first announce.
struct ShareAnnounced {
  core::FileId file_id;
  core::SourceOrigin registry = core::SourceOrigin::tracker;
  std::error_code error; ///< empty on success
};

/// A share stopped: the user unshared it, or its file changed or vanished.
struct ShareStopped {
  core::FileId file_id;
  std::string reason;
};

struct DownloadStarted {
  core::FileId file_id;
  std::filesystem::path folder;
};

/// Every download slot is taken (max_active_downloads): the download waits in the queue
/// and starts (DownloadStarted) when a slot frees.
struct DownloadQueued {
  core::FileId file_id;
  std::uint32_t position = 0; ///< 1: the next to start
};

struct DownloadProgressed {
  core::FileId file_id;
  transfer::DownloadProgress progress;
};

struct SourceFound {
  core::FileId file_id;
  core::PeerSource source;
};

/// Every chunk verified and the file is in place. The front end asks "Share this file?"
/// and answers with Session::accept_share or decline_share.
struct DownloadCompleted {
  core::FileId file_id;
  std::string name;
  std::filesystem::path path;
  std::uint64_t size = 0;
  std::uint64_t bytes_downloaded = 0; ///< received from peers in this run
  std::uint64_t bytes_resumed = 0;    ///< verified before this run
  std::uint32_t sources = 0;          ///< distinct peers found for it
};

struct DownloadFailed {
  core::FileId file_id;
  std::error_code error;
  std::string detail;
};

/// About once a second: totals and current rates.
struct StatisticsTick {
  std::uint64_t bytes_uploaded = 0;   ///< all time
  std::uint64_t bytes_downloaded = 0; ///< all time
  std::uint64_t upload_rate = 0;      ///< bytes per second now
  std::uint64_t download_rate = 0;
  std::uint32_t peers = 0; ///< connected now, over every swarm
  std::uint32_t shares = 0;
  std::uint32_t downloads = 0; ///< running
  std::uint32_t dht_nodes = 0; ///< in the DHT routing table (0 also when the DHT is off)
  std::uint32_t lan_peers = 0; ///< heard on the local network and not expired
};

/// The tracker's reachability changed (DHT and LAN join when they land).
struct RegistryHealthChanged {
  bool tracker_configured = false;
  tracker::TrackerHealth tracker;
};

using Event =
    std::variant<LogLine, HashProgressed, ShareAdded, ShareAnnounced, ShareStopped, DownloadStarted,
                 DownloadQueued, DownloadProgressed, SourceFound, DownloadCompleted, DownloadFailed,
                 StatisticsTick, RegistryHealthChanged>;

} // namespace swarmshare::client
