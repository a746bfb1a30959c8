#include "swarmshare/gui/stall_meter.hpp"

#include <algorithm>

namespace swarmshare::gui {

void StallMeter::tick(Clock::time_point now) {
  ++ticks_;
  if (last_ && now > *last_) {
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(now - *last_);
    longest_ = std::max(longest_, gap - std::min(gap, period_));
  }
  last_ = now;
}

void StallMeter::reset() {
  last_.reset();
  longest_ = std::chrono::milliseconds{0};
  ticks_ = 0;
}

} // namespace swarmshare::gui
