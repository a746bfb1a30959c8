#include "store_writer.hpp"

#include "swarmshare/tracker/error.hpp"

#include <sqlite3.h>

#include <utility>
#include <vector>

namespace swarmshare::tracker {

StoreWriter::StoreWriter(core::sqlite::Database db, std::size_t max_batch)
    : db_(std::move(db)), max_batch_(max_batch == 0 ? 1 : max_batch), thread_([this] { run(); }) {}

StoreWriter::~StoreWriter() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void StoreWriter::submit(Apply apply, Complete complete) {
  {
    const std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(Op{std::move(apply), std::move(complete)});
      // The writer sleeps only on an empty queue: waking it for every write while it is
      // busy with a batch costs a futex call per announce and wins nothing.
      if (queue_.size() == 1) {
        wake_.notify_one();
      }
      return;
    }
  }
  complete(Errc::store_closed);
}

void StoreWriter::run() {
  std::deque<Op> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return; // stopping, and everything queued has been answered
      }
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    apply_batch(batch);
    batch.clear();
    if (wal_restart_wanted_.exchange(false, std::memory_order_relaxed)) {
      // After the batch's replies: it delays the next batch, never an acknowledged one.
      // PASSIVE, not RESTART: RESTART waits for readers through the busy handler, which
      // sleeps in steps of milliseconds. Once this copy has caught up, the next write
      // transaction starts the WAL over by itself unless a reader still uses it; the
      // checkpointer then asks again.
      (void)db_.exec("PRAGMA wal_checkpoint(PASSIVE)");
    }
  }
}

// With savepoints, three of these run per write: prepared once rather than parsed every time.
core::Status StoreWriter::run_cached(std::string_view sql) {
  auto statement = db_.cached(sql);
  if (!statement) {
    return statement.error();
  }
  return statement.value()->run();
}

void StoreWriter::apply_batch(std::deque<Op>& batch) {
  // Optimistic first: a savepoint per write costs the writer about a fifth of its time per
  // announce (three more statements, and each page's first change copied for the undo),
  // yet the store's writes fail before their first change whenever they are refused.
  if (try_batch(batch, false) == BatchEnd::needs_savepoints) {
    (void)try_batch(batch, true);
  }
}

StoreWriter::BatchEnd StoreWriter::try_batch(std::deque<Op>& batch, bool savepoint_each) {
  std::vector<core::Status> outcomes;
  outcomes.reserve(batch.size());
  auto transaction = core::sqlite::Transaction::begin(db_);
  if (!transaction) {
    for (auto& op : batch) {
      op.complete(transaction.error());
    }
    return BatchEnd::done;
  }
  bool any_applied = false;
  for (auto& op : batch) {
    if (savepoint_each) {
      if (auto status = run_cached("SAVEPOINT write"); !status) {
        outcomes.push_back(status);
        continue;
      }
    }
    const auto changes_before = sqlite3_total_changes64(db_.handle());
    core::Status status = op.apply(db_);
    if (status) {
      any_applied = true;
      if (savepoint_each) {
        status = run_cached("RELEASE write");
      }
    } else if (sqlite3_get_autocommit(db_.handle()) != 0) {
      // Some errors (disk full, I/O) make SQLite roll the whole transaction back: every
      // write of the batch is gone, so none may be reported as done.
      transaction.value().rollback();
      for (auto& lost : batch) {
        lost.complete(status);
      }
      return BatchEnd::done;
    } else if (savepoint_each) {
      (void)run_cached("ROLLBACK TO write");
      (void)run_cached("RELEASE write");
    } else if (sqlite3_total_changes64(db_.handle()) != changes_before) {
      // Part of this write is in the transaction and nothing can take it out alone.
      transaction.value().rollback();
      return BatchEnd::needs_savepoints;
    }
    outcomes.push_back(status);
  }
  core::Status committed = boost::outcome_v2::success();
  if (any_applied) {
    committed = transaction.value().commit();
    if (committed) {
      commits_.fetch_add(1, std::memory_order_relaxed);
    } else {
      transaction.value().rollback();
    }
  } else {
    // Nothing to make durable: every write of the batch was refused.
    transaction.value().rollback();
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (outcomes[i] && !committed) {
      batch[i].complete(committed);
    } else {
      batch[i].complete(outcomes[i]);
    }
  }
  return BatchEnd::done;
}

} // namespace swarmshare::tracker
