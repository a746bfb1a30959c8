#pragma once
// A DHT node as the engine runs it: a Node on a UDP socket with the real clock, its
// registry (dht_registry.hpp), and its routing table saved between runs.
//
// Joining: the saved table's nodes enter the routing table (as questionable) and are
// pinged with the --bootstrap nodes; contacts learned later (the tracker's list of
// DHT-capable peers, LAN peers) are pinged as they come, and a node that knew nobody joins
// through them.
//
// Threads: everything on the executor given to open(), like the Node itself.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/dht_registry.hpp"
#include "swarmshare/dht/node.hpp"
#include "swarmshare/dht/udp_transport.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace swarmshare::dht {

struct UdpNodeOptions {
  /// Where the socket binds; port 0: any free port. With UdpOptions::fall_back_when_taken
  /// a taken port gives any free one instead (local_endpoint() tells which).
  core::Endpoint bind = core::Endpoint::ipv4({0, 0, 0, 0}, kDefaultDhtPort);
  UdpOptions udp;
  NodeOptions node;
  DhtRegistryOptions registry;
  /// Nodes to join through (--bootstrap), besides the saved table's.
  std::vector<core::Endpoint> bootstrap;
  /// The routing table is read from here at start and written at stop() and every
  /// `save_interval`. Empty: not saved.
  std::optional<std::filesystem::path> saved_table;
  std::chrono::milliseconds save_interval = std::chrono::minutes{10};
};

/// Joins and keeps a node; what start() and add_contacts() do is logged through this.
using UdpNodeLog = std::function<void(const std::string&)>;

class UdpNode {
public:
  /// Binds the socket and makes the node and its registry; nothing is sent before start().
  /// `identity` and `clock` must outlive the node. Errors: the socket's (udp_transport.hpp).
  [[nodiscard]] static core::Result<std::unique_ptr<UdpNode>>
  open(boost::asio::any_io_executor executor, const crypto::Identity& identity,
       const crypto::NetworkId& network, const core::Clock& clock, UdpNodeOptions options);

  UdpNode(const UdpNode&) = delete;
  UdpNode& operator=(const UdpNode&) = delete;
  UdpNode(UdpNode&&) = delete;
  UdpNode& operator=(UdpNode&&) = delete;
  ~UdpNode();

  /// Restores the saved table and joins through it and the bootstrap nodes. `joined(usable)`
  /// once the first join attempt ended (usable: the routing table holds anyone). `log`
  /// hears of the saved table and of the first successful join ("DHT joined: ...").
  void start(std::function<void(bool)> joined = {}, UdpNodeLog log = {});

  /// More nodes to join through (the tracker's DHT peers, LAN peers). Those already in the
  /// routing table are skipped; the rest are pinged, and when the table was empty the node
  /// joins through them.
  void add_contacts(std::vector<core::Endpoint> endpoints);

  /// Writes the routing table to the saved-table file now (nothing when there is none).
  [[nodiscard]] core::Status save_table();

  /// Saves the table, stops the node's queries and closes the socket. A second call does
  /// nothing; the destructor calls it.
  void stop();

  [[nodiscard]] const core::Endpoint& local_endpoint() const noexcept;
  [[nodiscard]] bool fell_back() const noexcept;
  [[nodiscard]] Node& node() noexcept { return *node_; }
  [[nodiscard]] DhtRegistry& registry() noexcept { return *registry_; }
  [[nodiscard]] UdpStats transport_stats() const noexcept;

private:
  struct Sink;
  UdpNode(boost::asio::any_io_executor executor, const crypto::Identity& identity,
          const crypto::NetworkId& network, const core::Clock& clock, UdpNodeOptions options);
  void schedule_save();
  void join_pending();
  /// Logs the first join that left the routing table usable, once.
  void note_join(bool usable);

  boost::asio::any_io_executor executor_;
  const crypto::Identity& identity_;
  crypto::NetworkId network_;
  const core::Clock& clock_;
  UdpNodeOptions options_;
  core::SeededRandom random_;
  std::unique_ptr<Sink> sink_; ///< forwards datagrams and LocalShares to the parts made later
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<UdpTransport> transport_;
  std::unique_ptr<Node> node_;
  std::unique_ptr<DhtRegistry> registry_;
  Scheduler::TimerId save_timer_{};
  std::vector<core::Endpoint> pending_; ///< contacts to join through after the current join
  bool joining_ = false;
  bool join_logged_ = false;
  bool stopped_ = false;
  UdpNodeLog log_;
};

} // namespace swarmshare::dht
