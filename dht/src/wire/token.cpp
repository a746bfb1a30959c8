#include "swarmshare/dht/token.hpp"

#include "swarmshare/crypto/common.hpp"

#include <sodium/crypto_generichash_blake2b.h>
#include <sodium/randombytes.h>
#include <sodium/utils.h>

#include <string_view>

namespace swarmshare::dht {
namespace {

// Keeps these MACs apart from any other keyed BLAKE2b a future version adds.
constexpr std::string_view kTokenLabel = "swarmshare dht token v1";

} // namespace

WriteTokens::WriteTokens(const core::Clock& clock) : clock_(clock) {
  crypto::init();
  fill(current_);
  fill(previous_);
  rotated_at_ = clock_.steady_now();
}

WriteTokens::WriteTokens(const core::Clock& clock, core::Random& random)
    : clock_(clock), random_(&random) {
  crypto::init();
  fill(current_);
  fill(previous_);
  rotated_at_ = clock_.steady_now();
}

WriteTokens::~WriteTokens() {
  sodium_memzero(current_.data(), current_.size());
  sodium_memzero(previous_.data(), previous_.size());
}

void WriteTokens::fill(Secret& secret) {
  if (random_ == nullptr) {
    randombytes_buf(secret.data(), secret.size());
    return;
  }
  // 8 bytes per draw; below(0) is documented as 0, so ask for [0, 2^64 - 1) instead.
  for (std::size_t i = 0; i < secret.size(); i += 8) {
    std::uint64_t value = random_->below(~std::uint64_t{0});
    for (std::size_t j = 0; j < 8; ++j) {
      secret[i + j] = static_cast<std::uint8_t>(value & 0xFFU);
      value >>= 8U;
    }
  }
}

void WriteTokens::rotate_if_due() {
  const auto now = clock_.steady_now();
  // Rotations are counted, not timed per call: after two or more periods of silence both
  // secrets are new, so no token older than two periods survives an idle node.
  int due = 0;
  while (now - rotated_at_ >= kTokenRotation && due < 2) {
    rotated_at_ += kTokenRotation;
    ++due;
  }
  if (due == 2) {
    rotated_at_ = now;
  }
  for (int i = 0; i < due; ++i) {
    previous_ = current_;
    fill(current_);
  }
}

Token WriteTokens::compute(const Secret& secret, const core::Endpoint& requester) {
  // The IPv4-mapped form gives every address one spelling, whichever family it came in.
  const auto& address = requester.mapped_address();
  crypto_generichash_blake2b_state state;
  crypto_generichash_blake2b_init(&state, secret.data(), secret.size(), kTokenBytes);
  crypto_generichash_blake2b_update(
      &state, reinterpret_cast<const unsigned char*>(kTokenLabel.data()), kTokenLabel.size());
  crypto_generichash_blake2b_update(&state, address.data(), address.size());
  Token token;
  crypto_generichash_blake2b_final(&state, token.bytes.data(), token.bytes.size());
  sodium_memzero(&state, sizeof state);
  return token;
}

Token WriteTokens::issue(const core::Endpoint& requester) {
  rotate_if_due();
  return compute(current_, requester);
}

bool WriteTokens::check(const Token& token, const core::Endpoint& requester) {
  rotate_if_due();
  const Token now = compute(current_, requester);
  const Token before = compute(previous_, requester);
  // Both comparisons always run, in constant time: timing reveals nothing about either.
  const bool matches_now = sodium_memcmp(now.bytes.data(), token.bytes.data(), kTokenBytes) == 0;
  const bool matches_before =
      sodium_memcmp(before.bytes.data(), token.bytes.data(), kTokenBytes) == 0;
  return matches_now || matches_before;
}

} // namespace swarmshare::dht
