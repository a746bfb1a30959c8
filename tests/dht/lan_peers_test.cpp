#include "swarmshare/dht/lan_peers.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;

crypto::PeerId peer(std::uint8_t fill) {
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  key.fill(fill);
  return crypto::PeerId{key};
}

LanSource v4_source(std::uint8_t last, std::uint16_t port = 40000) {
  return {core::Endpoint::ipv4({192, 168, 1, last}, port), 0};
}

LanSource v6_source(std::uint8_t last, std::uint32_t scope = 2) {
  core::Endpoint::Bytes16 address{0xfe, 0x80};
  address[15] = last;
  return {core::Endpoint::ipv6(address, 40000), scope};
}

struct Recorded {
  LanPeerEvent event;
  LanPeer peer;
};

class LanPeerTableTest : public ::testing::Test {
protected:
  LanPeerTableTest() : table_(clock_, 90s, 3) {
    table_.set_listener([this](LanPeerEvent event, const LanPeer& p) {
      events_.push_back({event, p});
    });
  }

  core::ManualClock clock_;
  LanPeerTable table_;
  std::vector<Recorded> events_;
};

TEST_F(LanPeerTableTest, newPeerAppearsWithSourceAddressAndAnnouncedPorts) {
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7070, 7071));
  ASSERT_EQ(events_.size(), 1U);
  EXPECT_EQ(events_[0].event, LanPeerEvent::appeared);
  const auto found = table_.find(peer(1));
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->ipv4);
  // The address is the datagram's source IP with the announced peer port, not its port.
  EXPECT_EQ(found->ipv4->endpoint, core::Endpoint::ipv4({192, 168, 1, 10}, 7070));
  EXPECT_EQ(found->dht_port, 7071);
  EXPECT_FALSE(found->ipv6);
}

TEST_F(LanPeerTableTest, repeatedSightingOnlyRefreshesWithoutEvent) {
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7070, 0));
  clock_.advance(30s);
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10, 40001), 7070, 0));
  EXPECT_EQ(events_.size(), 1U);
  EXPECT_EQ(table_.find(peer(1))->last_seen, clock_.steady_now());
}

TEST_F(LanPeerTableTest, newPortOrAddressIsAChange) {
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7070, 0));
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7080, 0));
  ASSERT_TRUE(table_.saw(peer(1), v4_source(11), 7080, 0));
  ASSERT_TRUE(table_.saw(peer(1), v4_source(11), 7080, 9000));
  ASSERT_EQ(events_.size(), 4U);
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(events_[i].event, LanPeerEvent::changed);
  }
  EXPECT_EQ(events_.back().peer.ipv4->endpoint, core::Endpoint::ipv4({192, 168, 1, 11}, 7080));
}

TEST_F(LanPeerTableTest, bothFamiliesAreKeptSoAlternatingDatagramsAreNoChange) {
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7070, 0));
  ASSERT_TRUE(table_.saw(peer(1), v6_source(10), 7070, 0)); // new address: a change
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7070, 0));
  ASSERT_TRUE(table_.saw(peer(1), v6_source(10), 7070, 0));
  EXPECT_EQ(events_.size(), 2U);
  const auto found = table_.find(peer(1));
  ASSERT_TRUE(found->ipv6);
  EXPECT_EQ(found->ipv6->scope_id, 2U);
  EXPECT_EQ(found->addresses().size(), 2U);
}

TEST_F(LanPeerTableTest, silentPeerExpiresAfterTheExpiryTime) {
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7070, 0));
  EXPECT_EQ(table_.next_expiry(), clock_.steady_now() + 90s);
  clock_.advance(89s);
  table_.expire();
  EXPECT_EQ(table_.size(), 1U);
  clock_.advance(1s);
  table_.expire();
  EXPECT_EQ(table_.size(), 0U);
  ASSERT_EQ(events_.size(), 2U);
  EXPECT_EQ(events_[1].event, LanPeerEvent::expired);
  EXPECT_EQ(events_[1].peer.peer_id, peer(1));
  EXPECT_FALSE(table_.next_expiry());
}

