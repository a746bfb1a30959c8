#include "swarmshare/gui/speed_history.hpp"

#include <gtest/gtest.h>

namespace swarmshare::gui {
namespace {

TEST(SpeedHistory, keepsFiveMinutesOfSamples) {
  SpeedHistory history;
  for (std::uint64_t second = 0; second < 400; ++second) {
    history.add({second, 0});
  }
  ASSERT_EQ(history.samples().size(), SpeedHistory::kSamples);
  EXPECT_EQ(history.samples().front().download, 100U); // the first 100 fell off
  EXPECT_EQ(history.samples().back().download, 399U);
}

TEST(SpeedHistory, scaleRoundsUpToOneTwoFiveSteps) {
  SpeedHistory history;
  EXPECT_EQ(history.scale(), 1024U); // idle: the smallest scale
  history.add({1500, 0});
  EXPECT_EQ(history.scale(), 2048U);
  history.add({0, 3000});
  EXPECT_EQ(history.scale(), 5120U);
  history.add({5121, 0});
  EXPECT_EQ(history.scale(), 10240U);
  history.add({30'000'000, 0});
  EXPECT_EQ(history.scale(), 51'200'000U);
}

TEST(SpeedHistory, newestSampleSitsAtTheRightEdgeAndTheScaleTopAtTheTop) {
  SpeedHistory history;
  history.add({0, 0});
  history.add({2048, 1024});
  const auto download = history.line(true, 300, 101);
  ASSERT_EQ(download.size(), 2U);
  EXPECT_EQ(download.back().x, 299);
  EXPECT_EQ(download.back().y, 0);    // 2048 is the scale's top
  EXPECT_EQ(download.front().y, 100); // zero at the bottom
  EXPECT_EQ(download.front().x, 298);
  const auto upload = history.line(false, 300, 101);
  EXPECT_EQ(upload.back().y, 50); // half the scale
}

TEST(SpeedHistory, noSamplesOrNoRoomDrawsNothing) {
  SpeedHistory history;
  EXPECT_TRUE(history.line(true, 300, 100).empty());
  history.add({1, 1});
  EXPECT_TRUE(history.line(true, 0, 100).empty());
}

} // namespace
} // namespace swarmshare::gui
