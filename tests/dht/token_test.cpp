// Write tokens: bound to the requester's IP address, valid for one or two rotations.

#include "swarmshare/dht/token.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;

const core::Endpoint kAsker = core::Endpoint::ipv4({198, 51, 100, 7}, 6881);
const core::Endpoint kOther = core::Endpoint::ipv4({198, 51, 100, 8}, 6881);

class WriteTokensTest : public ::testing::Test {
protected:
  core::ManualClock clock;
  core::SeededRandom random{42};
  WriteTokens tokens{clock, random};
};

TEST_F(WriteTokensTest, acceptsATokenRightAfterIssuingIt) {
  const Token token = tokens.issue(kAsker);
  EXPECT_TRUE(tokens.check(token, kAsker));
  EXPECT_TRUE(tokens.proves_address(token, kAsker));
}

TEST_F(WriteTokensTest, acceptsATokenAfterOneRotation) {
  const Token token = tokens.issue(kAsker);
  clock.advance(kTokenRotation);
  EXPECT_NE(tokens.issue(kAsker), token); // the secret did rotate
  EXPECT_TRUE(tokens.check(token, kAsker));
  clock.advance(kTokenRotation - 1s);
  EXPECT_TRUE(tokens.check(token, kAsker));
}

TEST_F(WriteTokensTest, refusesATokenAfterTwoRotations) {
  const Token token = tokens.issue(kAsker);
  clock.advance(kTokenRotation);
  EXPECT_TRUE(tokens.check(token, kAsker));
  clock.advance(kTokenRotation);
  EXPECT_FALSE(tokens.check(token, kAsker));
}

TEST_F(WriteTokensTest, refusesATokenAfterALongSilence) {
  const Token token = tokens.issue(kAsker);
  clock.advance(1h);
  EXPECT_FALSE(tokens.check(token, kAsker));
  const Token fresh = tokens.issue(kAsker);
  EXPECT_TRUE(tokens.check(fresh, kAsker));
  clock.advance(kTokenRotation);
  EXPECT_TRUE(tokens.check(fresh, kAsker)); // rotations continue on schedule afterwards
}

TEST_F(WriteTokensTest, refusesATokenFromAnotherAddress) {
  const Token token = tokens.issue(kAsker);
  EXPECT_FALSE(tokens.check(token, kOther));
  core::Endpoint::Bytes16 address{0x20, 0x01, 0x0d, 0xb8};
  EXPECT_FALSE(tokens.check(token, core::Endpoint::ipv6(address, 6881)));
}

TEST_F(WriteTokensTest, ignoresThePortBecauseNatsChangeIt) {
  const Token token = tokens.issue(kAsker);
  EXPECT_TRUE(tokens.check(token, kAsker.with_port(40000)));
}

TEST_F(WriteTokensTest, refusesAnyChangedByte) {
  const Token token = tokens.issue(kAsker);
  for (std::size_t i = 0; i < kTokenBytes; ++i) {
    Token changed = token;
    changed.bytes[i] ^= 1U;
    EXPECT_FALSE(tokens.check(changed, kAsker)) << i;
  }
}

TEST_F(WriteTokensTest, nodesWithOtherSecretsRefuseEachOthersTokens) {
  core::SeededRandom other_random{43};
  WriteTokens other{clock, other_random};
  EXPECT_FALSE(other.check(tokens.issue(kAsker), kAsker));
  // The production constructor draws its secrets from libsodium.
  WriteTokens production{clock};
  const Token token = production.issue(kAsker);
  EXPECT_TRUE(production.check(token, kAsker));
  EXPECT_FALSE(tokens.check(token, kAsker));
}

} // namespace
} // namespace swarmshare::dht
