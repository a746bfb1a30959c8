#pragma once
// The downloads waiting for a free slot: at most `limit` downloads are active at once
// (0: no limit), the rest wait here, first queued first started. Pure bookkeeping, no
// network or disk, so the rules can be tested alone; the session keeps the state database
// in step (DownloadState::queued and its queue position) and starts what pop_startable()
// hands out.

#include "swarmshare/client/session.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace swarmshare::client {

class DownloadQueue {
public:
  explicit DownloadQueue(std::uint32_t limit) noexcept : limit_(limit) {}

  [[nodiscard]] std::uint32_t limit() const noexcept { return limit_; }
  /// Takes effect at the next pop_startable(): raising it frees slots; lowering it stops
  /// nothing that runs, only what starts next.
  void set_limit(std::uint32_t limit) noexcept { limit_ = limit; }

  /// Whether one more download may start while `active` downloads run.
  [[nodiscard]] bool has_free_slot(std::size_t active) const noexcept {
    return limit_ == 0 || active < limit_;
  }

  /// Appends the download (replacing its earlier command when it is queued already, at the
  /// same place); returns its position, 1 for the first to start.
  std::uint32_t push(DownloadCommand command);
  /// Whether it was queued.
  bool remove(const core::FileId& file_id);
  /// Its DownloadCommand::download_limit, for when it starts; whether it was queued.
  bool set_download_limit(const core::FileId& file_id, std::uint64_t bytes_per_second);
  [[nodiscard]] bool contains(const core::FileId& file_id) const noexcept;
  /// 1-based; empty when not queued.
  [[nodiscard]] std::optional<std::uint32_t> position(const core::FileId& file_id) const noexcept;

  /// The downloads to start now while `active` run, oldest first, taken out of the queue:
  /// as many as there are free slots.
  [[nodiscard]] std::vector<DownloadCommand> pop_startable(std::size_t active);

  [[nodiscard]] std::size_t size() const noexcept { return waiting_.size(); }
  [[nodiscard]] bool empty() const noexcept { return waiting_.empty(); }
  /// The queued File IDs, first to start first.
  [[nodiscard]] std::vector<core::FileId> order() const;

private:
  std::uint32_t limit_;
  std::deque<DownloadCommand> waiting_;
};

} // namespace swarmshare::client
