// The library: serving shared files in place, announcing them, sharing and unsharing, and
// "Share this file?" after a download.

#include "session/session_impl.hpp"

#include "swarmshare/core/file_hasher.hpp"
#include "swarmshare/dht/error.hpp"
#include "swarmshare/transfer/chunk_storage.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace swarmshare::client {
namespace {

namespace asio = boost::asio;

[[nodiscard]] transfer::Bitfield all_chunks(const core::Manifest& manifest) {
  auto bits = transfer::Bitfield::create(manifest.chunk_count()).value();
  for (std::uint32_t i = 0; i < manifest.chunk_count(); ++i) {
    (void)bits.set(core::ChunkIndex{i});
  }
  return bits;
}

[[nodiscard]] ShareResult result_of(const LibraryEntry& entry, bool already_shared) {
  ShareResult result;
  result.file_id = entry.file_id();
  result.name = entry.manifest.name();
  result.size = entry.manifest.file_size();
  result.path = entry.path;
  result.already_shared = already_shared;
  return result;
}

// Size and modification time now, for "unchanged since it was hashed".
struct FileStamp {
  std::uint64_t size = 0;
  std::int64_t modified_ns = 0;
};

[[nodiscard]] core::Result<FileStamp> stamp_of(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) {
    return make_error_code(core::Errc::file_not_found);
  }
  auto modified = transfer::modification_time_ns(path);
  if (!modified) {
    return modified.error();
  }
  return FileStamp{size, modified.value()};
}

// A library entry for a file that is active from now on, as it is at `stamp`.
[[nodiscard]] LibraryEntry active_entry(core::Manifest manifest, std::filesystem::path path,
                                        const FileStamp& stamp, FileSource source, bool listed,
                                        UnixTime now) {
  LibraryEntry entry(std::move(manifest));
  entry.path = std::move(path);
  entry.file_size = stamp.size;
  entry.modified_ns = stamp.modified_ns;
  entry.source = source;
  entry.listed = listed;
  entry.status = LibraryStatus::active;
  entry.added_at = now;
  return entry;
}

} // namespace

void Share::on_file_changed() {
  (void)session.state.set_library_status(entry.file_id(), LibraryStatus::changed);
  session.log(LogLevel::warning, "Stopped sharing " + entry.manifest.name() +
                                     ": the file changed on disk; share it again to serve it");
  session.emit(ShareStopped{entry.file_id(), "the file changed on disk"});
}

void Share::on_peer_banned(const crypto::PeerId& peer) {
  session.log(LogLevel::warning,
              "Peer " + peer.to_short_string() + " banned for " + entry.manifest.name());
}

core::Result<Share*> Session::Impl::serve(LibraryEntry entry) {
  if (const auto existing = shares.find(entry.file_id()); existing != shares.end()) {
    return existing->second.get();
  }
  auto storage = transfer::open_shared_file(entry.path, entry.file_size, entry.modified_ns);
  if (!storage) {
    return storage.error();
  }
  auto share = std::make_unique<Share>(*this, std::move(entry));
  share->manifest = std::make_shared<const core::Manifest>(share->entry.manifest);
  transfer::SwarmOptions swarm_options;
  swarm_options.upload_rate_per_peer = settings.upload_limit_per_peer;
  share->swarm = std::make_unique<transfer::Swarm>(
      io.get_executor(), disk.get_executor(), share->manifest, std::move(storage).value(),
      all_chunks(*share->manifest), swarm_options, random,
      transfer::SwarmLimits{&upload_limit, &download_limit}, *share);
  Share* raw = share.get();
  shares[raw->entry.file_id()] = std::move(share);
  return raw;
}

asio::awaitable<std::vector<ShareAnnounced>> Session::Impl::announce(Share& share) {
  auto self = shared_from_this();
  const core::FileId file_id = share.entry.file_id();
  const std::string name = share.entry.manifest.name();
  core::ShareAnnouncement announcement;
  announcement.manifest = share.manifest;
  announcement.listed = share.entry.listed;
  announcement.port = peer_endpoint.port();
  std::vector<ShareAnnounced> answers;
  for (auto* registry : registry_list()) {
    auto announced = co_await registry->announce(announcement);
    if (torn_down) {
      co_return answers; // the registries are gone (see torn_down)
    }
    ShareAnnounced answer{file_id, registry->origin(),
                          announced ? std::error_code{} : announced.error()};
    const std::string where(core::to_string(registry->origin()));
    if (announced) {
      log(LogLevel::info, "Announced " + name + " to the " + where);
    } else if (answer.error == dht::Errc::not_joined || answer.error == dht::Errc::no_address) {
      // Not a failure the user must act on: the DHT publishes it once it can.
      log(LogLevel::info,
          name + " goes into the DHT once its node has joined (" + answer.error.message() + ")");
    } else {
      log(LogLevel::warning, "Could not announce " + name + " to the " + where + ": " +
                                 answer.error.message() + " (retrying in the background)");
    }
    emit(answer);
    answers.push_back(answer);
  }
  co_return answers;
}

