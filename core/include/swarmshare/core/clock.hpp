#pragma once
// Time, injected: code that depends on "now" takes a const Clock& so tests can set it.

#include <chrono>

namespace swarmshare::core {

class Clock {
public:
  Clock() = default;
  Clock(const Clock&) = default;
  Clock& operator=(const Clock&) = default;
  Clock(Clock&&) = default;
  Clock& operator=(Clock&&) = default;
  virtual ~Clock() = default;

  /// Monotonic time, for intervals and timeouts: never jumps.
  [[nodiscard]] virtual std::chrono::steady_clock::time_point steady_now() const noexcept = 0;
  /// Wall-clock time, for instants other machines must agree on (certificate expiry).
  [[nodiscard]] virtual std::chrono::system_clock::time_point system_now() const noexcept = 0;
};

/// The operating system's clocks.
class RealClock final : public Clock {
public:
  [[nodiscard]] std::chrono::steady_clock::time_point steady_now() const noexcept override {
    return std::chrono::steady_clock::now();
  }
  [[nodiscard]] std::chrono::system_clock::time_point system_now() const noexcept override {
    return std::chrono::system_clock::now();
  }
};

/// A process-wide RealClock.
[[nodiscard]] const Clock& real_clock() noexcept;

/// A clock that moves only when told to. For tests; not thread-safe.
class ManualClock final : public Clock {
public:
  explicit ManualClock(std::chrono::system_clock::time_point wall_start = {}) noexcept
      : wall_(wall_start) {}

  [[nodiscard]] std::chrono::steady_clock::time_point steady_now() const noexcept override {
    return steady_;
  }
  [[nodiscard]] std::chrono::system_clock::time_point system_now() const noexcept override {
    return wall_;
  }

  /// Time passes: both clocks move forward.
  void advance(std::chrono::nanoseconds by) noexcept {
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(by);
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(by);
  }
  /// The wall clock is set (forward or back); monotonic time does not move.
  void set_system_time(std::chrono::system_clock::time_point wall) noexcept { wall_ = wall; }

private:
  std::chrono::steady_clock::time_point steady_{};
  std::chrono::system_clock::time_point wall_;
};

} // namespace swarmshare::core
