#pragma once
// The session's insides, shared by its source files: session.cpp (start, stop, events,
// statistics), shares.cpp (the library, sharing and announcing) and downloads.cpp.
//
// Everything here lives on the network thread (`io`) unless it says otherwise; public
// commands post onto it and complete their promise from there.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "session/download_queue.hpp"
#include "swarmshare/client/home_lock.hpp"
#include "swarmshare/client/session.hpp"
#include "swarmshare/client/state_store.hpp"
#include "swarmshare/core/fallback_registry.hpp"
#include "swarmshare/core/random.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/dht/lan_registry.hpp"
#include "swarmshare/dht/udp_node.hpp"
#include "swarmshare/tracker/client.hpp"
#include "swarmshare/tracker/tracker_registry.hpp"
#include "swarmshare/transfer/peer_server.hpp"
#include "swarmshare/transfer/rate_limiter.hpp"
#include "swarmshare/transfer/swarm.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <map>
#include <mutex>
#include <stop_token>
#include <thread>

namespace swarmshare::client {

/// A file being served: its swarm, and what the library says of it.
struct Share final : transfer::SwarmObserver {
  Share(struct Session::Impl& session_impl, LibraryEntry library_entry)
      : session(session_impl), entry(std::move(library_entry)) {}

  void on_file_changed() override;
  void on_peer_banned(const crypto::PeerId& peer) override;

  struct Session::Impl& session;
  LibraryEntry entry;
  std::shared_ptr<const core::Manifest> manifest;
  std::unique_ptr<transfer::Swarm> swarm;
  // Counters already written to the state, so each statistics tick adds only the change.
  std::uint64_t uploaded_recorded = 0;
  std::uint32_t peers_served_recorded = 0;
  std::uint64_t seconds_unrecorded = 0;
};

/// A running (or finished, awaiting the share question) download.
struct ActiveDownload final : transfer::DownloadObserver {
  ActiveDownload(struct Session::Impl& session_impl, core::FileId id)
      : session(session_impl), file_id(id) {}

  void on_manifest(const core::Manifest& manifest) override;
  void on_source_found(const core::PeerSource& source) override;
  void on_progress(const transfer::DownloadProgress& progress) override;
  void on_completed(const std::filesystem::path& path) override;
  void on_failed(std::error_code error, const std::string& detail) override;
  void on_log(const std::string& line) override;
  /// Writes what it received and served since the last statistics tick to the state.
  void record_received();

  struct Session::Impl& session;
  core::FileId file_id;
  std::filesystem::path folder;
  std::unique_ptr<transfer::Download> download;
  std::uint32_t sources = 0;
  transfer::DownloadProgress last_progress;
  std::uint64_t downloaded_recorded = 0;
  // What it served while downloading, already written to the state.
  std::uint64_t uploaded_recorded = 0;
  std::uint32_t peers_served_recorded = 0;
  // Neither a paused download nor one that ended (it leaves `downloads` a moment later)
  // takes one of the max_active_downloads slots.
  bool paused = false;
  bool finished = false;
  /// Serves its verified chunks (the setting when it started).
  bool serves_chunks = true;
  /// Listed in the registries as a source of its file (see announce_download).
  bool announced = false;
};

/// The saved settings (Settings' defaults for those never saved). Errors: the database, or a
/// saved value this build cannot read (StateErrc::unreadable_row).
[[nodiscard]] core::Result<Settings> load_settings(StateStore& state);
/// All of them, in one transaction.
[[nodiscard]] core::Status save_settings(StateStore& state, const Settings& settings);

struct Session::Impl : std::enable_shared_from_this<Session::Impl> {
  Impl(SessionOptions session_options, Settings saved_settings, HomeLock home_lock,
       crypto::Identity our_identity, StateStore state_store);

  // ---- Events (any thread) ----
  void emit(Event event);
  void log(LogLevel level, std::string text);

  // ---- Start and stop (session.cpp) ----
  [[nodiscard]] core::Status start();
  /// Counters to the state and a StatisticsTick event; flush_all also writes what is
  /// otherwise written once a minute.
  void statistics_tick(bool flush_all = false);
  /// Starts LAN discovery when the options ask for it; a failure only logs (no LAN peers).
  void start_lan();
  /// Opens the DHT node when the options ask for it and starts joining; a failure only logs
  /// (no DHT: the tracker and the LAN alone).
  void start_dht();
  /// Asks the tracker for DHT-capable peers and joins the DHT through them.
  boost::asio::awaitable<void> bootstrap_dht_from_tracker();
  boost::asio::awaitable<void> statistics_loop();
  boost::asio::awaitable<void> shutdown_async();
  void stop_now();
  [[nodiscard]] transfer::Swarm* find_swarm(const core::FileId& file_id);
  /// Every registry, for announces: each is told and each answers for itself.
  [[nodiscard]] std::vector<core::Registry*> registry_list();
  /// The registries downloads and searches ask: the tracker first and the DHT when the
  /// tracker fails or knows too few (core::FallbackRegistry), then the LAN.
  [[nodiscard]] std::vector<core::Registry*> lookup_registries();
  [[nodiscard]] static UnixTime now_unix();

