#include "session/session_impl.hpp"

#include "swarmshare/client/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace swarmshare::client {
namespace {

namespace asio = boost::asio;

constexpr std::chrono::seconds kStatisticsInterval{1};
constexpr std::uint64_t kSeedingTimeFlush = 60;
constexpr const char* kStateFileName = "state.db";

} // namespace

Session::Impl::Impl(SessionOptions session_options, Settings saved_settings, HomeLock home_lock,
                    crypto::Identity our_identity, StateStore state_store)
    : options(std::move(session_options)), settings(std::move(saved_settings)),
      lock(std::move(home_lock)), identity(std::move(our_identity)),
      keys(identity, crypto::NetworkId::public_network(), core::real_clock()),
      state(std::move(state_store)), random(core::SeededRandom::from_entropy()),
      work(asio::make_work_guard(io)), upload_limit(core::real_clock(), settings.upload_limit),
      download_limit(core::real_clock(), settings.download_limit),
      queue(settings.max_active_downloads) {}

void Session::Impl::emit(Event event) {
  std::function<void()> wake;
  {
    const std::lock_guard guard(events_mutex);
    events.push_back(std::move(event));
    wake = notify;
  }
  if (wake) {
    wake();
  }
}

void Session::Impl::log(LogLevel level, std::string text) {
  emit(LogLine{std::chrono::system_clock::now(), level, std::move(text)});
}

UnixTime Session::Impl::now_unix() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::vector<core::Registry*> Session::Impl::registry_list() {
  std::vector<core::Registry*> list;
  if (tracker_registry) {
    list.push_back(tracker_registry.get());
  }
  if (dht_node) {
    list.push_back(&dht_node->registry());
  }
  if (lan_registry) {
    list.push_back(lan_registry.get());
  }
  return list;
}

std::vector<core::Registry*> Session::Impl::lookup_registries() {
  std::vector<core::Registry*> list;
  if (tracker_then_dht) {
    list.push_back(tracker_then_dht.get());
  } else if (tracker_registry) {
    list.push_back(tracker_registry.get());
  } else if (dht_node) {
    list.push_back(&dht_node->registry());
  }
  if (lan_registry) {
    list.push_back(lan_registry.get());
  }
  return list;
}

transfer::Swarm* Session::Impl::find_swarm(const core::FileId& file_id) {
  if (const auto share = shares.find(file_id); share != shares.end()) {
    return share->second->swarm.get();
  }
  if (const auto running = downloads.find(file_id); running != downloads.end()) {
    return running->second->download ? running->second->download->swarm() : nullptr;
  }
  return nullptr;
}

core::Status Session::Impl::start() {
  crypto::ChannelConfig channel(keys, core::real_clock());
  auto server = transfer::PeerServer::start(
      io.get_executor(), channel, options.listen,
      [this](const core::FileId& file_id) { return find_swarm(file_id); });
  if (!server) {
    return server.error();
  }
  peer_server = std::move(server).value();
  peer_endpoint = peer_server->local_endpoint();
  // LAN peers browse our listed shares (never the unlisted ones).
  peer_server->set_catalogue([this] { return catalogue(); });

  if (options.tracker) {
    tracker::ClientOptions client_options;
    client_options.connect_timeout = options.tracker_timeout;
    client_options.request_timeout = options.tracker_timeout;
    tracker_client = std::make_unique<tracker::Client>(io.get_executor(), channel, *options.tracker,
                                                       client_options);
    tracker_client->set_health_callback([this](const tracker::TrackerHealth& health) {
      emit(RegistryHealthChanged{true, health});
    });
  }
  start_dht();
  if (tracker_client) {
    const std::uint16_t dht_port = dht_node ? dht_node->local_endpoint().port() : 0;
    tracker_registry = std::make_unique<tracker::TrackerRegistry>(*tracker_client, dht_port);
    if (dht_node) {
      tracker_then_dht =
          std::make_unique<core::FallbackRegistry>(*tracker_registry, dht_node->registry());
    }
  }
  start_lan();

  network_thread = std::thread([this] { io.run(); });
  asio::post(io, [self = shared_from_this()] {
    self->log(LogLevel::info, "Peer ID " + self->identity.peer_id().to_string() +
                                  "; accepting peers on " + self->peer_endpoint.to_string());
    if (self->options.serve_library) {
      self->restore_library();
      self->restore_downloads();
    }
    asio::co_spawn(
        self->io, [self]() { return self->statistics_loop(); }, asio::detached);
    if (self->dht_node && self->tracker_client) {
      asio::co_spawn(
          self->io, [self]() { return self->bootstrap_dht_from_tracker(); }, asio::detached);
    }
  });
  return boost::outcome_v2::success();
}