void Session::Impl::restore_library() {
  auto entries = state.library();
  if (!entries) {
    log(LogLevel::error, "Cannot read the library: " + entries.error().message());
    return;
  }
  for (auto& entry : entries.value()) {
    if (entry.status != LibraryStatus::active) {
      continue;
    }
    const auto now = stamp_of(entry.path);
    if (!now || now.value().size != entry.file_size ||
        now.value().modified_ns != entry.modified_ns) {
      const bool missing = !now;
      (void)state.set_library_status(entry.file_id(),
                                     missing ? LibraryStatus::missing : LibraryStatus::changed);
      log(LogLevel::warning, "Not sharing " + entry.manifest.name() + ": " +
                                 (missing ? "the file is missing" : "the file changed") + " (" +
                                 entry.path.string() + ")");
      emit(ShareStopped{entry.file_id(), missing ? "the file is missing" : "the file changed"});
      continue;
    }
    auto served = serve(std::move(entry));
    if (!served) {
      log(LogLevel::error, "Cannot serve a shared file: " + served.error().message());
      continue;
    }
    asio::co_spawn(
        io,
        [self = shared_from_this(), share = served.value()]() -> asio::awaitable<void> {
          (void)co_await self->announce(*share);
        },
        asio::detached);
  }
}

namespace {

// The form a shared file's path is kept in (the library, the hashing in progress): absolute
// and without "." or "..", so two spellings of one file meet.
std::filesystem::path normal_path(const std::filesystem::path& path) {
  std::error_code ignored;
  return std::filesystem::absolute(path, ignored).lexically_normal();
}

} // namespace

asio::awaitable<core::Result<ShareResult>>
Session::Impl::share_async(std::filesystem::path path, bool listed, bool announce_it) {
  auto self = shared_from_this();
  path = normal_path(path);
  auto before = stamp_of(path);
  if (!before) {
    co_return make_error_code(core::Errc::file_not_found);
  }

  // A file already in the library and unchanged is not hashed again.
  std::optional<LibraryEntry> known;
  if (auto entries = state.library()) {
    for (auto& entry : entries.value()) {
      if (entry.path == path && entry.file_size == before.value().size &&
          entry.modified_ns == before.value().modified_ns) {
        known.emplace(std::move(entry));
        break;
      }
    }
  }
  bool already_shared = known.has_value();
  if (!known) {
    log(LogLevel::info, "Hashing " + path.string() + " ...");
    // On a disk thread; an optional because co_spawn's result must be default-constructible.
    // A named job, not a lambda temporary inside the co_await: g++ 12 destroys such a
    // temporary twice when the coroutine suspends.
    std::stop_source cancel;
    {
      const std::lock_guard hashing_lock(hashing_mutex);
      hashing[path] = cancel;
    }
    auto hash_job = [this, path, stop = cancel.get_token()]()
        -> asio::awaitable<std::optional<core::Result<core::Manifest>>> {
      core::HashOptions hash_options;
      hash_options.workers = 2;
      hash_options.stop = stop;
      hash_options.on_progress = [this, path](const core::HashProgress& progress) {
        emit(HashProgressed{path, progress.bytes_done, progress.bytes_total});
      };
      co_return core::hash_file(path, hash_options);
    };
    auto hashed = co_await asio::co_spawn(disk, std::move(hash_job), asio::use_awaitable);
    {
      const std::lock_guard hashing_lock(hashing_mutex);
      if (const auto found = hashing.find(path);
          found != hashing.end() && found->second.get_token() == cancel.get_token()) {
        hashing.erase(found);
      }
    }
    if (!hashed) {
      co_return make_error_code(core::Errc::cancelled);
    }
    auto& manifest = *hashed;
    if (!manifest) {
      if (manifest.error() == core::Errc::cancelled) {
        log(LogLevel::info, "Hashing of " + path.string() + " cancelled; it is not shared");
      }
      co_return manifest.error();
    }
    auto after = stamp_of(path);
    if (!after || after.value().size != before.value().size ||
        after.value().modified_ns != before.value().modified_ns) {
      co_return make_error_code(core::Errc::file_changed); // it changed while we hashed it
    }
    LibraryEntry entry = active_entry(std::move(manifest).value(), path, before.value(),
                                      FileSource::shared, listed, now_unix());
    if (auto recorded = state.record_shared(entry, now_unix()); !recorded) {
      co_return recorded.error();
    }
    known.emplace(std::move(entry));
  } else if (known->status != LibraryStatus::active || known->listed != listed) {
    (void)state.set_library_status(known->file_id(), LibraryStatus::active);
    (void)state.set_library_listed(known->file_id(), listed);
    known->status = LibraryStatus::active;
    known->listed = listed;
    already_shared = false;
  }

  ShareResult result = result_of(*known, already_shared);
  emit(ShareAdded{result.file_id, result.name, result.path, result.size, listed,
                  known->source == FileSource::downloaded});
  if (!announce_it) {
    co_return result;
  }
  auto served = serve(std::move(*known));
  if (!served) {
    co_return served.error();
  }
  log(LogLevel::info, "Sharing " + result.name + " (File ID " + result.file_id.to_hex() + ")");
  result.announced = co_await announce(*served.value());
  co_return result;
}

