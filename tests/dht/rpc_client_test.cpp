// The RPC client: one handler call per query, replies matched strictly, timeouts reported
// to the routing table, tokens remembered, requests padded for the anti-amplification rule.

#include "swarmshare/dht/rpc_client.hpp"

#include "fake_network.hpp"

#include <gtest/gtest.h>

#include <set>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;
using testing::decode_request;
using testing::endpoint_number;
using testing::peer_number;

class RpcClientTest : public ::testing::Test {
protected:
  RpcClientTest() {
    RoutingTableOptions table_options;
    table_options.timeouts_until_bad = 1; // one timeout shows in status_of()
    table_ = std::make_unique<RoutingTable>(NodeId::of_peer(self_), clock_, random_, table_options);
    client_ =
        std::make_unique<RpcClient>(transport_, scheduler_, *table_, random_, self_, network_);
  }

  /// Sends find_node to node `n` and records what its handler receives.
  QueryTicket ask(std::uint32_t n, std::optional<crypto::PeerId> expected = std::nullopt) {
    auto ticket = client_->query(
        endpoint_number(n), expected, FindNodeRequest{NodeId{}}, std::nullopt,
        [this](core::Result<Answered> answer) { outcomes_.push_back(std::move(answer)); });
    EXPECT_TRUE(ticket);
    return ticket.value();
  }

  Reply nodes_reply(TransactionId transaction, std::uint32_t sender,
                    std::optional<Token> token = std::nullopt) const {
    Reply reply;
    reply.transaction = transaction;
    reply.sender = peer_number(sender);
    reply.you_are = endpoint_number(1);
    reply.token = token;
    reply.body = NodesReply{};
    return reply;
  }

  [[nodiscard]] Request last_request() const {
    return decode_request(transport_.sent.back(), network_);
  }

  crypto::PeerId self_ = peer_number(1);
  crypto::NetworkId network_ = crypto::NetworkId::from_name("rpc test");
  core::ManualClock clock_;
  core::SeededRandom random_{99};
  testing::ManualScheduler scheduler_{clock_};
  testing::RecordingTransport transport_;
  std::unique_ptr<RoutingTable> table_;
  std::unique_ptr<RpcClient> client_;
  std::vector<core::Result<Answered>> outcomes_;
};

TEST_F(RpcClientTest, queryIsSentWithARandomNonZeroTransactionUniqueAmongOutstanding) {
  std::set<std::uint32_t> seen;
  for (std::uint32_t n = 0; n < 200; ++n) {
    const QueryTicket ticket = ask(2000 + n);
    EXPECT_NE(ticket.transaction.value, 0U);
    EXPECT_TRUE(seen.insert(ticket.transaction.value).second);
    const Request request = last_request();
    EXPECT_EQ(request.transaction, ticket.transaction);
    EXPECT_EQ(request.sender, self_);
    EXPECT_EQ(transport_.sent.back().to, endpoint_number(2000 + n));
    EXPECT_EQ(ticket.bytes_sent, transport_.sent.back().bytes.size());
  }
  EXPECT_EQ(client_->outstanding(), 200U);
  EXPECT_EQ(client_->stats().queries_sent, 200U);
}

TEST_F(RpcClientTest, replyCompletesTheQueryAndEntersTheRoutingTable) {
  const QueryTicket ticket = ask(7, peer_number(7));
  scheduler_.advance(40ms);
  EXPECT_TRUE(client_->on_reply(endpoint_number(7), nodes_reply(ticket.transaction, 7), 120));
  ASSERT_EQ(outcomes_.size(), 1U);
  ASSERT_TRUE(outcomes_[0]);
  EXPECT_EQ(outcomes_[0].value().round_trip, 40ms);
  EXPECT_EQ(outcomes_[0].value().bytes_received, 120U);
  EXPECT_EQ(table_->find(NodeId::of_peer(peer_number(7))),
            NodeContact::of(peer_number(7), endpoint_number(7)));
  // The timer went with the query: no second call, ever.
  scheduler_.advance(5s);
  EXPECT_EQ(outcomes_.size(), 1U);
  EXPECT_EQ(client_->stats().replies, 1U);
  EXPECT_EQ(client_->stats().timeouts, 0U);
  EXPECT_EQ(client_->stats().bytes_received, 120U);
}

