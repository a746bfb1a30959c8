#include "swarmshare/transfer/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace swarmshare::transfer {
namespace {

using namespace std::chrono_literals;
constexpr std::uint64_t kMiB = 1024 * 1024;

// Sends `total` bytes in `block` pieces through `limiter`, waiting on the manual clock as
// told, and returns the time it took.
std::chrono::nanoseconds transfer_time(core::ManualClock& clock, RateLimiter& limiter,
                                       std::uint64_t total, std::uint64_t block) {
  const auto start = clock.steady_now();
  for (std::uint64_t sent = 0; sent < total; sent += block) {
    clock.advance(limiter.reserve(block));
  }
  return clock.steady_now() - start;
}

TEST(RateLimiter, unlimitedNeverWaits) {
  core::ManualClock clock;
  RateLimiter limiter(clock);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(limiter.reserve(kMiB), 0ns);
  }
}

TEST(RateLimiter, holdsASustainedTransferToItsRate) {
  core::ManualClock clock;
  RateLimiter limiter(clock, 10 * kMiB);
  const auto took = transfer_time(clock, limiter, 100 * kMiB, 64 * 1024);
  // 100 MiB at 10 MiB/s: 10 s, less the one burst the bucket starts with.
  EXPECT_GE(took, 9800ms);
  EXPECT_LE(took, 10s);
}

TEST(RateLimiter, letsABurstThroughAtOnceThenPaces) {
  core::ManualClock clock;
  RateLimiter limiter(clock, 10 * kMiB); // a 1 MiB bucket
  EXPECT_EQ(limiter.reserve(kMiB), 0ns);
  EXPECT_GT(limiter.reserve(kMiB), 99ms);
}

TEST(RateLimiter, aBlockLargerThanTheBucketPassesLater) {
  core::ManualClock clock;
  RateLimiter limiter(clock, 1024); // 102 bytes of bucket
  const auto wait = limiter.reserve(64 * 1024);
  EXPECT_GT(wait, 60s);
  EXPECT_LT(wait, 64s);
}

TEST(RateLimiter, idleTimeRefillsOnlyUpToTheBucket) {
  core::ManualClock clock;
  RateLimiter limiter(clock, 10 * kMiB);
  clock.advance(1h);
  EXPECT_EQ(limiter.reserve(kMiB), 0ns);
  EXPECT_GT(limiter.reserve(kMiB), 0ns) << "an hour idle must not bank an hour of bandwidth";
}

TEST(RateLimiter, raisingTheLimitForgivesDebt) {
  core::ManualClock clock;
  RateLimiter limiter(clock, 1024);
  (void)limiter.reserve(kMiB); // deep in debt
  limiter.set_rate(RateLimiter::kUnlimited);
  EXPECT_EQ(limiter.reserve(kMiB), 0ns);
  limiter.set_rate(10 * kMiB);
  EXPECT_EQ(limiter.rate(), 10 * kMiB);
  EXPECT_LT(limiter.reserve(64 * 1024), 10ms);
}

TEST(RateLimiter, strictestOfSeveralLimitsWins) {
  core::ManualClock clock;
  RateLimiter global(clock, 20 * kMiB);
  RateLimiter peer(clock, 5 * kMiB);
  const auto start = clock.steady_now();
  for (std::uint64_t sent = 0; sent < 50 * kMiB; sent += 64 * 1024) {
    clock.advance(reserve_all({&global, &peer, nullptr}, 64 * 1024));
  }
  const auto took = clock.steady_now() - start;
  EXPECT_GE(took, 9800ms); // the peer's 5 MiB/s, not the global 20
  EXPECT_LE(took, 10s);
}

} // namespace
} // namespace swarmshare::transfer
