// Downloads: starting, resuming after a restart, pausing, cancelling, and what their events
// mean for the state database and the front end.

#include "session/session_impl.hpp"

#include "swarmshare/client/error.hpp"
#include "swarmshare/transfer/download_folder.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace swarmshare::client {
namespace {

namespace asio = boost::asio;

[[nodiscard]] bool is_finished(DownloadState state) noexcept {
  return state == DownloadState::completed || state == DownloadState::failed ||
         state == DownloadState::cancelled;
}

} // namespace

// ---- ActiveDownload: the download's events ----

void ActiveDownload::on_manifest(const core::Manifest& manifest) {
  (void)session.state.set_download_manifest(manifest);
  session.log(LogLevel::info, "Downloading " + manifest.name() + " (" +
                                  std::to_string(manifest.file_size()) + " bytes)");
  session.announce_download(*this, std::make_shared<const core::Manifest>(manifest));
}

void ActiveDownload::on_source_found(const core::PeerSource& source) {
  ++sources;
  session.emit(SourceFound{file_id, source});
}

void ActiveDownload::on_progress(const transfer::DownloadProgress& progress) {
  last_progress = progress;
  (void)session.state.set_bytes_verified(file_id, progress.verified_bytes);
  session.emit(DownloadProgressed{file_id, progress});
}

void ActiveDownload::record_received() {
  // The statistics tick writes the change once a second; a download that ends between two
  // ticks writes the rest here, before it leaves the session.
  if (download) {
    last_progress = download->progress();
  }
  if (last_progress.received_bytes > downloaded_recorded) {
    (void)session.state.add_downloaded(last_progress.received_bytes - downloaded_recorded);
    downloaded_recorded = last_progress.received_bytes;
  }
  // A downloader serves its verified chunks: that counts as uploaded like a share's.
  if (const auto* swarm = download ? download->swarm() : nullptr) {
    const auto counters = swarm->counters();
    if (counters.uploaded > uploaded_recorded) {
      (void)session.state.add_uploaded(file_id, counters.uploaded - uploaded_recorded);
      uploaded_recorded = counters.uploaded;
    }
    if (counters.peers_served > peers_served_recorded) {
      (void)session.state.add_peers_served(file_id, counters.peers_served - peers_served_recorded);
      peers_served_recorded = counters.peers_served;
    }
  }
}

void ActiveDownload::on_completed(const std::filesystem::path& path) {
  record_received();
  session.withdraw_download(*this);
  const auto manifest = download ? download->manifest() : nullptr;
  (void)session.state.record_download_completed(file_id, path, Session::Impl::now_unix());
  DownloadCompleted completed;
  completed.file_id = file_id;
  completed.name = manifest ? manifest->name() : path.filename().string();
  completed.path = path;
  completed.size = manifest ? manifest->file_size() : 0;
  completed.bytes_downloaded = last_progress.received_bytes;
  completed.bytes_resumed = last_progress.resumed_bytes;
  completed.sources = sources;
  session.log(LogLevel::info, "Download complete! File saved to: " + path.string());
  session.emit(std::move(completed));
  session.finish_download(file_id);
}

void ActiveDownload::on_failed(std::error_code error, const std::string& detail) {
  record_received();
  session.withdraw_download(*this);
  (void)session.state.record_download_failed(file_id, detail.empty() ? error.message() : detail,
                                             Session::Impl::now_unix());
  session.log(LogLevel::error, "Download of " + file_id.to_hex() +
                                   " failed: " + (detail.empty() ? error.message() : detail));
  session.emit(DownloadFailed{file_id, error, detail});
  session.finish_download(file_id);
}

void ActiveDownload::on_log(const std::string& line) { session.log(LogLevel::info, line); }

// ---- Session::Impl ----

std::size_t Session::Impl::active_count() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(downloads.begin(), downloads.end(), [](const auto& entry) {
        return !entry.second->paused && !entry.second->finished;
      }));
}