namespace {

[[nodiscard]] bool is_unspecified(const core::Endpoint& endpoint) {
  const auto address = endpoint.with_port(0);
  return address == core::Endpoint::ipv4({0, 0, 0, 0}, 0) || address == core::Endpoint::ipv6({}, 0);
}

} // namespace

void Session::Impl::start_dht() {
  if (!options.dht) {
    return;
  }
  dht::UdpNodeOptions node_options;
  node_options.bind = options.dht->bind;
  node_options.bootstrap = options.dht->bootstrap;
  node_options.saved_table = options.home / kDhtTableFile;
  node_options.registry.republish_interval = options.dht->republish_interval;
  auto opened = dht::UdpNode::open(io.get_executor(), identity, crypto::NetworkId::public_network(),
                                   core::real_clock(), node_options);
  if (!opened) {
    log(LogLevel::warning, "The DHT is off: could not open UDP " + options.dht->bind.to_string() +
                               ": " + opened.error().message());
    return;
  }
  dht_node = std::move(opened).value();
  dht_endpoint = dht_node->local_endpoint();
  if (dht_node->fell_back()) {
    log(LogLevel::info, "DHT port " + std::to_string(options.dht->bind.port()) +
                            " is taken (another client on this computer?); using " +
                            dht_endpoint->to_string());
  }
  // Records name the peer server's address when it binds a specific one; otherwise the DHT
  // nodes' replies say which address they see us at.
  if (!is_unspecified(peer_endpoint)) {
    dht_node->registry().set_advertised_address(peer_endpoint);
  }
  // Runs on the network thread once it starts (nothing is sent before).
  dht_node->start(
      [this](bool usable) {
        if (!usable) {
          log(LogLevel::info, "DHT: no node answered yet; it joins through the tracker's or "
                              "LAN peers when there are any");
        }
      },
      [this](const std::string& line) { log(LogLevel::info, line); });
}

asio::awaitable<void> Session::Impl::bootstrap_dht_from_tracker() {
  auto self = shared_from_this();
  auto listed = co_await tracker_client->dht_peers();
  if (!listed || !dht_node || stopping) {
    co_return;
  }
  std::vector<core::Endpoint> contacts;
  for (const auto& peer : listed.value()) {
    if (peer.peer_id == identity.peer_id()) {
      continue;
    }
    contacts.insert(contacts.end(), peer.endpoints.begin(), peer.endpoints.end());
  }
  if (!contacts.empty()) {
    log(LogLevel::info,
        "DHT: " + std::to_string(listed.value().size()) + " DHT nodes listed by the tracker");
    dht_node->add_contacts(std::move(contacts));
  }
}

void Session::Impl::start_lan() {
  if (!options.lan) {
    return;
  }
  const std::uint16_t dht_port = dht_node ? dht_node->local_endpoint().port() : 0;
  lan = std::make_unique<dht::LanDiscovery>(io.get_executor(), identity.peer_id(),
                                            peer_endpoint.port(), dht_port, core::real_clock(),
                                            *options.lan);
  lan->set_listener([this](dht::LanPeerEvent event, const dht::LanPeer& peer) {
    const auto addresses = peer.addresses();
    const std::string where =
        addresses.empty() ? std::string{"?"}
                          : addresses.front().endpoint.with_port(peer.peer_port).to_string();
    if (dht_node && peer.dht_port != 0 && event != dht::LanPeerEvent::expired) {
      // LAN peers are DHT contacts too: a LAN with no bootstrap node still forms a DHT.
      std::vector<core::Endpoint> contacts;
      for (const auto& address : addresses) {
        contacts.push_back(address.endpoint.with_port(peer.dht_port));
      }
      dht_node->add_contacts(std::move(contacts));
    }
    switch (event) {
    case dht::LanPeerEvent::appeared:
      log(LogLevel::info, "LAN peer " + peer.peer_id.to_short_string() + " found at " + where);
      break;
    case dht::LanPeerEvent::changed: break;
    case dht::LanPeerEvent::expired:
      log(LogLevel::info, "LAN peer " + peer.peer_id.to_short_string() + " is gone");
      break;
    }
  });
  if (auto started = lan->start(); !started) {
    log(LogLevel::warning, "LAN discovery is off: " + started.error().message());
    lan.reset();
    return;
  }
  lan_registry = std::make_unique<dht::LanRegistry>(*lan);
  lan_registry->set_catalogue_fetch([this](crypto::PeerId peer, core::Endpoint endpoint) {
    return fetch_lan_catalogue(peer, endpoint);
  });
}

asio::awaitable<void> Session::Impl::statistics_loop() {
  auto self = shared_from_this();
  while (!stopping) {
    statistics_timer.expires_after(kStatisticsInterval);
    boost::system::error_code ignored;
    co_await statistics_timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (stopping) {
      break;
    }
    statistics_tick();
  }
}

