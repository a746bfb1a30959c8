// The answering side of a node: one datagram in, at most one out, and nothing sent to an
// unproven address larger than what it sent.

#include "swarmshare/dht/request_handler.hpp"

#include "dht_test_values.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>

namespace swarmshare::dht {
namespace {

using test_values::file_with_byte;
using test_values::identity_from;

using namespace std::chrono_literals;

const crypto::NetworkId kNetwork = crypto::NetworkId::public_network();

core::Endpoint v4(std::uint8_t last, std::uint16_t port = 6881) {
  return core::Endpoint::ipv4({203, 0, 113, last}, port);
}

core::Endpoint v6(std::uint8_t subnet) {
  core::Endpoint::Bytes16 address{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, subnet};
  address[15] = 1;
  return core::Endpoint::ipv6(address, 6881);
}

class FakeShares final : public LocalShares {
public:
  std::map<core::FileId, PeerRecord> records;
  std::optional<PeerRecord> own_record(const core::FileId& file_id) override {
    const auto it = records.find(file_id);
    return it == records.end() ? std::nullopt : std::optional<PeerRecord>{it->second};
  }
};

class RequestHandlerTest : public ::testing::Test {
protected:
  core::ManualClock clock{std::chrono::system_clock::time_point{1'800'000'000s}};
  core::SeededRandom random{7};
  crypto::Identity self = identity_from(100);
  crypto::Identity alice = identity_from(1);
  crypto::Identity bob = identity_from(2);
  core::Endpoint alice_at = v4(1);
  core::Endpoint bob_at = v4(2);
  RoutingTable routing{NodeId::of_peer(self.peer_id()), clock, random};
  Storage storage{kNetwork};
  WriteTokens tokens{clock, random};
  FakeShares shares;
  RequestHandlerOptions options;
  std::uint32_t next_transaction = 1;

  RequestHandler make_handler() {
    return RequestHandler{self.peer_id(), kNetwork, clock,   routing,
                          storage,        tokens,   &shares, options};
  }

  Bytes request(const crypto::Identity& from, RequestBody body,
                std::optional<Token> token = std::nullopt, std::size_t pad_to = 0) {
    Request message{TransactionId{next_transaction++}, from.peer_id(), token, std::move(body), 0};
    if (pad_to > 0) {
      EXPECT_TRUE(pad_request(message, pad_to, kNetwork));
    }
    return encode_request(message, kNetwork).value();
  }

  static Reply reply_of(const Handled& handled) {
    EXPECT_FALSE(handled.answer.empty());
    auto message = decode_message(handled.answer, kNetwork);
    EXPECT_TRUE(message);
    return std::get<Reply>(message.value());
  }

  /// Nodes in the routing table, each in its own /16 (the table keeps subnets diverse).
  void know_nodes(std::uint8_t count) {
    for (std::uint8_t i = 0; i < count; ++i) {
      const auto contact =
          NodeContact::of(identity_from(static_cast<std::uint8_t>(150 + i)).peer_id(),
                          core::Endpoint::ipv4({20, i, 1, 1}, 7000));
      static_cast<void>(routing.on_response(contact));
    }
  }
};

template <class Body>
const Body& body_of(const Reply& reply) {
  const auto* body = std::get_if<Body>(&reply.body);
  EXPECT_NE(body, nullptr);
  static const Body empty{};
  return body != nullptr ? *body : empty;
}

TEST_F(RequestHandlerTest, answersAPaddedPingWithAPongAndAToken) {
  auto handler = make_handler();
  const auto handled = handler.on_datagram(alice_at, request(alice, PingRequest{}, {}, 200));
  const auto reply = reply_of(handled);
  EXPECT_EQ(reply.transaction, TransactionId{1});
  EXPECT_EQ(reply.sender, self.peer_id());
  EXPECT_EQ(reply.you_are, alice_at);
  EXPECT_TRUE(std::holds_alternative<PongReply>(reply.body));
  ASSERT_TRUE(reply.token);
  EXPECT_TRUE(tokens.check(*reply.token, alice_at));
  ASSERT_TRUE(handled.querier);
  EXPECT_EQ(handled.querier->peer, alice.peer_id());
}

TEST_F(RequestHandlerTest, replyToUnprovenAddressIsNeverLargerThanItsRequest) {
  know_nodes(12);
  auto handler = make_handler();
  for (std::size_t pad_to = 0; pad_to <= kMaxDatagramBytes; pad_to += 50) {
    for (const RequestBody& body :
         {RequestBody{PingRequest{}}, RequestBody{FindNodeRequest{NodeId{}}},
          RequestBody{GetPeersRequest{file_with_byte(3)}}, RequestBody{GetRequest{NodeId{}}}}) {
      const auto datagram = request(alice, body, {}, pad_to);
      const auto source = static_cast<std::uint8_t>(pad_to % 200);
      for (const auto& from : {v4(source), v6(source)}) {
        const auto handled = handler.on_datagram(from, datagram);
        EXPECT_LE(handled.answer.size(), datagram.size()) << "padded to " << pad_to;
      }
    }
  }
  EXPECT_GT(handler.counters().trimmed, 0U);
  EXPECT_GT(handler.counters().prove_address, 0U);
}

TEST_F(RequestHandlerTest, pingFromUnprovenAddressIsAnsweredOnlyWithinItsSize) {
  auto handler = make_handler();
  // A pong is always larger than an unpadded ping (it adds you_are): no answer at all.
  const auto ping = request(alice, PingRequest{});
  EXPECT_TRUE(handler.on_datagram(alice_at, ping).answer.empty());
  EXPECT_EQ(handler.counters().unanswered, 1U);
  // Padded to a tokenless pong's size, it gets that pong: a token would not fit.
  const Reply tokenless{TransactionId{next_transaction}, self.peer_id(), alice_at, std::nullopt,
                        PongReply{}};
  const auto pong_size = encoded_size(tokenless, kNetwork).value();
  const auto padded = request(alice, PingRequest{}, {}, pong_size);
  const auto handled = handler.on_datagram(alice_at, padded);
  EXPECT_EQ(handled.answer.size(), pong_size);
  EXPECT_EQ(reply_of(handled), tokenless);
}

TEST_F(RequestHandlerTest, unprovenFindNodeGetsATokenAndTheEchoGetsEveryContact) {
  know_nodes(12);
  auto handler = make_handler();
  const auto first = reply_of(handler.on_datagram(alice_at, request(alice, FindNodeRequest{})));
  EXPECT_EQ(body_of<ErrorReply>(first).code, ErrorCode::prove_address);
  ASSERT_TRUE(first.token);
  const auto second =
      reply_of(handler.on_datagram(alice_at, request(alice, FindNodeRequest{}, first.token)));
  EXPECT_EQ(body_of<NodesReply>(second).contacts.size(), kMaxContactsPerReply);
}

TEST_F(RequestHandlerTest, findNodeNeverListsTheRequesterItself) {
  know_nodes(3);
  const auto alice_contact = NodeContact::of(alice.peer_id(), alice_at);
  ASSERT_EQ(routing.on_response(alice_contact).admission, Admission::inserted);
  auto handler = make_handler();
  const auto target = NodeId::of_peer(alice.peer_id());
  const auto reply = reply_of(handler.on_datagram(
      alice_at, request(alice, FindNodeRequest{target}, tokens.issue(alice_at))));
  const auto& contacts = body_of<NodesReply>(reply).contacts;
  EXPECT_EQ(contacts.size(), 3U);
  for (const auto& contact : contacts) {
    EXPECT_NE(contact.peer, alice.peer_id());
  }
}

TEST_F(RequestHandlerTest, refusesAnnounceWithoutAValidToken) {
  auto handler = make_handler();
  const auto record =
      make_peer_record(alice, kNetwork, file_with_byte(5), {alice_at}, clock).value();
  const auto without =
      reply_of(handler.on_datagram(alice_at, request(alice, AnnouncePeerRequest{record})));
  EXPECT_EQ(body_of<ErrorReply>(without).code, ErrorCode::invalid_token);
  // A token given to another address does not do either.
  const auto bobs = tokens.issue(bob_at);
  const auto wrong =
      reply_of(handler.on_datagram(alice_at, request(alice, AnnouncePeerRequest{record}, bobs)));
  EXPECT_EQ(body_of<ErrorReply>(wrong).code, ErrorCode::invalid_token);
  EXPECT_EQ(storage.stats().peer_records, 0U);
}

TEST_F(RequestHandlerTest, announceOfAnotherPeersRecordIsRefused) {
  auto handler = make_handler();
  const auto bobs_record =
      make_peer_record(bob, kNetwork, file_with_byte(5), {bob_at}, clock).value();
  const auto reply = reply_of(handler.on_datagram(
      alice_at, request(alice, AnnouncePeerRequest{bobs_record}, tokens.issue(alice_at))));
  EXPECT_EQ(body_of<ErrorReply>(reply).code, ErrorCode::invalid_record);
  EXPECT_EQ(storage.stats().peer_records, 0U);
}

TEST_F(RequestHandlerTest, announcedRecordIsFoundByGetPeers) {
  auto handler = make_handler();
  const auto file = file_with_byte(5);
  // The token comes from a first get_peers (a prove_address error at this size).
  const auto first = reply_of(handler.on_datagram(alice_at, request(alice, GetPeersRequest{file})));
  ASSERT_TRUE(first.token);
  const auto record = make_peer_record(alice, kNetwork, file, {alice_at}, clock).value();
  const auto stored = reply_of(
      handler.on_datagram(alice_at, request(alice, AnnouncePeerRequest{record}, first.token)));
  EXPECT_TRUE(std::holds_alternative<StoredReply>(stored.body));
  EXPECT_EQ(handler.counters().stored_peer_records, 1U);

  const auto found = reply_of(
      handler.on_datagram(bob_at, request(bob, GetPeersRequest{file}, tokens.issue(bob_at))));
  EXPECT_EQ(body_of<PeersReply>(found).records, std::vector<PeerRecord>{record});
  EXPECT_TRUE(body_of<PeersReply>(found).contacts.empty());
}

TEST_F(RequestHandlerTest, announceThatDoesNotVerifyIsRefused) {
  auto handler = make_handler();
  auto record = make_peer_record(alice, kNetwork, file_with_byte(5), {alice_at}, clock).value();
  record.issued += 1;
  const auto reply = reply_of(handler.on_datagram(
      alice_at, request(alice, AnnouncePeerRequest{record}, tokens.issue(alice_at))));
  EXPECT_EQ(body_of<ErrorReply>(reply).code, ErrorCode::invalid_record);
}

TEST_F(RequestHandlerTest, answersGetPeersForItsOwnShares) {
  auto handler = make_handler();
  const auto file = file_with_byte(6);
  const auto own =
      make_peer_record(self, kNetwork, file, {core::Endpoint::ipv4({198, 51, 100, 9}, 7070)}, clock)
          .value();
  shares.records.emplace(file, own);
  const auto reply = reply_of(
      handler.on_datagram(bob_at, request(bob, GetPeersRequest{file}, tokens.issue(bob_at))));
  EXPECT_EQ(body_of<PeersReply>(reply).records, std::vector<PeerRecord>{own});
  EXPECT_TRUE(reply.token);
}

TEST_F(RequestHandlerTest, getPeersWithoutRecordsAnswersClosestContacts) {
  know_nodes(5);
  auto handler = make_handler();
  const auto reply = reply_of(handler.on_datagram(
      bob_at, request(bob, GetPeersRequest{file_with_byte(7)}, tokens.issue(bob_at))));
  EXPECT_TRUE(body_of<PeersReply>(reply).records.empty());
  EXPECT_EQ(body_of<PeersReply>(reply).contacts,
            routing.closest(NodeId::of_file(file_with_byte(7)), 8));
}

TEST_F(RequestHandlerTest, putNeedsATokenAndRefusesAStaleSequence) {
  auto handler = make_handler();
  const auto target = NodeId::of_word("holiday");
  const auto record = make_signed_record(alice, kNetwork, target, {}, 2, Bytes{1}).value();
  const auto refused = reply_of(handler.on_datagram(alice_at, request(alice, PutRequest{record})));
  EXPECT_EQ(body_of<ErrorReply>(refused).code, ErrorCode::invalid_token);

  const auto token = tokens.issue(alice_at);
  const auto stored =
      reply_of(handler.on_datagram(alice_at, request(alice, PutRequest{record}, token)));
  EXPECT_TRUE(std::holds_alternative<StoredReply>(stored.body));
  const auto older = make_signed_record(alice, kNetwork, target, {}, 1, Bytes{1}).value();
  const auto stale =
      reply_of(handler.on_datagram(alice_at, request(alice, PutRequest{older}, token)));
  EXPECT_EQ(body_of<ErrorReply>(stale).code, ErrorCode::stale_sequence);

  const auto got =
      reply_of(handler.on_datagram(bob_at, request(bob, GetRequest{target}, tokens.issue(bob_at))));
  EXPECT_EQ(body_of<ValuesReply>(got).records, std::vector<SignedRecord>{record});
  EXPECT_TRUE(got.token);
}

TEST_F(RequestHandlerTest, fullStorageAnswersStorageFull) {
  StorageOptions tight;
  tight.max_signed_records_per_source = 0;
  storage = Storage{kNetwork, tight};
  auto handler = make_handler();
  const auto record = make_signed_record(alice, kNetwork, NodeId{}, {}, 1, Bytes{1}).value();
  const auto reply = reply_of(
      handler.on_datagram(alice_at, request(alice, PutRequest{record}, tokens.issue(alice_at))));
  EXPECT_EQ(body_of<ErrorReply>(reply).code, ErrorCode::storage_full);
}

TEST_F(RequestHandlerTest, rateLimitedSourceIsDroppedBeforeParsing) {
  options.source_rate_per_second = 20;
  options.source_burst = 40;
  auto handler = make_handler();
  const Bytes garbage{0x01, 0x02, 0x03};
  for (int i = 0; i < 40; ++i) {
    EXPECT_TRUE(handler.on_datagram(alice_at, garbage).answer.empty());
  }
  EXPECT_EQ(handler.counters().malformed, 40U);
  // The 41st is not even parsed, whatever port it comes from.
  const auto ping = request(alice, PingRequest{}, {}, 200);
  EXPECT_TRUE(handler.on_datagram(alice_at.with_port(9999), ping).answer.empty());
  EXPECT_EQ(handler.counters().rate_limited_source, 1U);
  EXPECT_EQ(handler.counters().malformed, 40U);
  EXPECT_EQ(handler.counters().requests, 0U);
  // Other sources are not affected, and time refills the bucket at 20 a second.
  EXPECT_FALSE(handler.on_datagram(bob_at, ping).answer.empty());
  clock.advance(50ms); // one datagram's worth
  EXPECT_FALSE(handler.on_datagram(alice_at, ping).answer.empty());
  EXPECT_TRUE(handler.on_datagram(alice_at, ping).answer.empty());
}

TEST_F(RequestHandlerTest, loopbackSourcesAreHeldOnlyByTheGlobalCap) {
  options.source_rate_per_second = 1;
  options.source_burst = 1;
  options.global_rate_per_second = 10;
  options.global_burst = 30;
  auto handler = make_handler();
  const auto ping = request(alice, PingRequest{}, {}, 200);
  const auto loopback_v4 = core::Endpoint::ipv4({127, 0, 0, 1}, 7001);
  const auto loopback_v6 =
      core::Endpoint::ipv6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 7002);
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(handler.on_datagram(loopback_v4, ping).answer.empty());
    EXPECT_FALSE(handler.on_datagram(loopback_v6, ping).answer.empty());
  }
  EXPECT_EQ(handler.counters().rate_limited_source, 0U);
  for (int i = 0; i < 20; ++i) {
    static_cast<void>(handler.on_datagram(loopback_v4, ping));
  }
  EXPECT_EQ(handler.counters().rate_limited_global, 10U);
}

TEST_F(RequestHandlerTest, globalCapDropsFloodsFromManySources) {
  options.global_rate_per_second = 10;
  options.global_burst = 5;
  auto handler = make_handler();
  for (std::uint8_t i = 0; i < 10; ++i) {
    static_cast<void>(handler.on_datagram(v4(i), Bytes{0xc0}));
  }
  EXPECT_EQ(handler.counters().malformed, 5U);
  EXPECT_EQ(handler.counters().rate_limited_global, 5U);
}

TEST_F(RequestHandlerTest, sourceTableIsBoundedAndForgetsTheLeastRecentlySeen) {
  options.max_tracked_sources = 2;
  options.source_burst = 1;
  options.source_rate_per_second = 1;
  auto handler = make_handler();
  static_cast<void>(handler.on_datagram(v4(1), Bytes{0xc0}));
  static_cast<void>(handler.on_datagram(v4(1), Bytes{0xc0})); // over its burst
  EXPECT_EQ(handler.counters().rate_limited_source, 1U);
  static_cast<void>(handler.on_datagram(v4(2), Bytes{0xc0}));
  static_cast<void>(handler.on_datagram(v4(3), Bytes{0xc0})); // evicts v4(1)
  static_cast<void>(handler.on_datagram(v4(1), Bytes{0xc0})); // a new, full bucket
  EXPECT_EQ(handler.counters().rate_limited_source, 1U);
  EXPECT_EQ(handler.counters().malformed, 4U);
}

TEST_F(RequestHandlerTest, oversizedDatagramIsDroppedBeforeParsing) {
  auto handler = make_handler();
  const Bytes huge(kMaxReceivedDatagramBytes + 1, 0x90);
  EXPECT_TRUE(handler.on_datagram(alice_at, huge).answer.empty());
  EXPECT_EQ(handler.counters().too_large, 1U);
  EXPECT_EQ(handler.counters().malformed, 0U);
}

TEST_F(RequestHandlerTest, queryRefreshesButNeverInsertsTheSender) {
  auto handler = make_handler();
  const auto alice_id = NodeId::of_peer(alice.peer_id());
  static_cast<void>(handler.on_datagram(alice_at, request(alice, PingRequest{}, {}, 200)));
  EXPECT_FALSE(routing.find(alice_id));
  EXPECT_TRUE(routing.empty());

  ASSERT_EQ(routing.on_response(NodeContact::of(alice.peer_id(), alice_at)).admission,
            Admission::inserted);
  clock.advance(routing.options().good_for + 1s);
  EXPECT_EQ(routing.status_of(alice_id), NodeStatus::questionable);
  static_cast<void>(handler.on_datagram(alice_at, request(alice, PingRequest{}, {}, 200)));
  EXPECT_EQ(routing.status_of(alice_id), NodeStatus::good);
}

TEST_F(RequestHandlerTest, repliesAreHandedBackUnanswered) {
  auto handler = make_handler();
  const Reply pong{TransactionId{9}, alice.peer_id(), v4(50), std::nullopt, PongReply{}};
  const auto handled = handler.on_datagram(alice_at, encode_reply(pong, kNetwork).value());
  ASSERT_TRUE(handled.reply);
  EXPECT_EQ(*handled.reply, pong);
  EXPECT_TRUE(handled.answer.empty());
  EXPECT_EQ(handler.counters().replies, 1U);
}

TEST_F(RequestHandlerTest, otherNetworksAndOurOwnIdAreNotAnswered) {
  auto handler = make_handler();
  Request ping{TransactionId{3}, alice.peer_id(), std::nullopt, PingRequest{}, 200};
  const auto foreign = encode_request(ping, crypto::NetworkId::from_name("elsewhere")).value();
  EXPECT_TRUE(handler.on_datagram(alice_at, foreign).answer.empty());
  EXPECT_EQ(handler.counters().wrong_network, 1U);
  EXPECT_TRUE(handler.on_datagram(alice_at, request(self, PingRequest{}, {}, 200)).answer.empty());
  EXPECT_EQ(handler.counters().from_ourselves, 1U);
}

} // namespace
} // namespace swarmshare::dht
