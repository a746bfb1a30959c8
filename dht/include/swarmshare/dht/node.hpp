#pragma once
// A DHT node: the routing table, the answering side (RequestHandler over Storage), the
// asking side (RpcClient and Lookup), and the upkeep that keeps them useful: joining
// through bootstrap nodes, refreshing stale buckets, dropping expired records. It reaches
// the world only through a Transport and a Scheduler (transport.hpp), so the same node runs
// on UDP and by the thousand in a simulated network.
//
// Threads: one, the scheduler's. The node is the transport's DatagramSink.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/random.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/lookup.hpp"
#include "swarmshare/dht/request_handler.hpp"
#include "swarmshare/dht/routing_table.hpp"
#include "swarmshare/dht/rpc_client.hpp"
#include "swarmshare/dht/storage.hpp"
#include "swarmshare/dht/token.hpp"
#include "swarmshare/dht/transport.hpp"

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace swarmshare::dht {

struct NodeOptions {
  RoutingTableOptions routing;
  RpcOptions rpc;
  LookupOptions lookup;
  StorageOptions storage;
  RequestHandlerOptions handler;
  /// How often stale buckets are looked for (each is refreshed by a lookup into it) and
  /// expired records dropped.
  Scheduler::Duration upkeep_interval = std::chrono::minutes{1};
};

struct NodeStats {
  std::size_t routing_nodes = 0;
  std::uint64_t lookups_started = 0;
  RpcStats rpc;
  RequestHandlerCounters handler;
  StorageStats storage;
};

class Node final : public DatagramSink {
public:
  /// `peer` is this node's identity (its ID is NodeId::of_peer(peer)). Every collaborator
  /// must outlive the node.
  Node(const crypto::PeerId& peer, const crypto::NetworkId& network, Transport& transport,
       Scheduler& scheduler, const core::Clock& clock, core::Random& random,
       NodeOptions options = {}, LocalShares* shares = nullptr);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  Node(Node&&) = delete;
  Node& operator=(Node&&) = delete;
  ~Node() override;

  void on_datagram(const core::Endpoint& from, std::span<const std::uint8_t> datagram) override;

  /// Joins the network: pings every endpoint given (their Peer IDs are not known yet), then
  /// looks up our own ID, which fills the buckets near us. `done(usable)` once that lookup
  /// ended: usable when the routing table holds anyone. Also starts the upkeep timer.
  void bootstrap(std::vector<core::Endpoint> endpoints, std::function<void(bool)> done);

  /// An iterative lookup from the routing table (and `seeds`).
  std::shared_ptr<Lookup> lookup(const LookupTarget& target, LookupCallback done,
                                 std::vector<NodeContact> seeds = {});

  /// Stores our peer record on the nodes closest to its file: a get_peers lookup for their
  /// tokens, then announce_peer to each. `done(stored)` with how many accepted it.
  void announce(const PeerRecord& record, std::function<void(std::size_t)> done);

  /// Stores a signed record on the nodes closest to its target: a get lookup for their
  /// tokens, then put to each. `done(stored)` with how many accepted it.
  void put(const SignedRecord& record, std::function<void(std::size_t stored)> done);

  /// Stops every query and lookup (their callbacks see cancelled) and the upkeep.
  void stop();

  [[nodiscard]] const NodeId& id() const noexcept { return id_; }
  /// The network records are signed for.
  [[nodiscard]] const crypto::NetworkId& network() const noexcept { return network_; }
  /// The node's thread: what works over the node delivers its callbacks through.
  [[nodiscard]] Scheduler& scheduler() noexcept { return scheduler_; }
  /// Where the nodes that answered us say they see us (RpcClient::reported_address).
  [[nodiscard]] std::optional<core::Endpoint> reported_address() const {
    return rpc_.reported_address();
  }
  [[nodiscard]] RoutingTable& routing_table() noexcept { return table_; }
  [[nodiscard]] Storage& storage() noexcept { return storage_; }
  [[nodiscard]] NodeStats stats() const;

private:
  /// What announce and put share: a lookup of `target` for the closest nodes' tokens, then
  /// `request` with its token to each that gave one.
  void store_on_closest(const LookupTarget& target, RequestBody request,
                        std::function<void(std::size_t)> done);
  void schedule_upkeep();
  void upkeep();
  void verify_querier(const NodeContact& querier);
  void refresh_farther_buckets();
  void schedule_rejoin_check();

  /// A table smaller than this after joining is looked after again (kRejoinCheckAfter later,
  /// and at each upkeep while it stays small).
  static constexpr std::size_t kWellConnected = 24;
  static constexpr Scheduler::Duration kRejoinCheckAfter = std::chrono::seconds{10};
  void ping_bootstrap(std::shared_ptr<const std::vector<core::Endpoint>> endpoints,
                      std::size_t attempts_left, std::function<void(bool)> done);

  /// Rounds of bootstrap pings while nobody answers, and the pause between them.
  static constexpr std::size_t kBootstrapAttempts = 5;
  static constexpr Scheduler::Duration kBootstrapRetryAfter = std::chrono::seconds{2};

  /// Buckets refreshed after joining at most (the farthest, which hold most of the space).
  static constexpr std::size_t kJoinRefreshBuckets = 16;

  static constexpr Scheduler::Duration kVerifyAgainAfter = std::chrono::minutes{10};
  static constexpr std::size_t kMaxVerifying = 4096;

  crypto::PeerId peer_;
  NodeId id_;
  crypto::NetworkId network_;
  Transport& transport_;
  Scheduler& scheduler_;
  const core::Clock& clock_;
  core::Random& random_;
  NodeOptions options_;
  RoutingTable table_;
  Storage storage_;
  WriteTokens tokens_;
  RequestHandler handler_;
  RpcClient rpc_;
  Scheduler::TimerId upkeep_timer_{};
  std::uint64_t lookups_started_ = 0;
  std::unordered_map<NodeId, Scheduler::TimePoint> verified_at_; ///< unknown queriers pinged
  bool stopped_ = false;
  /// Shared with timer and query callbacks, which must not touch a destroyed node.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace swarmshare::dht