core::Status Session::Impl::start_download(DownloadCommand command) {
  if (stopping) {
    return make_error_code(tracker::Errc::tracker_client_stopped);
  }
  if (command.folder.empty()) {
    if (!settings.download_folder) {
      return make_error_code(Errc::invalid_setting);
    }
    command.folder = *settings.download_folder;
  }
  if (queue.contains(command.file_id)) {
    return boost::outcome_v2::success(); // waiting already, in its place
  }
  const auto running = downloads.find(command.file_id);
  if (running != downloads.end() && !running->second->paused) {
    if (command.download_limit != 0) {
      running->second->download->set_download_rate(command.download_limit);
    }
    running->second->download->resume();
    return boost::outcome_v2::success();
  }
  const bool must_wait = !queue.has_free_slot(active_count());
  if (running == downloads.end()) {
    auto existing = state.download(command.file_id);
    if (!existing) {
      return existing.error();
    }
    if (existing.value() && is_finished(existing.value()->state)) {
      (void)state.remove_download(command.file_id); // downloading again
      existing.value().reset();
    }
    if (!command.manifest && existing.value() && existing.value()->manifest) {
      command.manifest = std::make_shared<const core::Manifest>(*existing.value()->manifest);
    }
    if (!existing.value()) {
      DownloadRecord record;
      record.file_id = command.file_id;
      record.destination = command.folder;
      if (command.manifest) {
        record.manifest = *command.manifest;
        record.part_path = transfer::part_path_for(command.folder, command.manifest->name());
      }
      record.state = must_wait ? DownloadState::queued : DownloadState::active;
      record.added_at = now_unix();
      if (auto added = state.add_download(record); !added) {
        return added.error();
      }
    }
  }
  if (must_wait) {
    // Saved as queued (at the back of the queue), so it waits in its place after a restart.
    if (auto recorded = state.set_download_state(command.file_id, DownloadState::queued);
        !recorded) {
      return recorded.error();
    }
    const core::FileId file_id = command.file_id;
    const std::uint32_t position = queue.push(std::move(command));
    log(LogLevel::info,
        "Download of " + file_id.to_hex() + " queued (position " + std::to_string(position) + ")");
    emit(DownloadQueued{file_id, position});
    return boost::outcome_v2::success();
  }
  return launch_download(std::move(command));
}

core::Status Session::Impl::launch_download(DownloadCommand command) {
  (void)state.set_download_state(command.file_id, DownloadState::active);
  if (const auto running = downloads.find(command.file_id); running != downloads.end()) {
    // Paused in this run: it goes on from where it stopped.
    running->second->paused = false;
    if (command.download_limit != 0) {
      running->second->download->set_download_rate(command.download_limit);
    }
    running->second->download->resume();
    if (auto manifest = running->second->download->manifest()) {
      announce_download(*running->second, std::move(manifest));
    }
    emit(DownloadStarted{command.file_id, running->second->folder});
    return boost::outcome_v2::success();
  }

  auto active = std::make_unique<ActiveDownload>(*this, command.file_id);
  active->folder = command.folder;
  transfer::DownloadEnvironment environment{io.get_executor(),
                                            disk.get_executor(),
                                            crypto::ChannelConfig(keys, core::real_clock()),
                                            lookup_registries(),
                                            transfer::SwarmLimits{&upload_limit, &download_limit},
                                            &random,
                                            &core::real_clock(),
                                            nullptr};
  transfer::DownloadRequest request;
  request.file_id = command.file_id;
  request.folder = command.folder;
  request.manifest = std::move(command.manifest);
  request.initial_sources = std::move(command.sources);
  transfer::DownloadOptions download_options = options.download;
  download_options.swarm.serve_while_downloading = settings.serve_while_downloading;
  download_options.swarm.upload_rate_per_peer = settings.upload_limit_per_peer;
  download_options.download_rate = command.download_limit;
  active->serves_chunks = settings.serve_while_downloading;
  active->download = std::make_unique<transfer::Download>(
      std::move(environment), std::move(request), download_options, *active);
  ActiveDownload& raw = *active;
  downloads[command.file_id] = std::move(active);
  emit(DownloadStarted{command.file_id, command.folder});
  raw.download->start();
  return boost::outcome_v2::success();
}

