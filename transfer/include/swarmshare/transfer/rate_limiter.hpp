#pragma once
// Bandwidth limits: a token bucket per limit (global upload, global download, per peer, per
// download). Sending or receiving N bytes reserves N tokens and learns how long to wait
// before going on; tokens may go into debt, so a block larger than the bucket still passes,
// just later. The clock is injected, so tests move time by hand.

#include "swarmshare/core/clock.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>

namespace swarmshare::transfer {

class RateLimiter {
public:
  /// No limit.
  static constexpr std::uint64_t kUnlimited = 0;
  /// The bucket holds this much time's worth of tokens: bursts above the rate last at most
  /// this long, and a limit is met within a few percent over a second.
  static constexpr std::chrono::milliseconds kBurst{100};

  explicit RateLimiter(const core::Clock& clock, std::uint64_t bytes_per_second = kUnlimited);

  /// Changes the limit from now on (kUnlimited: none). Debt already owed is forgiven so a
  /// raised limit takes effect at once.
  void set_rate(std::uint64_t bytes_per_second);
  [[nodiscard]] std::uint64_t rate() const;

  /// Takes `bytes` tokens and returns how long the caller should wait before moving them
  /// (zero when the bucket had them, or when unlimited).
  [[nodiscard]] std::chrono::nanoseconds reserve(std::uint64_t bytes);

private:
  void refill_locked(std::chrono::steady_clock::time_point now);

  const core::Clock& clock_;
  mutable std::mutex mutex_;
  std::uint64_t rate_;
  double tokens_ = 0; ///< may be negative: debt
  std::chrono::steady_clock::time_point last_refill_;
};

/// Reserves `bytes` from every limiter that applies (say the global and the peer's) and
/// returns the longest wait: the strictest limit wins. Null pointers are skipped.
[[nodiscard]] std::chrono::nanoseconds reserve_all(std::initializer_list<RateLimiter*> limiters,
                                                   std::uint64_t bytes);

} // namespace swarmshare::transfer
