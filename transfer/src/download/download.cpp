#include "download/download_impl.hpp"

#include "swarmshare/transfer/download_folder.hpp"
#include "swarmshare/transfer/error.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>

#include <algorithm>
#include <variant>

namespace swarmshare::transfer {
namespace {

namespace asio = boost::asio;

crypto::PeerId own_peer_id(const crypto::ChannelConfig& config) {
  if (const auto* keys =
          std::get_if<std::reference_wrapper<crypto::StaticKeyManager>>(&config.static_key)) {
    return keys->get().peer_id();
  }
  return std::get<crypto::CertifiedStaticKey>(config.static_key).certificate.identity;
}

// A download started without a random source still needs one for its piece picker.
core::Random& fallback_random() {
  thread_local core::SeededRandom random = core::SeededRandom::from_entropy();
  return random;
}

std::uint64_t chunk_bytes(const core::Manifest& manifest, core::ChunkIndex chunk) {
  const auto length = manifest.chunk_length(chunk);
  return length ? length.value() : 0;
}

} // namespace

std::string short_id(const crypto::PeerId& peer) { return peer.to_short_string(); }

std::string_view to_string(DownloadState state) noexcept {
  switch (state) {
  case DownloadState::fetching_manifest: return "fetching manifest";
  case DownloadState::allocating: return "allocating";
  case DownloadState::downloading: return "downloading";
  case DownloadState::paused: return "paused";
  case DownloadState::completed: return "completed";
  case DownloadState::failed: return "failed";
  case DownloadState::cancelled: return "cancelled";
  }
  return "unknown";
}

// The swarm calls its observer from inside its own work; each event is posted and handled
// afterwards, and only while the run that made the swarm is still the current one.
class Download::Impl::SwarmEvents final : public SwarmObserver {
public:
  SwarmEvents(std::weak_ptr<Impl> owner, std::uint64_t run, asio::any_io_executor network)
      : owner_(std::move(owner)), run_(run), network_(std::move(network)) {}

  void on_chunk_verified(core::ChunkIndex chunk) override {
    later([chunk](Impl& impl) { impl.on_chunk_verified(chunk); });
  }
  void on_complete() override {
    later([run = run_](Impl& impl) { impl.complete(run); });
  }
  void on_peer_banned(const crypto::PeerId& peer) override {
    later([peer](Impl& impl) {
      impl.log("A chunk failed verification; peer " + short_id(peer) + " banned");
    });
  }
  void on_peer_attached(const crypto::PeerId& peer) override {
    later([peer](Impl& impl) { impl.on_peer_attached(peer); });
  }
  void on_peer_detached(const crypto::PeerId& peer, std::error_code why) override {
    later([peer, why](Impl& impl) { impl.on_peer_detached(peer, why); });
  }
  void on_storage_error(std::error_code error) override {
    later([error](Impl& impl) {
      impl.fail(error, "Cannot write to " + impl.part_path.string() + ": " + error.message());
    });
  }

private:
  template <class F>
  void later(F handle) {
    asio::post(network_, [owner = owner_, run = run_, handle = std::move(handle)]() {
      if (auto impl = owner.lock(); impl && impl->active(run)) {
        handle(*impl);
      }
    });
  }