  // ---- Shares (shares.cpp) ----
  void restore_library();
  [[nodiscard]] core::Result<Share*> serve(LibraryEntry entry);
  boost::asio::awaitable<std::vector<ShareAnnounced>> announce(Share& share);
  boost::asio::awaitable<core::Result<ShareResult>> share_async(std::filesystem::path path,
                                                                bool listed, bool announce_it);
  boost::asio::awaitable<core::Status> unshare_async(core::FileId file_id);
  boost::asio::awaitable<core::Result<ShareResult>> accept_share_async(core::FileId file_id);
  [[nodiscard]] core::Status decline_share_now(const core::FileId& file_id);
  /// Every lookup registry's hits, merged (Session::search).
  boost::asio::awaitable<core::Result<std::vector<core::SearchHit>>>
  search_async(std::string text, std::uint32_t limit);
  boost::asio::awaitable<std::vector<dht::LanCatalogue>> lan_catalogues_async();
  /// A LAN peer's catalogue over the secure channel (LanRegistry's CatalogueFetch).
  boost::asio::awaitable<core::Result<std::vector<core::SearchHit>>>
  fetch_lan_catalogue(crypto::PeerId peer, core::Endpoint endpoint);
  /// What the peer server lists to LAN peers: the listed shares.
  [[nodiscard]] std::vector<transfer::CatalogueEntry> catalogue() const;

  // ---- Downloads (downloads.cpp) ----
  /// Starts the download, or queues it when every slot is taken.
  [[nodiscard]] core::Status start_download(DownloadCommand command);
  /// Starts it whatever the limit: a new transfer::Download, or a paused one resumed.
  [[nodiscard]] core::Status launch_download(DownloadCommand command);
  /// Starts queued downloads while there are free slots (after a download ended, paused, or
  /// the limit was raised).
  void start_queued();
  /// The downloads taking a slot.
  [[nodiscard]] std::size_t active_count() const noexcept;
  void restore_downloads();
  [[nodiscard]] core::Status pause_download(const core::FileId& file_id);
  [[nodiscard]] core::Status resume_download(const core::FileId& file_id);
  [[nodiscard]] core::Status cancel_download(const core::FileId& file_id);
  /// A running download's own limit changes at once; a queued one's is kept for its start.
  [[nodiscard]] core::Status set_download_limit_now(const core::FileId& file_id,
                                                    std::uint64_t bytes_per_second);
  void finish_download(const core::FileId& file_id);
  /// A download that serves its verified chunks is a source too: the registries list it
  /// (unlisted, so a downloader never makes an unlisted file searchable), and the other
  /// downloaders of a swarm find each other instead of all waiting on the seeders.
  void announce_download(ActiveDownload& active, std::shared_ptr<const core::Manifest> manifest);
  /// Takes that listing back (paused, failed, cancelled or completed: a Yes to "Share this
  /// file?" announces it again, as a share). Kept when the file is shared already.
  void withdraw_download(ActiveDownload& active);

  // ---- Settings (settings.cpp) ----
  [[nodiscard]] core::Status apply_settings_now(const Settings& next);
  /// Settings::upload_limit_per_peer to every share's and running download's swarm.
  void apply_upload_limit_per_peer();

  SessionOptions options;
  /// In effect now: the saved settings with SessionOptions' overrides.
  Settings settings;
  HomeLock lock;
  crypto::Identity identity;
  crypto::StaticKeyManager keys;
  StateStore state;
  core::SeededRandom random;

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  boost::asio::thread_pool disk{2};
  std::thread network_thread;

  transfer::RateLimiter upload_limit;
  transfer::RateLimiter download_limit;
  std::unique_ptr<tracker::Client> tracker_client;
  std::unique_ptr<tracker::TrackerRegistry> tracker_registry;
  std::unique_ptr<dht::LanDiscovery> lan;
  std::unique_ptr<dht::LanRegistry> lan_registry;
  std::unique_ptr<dht::UdpNode> dht_node;
  /// The tracker, then the DHT (both present only).
  std::unique_ptr<core::FallbackRegistry> tracker_then_dht;
  std::unique_ptr<transfer::PeerServer> peer_server;
  core::Endpoint peer_endpoint;
  /// Set at start, read from any thread: dht_node is the network thread's.
  std::optional<core::Endpoint> dht_endpoint;
  std::map<core::FileId, std::unique_ptr<Share>> shares;
  std::map<core::FileId, std::unique_ptr<ActiveDownload>> downloads;
  DownloadQueue queue{0};
  boost::asio::steady_timer statistics_timer{io};
  bool stopping = false;
  /// stop_now() destroyed the registries: a coroutine that was waiting on one of them must
  /// not touch any registry (its pointers dangle) once it resumes.
  bool torn_down = false;

  // Rates for the statistics tick.
  std::uint64_t last_uploaded_total = 0;
  std::uint64_t last_downloaded_total = 0;

  /// Files being hashed for a share, each with the switch that cancels its hashing; any
  /// thread may cancel (Session::cancel_hashing).
  std::mutex hashing_mutex;
  std::map<std::filesystem::path, std::stop_source> hashing;

  std::mutex events_mutex;
  std::vector<Event> events;
  std::function<void()> notify;
};

/// Runs `work` on the session's network thread and hands its result to a future.
template <class T, class Work>
std::future<T> on_network(Session::Impl& impl, Work work) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  boost::asio::post(impl.io, [promise, work = std::move(work)]() mutable {
    try {
      if constexpr (std::is_void_v<T>) {
        work();
        promise->set_value();
      } else {
        promise->set_value(work());
      }
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  return future;
}

} // namespace swarmshare::client
