#pragma once
// How long the GUI's event loop was kept from running: a timer asks to tick every `period`;
// a tick that comes later than that shows the loop was busy (or blocked) for the excess.
// The benchmark of the desktop client's responsiveness reads the longest stall.
#include <chrono>
#include <cstdint>
#include <optional>

namespace swarmshare::gui {

class StallMeter {
public:
  using Clock = std::chrono::steady_clock;

  explicit StallMeter(std::chrono::milliseconds period) : period_(period) {}

  /// A tick of the timer at `now`.
  void tick(Clock::time_point now);
  /// Forgets what was measured; the next tick starts afresh.
  void reset();

  /// The longest delay beyond the period between two ticks.
  [[nodiscard]] std::chrono::milliseconds longest_stall() const noexcept { return longest_; }
  [[nodiscard]] std::uint64_t ticks() const noexcept { return ticks_; }

private:
  std::chrono::milliseconds period_;
  std::optional<Clock::time_point> last_;
  std::chrono::milliseconds longest_{0};
  std::uint64_t ticks_ = 0;
};

} // namespace swarmshare::gui
