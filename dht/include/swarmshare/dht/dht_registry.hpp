#pragma once
// The DHT as a registry (core/registry.hpp): the mirror of the tracker, and the registry
// that takes over when no tracker answers.
//
// - announce keeps the share: our signed peer record goes to the k nodes closest to the
//   file, and a listed share's name words go out as keyword records (keyword_index.hpp).
//   Both are published again every `republish_interval` (records live 2 hours on the
//   nodes) and at once when the routing table goes from empty to usable, so a share made
//   before the node joined is findable seconds after it did.
// - find_peers is a get_peers lookup; the records found become sources labelled "DHT".
// - search looks up a word of the text in the keyword records.
// - The DHT holds no manifests: a download that found its sources here asks them.
// - It is the node's LocalShares too: a node answers get_peers for the files it shares.
//
// Threads: one, the node's (its Scheduler's executor); the coroutines run there too.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/registry.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/dht/node.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace swarmshare::dht {

struct DhtRegistryOptions {
  /// Peer records expire after kPeerRecordLifetime (2 hours) on the nodes that hold them;
  /// a share republishes well before, and reaches nodes that joined near its file since.
  std::chrono::milliseconds republish_interval = std::chrono::minutes{30};
  /// How often the routing table is looked at for the empty-to-usable step. A second: a
  /// share made before joining is published within a second of the first answer.
  std::chrono::milliseconds watch_interval = std::chrono::seconds{1};
  /// Publish keyword records for listed shares (name search without the tracker).
  bool publish_keywords = true;
};

struct DhtRegistryStats {
  std::size_t shares = 0;         ///< kept (announced and not withdrawn)
  std::uint64_t publications = 0; ///< peer records sent out (each to the k closest)
  std::uint64_t stored = 0;       ///< nodes that accepted one of them
  std::uint64_t lookups = 0;      ///< get_peers and search lookups asked of the node
  bool usable = false;            ///< the routing table holds at least one node
};

class DhtRegistry final : public core::Registry, public LocalShares {
public:
  /// Every collaborator must outlive the registry and live on `executor`'s thread. The node
  /// answers for our shares when its LocalShares leads here (UdpNode forwards to it).
  DhtRegistry(Node& node, Scheduler& scheduler, const crypto::Identity& identity,
              const crypto::NetworkId& network, const core::Clock& clock,
              boost::asio::any_io_executor executor, DhtRegistryOptions options = {});
  ~DhtRegistry() override;
  DhtRegistry(const DhtRegistry&) = delete;
  DhtRegistry& operator=(const DhtRegistry&) = delete;
  DhtRegistry(DhtRegistry&&) = delete;
  DhtRegistry& operator=(DhtRegistry&&) = delete;

  [[nodiscard]] core::SourceOrigin origin() const noexcept override {
    return core::SourceOrigin::dht;
  }
  /// Keeps the share and publishes it now when the node knows anyone. Errors:
  /// Errc::not_joined (kept: published once the node has joined), Errc::not_stored (kept:
  /// tried again at the next republish), no address to announce (kept likewise: see
  /// set_advertised_address).
  [[nodiscard]] Awaitable<core::Status> announce(core::ShareAnnouncement share) override;
  /// Stops publishing it and stops answering for it. Records already on other nodes expire
  /// by themselves (the protocol has no withdrawal: anyone could forge one).
  [[nodiscard]] Awaitable<core::Status> unannounce(core::FileId file_id) override;
  /// Peers whose signed records the file's closest nodes hold, never ourselves. Errors:
  /// Errc::not_joined, Errc::timed_out when no node answered.
  [[nodiscard]] Awaitable<core::Result<std::vector<core::PeerSource>>>
  find_peers(core::FileId file_id, std::uint32_t limit) override;
  /// Always core::Errc::file_not_found: the DHT holds no manifests (the download asks the
  /// peers it found, which prove it against the File ID).
  [[nodiscard]] Awaitable<core::Result<core::Manifest>>
  find_manifest(core::FileId file_id) override;
  /// Listed files whose names hold every word of `text`. A File ID prefix cannot be
  /// searched in a DHT (records are found by exact key): no hits for one.
  [[nodiscard]] Awaitable<core::Result<std::vector<core::SearchHit>>>
  search(std::string text, std::uint32_t limit) override;

  /// LocalShares: our signed record for a file we keep, as last published.
  [[nodiscard]] std::optional<PeerRecord> own_record(const core::FileId& file_id) override;

  /// The address other peers reach us at (its port is ignored: each share says its own).
  /// Shares that list no explicit endpoints are published with it; until it is known they
  /// wait. The engine sets the peer server's address when it is a specific one; without
  /// that, the address DHT nodes report seeing us at is used (Node::reported_address).
  void set_advertised_address(const core::Endpoint& address);

  /// Publishes every kept share again now (for tests, and when the address changed).
  void republish_all();

  [[nodiscard]] DhtRegistryStats stats() const;

private:
  struct Kept {
    core::ShareAnnouncement share;
    std::optional<PeerRecord> record; ///< the latest one signed
  };

  /// Signs a fresh record for the share; empty when there is no endpoint to put in it.
  [[nodiscard]] std::optional<PeerRecord> sign_record(const Kept& kept) const;
  void publish(Kept& kept, std::function<void(core::Status)> done);
  void watch();

  Node& node_;
  Scheduler& scheduler_;
  const crypto::Identity& identity_;
  crypto::NetworkId network_;
  const core::Clock& clock_;
  boost::asio::any_io_executor executor_;
  DhtRegistryOptions options_;
  std::map<core::FileId, Kept> kept_;
  std::optional<core::Endpoint> advertised_;
  bool address_given_ = false; ///< set_advertised_address() was called: reports are ignored
  bool usable_ = false;
  Scheduler::TimePoint next_republish_{};
  Scheduler::TimerId watch_timer_{};
  std::uint64_t publications_ = 0;
  std::uint64_t stored_ = 0;
  std::uint64_t lookups_ = 0;
  /// Shared with node callbacks, which must not touch a destroyed registry.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace swarmshare::dht