  std::weak_ptr<Impl> owner_;
  std::uint64_t run_;
  asio::any_io_executor network_;
};

Download::Impl::Impl(DownloadEnvironment environment_in, DownloadRequest request_in,
                     DownloadOptions options_in, DownloadObserver& observer_in)
    : environment(std::move(environment_in)), request(std::move(request_in)), options(options_in),
      observer(observer_in),
      disk_io(environment.disk_io != nullptr ? *environment.disk_io : posix_disk_io()),
      clock(environment.clock != nullptr ? *environment.clock : core::real_clock()),
      random(environment.random != nullptr ? *environment.random : fallback_random()),
      disk_strand(asio::make_strand(environment.disk)), self_id(own_peer_id(environment.channel)),
      download_limiter(clock, options.download_rate), manifest(request.manifest),
      sources_timer(environment.network), progress_timer(environment.network) {
  if (manifest && manifest->file_id() != request.file_id) {
    manifest.reset(); // not this file's: fetched and checked like an unknown one
  }
  if (manifest) {
    part_path = part_path_for(request.folder, manifest->name());
  }
}

// ---- Runs ----

void Download::Impl::start_run() {
  const std::uint64_t run = ++run_id;
  finishing = false;
  dialling = 0;
  for (auto& [key, source] : known) {
    source.dialling = false;
  }
  sourceless_since = std::chrono::steady_clock::now();
  set_state(manifest ? DownloadState::allocating : DownloadState::fetching_manifest);
  asio::co_spawn(
      environment.network, [self = shared_from_this(), run]() { return self->run(run); },
      asio::detached);
}

asio::awaitable<void> Download::Impl::run(std::uint64_t run) {
  auto self = shared_from_this();
  if (!manifest) {
    auto found = co_await fetch_manifest(run);
    if (!active(run)) {
      co_return;
    }
    if (!found) {
      fail(found.error(), "No registry or peer has the manifest of " + request.file_id.to_hex());
      co_return;
    }
    manifest = std::make_shared<const core::Manifest>(std::move(found).value());
    part_path = part_path_for(request.folder, manifest->name());
    notify([file = manifest](DownloadObserver& to) { to.on_manifest(*file); });
    set_state(DownloadState::allocating);
  }
  // On the disk strand. A named job, not a temporary inside the co_await: g++ 12 destroys
  // such a temporary twice when the coroutine suspends.
  auto prepare = [folder = request.folder, file = manifest, &clock = clock,
                  &disk = disk_io]() -> asio::awaitable<detail::PreparedStorage> {
    co_return detail::prepare_storage(folder, *file, clock, disk);
  };
  detail::PreparedStorage prepared =
      co_await asio::co_spawn(*disk_strand, std::move(prepare), asio::use_awaitable);
  if (!active(run)) {
    co_return; // paused or cancelled meanwhile: the .part closes with `prepared`
  }
  for (auto& line : prepared.log) {
    log(std::move(line));
  }
  if (prepared.error) {
    if (!prepared.part_path.empty()) {
      part_path = prepared.part_path;
    }
    fail(prepared.error, prepared.detail);
    co_return;
  }
  begin_downloading(run, std::move(prepared));
}

void Download::Impl::begin_downloading(std::uint64_t run, detail::PreparedStorage prepared) {
  part_path = prepared.part_path;
  storage = std::make_shared<detail::PartFileStorage>(std::move(*prepared.part), clock, disk_io);
  save_in_flight = false;
  save_again = false;
  verified = std::move(prepared.verified);
  verified_bytes = 0;
  auto have = Bitfield::create(manifest->chunk_count());
  if (!have) {
    fail(have.error(), "The manifest of \"" + manifest->name() + "\" cannot be downloaded");
    return;
  }
  for (std::uint32_t i = 0; i < verified.size(); ++i) {
    if (verified[i]) {
      (void)have.value().set(core::ChunkIndex{i});
      verified_bytes += chunk_bytes(*manifest, core::ChunkIndex{i});
    }
  }
  verify_seq = saved_seq = 0;
  if (!resumed_known) {
    resumed_known = true;
    resumed_bytes = verified_bytes;
  }
  SwarmLimits limits = environment.limits;
  limits.swarm_download = &download_limiter; // on top of the global limits.download
  if (limits.clock == nullptr) {
    limits.clock = &clock;
  }
  const bool already_complete = have.value().all();
  current.events = std::make_unique<SwarmEvents>(weak_from_this(), run, environment.network);
  current.swarm = std::make_unique<Swarm>(environment.network, environment.disk, manifest, storage,
                                          std::move(have).value(), options.swarm, random, limits,
                                          *current.events);
  set_state(DownloadState::downloading);
  if (already_complete) {
    complete(run);
    return;
  }
  asio::co_spawn(
      environment.network, [self = shared_from_this(), run]() { return self->sources_loop(run); },
      asio::detached);
  asio::co_spawn(
      environment.network, [self = shared_from_this(), run]() { return self->progress_loop(run); },
      asio::detached);
}

void Download::Impl::end_run(wire::GoodbyeReason reason) {
  ++run_id;
  sources_timer.cancel();
  progress_timer.cancel();
  if (current.swarm) {
    const auto counters = current.swarm->counters();
    retired_downloaded += counters.downloaded;
    retired_uploaded += counters.uploaded;
    current.swarm->stop(reason);
    retired.push_back(std::move(current));
    current = {};
  }
}

void Download::Impl::release_storage(bool save) {
  if (!storage) {
    return;
  }
  asio::post(*disk_strand,
             [kept = std::move(storage), file = manifest, snapshot = verified, save]() {
               kept->freeze();
               if (save) {
                 (void)kept->save_now(*file, snapshot);
               }
               (void)kept->close();
             });
  storage.reset();
}

void Download::Impl::pause() {
  if (finishing || (state != DownloadState::fetching_manifest &&
                    state != DownloadState::allocating && state != DownloadState::downloading)) {
    return;
  }
  end_run(wire::GoodbyeReason::done);
  release_storage(true);
  log("Paused");
  set_state(DownloadState::paused);
}

void Download::Impl::resume() {
  if (state != DownloadState::paused && state != DownloadState::failed) {
    return;
  }
  // Stopped swarms have had their time for goodbyes.
  retired.clear();
  start_run();
}

void Download::Impl::cancel() {
  if (finishing || state == DownloadState::completed || state == DownloadState::cancelled) {
    return;
  }
  end_run(wire::GoodbyeReason::done);
  release_storage(false);
  if (manifest) {
    asio::post(*disk_strand, [folder = request.folder, file = manifest, &disk = disk_io]() {
      detail::discard_own_files(folder, *file, disk);
    });
  }
  log("Cancelled");
  set_state(DownloadState::cancelled);
}

void Download::Impl::shutdown() {
  dead = true;
  ++run_id;
  sources_timer.cancel();
  progress_timer.cancel();
  current = {}; // drops every link at once
  retired.clear();
  release_storage(!finishing);
  disk_strand.reset(); // jobs already posted keep it until they have run
}

void Download::Impl::complete(std::uint64_t run) {
  if (!active(run) || finishing) {
    return;
  }
  finishing = true;
  end_run(wire::GoodbyeReason::done);
  const std::uint64_t finish_run = run_id;
  // No record after this: the last one is removed with the move.
  asio::post(*disk_strand, [weak = weak_from_this(), kept = std::move(storage), from = part_path,
                            folder = request.folder, name = manifest->name(), &disk = disk_io,
                            network = environment.network, finish_run]() {
    core::Result<std::filesystem::path> moved = [&]() -> core::Result<std::filesystem::path> {
      if (auto closed = kept->close(); !closed) {
        return closed.error();
      }
      return finish(from, folder, name, disk);
    }();
    asio::post(network, [weak, finish_run, moved = std::move(moved)]() mutable {
      if (auto self = weak.lock()) {
        self->on_finished(finish_run, std::move(moved));
      }
    });
  });
  storage.reset();
}

void Download::Impl::on_finished(std::uint64_t run, core::Result<std::filesystem::path> moved) {
  if (!active(run)) {
    return;
  }
  finishing = false;
  if (!moved) {
    fail(moved.error(), "Cannot move " + part_path.string() + " into " + request.folder.string() +
                            ": " + moved.error().message());
    return;
  }
  log("Completed: " + moved.value().string());
  set_state(DownloadState::completed);
  notify([path = moved.value()](DownloadObserver& to) { to.on_completed(path); });
}

void Download::Impl::fail(std::error_code error, std::string detail) {
  if (state == DownloadState::failed || state == DownloadState::completed ||
      state == DownloadState::cancelled) {
    return;
  }
  end_run(wire::GoodbyeReason::shutting_down);
  finishing = false;
  release_storage(true); // the partial file and its record stay for a later attempt
  log("Failed: " + detail);
  set_state(DownloadState::failed);
  notify(
      [error, detail = std::move(detail)](DownloadObserver& to) { to.on_failed(error, detail); });
}

void Download::Impl::set_state(DownloadState next) {
  state = next;
  emit_progress();
}

// ---- Swarm events ----

void Download::Impl::on_chunk_verified(core::ChunkIndex chunk) {
  const auto index = static_cast<std::size_t>(core::index_value(chunk));
  if (index >= verified.size() || verified[index]) {
    return;
  }
  verified[index] = true;
  const std::uint64_t bytes = chunk_bytes(*manifest, chunk);
  verified_bytes += bytes;
  received_bytes += bytes;
  ++verify_seq;
  if (current.swarm && !current.swarm->complete()) {
    request_save();
  }
}

void Download::Impl::on_peer_attached(const crypto::PeerId& peer) {
  sourceless_since = std::chrono::steady_clock::now();
  if (dialled_in.erase(peer) == 0) {
    log("Peer " + short_id(peer) + " connected to us");
  }
}

void Download::Impl::on_peer_detached(const crypto::PeerId& peer, std::error_code why) {
  if (peers_now() == 0) {
    sourceless_since = std::chrono::steady_clock::now();
  }
  log("Peer " + short_id(peer) + " disconnected" + (why ? " (" + why.message() + ")" : ""));
}

// ---- Download ----

Download::Download(DownloadEnvironment environment, DownloadRequest request,
                   DownloadOptions options, DownloadObserver& observer)
    : impl_(std::make_shared<Impl>(std::move(environment), std::move(request), options, observer)) {
}

Download::~Download() {
  impl_->shutdown();
  // The swarms are gone, but completions they posted may still be queued, and the last
  // ones hold their observer (ours) by reference: the state goes after them.
  const auto network = impl_->environment.network;
  asio::post(network, [network, keep = std::move(impl_)]() mutable {
    asio::post(network, [keep = std::move(keep)]() {});
  });
}

void Download::start() {
  if (!impl_->started) {
    impl_->started = true;
    impl_->start_run();
  }
}

void Download::pause() { impl_->pause(); }
void Download::resume() { impl_->resume(); }
void Download::cancel() { impl_->cancel(); }

void Download::set_download_rate(std::uint64_t bytes_per_second) {
  impl_->options.download_rate = bytes_per_second;
  impl_->download_limiter.set_rate(bytes_per_second);
}

void Download::set_upload_rate_per_peer(std::uint64_t bytes_per_second) {
  // Kept in the options too: a resumed download builds its swarm from them.
  impl_->options.swarm.upload_rate_per_peer = bytes_per_second;
  if (Swarm* running = swarm()) {
    running->set_upload_rate_per_peer(bytes_per_second);
  }
}

const core::FileId& Download::file_id() const noexcept { return impl_->request.file_id; }
DownloadState Download::state() const noexcept { return impl_->state; }
DownloadProgress Download::progress() const { return impl_->make_progress(); }

std::shared_ptr<const core::Manifest> Download::manifest() const { return impl_->manifest; }

Swarm* Download::swarm() noexcept {
  return impl_->state == DownloadState::downloading && !impl_->finishing
             ? impl_->current.swarm.get()
             : nullptr;
}

std::filesystem::path Download::part_path() const { return impl_->part_path; }

} // namespace swarmshare::transfer
