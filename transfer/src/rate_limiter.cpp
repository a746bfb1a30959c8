#include "swarmshare/transfer/rate_limiter.hpp"

#include <algorithm>

namespace swarmshare::transfer {
namespace {

[[nodiscard]] double bucket_size(std::uint64_t rate) {
  using Seconds = std::chrono::duration<double>;
  return static_cast<double>(rate) *
         std::chrono::duration_cast<Seconds>(RateLimiter::kBurst).count();
}

} // namespace

RateLimiter::RateLimiter(const core::Clock& clock, std::uint64_t bytes_per_second)
    : clock_(clock), rate_(bytes_per_second), tokens_(bucket_size(bytes_per_second)),
      last_refill_(clock.steady_now()) {}

void RateLimiter::set_rate(std::uint64_t bytes_per_second) {
  const std::lock_guard lock(mutex_);
  refill_locked(clock_.steady_now());
  rate_ = bytes_per_second;
  tokens_ = std::clamp(tokens_, 0.0, bucket_size(rate_));
}

std::uint64_t RateLimiter::rate() const {
  const std::lock_guard lock(mutex_);
  return rate_;
}

void RateLimiter::refill_locked(std::chrono::steady_clock::time_point now) {
  if (now <= last_refill_) {
    return; // a clock that did not move (or a test clock set back) adds nothing
  }
  const std::chrono::duration<double> elapsed = now - last_refill_;
  last_refill_ = now;
  tokens_ = std::min(tokens_ + elapsed.count() * static_cast<double>(rate_), bucket_size(rate_));
}

std::chrono::nanoseconds RateLimiter::reserve(std::uint64_t bytes) {
  const std::lock_guard lock(mutex_);
  if (rate_ == kUnlimited) {
    return std::chrono::nanoseconds::zero();
  }
  refill_locked(clock_.steady_now());
  tokens_ -= static_cast<double>(bytes);
  if (tokens_ >= 0) {
    return std::chrono::nanoseconds::zero();
  }
  const std::chrono::duration<double> wait{-tokens_ / static_cast<double>(rate_)};
  return std::chrono::ceil<std::chrono::nanoseconds>(wait);
}

std::chrono::nanoseconds reserve_all(std::initializer_list<RateLimiter*> limiters,
                                     std::uint64_t bytes) {
  std::chrono::nanoseconds longest{0};
  for (auto* limiter : limiters) {
    if (limiter != nullptr) {
      longest = std::max(longest, limiter->reserve(bytes));
    }
  }
  return longest;
}

} // namespace swarmshare::transfer