void Session::Impl::start_queued() {
  if (stopping) {
    return; // the queue stays saved for the next run
  }
  for (auto& command : queue.pop_startable(active_count())) {
    const core::FileId file_id = command.file_id;
    if (auto started = launch_download(std::move(command)); !started) {
      log(LogLevel::error, "Cannot start the queued download of " + file_id.to_hex() + ": " +
                               started.error().message());
    }
  }
}

void Session::Impl::restore_downloads() {
  if (auto unanswered = state.downloads_awaiting_share_answer()) {
    for (const auto& record : unanswered.value()) {
      // Completed while nobody could answer: ask again.
      DownloadCompleted completed;
      completed.file_id = record.file_id;
      completed.name = record.manifest ? record.manifest->name() : std::string{};
      completed.path = record.final_path.value_or(std::filesystem::path{});
      completed.size = record.manifest ? record.manifest->file_size() : 0;
      emit(std::move(completed));
    }
  }
  const auto command_for = [](const DownloadRecord& record) {
    DownloadCommand command;
    command.file_id = record.file_id;
    command.folder = record.destination;
    if (record.manifest) {
      command.manifest = std::make_shared<const core::Manifest>(*record.manifest);
    }
    return command;
  };
  auto records = state.downloads();
  auto queued = state.queued_downloads();
  if (!records || !queued) {
    log(LogLevel::error,
        "Cannot read the downloads: " + (records ? queued.error() : records.error()).message());
    return;
  }
  // The downloads that were running go on first, whatever the limit: they had their slots
  // (a limit lowered since stops none of them, as it would not in a running session).
  for (const auto& record : records.value()) {
    if (record.state != DownloadState::active) {
      continue;
    }
    if (auto started = launch_download(command_for(record)); !started) {
      log(LogLevel::error, "Cannot resume the download of " + record.file_id.to_hex() + ": " +
                               started.error().message());
    }
  }
  // Then the queue, in its saved order; what fits in the free slots starts.
  for (const auto& record : queued.value()) {
    (void)queue.push(command_for(record));
  }
  start_queued();
  // The front end learns what still waits, as when it was queued.
  const auto waiting = queue.order();
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    emit(DownloadQueued{waiting[i], static_cast<std::uint32_t>(i + 1)});
  }
}

void Session::Impl::finish_download(const core::FileId& file_id) {
  if (const auto running = downloads.find(file_id); running != downloads.end()) {
    running->second->finished = true;
  }
  // Called from inside the download's own callbacks: it is destroyed once they returned.
  asio::post(io, [self = shared_from_this(), file_id] {
    self->downloads.erase(file_id);
    self->start_queued();
  });
}

void Session::Impl::announce_download(ActiveDownload& active,
                                      std::shared_ptr<const core::Manifest> manifest) {
  if (!active.serves_chunks || active.announced || stopping) {
    return;
  }
  active.announced = true;
  core::ShareAnnouncement announcement;
  announcement.manifest = std::move(manifest);
  announcement.listed = false;
  announcement.port = peer_endpoint.port();
  asio::co_spawn(
      io,
      [self = shared_from_this(), announcement]() -> asio::awaitable<void> {
        for (auto* registry : self->registry_list()) {
          // A failure is retried by the registry in the background; it only costs the other
          // downloaders one source, so the status log is not told.
          (void)co_await registry->announce(announcement);
          if (self->torn_down) {
            co_return;
          }
        }
      },
      asio::detached);
}

void Session::Impl::withdraw_download(ActiveDownload& active) {
  if (!active.announced) {
    return;
  }
  active.announced = false;
  if (shares.contains(active.file_id) || stopping) {
    return; // shared already (its announce stands), or shutdown withdraws it
  }
  asio::co_spawn(
      io,
      [self = shared_from_this(), file_id = active.file_id]() -> asio::awaitable<void> {
        for (auto* registry : self->registry_list()) {
          (void)co_await registry->unannounce(file_id);
          if (self->torn_down) {
            co_return;
          }
        }
      },
      asio::detached);
}

