#include "swarmshare/core/clock.hpp"

namespace swarmshare::core {

const Clock& real_clock() noexcept {
  static const RealClock clock;
  return clock;
}

} // namespace swarmshare::core