void Session::Impl::statistics_tick(bool flush_all) {
  StatisticsTick tick;
  std::uint64_t uploaded_now = 0;
  std::uint64_t downloaded_now = 0;
  for (auto& [file_id, share] : shares) {
    const auto counters = share->swarm->counters();
    tick.peers += counters.peers;
    uploaded_now += counters.uploaded;
    // The state learns only the change since the last tick: one write per share a second.
    if (counters.uploaded > share->uploaded_recorded) {
      (void)state.add_uploaded(file_id, counters.uploaded - share->uploaded_recorded);
      share->uploaded_recorded = counters.uploaded;
    }
    if (counters.peers_served > share->peers_served_recorded) {
      (void)state.add_peers_served(file_id, counters.peers_served - share->peers_served_recorded);
      share->peers_served_recorded = counters.peers_served;
    }
    // Seeding time is written once a minute (and at shutdown): a second-by-second write
    // would be one fsync per share per second for a number that changes by one.
    share->seconds_unrecorded += static_cast<std::uint64_t>(kStatisticsInterval.count());
    if (share->seconds_unrecorded >= kSeedingTimeFlush || flush_all) {
      (void)state.add_seconds_seeded(file_id, share->seconds_unrecorded);
      share->seconds_unrecorded = 0;
    }
  }
  for (auto& [file_id, running] : downloads) {
    tick.peers += running->last_progress.peers;
    downloaded_now += running->last_progress.received_bytes;
    running->record_received();
    uploaded_now += running->uploaded_recorded;
  }
  tick.upload_rate = uploaded_now > last_uploaded_total ? uploaded_now - last_uploaded_total : 0;
  tick.download_rate =
      downloaded_now > last_downloaded_total ? downloaded_now - last_downloaded_total : 0;
  last_uploaded_total = uploaded_now;
  last_downloaded_total = downloaded_now;
  if (auto totals = state.totals()) {
    tick.bytes_uploaded = totals.value().bytes_uploaded;
    tick.bytes_downloaded = totals.value().bytes_downloaded;
  }
  if (dht_node) {
    tick.dht_nodes = static_cast<std::uint32_t>(dht_node->node().routing_table().size());
  }
  if (lan) {
    tick.lan_peers = static_cast<std::uint32_t>(lan->snapshot().size());
  }
  tick.shares = static_cast<std::uint32_t>(shares.size());
  tick.downloads = static_cast<std::uint32_t>(downloads.size());
  emit(tick);
}

asio::awaitable<void> Session::Impl::shutdown_async() {
  auto self = shared_from_this();
  if (stopping) {
    co_return;
  }
  stopping = true;
  statistics_timer.cancel();
  statistics_tick(true); // the last counters reach the state
  std::vector<core::FileId> announced_downloads;
  for (auto& [file_id, running] : downloads) {
    if (running->download) {
      running->download->pause(); // saves its resume record
    }
    if (running->announced && !shares.contains(file_id)) {
      announced_downloads.push_back(file_id);
      running->announced = false;
    }
  }
  for (const auto& file_id : announced_downloads) {
    for (auto* registry : registry_list()) {
      (void)co_await registry->unannounce(file_id);
      if (torn_down) {
        co_return;
      }
    }
  }
  for (auto& [file_id, share] : shares) {
    share->swarm->stop(transfer::wire::GoodbyeReason::shutting_down);
  }
  for (auto& [file_id, share] : shares) {
    for (auto* registry : registry_list()) {
      auto withdrawn = co_await registry->unannounce(file_id);
      if (torn_down) {
        co_return;
      }
      if (!withdrawn) {
        log(LogLevel::warning, "Could not withdraw " + share->entry.manifest.name() + " from the " +
                                   std::string(core::to_string(registry->origin())) + ": " +
                                   withdrawn.error().message());
      }
    }
  }
  if (tracker_client) {
    co_await tracker_client->close();
  }
  if (peer_server) {
    peer_server->stop();
  }
  if (lan) {
    lan->stop();
  }
  if (dht_node) {
    dht_node->stop(); // saves the routing table
  }
}

void Session::Impl::stop_now() {
  stopping = true;
  torn_down = true;
  statistics_timer.cancel();
  downloads.clear();
  shares.clear();
  peer_server.reset();
  tracker_then_dht.reset();
  tracker_registry.reset();
  lan_registry.reset();
  lan.reset();
  dht_node.reset();
  if (tracker_client) {
    tracker_client->stop();
  }
  tracker_client.reset();
  work.reset();
}

// ---- Session ----

