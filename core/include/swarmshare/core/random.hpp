#pragma once
// Randomness, injected: code that makes random choices takes a Random& so tests can fix
// them, and two peers started at once still choose differently.

#include <cstdint>
#include <random>

namespace swarmshare::core {

class Random {
public:
  Random() = default;
  Random(const Random&) = default;
  Random& operator=(const Random&) = default;
  Random(Random&&) = default;
  Random& operator=(Random&&) = default;
  virtual ~Random() = default;

  /// Uniform in [0, bound); 0 when bound is 0.
  [[nodiscard]] virtual std::uint64_t below(std::uint64_t bound) = 0;
};

/// A Mersenne Twister with a given seed. Not thread-safe.
class SeededRandom final : public Random {
public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}

  /// Seeded from std::random_device: what the engine uses outside tests.
  [[nodiscard]] static SeededRandom from_entropy() {
    std::random_device device;
    const auto high = static_cast<std::uint64_t>(device());
    const auto low = static_cast<std::uint64_t>(device());
    return SeededRandom{(high << 32U) ^ low};
  }

  [[nodiscard]] std::uint64_t below(std::uint64_t bound) override {
    if (bound <= 1) {
      return 0;
    }
    // Rejection sampling by hand rather than std::uniform_int_distribution, whose algorithm
    // each standard library chooses: a seed must give the same numbers everywhere.
    // `reject_under` is 2^64 mod bound, so the accepted range is a multiple of bound.
    const std::uint64_t reject_under = (std::uint64_t{0} - bound) % bound;
    std::uint64_t value = engine_();
    while (value < reject_under) {
      value = engine_();
    }
    return value % bound;
  }

private:
  std::mt19937_64 engine_;
};

} // namespace swarmshare::core
