#pragma once
// Group commit: one thread owns the write connection; callers queue writes, the thread
// applies everything waiting in one transaction, commits (an fsync with synchronous=FULL)
// and only then tells each caller its outcome. While one commit waits on the disk the next
// batch gathers, so the number of fsyncs per second, not per write, bounds throughput.

#include "swarmshare/core/error.hpp"
#include "swarmshare/core/sqlite.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

namespace swarmshare::tracker {

class StoreWriter {
public:
  /// Runs on the writer thread inside the batch's transaction. A failure undoes only this
  /// write: a write that fails before changing anything (every refusal of the store does)
  /// costs nothing; one that fails after a change makes the writer roll the batch back and
  /// apply it again with a savepoint around each write, so an Apply may run twice and must
  /// not depend on running once.
  using Apply = std::function<core::Status(core::sqlite::Database&)>;
  /// The write's outcome: its own error, the commit's error, or success once durable.
  using Complete = std::function<void(core::Status)>;

  StoreWriter(core::sqlite::Database db, std::size_t max_batch);
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;
  StoreWriter(StoreWriter&&) = delete;
  StoreWriter& operator=(StoreWriter&&) = delete;
  /// Finishes every queued write, then joins the thread.
  ~StoreWriter();

  /// Queues a write. After shutdown began it completes at once with Errc::store_closed.
  void submit(Apply apply, Complete complete);

  /// Asks the writer to checkpoint after its next batch: the background checkpointer has
  /// copied nearly all of the WAL by then, and only a checkpoint between two of the writer's
  /// transactions lets the WAL start over while writes keep coming (else it grows without
  /// end).
  void request_wal_restart() noexcept {
    wal_restart_wanted_.store(true, std::memory_order_relaxed);
  }

  [[nodiscard]] std::uint64_t commit_count() const noexcept {
    return commits_.load(std::memory_order_relaxed);
  }

private:
  struct Op {
    Apply apply;
    Complete complete;
  };

  /// How a batch ended: done (every write was told its outcome), or rolled back because a
  /// write failed after changing something, which only savepoints can undo alone.
  enum class BatchEnd { done, needs_savepoints };

  void run();
  void apply_batch(std::deque<Op>& batch);
  [[nodiscard]] BatchEnd try_batch(std::deque<Op>& batch, bool savepoint_each);
  [[nodiscard]] core::Status run_cached(std::string_view sql);

  core::sqlite::Database db_;
  std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Op> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<bool> wal_restart_wanted_{false};
  std::thread thread_; // last: starts once everything above exists
};

} // namespace swarmshare::tracker
