// Downloads: starting, resuming after a restart, pausing, cancelling, and what their events
// mean for the state database and the front end.

#include "session/session_impl.hpp"

#include "swarmshare/transfer/download_folder.hpp"

#include <boost/asio/post.hpp>

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
}

void ActiveDownload::on_completed(const std::filesystem::path& path) {
  record_received();
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
  (void)session.state.record_download_failed(file_id, detail.empty() ? error.message() : detail,
                                             Session::Impl::now_unix());
  session.log(LogLevel::error, "Download of " + file_id.to_hex() +
                                   " failed: " + (detail.empty() ? error.message() : detail));
  session.emit(DownloadFailed{file_id, error, detail});
  session.finish_download(file_id);
}

void ActiveDownload::on_log(const std::string& line) { session.log(LogLevel::info, line); }

// ---- Session::Impl ----

core::Status Session::Impl::start_download(DownloadCommand command) {
  if (stopping) {
    return make_error_code(tracker::Errc::tracker_client_stopped);
  }
  if (const auto running = downloads.find(command.file_id); running != downloads.end()) {
    running->second->download->resume();
    return boost::outcome_v2::success();
  }
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
  if (existing.value()) {
    (void)state.set_download_state(command.file_id, DownloadState::active);
  } else {
    DownloadRecord record;
    record.file_id = command.file_id;
    record.destination = command.folder;
    if (command.manifest) {
      record.manifest = *command.manifest;
      record.part_path = transfer::part_path_for(command.folder, command.manifest->name());
    }
    record.state = DownloadState::active;
    record.added_at = now_unix();
    if (auto added = state.add_download(record); !added) {
      return added.error();
    }
  }

  auto active = std::make_unique<ActiveDownload>(*this, command.file_id);
  active->folder = command.folder;
  transfer::DownloadEnvironment environment{io.get_executor(),
                                            disk.get_executor(),
                                            crypto::ChannelConfig(keys, core::real_clock()),
                                            registry_list(),
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
  download_options.swarm.serve_while_downloading = options.serve_while_downloading;
  active->download = std::make_unique<transfer::Download>(
      std::move(environment), std::move(request), download_options, *active);
  ActiveDownload& raw = *active;
  downloads[command.file_id] = std::move(active);
  emit(DownloadStarted{command.file_id, command.folder});
  raw.download->start();
  return boost::outcome_v2::success();
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
  auto records = state.downloads();
  if (!records) {
    log(LogLevel::error, "Cannot read the downloads: " + records.error().message());
    return;
  }
  for (auto& record : records.value()) {
    if (record.state != DownloadState::active && record.state != DownloadState::queued) {
      continue;
    }
    DownloadCommand command;
    command.file_id = record.file_id;
    command.folder = record.destination;
    if (record.manifest) {
      command.manifest = std::make_shared<const core::Manifest>(*record.manifest);
    }
    if (auto started = start_download(std::move(command)); !started) {
      log(LogLevel::error, "Cannot resume the download of " + record.file_id.to_hex() + ": " +
                               started.error().message());
    }
  }
}

void Session::Impl::finish_download(const core::FileId& file_id) {
  // Called from inside the download's own callbacks: it is destroyed once they returned.
  asio::post(io, [self = shared_from_this(), file_id] { self->downloads.erase(file_id); });
}

core::Status Session::Impl::pause_download(const core::FileId& file_id) {
  const auto running = downloads.find(file_id);
  if (running == downloads.end()) {
    return make_error_code(StateErrc::not_found);
  }
  running->second->download->pause();
  (void)state.set_download_state(file_id, DownloadState::paused);
  return boost::outcome_v2::success();
}

core::Status Session::Impl::resume_download(const core::FileId& file_id) {
  const auto running = downloads.find(file_id);
  if (running == downloads.end()) {
    // Paused in an earlier run: start it again from its .part.
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
  running->second->download->resume();
  (void)state.set_download_state(file_id, DownloadState::active);
  return boost::outcome_v2::success();
}

core::Status Session::Impl::cancel_download(const core::FileId& file_id) {
  const auto running = downloads.find(file_id);
  if (running != downloads.end()) {
    running->second->download->cancel();
    downloads.erase(running);
  }
  if (auto recorded = state.record_download_cancelled(file_id, now_unix()); !recorded) {
    return recorded.error();
  }
  log(LogLevel::info, "Download of " + file_id.to_hex() + " cancelled");
  return boost::outcome_v2::success();
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

} // namespace swarmshare::client