asio::awaitable<core::Status> Session::Impl::unshare_async(core::FileId file_id) {
  auto self = shared_from_this();
  const auto found = shares.find(file_id);
  auto entry = state.library_entry(file_id);
  if (found == shares.end() && (!entry || !entry.value())) {
    co_return make_error_code(StateErrc::not_found);
  }
  if (found != shares.end()) {
    found->second->swarm->stop(transfer::wire::GoodbyeReason::not_sharing);
    shares.erase(found);
  }
  for (auto* registry : registry_list()) {
    (void)co_await registry->unannounce(file_id);
    if (torn_down) {
      co_return make_error_code(std::errc::operation_canceled);
    }
  }
  if (auto recorded = state.record_unshared(file_id, now_unix()); !recorded) {
    co_return recorded.error();
  }
  emit(ShareStopped{file_id, "unshared"});
  co_return boost::outcome_v2::success();
}

asio::awaitable<core::Result<ShareResult>> Session::Impl::accept_share_async(core::FileId file_id) {
  auto self = shared_from_this();
  auto record = state.download(file_id);
  if (!record) {
    co_return record.error();
  }
  if (!record.value() || !record.value()->final_path || !record.value()->manifest) {
    co_return make_error_code(StateErrc::not_found); // no completed download of that file
  }
  const DownloadRecord& done = *record.value();
  // Every chunk was verified on the way in, so the file needs no hashing: only the proof
  // that it is still what was verified (size and modification time from now on).
  auto stamp = stamp_of(*done.final_path);
  if (!stamp || stamp.value().size != done.manifest->file_size()) {
    co_return make_error_code(core::Errc::file_changed);
  }
  LibraryEntry entry = active_entry(*done.manifest, *done.final_path, stamp.value(),
                                    FileSource::downloaded, true, now_unix());
  if (auto recorded = state.record_download_shared(entry, now_unix()); !recorded) {
    co_return recorded.error();
  }
  ShareResult result = result_of(entry, false);
  auto served = serve(std::move(entry));
  if (!served) {
    co_return served.error();
  }
  log(LogLevel::info, "Auto-sharing downloaded file: " + result.name);
  emit(ShareAdded{result.file_id, result.name, result.path, result.size, true, true});
  result.announced = co_await announce(*served.value());
  log(LogLevel::info, "Successfully shared downloaded file! File ID: " + result.file_id.to_hex());
  co_return result;
}

core::Status Session::Impl::decline_share_now(const core::FileId& file_id) {
  if (auto recorded = state.record_share_declined(file_id, now_unix()); !recorded) {
    return recorded.error();
  }
  log(LogLevel::info, "Not sharing the downloaded file; it can be shared later from History");
  return boost::outcome_v2::success();
}

// ---- Session commands ----

