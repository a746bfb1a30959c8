#include "swarmshare/dht/node_id.hpp"

#include <gtest/gtest.h>

#include <array>

namespace swarmshare::dht {
namespace {

NodeId id_with_first_byte(std::uint8_t first) {
  NodeId::Bytes bytes{};
  bytes[0] = first;
  return NodeId{bytes};
}

crypto::PeerId peer_with_byte(std::uint8_t value) {
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  key.fill(value);
  return crypto::PeerId{key};
}

TEST(NodeId, isDerivedFromThePeerIdAndDiffersBetweenPeers) {
  const auto a = NodeId::of_peer(peer_with_byte(1));
  EXPECT_EQ(a, NodeId::of_peer(peer_with_byte(1)));
  EXPECT_NE(a, NodeId::of_peer(peer_with_byte(2)));
  // Not the key itself: a node cannot place itself by choosing bytes.
  EXPECT_NE(a.bytes(), peer_with_byte(1).bytes());
}

TEST(NodeId, wordKeysDependOnTheWordAndNeverEqualAFileKey) {
  EXPECT_EQ(NodeId::of_word("holiday"), NodeId::of_word("holiday"));
  EXPECT_NE(NodeId::of_word("holiday"), NodeId::of_word("video"));
  core::Hash256 digest{};
  digest.fill(7);
  const core::FileId file{digest};
  EXPECT_EQ(NodeId::of_file(file).bytes(), file.bytes());
}

TEST(NodeId, distanceIsXorAndSymmetric) {
  const auto a = id_with_first_byte(0b1010'0000);
  const auto b = id_with_first_byte(0b0110'0000);
  EXPECT_EQ(distance(a, b), id_with_first_byte(0b1100'0000));
  EXPECT_EQ(distance(a, b), distance(b, a));
  EXPECT_EQ(distance(a, a), NodeId{});
}

TEST(NodeId, countsCommonLeadingBits) {
  EXPECT_EQ(common_prefix_bits(NodeId{}, NodeId{}), kNodeIdBits);
  EXPECT_EQ(common_prefix_bits(id_with_first_byte(0x80), NodeId{}), 0U);
  EXPECT_EQ(common_prefix_bits(id_with_first_byte(0x01), NodeId{}), 7U);
  NodeId::Bytes late{};
  late[31] = 1;
  EXPECT_EQ(common_prefix_bits(NodeId{late}, NodeId{}), 255U);
}

TEST(NodeId, closerComparesXorDistancesToTheTarget) {
  const auto target = id_with_first_byte(0x10);
  EXPECT_TRUE(closer(target, id_with_first_byte(0x11), id_with_first_byte(0x20)));
  EXPECT_FALSE(closer(target, id_with_first_byte(0x20), id_with_first_byte(0x11)));
  EXPECT_FALSE(closer(target, target, target));
}

TEST(NodeId, bitsAreCountedFromTheMostSignificantEnd) {
  const auto id = id_with_first_byte(0b1000'0001);
  EXPECT_TRUE(id.bit(0));
  EXPECT_FALSE(id.bit(1));
  EXPECT_TRUE(id.bit(7));
  EXPECT_FALSE(id.bit(8));
}

TEST(NodeId, readsExactlyThirtyTwoBytes) {
  NodeId out = id_with_first_byte(9);
  const std::array<std::uint8_t, 31> short_bytes{};
  EXPECT_FALSE(NodeId::from_bytes(short_bytes, out));
  EXPECT_EQ(out, id_with_first_byte(9));
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = 5;
  ASSERT_TRUE(NodeId::from_bytes(bytes, out));
  EXPECT_EQ(out, id_with_first_byte(5));
}

} // namespace
} // namespace swarmshare::dht