TEST_F(RpcClientTest, replyFromAnotherAddressDoesNotCompleteTheQuery) {
  const QueryTicket ticket = ask(7, peer_number(7));
  EXPECT_FALSE(client_->on_reply(endpoint_number(8), nodes_reply(ticket.transaction, 7)));
  EXPECT_TRUE(outcomes_.empty());
  EXPECT_FALSE(table_->find(NodeId::of_peer(peer_number(7))));
  // The real reply still completes it.
  EXPECT_TRUE(client_->on_reply(endpoint_number(7), nodes_reply(ticket.transaction, 7)));
  ASSERT_EQ(outcomes_.size(), 1U);
  EXPECT_TRUE(outcomes_[0]);
  EXPECT_EQ(client_->stats().unmatched_replies, 1U);
}

TEST_F(RpcClientTest, replyFromAnotherPeerThanExpectedOrOfTheWrongTypeIsDropped) {
  const QueryTicket ticket = ask(7, peer_number(7));
  EXPECT_FALSE(client_->on_reply(endpoint_number(7), nodes_reply(ticket.transaction, 9)));
  Reply pong = nodes_reply(ticket.transaction, 7);
  pong.body = PongReply{}; // does not answer find_node
  EXPECT_FALSE(client_->on_reply(endpoint_number(7), pong));
  EXPECT_FALSE(client_->on_reply(endpoint_number(7), nodes_reply(TransactionId{12345}, 7)));
  EXPECT_TRUE(outcomes_.empty());
  EXPECT_EQ(client_->stats().unmatched_replies, 3U);

  // An error reply answers any request: the node is there, it refused.
  Reply refusal = nodes_reply(ticket.transaction, 7);
  refusal.body = ErrorReply{ErrorCode::rate_limited, "slow down"};
  EXPECT_TRUE(client_->on_reply(endpoint_number(7), refusal));
  ASSERT_EQ(outcomes_.size(), 1U);
  EXPECT_TRUE(std::holds_alternative<ErrorReply>(outcomes_[0].value().reply.body));
}

TEST_F(RpcClientTest, withoutAnExpectedPeerAnySenderAtThatAddressCounts) {
  const QueryTicket ticket = ask(7); // a bootstrap node known by address only
  EXPECT_TRUE(client_->on_reply(endpoint_number(7), nodes_reply(ticket.transaction, 31)));
  EXPECT_TRUE(table_->find(NodeId::of_peer(peer_number(31))));
}

TEST_F(RpcClientTest, timeoutIsReportedOnceAndTheNodeMarkedFailed) {
  const NodeContact node = NodeContact::of(peer_number(7), endpoint_number(7));
  ASSERT_EQ(table_->on_response(node).admission, Admission::inserted);
  const QueryTicket ticket = ask(7, node.peer);
  scheduler_.advance(999ms);
  EXPECT_TRUE(outcomes_.empty());
  scheduler_.advance(1ms);
  ASSERT_EQ(outcomes_.size(), 1U);
  EXPECT_EQ(outcomes_[0].error(), Errc::timed_out);
  EXPECT_EQ(table_->status_of(node.id), NodeStatus::bad);
  // A late reply finds nothing to complete.
  EXPECT_FALSE(client_->on_reply(node.endpoint, nodes_reply(ticket.transaction, 7)));
  scheduler_.advance(10s);
  EXPECT_EQ(outcomes_.size(), 1U);
  EXPECT_EQ(client_->stats().timeouts, 1U);
  EXPECT_EQ(client_->outstanding(), 0U);
}

TEST_F(RpcClientTest, onceRepliesWereTimedAQueryWaitsAFewRoundTripsNotTheWholeTimeout) {
  EXPECT_EQ(client_->timeout(), client_->options().timeout); // nothing measured yet
  for (std::uint32_t i = 0; i < 20; ++i) {
    const QueryTicket ticket = ask(7, peer_number(7));
    scheduler_.advance(100ms);
    ASSERT_TRUE(client_->on_reply(endpoint_number(7), nodes_reply(ticket.transaction, 7)));
  }
  // Round trips of 100 ms: four of them, within [min_timeout, timeout].
  EXPECT_EQ(client_->timeout(), 400ms);
  const QueryTicket lost = ask(8, peer_number(8));
  (void)lost;
  scheduler_.advance(399ms);
  const auto before = outcomes_.size();
  scheduler_.advance(1ms);
  ASSERT_EQ(outcomes_.size(), before + 1);
  EXPECT_EQ(outcomes_.back().error(), Errc::timed_out);
}