core::Status Session::Impl::pause_download(const core::FileId& file_id) {
  if (queue.remove(file_id)) {
    // Out of the queue; resume() puts it back (at the back).
    (void)state.set_download_state(file_id, DownloadState::paused);
    return boost::outcome_v2::success();
  }
  const auto running = downloads.find(file_id);
  if (running == downloads.end()) {
    return make_error_code(StateErrc::not_found);
  }
  running->second->download->pause();
  running->second->paused = true;
  withdraw_download(*running->second);
  (void)state.set_download_state(file_id, DownloadState::paused);
  start_queued(); // its slot is free
  return boost::outcome_v2::success();
}

core::Status Session::Impl::resume_download(const core::FileId& file_id) {
  if (queue.contains(file_id)) {
    return boost::outcome_v2::success(); // it starts in its turn
  }
  const auto running = downloads.find(file_id);
  if (running == downloads.end()) {
    // Paused in an earlier run (or while queued): start it again from its .part.
    auto record = state.download(file_id);
    if (!record || !record.value()) {
      return make_error_code(StateErrc::not_found);
    }
    DownloadCommand command;
    command.file_id = file_id;
    command.folder = record.value()->destination;
    if (record.value()->manifest) {
      command.manifest = std::make_shared<const core::Manifest>(*record.value()->manifest);
    }
    return start_download(std::move(command));
  }
  if (!running->second->paused) {
    running->second->download->resume();
    return boost::outcome_v2::success();
  }
  DownloadCommand command;
  command.file_id = file_id;
  command.folder = running->second->folder;
  return start_download(std::move(command)); // takes a free slot, else queues
}

core::Status Session::Impl::cancel_download(const core::FileId& file_id) {
  const bool was_queued = queue.remove(file_id);
  const auto running = downloads.find(file_id);
  bool freed_slot = false;
  if (running != downloads.end()) {
    freed_slot = !running->second->paused && !running->second->finished;
    withdraw_download(*running->second);
    running->second->download->cancel();
    downloads.erase(running);
  }
  if (auto recorded = state.record_download_cancelled(file_id, now_unix()); !recorded) {
    return recorded.error();
  }
  log(LogLevel::info,
      "Download of " + file_id.to_hex() + " cancelled" + (was_queued ? " (it was queued)" : ""));
  if (freed_slot) {
    start_queued();
  }
  return boost::outcome_v2::success();
}

core::Status Session::Impl::set_download_limit_now(const core::FileId& file_id,
                                                   std::uint64_t bytes_per_second) {
  if (const auto running = downloads.find(file_id); running != downloads.end()) {
    running->second->download->set_download_rate(bytes_per_second);
    return boost::outcome_v2::success();
  }
  if (queue.set_download_limit(file_id, bytes_per_second)) {
    return boost::outcome_v2::success();
  }
  return make_error_code(StateErrc::not_found);
}

// ---- Session commands ----

std::future<core::Status> Session::download(DownloadCommand command) {
  return on_network<core::Status>(*impl_, [impl = impl_, command = std::move(command)]() mutable {
    return impl->start_download(std::move(command));
  });
}

std::future<core::Status> Session::pause(core::FileId file_id) {
  return on_network<core::Status>(
      *impl_, [impl = impl_, file_id] { return impl->pause_download(file_id); });
}

std::future<core::Status> Session::resume(core::FileId file_id) {
  return on_network<core::Status>(
      *impl_, [impl = impl_, file_id] { return impl->resume_download(file_id); });
}

std::future<core::Status> Session::cancel(core::FileId file_id) {
  return on_network<core::Status>(
      *impl_, [impl = impl_, file_id] { return impl->cancel_download(file_id); });
}

std::future<core::Status> Session::set_download_limit(core::FileId file_id,
                                                      std::uint64_t bytes_per_second) {
  return on_network<core::Status>(*impl_, [impl = impl_, file_id, bytes_per_second] {
    return impl->set_download_limit_now(file_id, bytes_per_second);
  });
}

} // namespace swarmshare::client