namespace {

template <class T>
std::future<T> spawn_to_future(Session::Impl& impl, asio::awaitable<T> work) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  // Through a coroutine of our own: co_spawn's completion would need T to be
  // default-constructible, which a Result is not.
  asio::co_spawn(
      impl.io,
      [promise, work = std::move(work)]() mutable -> asio::awaitable<void> {
        promise->set_value(co_await std::move(work));
      },
      [promise](const std::exception_ptr& error) {
        if (error) {
          promise->set_exception(error);
        }
      });
  return future;
}

} // namespace

bool Session::cancel_hashing(const std::filesystem::path& path) {
  const std::lock_guard lock(impl_->hashing_mutex);
  const auto found = impl_->hashing.find(normal_path(path));
  return found != impl_->hashing.end() && found->second.request_stop();
}

std::future<core::Result<ShareResult>> Session::share(std::filesystem::path path, bool listed,
                                                      bool announce) {
  return spawn_to_future(*impl_, impl_->share_async(std::move(path), listed, announce));
}

std::future<core::Status> Session::unshare(core::FileId file_id) {
  return spawn_to_future(*impl_, impl_->unshare_async(file_id));
}

std::future<core::Result<ShareResult>> Session::accept_share(core::FileId file_id) {
  return spawn_to_future(*impl_, impl_->accept_share_async(file_id));
}

std::future<core::Status> Session::decline_share(core::FileId file_id) {
  return on_network<core::Status>(
      *impl_, [impl = impl_, file_id] { return impl->decline_share_now(file_id); });
}

asio::awaitable<core::Result<std::vector<core::SearchHit>>>
Session::Impl::search_async(std::string text, std::uint32_t limit) {
  auto self = shared_from_this();
  const auto registries = lookup_registries();
  if (registries.empty()) {
    co_return make_error_code(tracker::Errc::tracker_unreachable);
  }
  // Every registry's hits, the first one's first (the tracker's, or the DHT's when it
  // stands in); a file found twice is listed once, where it was found first.
  std::vector<core::SearchHit> merged;
  std::error_code last_error;
  bool answered = false;
  for (auto* registry : registries) {
    auto hits = co_await registry->search(text, limit);
    if (torn_down) {
      co_return make_error_code(std::errc::operation_canceled);
    }
    if (!hits) {
      last_error = hits.error();
      continue;
    }
    answered = true;
    for (auto& hit : hits.value()) {
      const bool known = std::any_of(merged.begin(), merged.end(), [&](const core::SearchHit& had) {
        return had.file_id == hit.file_id;
      });
      if (!known && merged.size() < limit) {
        merged.push_back(std::move(hit));
      }
    }
  }
  if (!answered) {
    co_return last_error;
  }
  co_return merged;
}

asio::awaitable<std::vector<dht::LanCatalogue>> Session::Impl::lan_catalogues_async() {
  auto self = shared_from_this();
  if (!lan_registry) {
    co_return std::vector<dht::LanCatalogue>{};
  }
  co_return co_await lan_registry->list_catalogues();
}

asio::awaitable<core::Result<std::vector<core::SearchHit>>>
Session::Impl::fetch_lan_catalogue(crypto::PeerId peer, core::Endpoint endpoint) {
  auto self = shared_from_this();
  auto fetched = co_await transfer::fetch_catalogue(crypto::ChannelConfig(keys, core::real_clock()),
                                                    endpoint, peer);
  if (!fetched) {
    co_return fetched.error();
  }
  std::vector<core::SearchHit> files;
  files.reserve(fetched.value().size());
  for (auto& entry : fetched.value()) {
    core::SearchHit file;
    file.file_id = entry.file_id;
    file.name = std::move(entry.name);
    file.size = entry.size;
    file.seeders = 1;
    file.origin = core::SourceOrigin::lan;
    files.push_back(std::move(file));
  }
  co_return files;
}

std::vector<transfer::CatalogueEntry> Session::Impl::catalogue() const {
  std::vector<transfer::CatalogueEntry> listed;
  for (const auto& [file_id, share] : shares) {
    if (share->entry.listed && share->manifest) {
      listed.push_back(
          transfer::CatalogueEntry{file_id, share->manifest->file_size(), share->manifest->name()});
    }
  }
  return listed;
}

std::future<core::Result<std::vector<core::SearchHit>>> Session::search(std::string text,
                                                                        std::uint32_t limit) {
  return spawn_to_future(*impl_, impl_->search_async(std::move(text), limit));
}

std::future<std::vector<dht::LanCatalogue>> Session::lan_catalogues() {
  return spawn_to_future(*impl_, impl_->lan_catalogues_async());
}

} // namespace swarmshare::client