TEST_F(LanPeerTableTest, sightingPostponesExpiry) {
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7070, 0));
  clock_.advance(60s);
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7070, 0));
  clock_.advance(60s);
  table_.expire();
  EXPECT_EQ(table_.size(), 1U);
}

TEST_F(LanPeerTableTest, oneFamilyFallingSilentIsAChangeNotAnExpiry) {
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7070, 0));
  ASSERT_TRUE(table_.saw(peer(1), v6_source(10), 7070, 0));
  clock_.advance(60s);
  ASSERT_TRUE(table_.saw(peer(1), v4_source(10), 7070, 0));
  clock_.advance(30s);
  table_.expire();
  const auto found = table_.find(peer(1));
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->ipv4);
  EXPECT_FALSE(found->ipv6);
  EXPECT_EQ(events_.back().event, LanPeerEvent::changed);
}

TEST_F(LanPeerTableTest, fullTableIgnoresNewPeersButRefreshesKnownOnes) {
  for (std::uint8_t i = 1; i <= 3; ++i) {
    ASSERT_TRUE(table_.saw(peer(i), v4_source(i), 7070, 0));
  }
  EXPECT_FALSE(table_.saw(peer(4), v4_source(4), 7070, 0));
  EXPECT_TRUE(table_.saw(peer(2), v4_source(2), 7070, 0));
  EXPECT_EQ(table_.size(), 3U);
}

TEST_F(LanPeerTableTest, snapshotListsEveryPeer) {
  ASSERT_TRUE(table_.saw(peer(2), v4_source(2), 7070, 0));
  ASSERT_TRUE(table_.saw(peer(1), v4_source(1), 7070, 0));
  const auto peers = table_.snapshot();
  ASSERT_EQ(peers.size(), 2U);
  EXPECT_EQ(peers[0].peer_id, peer(1));
  EXPECT_EQ(peers[1].peer_id, peer(2));
}

// ---- Reply limit ----

TEST(LanReplyLimiter, oneReplyPerSourcePerInterval) {
  core::ManualClock clock;
  LanReplyLimiter limiter(clock, LanReplyLimits{});
  EXPECT_TRUE(limiter.allow(v4_source(1)));
  EXPECT_FALSE(limiter.allow(v4_source(1)));
  EXPECT_TRUE(limiter.allow(v4_source(1, 40001))); // another process on that host
  clock.advance(1s);
  EXPECT_TRUE(limiter.allow(v4_source(1)));
}

TEST(LanReplyLimiter, floodFromManySourcesIsCappedByTheSharedBucket) {
  core::ManualClock clock;
  LanReplyLimits limits;
  limits.burst = 4;
  limits.refill_every = 100ms;
  LanReplyLimiter limiter(clock, limits);
  int allowed = 0;
  for (std::uint16_t port = 1; port <= 100; ++port) {
    allowed += limiter.allow(v4_source(1, port)) ? 1 : 0;
  }
  EXPECT_EQ(allowed, 4);
  clock.advance(250ms); // two tokens back
  allowed = 0;
  for (std::uint16_t port = 101; port <= 200; ++port) {
    allowed += limiter.allow(v4_source(1, port)) ? 1 : 0;
  }
  EXPECT_EQ(allowed, 2);
}

TEST(LanReplyLimiter, sourceTableIsBounded) {
  core::ManualClock clock;
  LanReplyLimits limits;
  limits.burst = 1000;
  limits.max_sources = 8;
  LanReplyLimiter limiter(clock, limits);
  for (std::uint16_t port = 1; port <= 8; ++port) {
    EXPECT_TRUE(limiter.allow(v4_source(1, port)));
  }
  EXPECT_FALSE(limiter.allow(v4_source(1, 9)));
  clock.advance(1s); // the remembered sources are old now and make room
  EXPECT_TRUE(limiter.allow(v4_source(1, 9)));
}

// ---- Protocol: what a datagram does ----

class LanProtocolTest : public ::testing::Test {
protected:
  LanProtocolTest() : us_(peer(1), 7000, 7001, clock_, options()) {}

