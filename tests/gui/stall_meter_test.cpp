#include "swarmshare/gui/stall_meter.hpp"

#include <gtest/gtest.h>

namespace swarmshare::gui {
namespace {

using std::chrono::milliseconds;

TEST(StallMeter, ticksOnTimeAreNoStall) {
  StallMeter meter(milliseconds{10});
  StallMeter::Clock::time_point at{};
  for (int i = 0; i < 100; ++i) {
    meter.tick(at += milliseconds{10});
  }
  EXPECT_EQ(meter.longest_stall(), milliseconds{0});
  EXPECT_EQ(meter.ticks(), 100U);
}

TEST(StallMeter, aLateTickCountsOnlyTheDelayBeyondThePeriod) {
  StallMeter meter(milliseconds{10});
  StallMeter::Clock::time_point at{};
  meter.tick(at);
  meter.tick(at += milliseconds{10});
  meter.tick(at += milliseconds{75}); // the loop was busy for 65 ms more than the period
  meter.tick(at += milliseconds{30});
  EXPECT_EQ(meter.longest_stall(), milliseconds{65});
}

TEST(StallMeter, resetForgetsTheGapBeforeIt) {
  StallMeter meter(milliseconds{10});
  StallMeter::Clock::time_point at{};
  meter.tick(at);
  meter.tick(at += milliseconds{500});
  meter.reset();
  meter.tick(at += milliseconds{400}); // the first tick after a reset measures nothing
  meter.tick(at += milliseconds{12});
  EXPECT_EQ(meter.longest_stall(), milliseconds{2});
  EXPECT_EQ(meter.ticks(), 2U);
}

} // namespace
} // namespace swarmshare::gui