TEST_F(RpcClientTest, aTimeoutAdaptedToFastRepliesStaysAboveItsFloor) {
  for (std::uint32_t i = 0; i < 20; ++i) {
    const QueryTicket ticket = ask(7, peer_number(7));
    scheduler_.advance(10ms);
    ASSERT_TRUE(client_->on_reply(endpoint_number(7), nodes_reply(ticket.transaction, 7)));
  }
  EXPECT_EQ(client_->timeout(), client_->options().min_timeout);
}

TEST_F(RpcClientTest, requestToANodeWithoutATokenIsPaddedForTheAnswerItAsksFor) {
  (void)ask(7, peer_number(7));
  const std::size_t find_node_bytes = transport_.sent.back().bytes.size();
  EXPECT_EQ(find_node_bytes, client_->padding_target(FindNodeRequest{}));
  // Eight IPv6 contacts and a token fit in what we sent: a node may send them all.
  NodesReply full;
  for (std::uint32_t i = 0; i < kMaxContactsPerReply; ++i) {
    core::Endpoint::Bytes16 address{0x20, 0x01};
    address[15] = static_cast<std::uint8_t>(i);
    full.contacts.push_back(
        NodeContact::of(peer_number(50 + i), core::Endpoint::ipv6(address, 65535)));
  }
  Reply reply = nodes_reply(last_request().transaction, 7, Token{});
  reply.body = full;
  EXPECT_LE(encoded_size(reply, network_).value(), reply_budget(find_node_bytes, false));

  (void)client_->query(endpoint_number(8), peer_number(8), GetPeersRequest{}, std::nullopt, {});
  EXPECT_EQ(transport_.sent.back().bytes.size(), kMaxDatagramBytes);
  (void)client_->query(endpoint_number(9), peer_number(9), PingRequest{}, std::nullopt, {});
  EXPECT_GT(transport_.sent.back().bytes.size(), 81U); // a bare ping: its pong may be larger
  EXPECT_LT(transport_.sent.back().bytes.size(), 160U);
}

TEST_F(RpcClientTest, theTokenANodeGaveIsRememberedAndEchoedInsteadOfPadding) {
  Token token;
  token.bytes.fill(0xAB);
  const QueryTicket first = ask(7, peer_number(7));
  EXPECT_TRUE(client_->on_reply(endpoint_number(7), nodes_reply(first.transaction, 7, token)));
  EXPECT_EQ(client_->token_for(NodeId::of_peer(peer_number(7))), token);

  const QueryTicket second = ask(7, peer_number(7));
  EXPECT_EQ(last_request().token, token);
  EXPECT_EQ(last_request().padding, 0U);
  EXPECT_LT(second.bytes_sent, first.bytes_sent);

  // A token older than the rotation period may be refused: pad again rather than echo it.
  scheduler_.advance(kTokenRotation);
  EXPECT_EQ(client_->token_for(NodeId::of_peer(peer_number(7))), std::nullopt);
  (void)ask(7, peer_number(7));
  EXPECT_EQ(last_request().token, std::nullopt);
  EXPECT_GT(last_request().padding, 0U);
}

TEST_F(RpcClientTest, tokenCacheKeepsTheNewestWithinItsBound) {
  RpcOptions options;
  options.token_cache_size = 2;
  RpcClient client{transport_, scheduler_, *table_, random_, self_, network_, options};
  for (std::uint32_t n = 10; n < 13; ++n) {
    auto ticket = client.query(endpoint_number(n), peer_number(n), PingRequest{}, std::nullopt, {});
    Reply pong = nodes_reply(ticket.value().transaction, n, Token{});
    pong.body = PongReply{};
    EXPECT_TRUE(client.on_reply(endpoint_number(n), pong));
    scheduler_.advance(1s);
  }
  EXPECT_FALSE(client.token_for(NodeId::of_peer(peer_number(10))));
  EXPECT_TRUE(client.token_for(NodeId::of_peer(peer_number(11))));
  EXPECT_TRUE(client.token_for(NodeId::of_peer(peer_number(12))));
}

TEST_F(RpcClientTest, cancelAllCompletesEveryQueryWithCancelled) {
  (void)ask(7);
  (void)ask(8);
  client_->cancel_all();
  ASSERT_EQ(outcomes_.size(), 2U);
  EXPECT_EQ(outcomes_[0].error(), core::Errc::cancelled);
  EXPECT_EQ(outcomes_[1].error(), core::Errc::cancelled);
  EXPECT_EQ(scheduler_.pending(), 0U);
  scheduler_.advance(5s);
  EXPECT_EQ(outcomes_.size(), 2U);
}

