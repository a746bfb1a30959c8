#pragma once
// Test doubles for the asking side of a DHT node: a scheduler on virtual time, a transport
// that records datagrams, and a small network of responders that answer like real nodes
// (each with its own routing table), all without sockets.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/random.hpp"
#include "swarmshare/dht/message.hpp"
#include "swarmshare/dht/routing_table.hpp"
#include "swarmshare/dht/rpc_client.hpp"
#include "swarmshare/dht/transport.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace swarmshare::dht::testing {

/// Timers on a virtual clock that moves only in advance(). Keeps the ManualClock in step so
/// code reading either sees the same time.
class ManualScheduler final : public Scheduler {
public:
  explicit ManualScheduler(core::ManualClock& clock) : clock_(&clock) {}

  [[nodiscard]] TimePoint now() const noexcept override { return clock_->steady_now(); }

  [[nodiscard]] TimerId after(Duration delay, std::function<void()> callback) override {
    const std::uint64_t id = ++last_id_;
    const TimePoint due = now() + std::max(delay, Duration::zero());
    timers_.emplace(std::pair{due, id}, std::move(callback));
    due_of_.emplace(id, due);
    return TimerId{id};
  }

  void cancel(TimerId id) noexcept override {
    const auto found = due_of_.find(static_cast<std::uint64_t>(id));
    if (found != due_of_.end()) {
      timers_.erase(std::pair{found->second, found->first});
      due_of_.erase(found);
    }
  }

  /// Runs, in order, every call due up to now + `by` (calls they schedule included).
  void advance(Duration by) {
    const TimePoint until = now() + by;
    while (!timers_.empty() && timers_.begin()->first.first <= until) {
      auto node = timers_.extract(timers_.begin());
      due_of_.erase(node.key().second);
      clock_->advance(node.key().first - now());
      node.mapped()();
    }
    clock_->advance(until - now());
  }

  [[nodiscard]] std::size_t pending() const noexcept { return timers_.size(); }

private:
  core::ManualClock* clock_;
  std::uint64_t last_id_ = 0;
  std::map<std::pair<TimePoint, std::uint64_t>, std::function<void()>> timers_;
  std::unordered_map<std::uint64_t, TimePoint> due_of_;
};

struct SentDatagram {
  core::Endpoint to;
  Bytes bytes;
};

/// Records what is sent; delivers nothing.
class RecordingTransport final : public Transport {
public:
  void send(const core::Endpoint& to, std::span<const std::uint8_t> datagram) override {
    sent.push_back(SentDatagram{to, Bytes(datagram.begin(), datagram.end())});
  }
  std::vector<SentDatagram> sent;
};

inline crypto::PeerId peer_number(std::uint32_t n) {
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  key.fill(0x5A);
  for (std::size_t i = 0; i < 4; ++i) {
    key[i] = static_cast<std::uint8_t>(n >> (8 * i));
  }
  return crypto::PeerId{key};
}

/// A public IPv4 address on a /24 of its own, so subnet limits never get in the way.
inline core::Endpoint endpoint_number(std::uint32_t n) {
  return core::Endpoint::ipv4(
      {20, static_cast<std::uint8_t>(n >> 8U), static_cast<std::uint8_t>(n & 0xFFU), 1}, 7000);
}

inline Request decode_request(const SentDatagram& datagram, const crypto::NetworkId& network) {
  auto message = decode_message(datagram.bytes, network);
  return std::get<Request>(message.value());
}

/// Nodes that answer find_node, get_peers, get and ping the way a real node would: from a
/// routing table of their own, with the tokens and records a test gives them, within the
/// anti-amplification budget. Replies arrive after each node's latency; silent nodes drop
/// everything. Also the Transport of the RpcClient under test.
class FakeNetwork final : public Transport {
public:
  struct Node {
    explicit Node(const NodeContact& node_contact) : contact(node_contact) {}
    NodeContact contact;
    std::unique_ptr<RoutingTable> table;
    Token token;
    std::vector<PeerRecord> peers;
    std::vector<SignedRecord> records;
    Scheduler::Duration latency = std::chrono::milliseconds{20};
    bool silent = false;
    /// Answers an address that did not echo its token with prove_address and a token.
    bool demand_token = false;
    std::size_t queries = 0;
  };

