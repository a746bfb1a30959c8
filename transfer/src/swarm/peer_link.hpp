#pragma once
// One peer connection of a swarm, after the secure handshake and the hellos: one read loop
// and one write queue over the secure channel, each wire message one record. What the
// messages mean is the owner's business (a PeerLink::Handler, the swarm); the link only
// moves them, paces data by the rate limiters it is given, and reports how it ended.
//
// Threads: everything runs on the channel's executor (the network thread).

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/crypto/secure_channel.hpp"
#include "swarmshare/transfer/rate_limiter.hpp"
#include "swarmshare/transfer/wire.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <system_error>

namespace swarmshare::transfer {

class PeerLink : public std::enable_shared_from_this<PeerLink> {
public:
  class Handler {
  public:
    Handler() = default;
    Handler(const Handler&) = delete;
    Handler& operator=(const Handler&) = delete;
    Handler(Handler&&) = delete;
    Handler& operator=(Handler&&) = delete;
    virtual ~Handler() = default;
    /// A message arrived (never hello: the hellos are exchanged before the link exists).
    virtual void on_message(PeerLink& link, wire::Message&& message) = 0;
    /// The link ended: `why` is empty after a clean goodbye-and-close, else the failure.
    /// Called once; the handler must drop its reference to the link.
    virtual void on_closed(PeerLink& link, std::error_code why) = 0;
    /// A data message of `data_bytes` was written: counted as uploaded, and the queue is
    /// shorter, so the uploader may read on.
    virtual void on_data_sent(PeerLink& /*link*/, std::uint32_t /*data_bytes*/) {}
  };

  struct Counters {
    std::uint64_t data_bytes_sent = 0;
    std::uint64_t data_bytes_received = 0;
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_received = 0;
  };

  PeerLink(crypto::SecureChannel channel, core::Endpoint remote);
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;
  PeerLink(PeerLink&&) = delete;
  PeerLink& operator=(PeerLink&&) = delete;
  ~PeerLink();

  /// Starts the loops. `handler` must stay valid until on_closed or abort().
  void start(Handler& handler);

  /// The limits a link's data passes through. Every one that is set applies and the
  /// strictest wins; null: no such limit.
  struct Limiters {
    RateLimiter* global_upload = nullptr;
    RateLimiter* peer_upload = nullptr; ///< this link's own
    RateLimiter* global_download = nullptr;
    /// Shared by every link of one swarm: a download's own limit.
    RateLimiter* swarm_download = nullptr;
  };

  /// Data we send waits for the upload limiters; data we receive makes the read loop wait
  /// for the download limiters before it reads on, so TCP slows the sender. The limiters
  /// must stay valid until the link has ended (on_closed called, or aborted): an ended link
  /// never touches them again.
  void set_limiters(const Limiters& limiters) noexcept { limiters_ = limiters; }

  /// Queues a message. Ignored once the link is closing.
  void send(const wire::Message& message);
  /// Queues a data message already encoded (wire::encode_data), counted as `data_bytes`.
  void send_encoded(wire::Bytes message, std::uint32_t data_bytes);

  /// Sends goodbye after what is queued, then FINAL; reads on until the peer closes in turn.
  void close(wire::GoodbyeReason reason);
  /// Drops the connection now, without calling the handler any more.
  void abort() noexcept;

  [[nodiscard]] const crypto::PeerId& peer_id() const noexcept { return peer_id_; }
  [[nodiscard]] const core::Endpoint& remote() const noexcept { return remote_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  /// Bytes queued and not yet written: the uploader stops reading blocks for a peer whose
  /// queue is long, so a slow peer never makes us hold a file's worth in memory.
  [[nodiscard]] std::size_t queued_bytes() const noexcept { return queued_bytes_; }
  [[nodiscard]] bool closing() const noexcept { return closing_ || ended_; }

private:
  struct Outgoing {
    wire::Bytes bytes;
    std::uint32_t data_bytes = 0;
  };

  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> pace(std::chrono::nanoseconds wait);
  void end(std::error_code why);

  crypto::SecureChannel channel_;
  crypto::PeerId peer_id_; ///< kept: a channel moved away by abort() may not be asked
  core::Endpoint remote_;
  Handler* handler_ = nullptr;
  Limiters limiters_;
  std::deque<Outgoing> outbox_;
  std::size_t queued_bytes_ = 0;
  boost::asio::steady_timer outbox_ready_;
  Counters counters_;
  bool closing_ = false; ///< close() asked: goodbye queued, FINAL after the queue
  bool ended_ = false;   ///< on_closed called (or aborted): the handler is gone
  bool read_done_ = false;
  bool write_done_ = false;
};

} // namespace swarmshare::transfer