  static LanProtocolOptions options() {
    LanProtocolOptions o;
    o.network = "net-a";
    return o;
  }

  static std::vector<std::uint8_t> datagram(LanKind kind, std::uint8_t from = 2,
                                            std::string network = "net-a") {
    LanMessage message;
    message.network = std::move(network);
    message.kind = kind;
    message.peer_id = peer(from);
    message.peer_port = 8000;
    message.dht_port = 8001;
    return encode_lan_message(message).value();
  }

  core::ManualClock clock_;
  LanProtocol us_;
};

TEST_F(LanProtocolTest, helloOnTheGroupIsRecordedAndAnswered) {
  const auto verdict = us_.receive(datagram(LanKind::hello), v4_source(5), LanPath::group);
  EXPECT_EQ(verdict.drop, LanDrop::none);
  EXPECT_TRUE(verdict.reply);
  const auto found = us_.table().find(peer(2));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->ipv4->endpoint, core::Endpoint::ipv4({192, 168, 1, 5}, 8000));
  EXPECT_EQ(found->dht_port, 8001);
}

TEST_F(LanProtocolTest, announceAndReplyAreRecordedButNotAnswered) {
  auto verdict = us_.receive(datagram(LanKind::announce), v4_source(5), LanPath::group);
  EXPECT_EQ(verdict.drop, LanDrop::none);
  EXPECT_FALSE(verdict.reply);
  verdict = us_.receive(datagram(LanKind::reply, 3), v4_source(6), LanPath::unicast);
  EXPECT_EQ(verdict.drop, LanDrop::none);
  EXPECT_FALSE(verdict.reply);
  EXPECT_EQ(us_.table().size(), 2U);
}

TEST_F(LanProtocolTest, floodOfHellosFromOneSourceGetsOneReply) {
  int replies = 0;
  int limited = 0;
  for (int i = 0; i < 50; ++i) {
    const auto verdict = us_.receive(datagram(LanKind::hello), v4_source(5), LanPath::group);
    replies += verdict.reply ? 1 : 0;
    limited += verdict.reply_limited ? 1 : 0;
  }
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(limited, 49);
}

TEST_F(LanProtocolTest, unwantedDatagramsAreDroppedWithoutTouchingTheTable) {
  EXPECT_EQ(us_.receive(datagram(LanKind::hello, 1), v4_source(5), LanPath::group).drop,
            LanDrop::own_message);
  EXPECT_EQ(us_.receive(datagram(LanKind::hello, 2, "net-b"), v4_source(5), LanPath::group).drop,
            LanDrop::other_network);
  EXPECT_EQ(us_.receive(datagram(LanKind::reply), v4_source(5), LanPath::group).drop,
            LanDrop::unexpected_kind);
  EXPECT_EQ(us_.receive(datagram(LanKind::hello), v4_source(5), LanPath::unicast).drop,
            LanDrop::unexpected_kind);
  const std::vector<std::uint8_t> junk{0x93, 0x01, 0x02};
  EXPECT_EQ(us_.receive(junk, v4_source(5), LanPath::group).drop, LanDrop::malformed);
  const std::vector<std::uint8_t> big(kMaxLanMessageBytes + 1, 0x00);
  EXPECT_EQ(us_.receive(big, v4_source(5), LanPath::group).drop, LanDrop::too_large);
  EXPECT_EQ(us_.table().size(), 0U);
}

TEST_F(LanProtocolTest, ourMessagesCarryOurIdentityAndPorts) {
  const auto encoded = us_.encode(LanKind::announce);
  ASSERT_TRUE(encoded);
  const auto decoded = decode_lan_message(encoded.value());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value().peer_id, peer(1));
  EXPECT_EQ(decoded.value().network, "net-a");
  EXPECT_EQ(decoded.value().peer_port, 7000);
  EXPECT_EQ(decoded.value().dht_port, 7001);
  EXPECT_EQ(decoded.value().kind, LanKind::announce);
}

} // namespace
} // namespace swarmshare::dht