  FakeNetwork(ManualScheduler& scheduler, core::ManualClock& clock, const crypto::NetworkId& net,
              std::size_t size)
      : scheduler_(&scheduler), network_(net) {
    for (std::uint32_t i = 0; i < size; ++i) {
      Node node{NodeContact::of(peer_number(1000 + i), endpoint_number(1000 + i))};
      node.table = std::make_unique<RoutingTable>(node.contact.id, clock, random_);
      node.token.bytes.fill(static_cast<std::uint8_t>(i + 1));
      nodes_.push_back(std::move(node));
    }
    // Every node heard from every other: their tables hold what k-buckets keep of them.
    for (Node& node : nodes_) {
      for (const Node& other : nodes_) {
        (void)node.table->on_response(other.contact);
      }
    }
  }

  void attach(RpcClient& client, const core::Endpoint& our_endpoint) {
    client_ = &client;
    our_endpoint_ = our_endpoint;
  }

  void send(const core::Endpoint& to, std::span<const std::uint8_t> datagram) override {
    sent.push_back(SentDatagram{to, Bytes(datagram.begin(), datagram.end())});
    Node* node = find(to);
    if (node == nullptr || node->silent) {
      return;
    }
    ++node->queries;
    auto message = decode_message(datagram, network_);
    if (!message || !std::holds_alternative<Request>(message.value())) {
      return;
    }
    const Request& request = std::get<Request>(message.value());
    std::optional<Reply> reply = answer(*node, request, datagram.size());
    if (!reply) {
      return;
    }
    auto bytes = encode_reply(*reply, network_);
    if (!bytes) {
      return;
    }
    const core::Endpoint from = node->contact.endpoint;
    (void)scheduler_->after(node->latency, [this, from, bytes = std::move(bytes.value())] {
      auto decoded = decode_message(bytes, network_);
      if (decoded && client_ != nullptr) {
        client_->on_reply(from, std::get<Reply>(decoded.value()), bytes.size());
      }
    });
  }

  [[nodiscard]] Node* find(const core::Endpoint& endpoint) {
    const auto found = std::find_if(nodes_.begin(), nodes_.end(), [&](const Node& node) {
      return node.contact.endpoint == endpoint;
    });
    return found == nodes_.end() ? nullptr : &*found;
  }
  [[nodiscard]] Node* find(const NodeId& id) {
    const auto found = std::find_if(nodes_.begin(), nodes_.end(),
                                    [&](const Node& node) { return node.contact.id == id; });
    return found == nodes_.end() ? nullptr : &*found;
  }
  [[nodiscard]] std::vector<Node>& nodes() noexcept { return nodes_; }

  /// The `count` nodes of the network closest to `key`, closest first: the right answer.
  [[nodiscard]] std::vector<NodeContact> closest(const NodeId& key, std::size_t count) const {
    std::vector<NodeContact> all;
    for (const Node& node : nodes_) {
      all.push_back(node.contact);
    }
    std::sort(all.begin(), all.end(), [&key](const NodeContact& a, const NodeContact& b) {
      return closer(key, a.id, b.id);
    });
    if (all.size() > count) {
      all.erase(all.begin() + static_cast<std::ptrdiff_t>(count), all.end());
    }
    return all;
  }

  std::vector<SentDatagram> sent;

private:
  std::optional<Reply> answer(const Node& node, const Request& request, std::size_t request_bytes) {
    Reply reply;
    reply.transaction = request.transaction;
    reply.sender = node.contact.peer;
    reply.you_are = our_endpoint_;
    reply.token = node.token;
    if (const auto* find_node = std::get_if<FindNodeRequest>(&request.body)) {
      reply.body = NodesReply{node.table->closest(find_node->target, kMaxContactsPerReply)};
    } else if (const auto* get_peers = std::get_if<GetPeersRequest>(&request.body)) {
      reply.body = PeersReply{node.peers, node.table->closest(NodeId::of_file(get_peers->file_id),
                                                              kMaxContactsPerReply)};
    } else if (const auto* get = std::get_if<GetRequest>(&request.body)) {
      reply.body =
          ValuesReply{node.records, node.table->closest(get->target, kMaxContactsPerReply)};
    } else if (std::holds_alternative<PingRequest>(request.body)) {
      reply.body = PongReply{};
    } else {
      return std::nullopt;
    }
    // As a real node: an address that did not echo our token gets no more than it sent.
    const bool proven = request.token == node.token;
    if (node.demand_token && !proven) {
      reply.body = ErrorReply{ErrorCode::prove_address, "echo the token"};
    }
    if (!fit_reply(reply, reply_budget(request_bytes, proven), network_)) {
      return std::nullopt;
    }
    return reply;
  }

  ManualScheduler* scheduler_;
  crypto::NetworkId network_;
  core::SeededRandom random_{7};
  std::vector<Node> nodes_;
  RpcClient* client_ = nullptr;
  core::Endpoint our_endpoint_;
};

} // namespace swarmshare::dht::testing
