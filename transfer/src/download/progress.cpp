// Progress reports (about once a second and at each state change), the transfer rates, the
// resume record while chunks verify, and log lines.

#include "download/download_impl.hpp"

#include <boost/asio/redirect_error.hpp>

#include <algorithm>

namespace swarmshare::transfer {
namespace {

namespace asio = boost::asio;

/// How often on_progress reports while running, and the resume record is considered.
constexpr std::chrono::seconds kProgressInterval{1};
/// Rates are bytes over this window.
constexpr std::chrono::seconds kRateWindow{5};

} // namespace

DownloadProgress Download::Impl::make_progress() const {
  DownloadProgress progress;
  progress.state = state;
  progress.total_bytes = manifest ? manifest->file_size() : 0;
  progress.verified_bytes = verified_bytes;
  progress.resumed_bytes = resumed_bytes;
  progress.received_bytes = received_bytes;
  progress.download_rate = download_rate;
  progress.upload_rate = upload_rate;
  progress.peers = peers_now();
  progress.sources_known = static_cast<std::uint32_t>(known.size());
  progress.chunk_states.assign(verified.size(), to_byte(ChunkProgress::missing));
  if (current.swarm) {
    progress.chunk_availability = current.swarm->chunk_availability();
    for (const core::ChunkIndex chunk : current.swarm->chunks_in_progress()) {
      const auto index = static_cast<std::size_t>(core::index_value(chunk));
      if (index < progress.chunk_states.size()) {
        progress.chunk_states[index] = to_byte(ChunkProgress::in_progress);
      }
    }
    // Verified by the swarm, but its event has not reached us yet: not in verified_bytes,
    // so not shown verified either.
    const Bitfield& have = current.swarm->have();
    for (std::size_t i = 0; i < verified.size(); ++i) {
      if (!verified[i] && have.test(core::ChunkIndex{static_cast<std::uint32_t>(i)})) {
        progress.chunk_states[i] = to_byte(ChunkProgress::in_progress);
      }
    }
  }
  for (std::size_t i = 0; i < verified.size(); ++i) {
    if (verified[i]) {
      progress.chunk_states[i] = to_byte(ChunkProgress::verified);
    }
  }
  return progress;
}

void Download::Impl::emit_progress() {
  notify([progress = make_progress()](DownloadObserver& to) { to.on_progress(progress); });
}

void Download::Impl::sample_rates() {
  RateSample now{clock.steady_now(), retired_downloaded, retired_uploaded};
  if (current.swarm) {
    const auto counters = current.swarm->counters();
    now.downloaded += counters.downloaded;
    now.uploaded += counters.uploaded;
  }
  while (!samples.empty() && now.at - samples.front().at > kRateWindow) {
    samples.pop_front();
  }
  samples.push_back(now);
  const auto& first = samples.front();
  const auto elapsed = std::chrono::duration<double>(now.at - first.at).count();
  if (elapsed <= 0) {
    return;
  }
  const auto per_second = [elapsed](std::uint64_t from, std::uint64_t to) {
    return to > from ? static_cast<std::uint64_t>(static_cast<double>(to - from) / elapsed) : 0;
  };
  download_rate = per_second(first.downloaded, now.downloaded);
  upload_rate = per_second(first.uploaded, now.uploaded);
}

asio::awaitable<void> Download::Impl::progress_loop(std::uint64_t run) {
  auto self = shared_from_this();
  while (active(run)) {
    progress_timer.expires_after(kProgressInterval);
    boost::system::error_code ignored;
    co_await progress_timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (!active(run)) {
      co_return;
    }
    sample_rates();
    emit_progress();
    if (verify_seq != saved_seq) {
      request_save(); // a chunk verified since the last save: the record at least every second
    }
  }
}

void Download::Impl::request_save() {
  if (!storage || finishing) {
    return;
  }
  if (save_in_flight) {
    save_again = true;
    return;
  }
  save_in_flight = true;
  asio::post(*disk_strand,
             [weak = weak_from_this(), kept = storage, file = manifest, snapshot = verified,
              seq = verify_seq, network = environment.network]() {
               auto saved = kept->save_if_due(*file, snapshot);
               const std::error_code error = saved ? std::error_code{} : saved.error();
               const bool done = saved && saved.value();
               asio::post(network, [weak, kept, seq, error, done]() {
                 auto self = weak.lock();
                 if (!self || self->dead || self->storage != kept) {
                   return; // another run's storage now
                 }
                 self->save_in_flight = false;
                 if (done) {
                   self->saved_seq = std::max(self->saved_seq, seq);
                 }
                 if (error && !self->save_error_logged) {
                   self->save_error_logged = true;
                   self->log("Cannot save the resume record: " + error.message());
                 }
                 if (std::exchange(self->save_again, false)) {
                   self->request_save();
                 }
               });
             });
}

void Download::Impl::log(std::string line) {
  notify([line = std::move(line)](DownloadObserver& to) { to.on_log(line); });
}

} // namespace swarmshare::transfer