TEST_F(RpcClientTest, destroyingTheClientCancelsItsTimersWithoutCallingHandlers) {
  (void)ask(7);
  client_.reset();
  EXPECT_EQ(scheduler_.pending(), 0U);
  EXPECT_TRUE(outcomes_.empty());
}

TEST_F(RpcClientTest, tooManyOutstandingQueriesAreRefused) {
  RpcOptions options;
  options.max_outstanding = 2;
  RpcClient client{transport_, scheduler_, *table_, random_, self_, network_, options};
  EXPECT_TRUE(client.query(endpoint_number(7), std::nullopt, PingRequest{}, std::nullopt, {}));
  EXPECT_TRUE(client.query(endpoint_number(8), std::nullopt, PingRequest{}, std::nullopt, {}));
  const auto refused =
      client.query(endpoint_number(9), std::nullopt, PingRequest{}, std::nullopt, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), Errc::too_many_queries);
  EXPECT_EQ(transport_.sent.size(), 2U);
}

TEST_F(RpcClientTest, aFullBucketWithAQuestionableNodeMakesTheClientPingIt) {
  // Nine nodes of the far half: eight fill its bucket, then go quiet (questionable).
  std::vector<std::uint32_t> far;
  for (std::uint32_t n = 100; far.size() < 9; ++n) {
    if (common_prefix_bits(table_->own_id(), NodeId::of_peer(peer_number(n))) == 0) {
      far.push_back(n);
    }
  }
  for (std::size_t i = 0; i < 8; ++i) {
    ASSERT_EQ(table_->on_response(NodeContact::of(peer_number(far[i]), endpoint_number(far[i])))
                  .admission,
              Admission::inserted);
  }
  scheduler_.advance(16min);
  const QueryTicket ticket = ask(far[8], peer_number(far[8]));
  const std::size_t sent_before = transport_.sent.size();
  ASSERT_TRUE(client_->on_reply(endpoint_number(far[8]), nodes_reply(ticket.transaction, far[8])));
  EXPECT_EQ(client_->stats().eviction_pings, 1U);
  ASSERT_EQ(transport_.sent.size(), sent_before + 1);
  EXPECT_TRUE(std::holds_alternative<PingRequest>(last_request().body));
}

} // namespace
} // namespace swarmshare::dht

namespace swarmshare::dht {
namespace {

class RpcReportedAddressTest : public RpcClientTest {
protected:
  // Node `n` answers a query, saying it sees us at `you_are`.
  void answer_saying(std::uint32_t n, const core::Endpoint& you_are) {
    const QueryTicket ticket = ask(n, peer_number(n));
    Reply reply = nodes_reply(ticket.transaction, n);
    reply.you_are = you_are;
    EXPECT_TRUE(client_->on_reply(endpoint_number(n), reply));
  }
  const core::Endpoint public_address_ = core::Endpoint::ipv4({198, 51, 100, 7}, 40001);
  const core::Endpoint lie_ = core::Endpoint::ipv4({203, 0, 113, 9}, 1);
};

TEST_F(RpcReportedAddressTest, nothingIsReportedBeforeAnAnswer) {
  EXPECT_FALSE(client_->reported_address());
}

TEST_F(RpcReportedAddressTest, theAddressMostNodesReportWinsWithoutItsPort) {
  answer_saying(10, public_address_);
  answer_saying(11, lie_);
  answer_saying(12, public_address_.with_port(40002)); // another NAT mapping, same address
  EXPECT_EQ(client_->reported_address(), public_address_.with_port(0));
}

TEST_F(RpcReportedAddressTest, oneNodeRepeatingItselfHasOneVote) {
  answer_saying(10, public_address_);
  answer_saying(11, public_address_);
  for (int i = 0; i < 5; ++i) {
    answer_saying(12, lie_);
  }
  EXPECT_EQ(client_->reported_address(), public_address_.with_port(0));
}

TEST_F(RpcReportedAddressTest, onATieTheLatestReportWins) {
  answer_saying(10, public_address_);
  answer_saying(11, lie_);
  EXPECT_EQ(client_->reported_address(), lie_.with_port(0));
}

} // namespace
} // namespace swarmshare::dht
