#pragma once
// The engine: one per home directory and process. It owns the identity, the state database,
// the registries (the tracker now; the DHT and LAN later), the peer server, a swarm per
// shared file and a Download per running download. Front ends (the CLI, the GUI) talk to it
// through this class only: commands go in and complete as futures; everything that happens
// comes out as events (events.hpp).
//
// Threads: the session runs its own network thread and a small pool for disk work and
// hashing. Every public function may be called from any thread; none waits on the network
// or the disk except by the future it returns.

#include "swarmshare/client/events.hpp"
#include "swarmshare/client/settings.hpp"
#include "swarmshare/client/state_store.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/lan_discovery.hpp"
#include "swarmshare/dht/lan_registry.hpp"
#include "swarmshare/dht/udp_transport.hpp"
#include "swarmshare/tracker/tracker_address.hpp"
#include "swarmshare/transfer/download.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace swarmshare::client {

/// The DHT node a session runs (the mirror registry, and the fallback when no tracker
/// answers).
struct DhtSessionOptions {
  /// Where its UDP socket binds; port 0: any free port. A port already taken (a second
  /// client on this host) gives any free port instead, and the log says so.
  core::Endpoint bind = core::Endpoint::ipv4({0, 0, 0, 0}, dht::kDefaultDhtPort);
  /// Nodes to join through, besides the saved routing table, the tracker's list of
  /// DHT-capable peers and the LAN peers.
  std::vector<core::Endpoint> bootstrap;
  /// How often a share is published again (records live 2 hours on the nodes).
  std::chrono::milliseconds republish_interval = std::chrono::minutes{30};
};

/// The name of the routing table saved in the home directory between runs.
inline constexpr std::string_view kDhtTableFile = "dht-nodes.bin";

struct SessionOptions {
  /// Identity, state database, lock. Created if missing.
  std::filesystem::path home;
  /// Named in the home's lock file, for the message a second process prints.
  std::string program = "swarmshare";
  /// The tracker; none: no tracker (the DHT and LAN alone, once they land).
  std::optional<tracker::TrackerAddress> tracker;
  /// Where the peer server listens; port 0 picks a free one.
  core::Endpoint listen = core::Endpoint::ipv4({0, 0, 0, 0}, 0);
  // Settings for this run only. The settings (settings.hpp) are saved in the home's state
  // database; each one given here (a command line's --up-limit) wins over the saved value for
  // this run and is not saved, so a one-off `--up-limit 1M` does not become the default of
  // every later run. Absent: the saved setting, else Settings' default. An apply_settings()
  // call during the run is the user's latest word: it replaces these as well.
  /// Global limits, bytes per second; 0: none.
  std::optional<std::uint64_t> upload_limit;
  std::optional<std::uint64_t> download_limit;
  /// Upload limit for each peer on its own, bytes per second; 0: none.
  std::optional<std::uint64_t> upload_limit_per_peer;
  /// Downloads serve their verified chunks to others.
  std::optional<bool> serve_while_downloading;
  /// Downloads running at once (default 3); more wait in the queue. 0: no limit.
  std::optional<std::uint32_t> max_active_downloads;
  /// Shares found in the library at start are served and announced (off for one-shot
  /// commands that only read the state).
  bool serve_library = true;
  transfer::DownloadOptions download;
  /// The tracker client's timeouts (shorter in tests).
  std::chrono::milliseconds tracker_timeout = std::chrono::seconds{10};
  /// LAN discovery (peers on the local network found with no tracker); absent: off. Off
  /// unless asked for, so that a program embedding the engine (and every test) opts in;
  /// the command line and the desktop client turn it on unless --no-lan.
  std::optional<dht::LanDiscoveryOptions> lan;
  /// The DHT node; absent: off, for the same reason as `lan`. The command line and the
  /// desktop client turn it on unless --no-dht.
  std::optional<DhtSessionOptions> dht;
};

/// A share as the engine made it.
struct ShareResult {
  core::FileId file_id;
  std::string name;
  std::uint64_t size = 0;
  std::filesystem::path path;
  bool already_shared = false;
  /// Each registry's answer to the first announce (empty when not announced yet).
  std::vector<ShareAnnounced> announced;
};

struct DownloadCommand {
  core::FileId file_id;
  std::filesystem::path folder;
  /// Known already (a search hit, a share link); else fetched.
  std::shared_ptr<const core::Manifest> manifest;
  /// From a share link or the LAN; the registries are asked as well.
  std::vector<core::PeerSource> sources;
  /// This download's own limit, bytes per second, on top of the global one; 0: none. Not
  /// saved: a download resumed in a later run (or restored from the queue) has none until
  /// set_download_limit is called again.
  std::uint64_t download_limit = 0;
};