core::Result<std::unique_ptr<Session>> Session::open(SessionOptions options) {
  auto lock = HomeLock::acquire(options.home, options.program);
  if (!lock) {
    return lock.error();
  }
  auto identity = crypto::load_or_create_identity(options.home);
  if (!identity) {
    return identity.error();
  }
  auto state = StateStore::open(options.home / kStateFileName);
  if (!state) {
    return state.error();
  }
  auto saved = load_settings(state.value());
  // A saved value this build cannot read (edited by hand) must not lock the user out of the
  // client and of the settings command that would fix it: the defaults then, and a warning.
  const bool unreadable_settings = !saved && saved.error() == StateErrc::unreadable_row;
  if (!saved && !unreadable_settings) {
    return saved.error();
  }
  // This run's options win over the saved settings, unsaved (see SessionOptions).
  Settings settings = saved ? saved.value() : Settings{};
  settings.upload_limit = options.upload_limit.value_or(settings.upload_limit);
  settings.download_limit = options.download_limit.value_or(settings.download_limit);
  settings.upload_limit_per_peer =
      options.upload_limit_per_peer.value_or(settings.upload_limit_per_peer);
  settings.serve_while_downloading =
      options.serve_while_downloading.value_or(settings.serve_while_downloading);
  settings.max_active_downloads =
      options.max_active_downloads.value_or(settings.max_active_downloads);
  if (auto valid = validate(settings); !valid) {
    return valid.error();
  }
  auto impl =
      std::make_shared<Impl>(std::move(options), std::move(settings), std::move(lock).value(),
                             std::move(identity).value(), std::move(state).value());
  if (unreadable_settings) {
    impl->log(LogLevel::warning, "The saved settings cannot be read; using the defaults until "
                                 "they are saved again");
  }
  if (auto started = impl->start(); !started) {
    return started.error();
  }
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Session::Session(std::shared_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

Session::~Session() {
  asio::post(impl_->io, [impl = impl_] { impl->stop_now(); });
  if (impl_->network_thread.joinable()) {
    impl_->network_thread.join();
  }
  impl_->disk.join();
}

const crypto::PeerId& Session::peer_id() const noexcept { return impl_->identity.peer_id(); }

core::Endpoint Session::peer_endpoint() const { return impl_->peer_endpoint; }

std::optional<core::Endpoint> Session::dht_endpoint() const { return impl_->dht_endpoint; }

void Session::set_notify(std::function<void()> notify) {
  const std::lock_guard guard(impl_->events_mutex);
  impl_->notify = std::move(notify);
}

std::vector<Event> Session::take_events() {
  const std::lock_guard guard(impl_->events_mutex);
  return std::exchange(impl_->events, {});
}

std::future<void> Session::shutdown() {
  auto promise = std::make_shared<std::promise<void>>();
  auto future = promise->get_future();
  asio::co_spawn(
      impl_->io, [impl = impl_]() { return impl->shutdown_async(); },
      [promise](const std::exception_ptr& error) {
        if (error) {
          promise->set_exception(error);
        } else {
          promise->set_value();
        }
      });
  return future;
}

std::future<core::Result<std::vector<LibraryEntry>>> Session::library() {
  return on_network<core::Result<std::vector<LibraryEntry>>>(
      *impl_, [impl = impl_] { return impl->state.library(); });
}

std::future<core::Result<std::optional<HistoryEntry>>>
Session::last_download(core::FileId file_id) {
  return on_network<core::Result<std::optional<HistoryEntry>>>(
      *impl_, [impl = impl_, file_id]() { return impl->state.last_download(file_id); });
}

std::future<core::Result<std::vector<HistoryEntry>>> Session::history(std::uint32_t limit,
                                                                      std::uint32_t offset) {
  return on_network<core::Result<std::vector<HistoryEntry>>>(
      *impl_, [impl = impl_, limit, offset]() -> core::Result<std::vector<HistoryEntry>> {
        auto all = impl->state.history(limit + offset, std::nullopt);
        if (!all) {
          return all.error();
        }
        auto& rows = all.value();
        rows.erase(rows.begin(), rows.begin() + std::min<std::size_t>(offset, rows.size()));
        return rows;
      });
}

std::future<Settings> Session::settings() {
  return on_network<Settings>(*impl_, [impl = impl_] { return impl->settings; });
}

std::future<core::Status> Session::apply_settings(Settings settings) {
  return on_network<core::Status>(*impl_, [impl = impl_, settings = std::move(settings)] {
    return impl->apply_settings_now(settings);
  });
}

std::future<core::Result<Totals>> Session::totals() {
  return on_network<core::Result<Totals>>(*impl_, [impl = impl_] { return impl->state.totals(); });
}

} // namespace swarmshare::client
