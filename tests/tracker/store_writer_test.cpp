// The store's group-commit writer: one write's failure undoes that write alone, whether it
// failed before changing anything (no savepoint needed) or after (the batch runs again with
// a savepoint around each write).

#include "store_writer.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <future>
#include <string>
#include <vector>

namespace swarmshare::tracker {
namespace {

const std::array<core::sqlite::Migration, 1> kSchema{
    {{"CREATE TABLE items (value INTEGER PRIMARY KEY)"}}};

core::sqlite::Database open_items(const std::filesystem::path& path) {
  return core::sqlite::open_database(path, kSchema).value();
}

core::Status insert(core::sqlite::Database& db, int value) {
  return db.exec("INSERT INTO items (value) VALUES (" + std::to_string(value) + ")");
}

// Runs `writes` as one batch: a first write holds the writer until all are queued.
std::vector<core::Status> run_as_one_batch(StoreWriter& writer,
                                           std::vector<StoreWriter::Apply> writes) {
  std::promise<void> queued;
  auto released = queued.get_future().share();
  std::promise<void> holding;
  writer.submit(
      [released, &holding](core::sqlite::Database&) -> core::Status {
        holding.set_value();
        released.wait();
        return boost::outcome_v2::success();
      },
      [](core::Status) {});
  holding.get_future().wait(); // the writer is inside the holding write's batch
  std::vector<std::promise<core::Status>> outcomes(writes.size());
  for (std::size_t i = 0; i < writes.size(); ++i) {
    writer.submit(std::move(writes[i]),
                  [&outcomes, i](core::Status status) { outcomes[i].set_value(status); });
  }
  queued.set_value();
  std::vector<core::Status> results;
  for (auto& outcome : outcomes) {
    results.push_back(outcome.get_future().get());
  }
  return results;
}

std::int64_t count_items(const std::filesystem::path& path, std::string_view where = "1") {
  auto db = open_items(path);
  return db.query_int64("SELECT count(*) FROM items WHERE " + std::string{where}).value();
}

TEST(StoreWriter, aWriteThatFailsAfterAChangeIsUndoneAloneAndTheOthersCommit) {
  swarmshare::test::TempDir dir;
  const auto path = dir.path() / "items.db";
  std::atomic<int> first_runs{0};
  {
    StoreWriter writer(open_items(path), 64);
    const auto outcomes =
        run_as_one_batch(writer, {[&first_runs](core::sqlite::Database& db) {
                                    ++first_runs;
                                    return insert(db, 1);
                                  },
                                  [](core::sqlite::Database& db) -> core::Status {
                                    if (auto status = insert(db, 2); !status) {
                                      return status;
                                    }
                                    return insert(db, 1); // a duplicate key, after a change
                                  },
                                  [](core::sqlite::Database& db) { return insert(db, 3); }});
    EXPECT_TRUE(outcomes[0]);
    EXPECT_FALSE(outcomes[1]);
    EXPECT_TRUE(outcomes[2]);
  }
  EXPECT_EQ(count_items(path), 2);
  EXPECT_EQ(count_items(path, "value = 2"), 0); // the failed write's own change is gone
  EXPECT_EQ(first_runs.load(), 2);              // the batch ran again, with savepoints
}

TEST(StoreWriter, aWriteRefusedBeforeAnyChangeCostsTheBatchNoSecondRun) {
  swarmshare::test::TempDir dir;
  const auto path = dir.path() / "items.db";
  std::atomic<int> first_runs{0};
  {
    StoreWriter writer(open_items(path), 64);
    const auto outcomes = run_as_one_batch(
        writer, {[&first_runs](core::sqlite::Database& db) {
                   ++first_runs;
                   return insert(db, 1);
                 },
                 [](core::sqlite::Database&) -> core::Status { return core::Errc::cancelled; },
                 [](core::sqlite::Database& db) { return insert(db, 3); }});
    EXPECT_TRUE(outcomes[0]);
    EXPECT_EQ(outcomes[1].error(), core::Errc::cancelled);
    EXPECT_TRUE(outcomes[2]);
  }
  EXPECT_EQ(count_items(path), 2);
  EXPECT_EQ(first_runs.load(), 1);
}

TEST(StoreWriter, everyWriteOfABatchIsCommittedOnce) {
  swarmshare::test::TempDir dir;
  const auto path = dir.path() / "items.db";
  std::uint64_t commits = 0;
  {
    StoreWriter writer(open_items(path), 64);
    std::vector<StoreWriter::Apply> writes;
    for (int i = 1; i <= 10; ++i) {
      writes.emplace_back([i](core::sqlite::Database& db) { return insert(db, i); });
    }
    for (const auto& outcome : run_as_one_batch(writer, std::move(writes))) {
      EXPECT_TRUE(outcome);
    }
    commits = writer.commit_count();
  }
  EXPECT_EQ(count_items(path), 10);
  EXPECT_EQ(commits, 2U); // the holding write's batch, then the ten together
}

} // namespace
} // namespace swarmshare::tracker