class Session {
public:
  /// Takes the home's lock (client::Errc::home_in_use when another process holds it; see
  /// describe_home_in_use for the message), loads or creates the identity, opens the state,
  /// starts the peer server and, with serve_library, serves and announces the library.
  [[nodiscard]] static core::Result<std::unique_ptr<Session>> open(SessionOptions options);

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&&) = delete;
  Session& operator=(Session&&) = delete;
  /// Stops at once: no unannounce (await shutdown() first for that). The state is saved.
  ~Session();

  [[nodiscard]] const crypto::PeerId& peer_id() const noexcept;
  /// The peer server's address with its real port.
  [[nodiscard]] core::Endpoint peer_endpoint() const;
  /// The DHT node's UDP address with its real port; empty when the DHT is off or its socket
  /// could not be opened (the log says why).
  [[nodiscard]] std::optional<core::Endpoint> dht_endpoint() const;

  // ---- Events ----

  /// Called (from any thread) whenever events were queued; it should only wake the front
  /// end, which then calls take_events(). Replaces an earlier hook.
  void set_notify(std::function<void()> notify);
  [[nodiscard]] std::vector<Event> take_events();

  // ---- Commands ----

  /// Hashes the file (HashProgressed events), adds it to the library and, with `announce`,
  /// serves it and announces it to every registry; the future completes after the first
  /// announce round was answered or failed. A file already in the library and unchanged is
  /// not hashed again.
  [[nodiscard]] std::future<core::Result<ShareResult>>
  share(std::filesystem::path path, bool listed = true, bool announce = true);
  /// Stops the hashing of `path` that a share() started; that share then completes with
  /// core::Errc::cancelled and nothing enters the library. Any thread. Returns false when
  /// `path` is not being hashed (not yet, or no longer).
  bool cancel_hashing(const std::filesystem::path& path);
  [[nodiscard]] std::future<core::Status> unshare(core::FileId file_id);
  /// Starts (or resumes) a download; DownloadStarted, then progress, then DownloadCompleted
  /// or DownloadFailed. While max_active_downloads downloads are active it waits in the
  /// queue instead (DownloadQueued; saved, so it waits across restarts) and starts, oldest
  /// first, when one of them completes, fails, is cancelled or paused. A command without a
  /// folder uses the download_folder setting (Errc::invalid_setting when there is none).
  [[nodiscard]] std::future<core::Status> download(DownloadCommand command);
  /// Pausing a queued download takes it out of the queue; resuming it queues it again (at
  /// the back) when every slot is taken.
  [[nodiscard]] std::future<core::Status> pause(core::FileId file_id);
  [[nodiscard]] std::future<core::Status> resume(core::FileId file_id);
  /// Also takes a queued download out of the queue.
  [[nodiscard]] std::future<core::Status> cancel(core::FileId file_id);
  /// The download's own limit, bytes per second (0: none), on top of the global one: a
  /// running download slows at once, a queued one starts with it. StateErrc::not_found for
  /// a download neither running nor queued. Kept for this run only, like
  /// DownloadCommand::download_limit.
  [[nodiscard]] std::future<core::Status> set_download_limit(core::FileId file_id,
                                                             std::uint64_t bytes_per_second);

  /// The settings in effect now (the saved ones, with this run's SessionOptions over them).
  [[nodiscard]] std::future<Settings> settings();
  /// Checks the settings (Errc::invalid_setting), applies them to the running engine at once
  /// and saves them for later runs (a LogLine says what changed). The rate limits apply to
  /// every transfer at once; a higher max_active_downloads starts queued downloads at once, a
  /// lower one stops no running download; serve_while_downloading applies to downloads
  /// started afterwards.
  [[nodiscard]] std::future<core::Status> apply_settings(Settings settings);
  /// The user said Yes to "Share this file?": the downloaded file is served and announced
  /// at once under the same File ID, without hashing it again.
  [[nodiscard]] std::future<core::Result<ShareResult>> accept_share(core::FileId file_id);
  /// The user said No: the file stays in its folder, history records the answer, and it can
  /// be shared later (again without a re-hash while it is unchanged).
  [[nodiscard]] std::future<core::Status> decline_share(core::FileId file_id);
  /// Files by name words or File ID prefix: the tracker (the DHT when the tracker fails or
  /// finds nothing) and the LAN peers' catalogues, merged, each hit labelled with where it
  /// was found. Errors: the last registry's, when none answered.
  [[nodiscard]] std::future<core::Result<std::vector<core::SearchHit>>>
  search(std::string text, std::uint32_t limit = 50);
  /// What each LAN peer lists (browsing the LAN); empty when LAN discovery is off.
  [[nodiscard]] std::future<std::vector<dht::LanCatalogue>> lan_catalogues();

  // ---- State (read from the database) ----

  [[nodiscard]] std::future<core::Result<std::vector<LibraryEntry>>> library();
  [[nodiscard]] std::future<core::Result<std::vector<HistoryEntry>>> history(std::uint32_t limit,
                                                                             std::uint32_t offset);
  [[nodiscard]] std::future<core::Result<Totals>> totals();
  /// The newest completed download of `file_id` (for "you downloaded this already"); none
  /// when it was never downloaded.
  [[nodiscard]] std::future<core::Result<std::optional<HistoryEntry>>>
  last_download(core::FileId file_id);

  /// Says goodbye to every peer, unannounces every share from the registries (each within
  /// the tracker timeout) and stops the network. Call before destruction for a clean end.
  [[nodiscard]] std::future<void> shutdown();

  /// The engine's insides (opaque to front ends).
  struct Impl;

private:
  explicit Session(std::shared_ptr<Impl> impl) noexcept;
  std::shared_ptr<Impl> impl_;
};

} // namespace swarmshare::client
