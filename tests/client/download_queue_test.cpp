// The download queue's rules alone, without a session or a network: the limit, the order,
// and what a freed slot or a higher limit starts.

#include "session/download_queue.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace swarmshare::client {
namespace {

core::FileId id(std::uint8_t n) {
  core::Hash256 digest{};
  digest.fill(n);
  return core::FileId{digest};
}

DownloadCommand command(std::uint8_t n) {
  return DownloadCommand{id(n), "/downloads/" + std::to_string(n), nullptr, {}};
}

std::vector<core::FileId> ids_of(const std::vector<DownloadCommand>& commands) {
  std::vector<core::FileId> ids;
  for (const auto& c : commands) {
    ids.push_back(c.file_id);
  }
  return ids;
}

TEST(DownloadQueue, aSlotIsFreeOnlyBelowTheLimitAndZeroMeansNoLimit) {
  const DownloadQueue three(3);
  EXPECT_TRUE(three.has_free_slot(0));
  EXPECT_TRUE(three.has_free_slot(2));
  EXPECT_FALSE(three.has_free_slot(3));
  EXPECT_FALSE(three.has_free_slot(4)); // a limit lowered below what runs
  const DownloadQueue unlimited(0);
  EXPECT_TRUE(unlimited.has_free_slot(100'000));
}

TEST(DownloadQueue, downloadsBeyondTheLimitWaitInTheOrderTheyCame) {
  DownloadQueue queue(1);
  EXPECT_EQ(queue.push(command(1)), 1U);
  EXPECT_EQ(queue.push(command(2)), 2U);
  EXPECT_EQ(queue.push(command(3)), 3U);
  EXPECT_EQ(queue.order(), (std::vector{id(1), id(2), id(3)}));
  // Every slot taken: nothing starts.
  EXPECT_TRUE(queue.pop_startable(1).empty());
  // A slot frees: the oldest starts, with its command.
  const auto started = queue.pop_startable(0);
  ASSERT_EQ(started.size(), 1U);
  EXPECT_EQ(started.front().file_id, id(1));
  EXPECT_EQ(started.front().folder, "/downloads/1");
  EXPECT_EQ(queue.position(id(2)), 1U);
}

TEST(DownloadQueue, queuingAgainKeepsThePlace) {
  DownloadQueue queue(1);
  (void)queue.push(command(1));
  (void)queue.push(command(2));
  EXPECT_EQ(queue.push(command(1)), 1U);
  EXPECT_EQ(queue.size(), 2U);
}

TEST(DownloadQueue, removingAQueuedDownloadMovesTheOthersUp) {
  DownloadQueue queue(2);
  (void)queue.push(command(1));
  (void)queue.push(command(2));
  (void)queue.push(command(3));
  EXPECT_TRUE(queue.remove(id(2)));
  EXPECT_FALSE(queue.remove(id(2)));
  EXPECT_FALSE(queue.contains(id(2)));
  EXPECT_EQ(queue.position(id(3)), 2U);
  EXPECT_EQ(ids_of(queue.pop_startable(0)), (std::vector{id(1), id(3)}));
  EXPECT_TRUE(queue.empty());
}

TEST(DownloadQueue, aDownloadLimitSetWhileQueuedIsInTheCommandThatStarts) {
  DownloadQueue queue(1);
  (void)queue.push(command(1));
  (void)queue.push(command(2));
  EXPECT_TRUE(queue.set_download_limit(id(2), 4096));
  EXPECT_FALSE(queue.set_download_limit(id(3), 4096)) << "not queued";
  const auto started = queue.pop_startable(0);
  ASSERT_EQ(started.size(), 1U);
  EXPECT_EQ(started.front().download_limit, 0U);
  const auto next = queue.pop_startable(0);
  ASSERT_EQ(next.size(), 1U);
  EXPECT_EQ(next.front().file_id, id(2));
  EXPECT_EQ(next.front().download_limit, 4096U);
}

TEST(DownloadQueue, raisingTheLimitStartsAsManyAsFitAtOnce) {
  DownloadQueue queue(1);
  for (std::uint8_t n = 1; n <= 4; ++n) {
    (void)queue.push(command(n));
  }
  EXPECT_TRUE(queue.pop_startable(1).empty());
  queue.set_limit(3);
  EXPECT_EQ(ids_of(queue.pop_startable(1)), (std::vector{id(1), id(2)}));
  queue.set_limit(0);
  EXPECT_EQ(ids_of(queue.pop_startable(3)), (std::vector{id(3), id(4)}));
}

} // namespace
} // namespace swarmshare::client
