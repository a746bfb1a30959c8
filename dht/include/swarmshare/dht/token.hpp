#pragma once
// Write tokens: a node hands a requester a token bound to the requester's IP address, and
// accepts announce_peer and put only with a token it gave to that address recently. So a
// node cannot be made to store records for an address that never talked to it (spoofed
// source addresses), and the same token proves an address for anti-amplification: "an
// address proves itself by echoing a token we gave it".
//
// Token = keyed BLAKE2b-128 of a label and the requester's IP address (the port is left
// out: NATs change ports between requests), keyed with a 32-byte secret that rotates every
// kTokenRotation. The previous secret is still accepted, so a token lives 5 to 10 minutes.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/random.hpp"

#include <array>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>

namespace swarmshare::dht {

inline constexpr std::size_t kTokenBytes = 16;
inline constexpr std::chrono::minutes kTokenRotation{5};

/// An opaque write token, exactly kTokenBytes on the wire.
struct Token {
  std::array<std::uint8_t, kTokenBytes> bytes{};
  friend auto operator<=>(const Token&, const Token&) = default;
};

/// Issues and checks tokens. Not thread-safe: one per node, used from the node's strand.
class WriteTokens {
public:
  /// Secrets from the operating system's CSPRNG (libsodium randombytes_buf): production.
  explicit WriteTokens(const core::Clock& clock);
  /// Secrets drawn from `random`, for tests. Anything else must pass a Random seeded from a
  /// CSPRNG: whoever predicts the secrets can forge tokens for any address.
  WriteTokens(const core::Clock& clock, core::Random& random);

  WriteTokens(const WriteTokens&) = delete;
  WriteTokens& operator=(const WriteTokens&) = delete;
  WriteTokens(WriteTokens&&) = delete;
  WriteTokens& operator=(WriteTokens&&) = delete;
  ~WriteTokens();

  /// The token for `requester`'s address under the current secret.
  [[nodiscard]] Token issue(const core::Endpoint& requester);
  /// True when `token` is what issue() gives `requester`'s address under the current or
  /// the previous secret (compared in constant time).
  [[nodiscard]] bool check(const Token& token, const core::Endpoint& requester);
  /// The same check, named for its other use: the address proved itself.
  [[nodiscard]] bool proves_address(const Token& token, const core::Endpoint& requester) {
    return check(token, requester);
  }

private:
  using Secret = std::array<std::uint8_t, 32>;

  void rotate_if_due();
  void fill(Secret& secret);
  [[nodiscard]] static Token compute(const Secret& secret, const core::Endpoint& requester);

  const core::Clock& clock_;
  core::Random* random_ = nullptr; // null: libsodium's CSPRNG
  Secret current_{};
  Secret previous_{};
  std::chrono::steady_clock::time_point rotated_at_;
};

} // namespace swarmshare::dht
