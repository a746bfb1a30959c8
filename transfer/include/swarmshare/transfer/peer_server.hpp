#pragma once
// Peers meet here. The peer server accepts connections, runs the secure handshake and reads
// the dialler's hello; a File ID we have a swarm for gets our hello back and the channel is
// handed to that swarm; any other gets goodbye(not_sharing). dial_peer is the other end:
// connect, insist on the Peer ID the registry advertised, exchange hellos.
//
// Threads: the network thread (the executor given), as the swarms.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/crypto/secure_channel.hpp"

#include "swarmshare/transfer/catalogue.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace swarmshare::transfer {

class Swarm;

struct PeerServerOptions {
  /// Connections in their handshake or hello at once; more wait in the kernel's backlog.
  std::uint32_t max_pending = 64;
  /// From accept to the dialler's hello.
  std::chrono::milliseconds hello_timeout = std::chrono::seconds{10};
};

/// Finds the swarm for a File ID (the engine's shares and downloads); null: not ours.
using SwarmLookup = std::function<Swarm*(const core::FileId&)>;

class PeerServer {
public:
  /// Listens on `listen` (port 0: any free port) and serves until stop() or destruction.
  /// `config` is our side of every channel; its keys and clock must outlive the server.
  [[nodiscard]] static core::Result<std::unique_ptr<PeerServer>>
  start(boost::asio::any_io_executor executor, crypto::ChannelConfig config,
        const core::Endpoint& listen, SwarmLookup lookup, PeerServerOptions options = {});

  PeerServer(const PeerServer&) = delete;
  PeerServer& operator=(const PeerServer&) = delete;
  PeerServer(PeerServer&&) = delete;
  PeerServer& operator=(PeerServer&&) = delete;
  ~PeerServer();

  /// The address and the real port it listens on.
  [[nodiscard]] const core::Endpoint& local_endpoint() const noexcept;
  /// What a catalogue_request is answered with (catalogue.hpp); without one, an empty
  /// catalogue. Call on the server's executor (or before it runs).
  void set_catalogue(CatalogueSource source);
  /// Stops accepting; handshakes in progress are dropped. Idempotent.
  void stop();

private:
  struct Impl;
  explicit PeerServer(std::shared_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

/// Connects to `endpoint` and runs the secure channel's handshake, insisting that the peer
/// authenticates as `expected` (Errc::peer_id_mismatch otherwise); Errc::peer_unreachable
/// when the connect takes longer than `timeout`.
[[nodiscard]] boost::asio::awaitable<core::Result<crypto::SecureChannel>>
connect_peer(crypto::ChannelConfig config, core::Endpoint endpoint, crypto::PeerId expected,
             std::chrono::milliseconds timeout = std::chrono::seconds{10});

/// Connects to `peer` at `endpoint`, insists that it authenticates as `expected`
/// (Errc::peer_id_mismatch otherwise), and exchanges hellos for `file_id`. A goodbye in
/// answer gives Errc::peer_not_sharing (or peer_banned when it banned us).
[[nodiscard]] boost::asio::awaitable<core::Result<crypto::SecureChannel>>
dial_peer(crypto::ChannelConfig config, core::Endpoint endpoint, crypto::PeerId expected,
          core::FileId file_id, std::chrono::milliseconds timeout = std::chrono::seconds{10});

} // namespace swarmshare::transfer
