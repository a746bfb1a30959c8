#pragma once
// The secure channel on a TCP socket: the authenticated handshake (secure_handshake.hpp) and
// the record layer (secure_records.hpp) driven by Boost.Asio coroutines.
//
// On the wire, per connection:
//   handshake   three Noise messages, each prefixed by its length as 2 bytes big-endian
//               (Noise's own framing convention); a length of 0 or above
//               kMaxHandshakeMessageBytes ends the connection before the body is read
//   records     then, in each direction, the record stream of secure_records.hpp: the
//               stream header and key confirmation right after the handshake, application
//               records, and FINAL when that side closes
// The initiator sends message 3 and its stream header in one write.
//
// Failures: every failure closes the socket (abortively, with a reset), and that is all the
// peer sees; nothing is ever sent to explain it, so a prober learns nothing from how we
// fail. The error the caller gets is for local decisions and logs.
//
// A clean end: each side calls close() when it has nothing more to send and reads until
// channel_closed; then the channel is destroyed. Destroying it while the peer's bytes are
// still unread makes TCP reset the connection, which can discard our own FINAL in flight.
//
// Threads: a channel is not thread-safe. All of its operations, and the coroutines that
// await them, must run on one thread (a single-threaded io_context, or a strand that is
// also the socket's executor). read_message() may be pending while write_message() or
// close() runs, but neither may overlap itself: a second read while one is pending, or a
// second write/close while one is pending, fails with out_of_order and changes nothing.
// Callers that write from several places queue their messages (one writer per
// connection, as docs/ARCHITECTURE.md has it).

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/common.hpp"
#include "swarmshare/crypto/error.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/crypto/noise.hpp"
#include "swarmshare/crypto/secure_handshake.hpp"
#include "swarmshare/crypto/secure_records.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>
#include <variant>

namespace swarmshare::crypto {

/// The 2-byte big-endian length in front of each handshake message.
inline constexpr std::size_t kHandshakeLengthBytes = 2;
/// The longest handshake message XX can produce with our payloads: message 2 carries an
/// ephemeral key, the encrypted static key and the encrypted payload.
inline constexpr std::size_t kMaxHandshakeMessageBytes =
    kNoiseDhBytes + (kNoiseDhBytes + kNoiseTagBytes) + (kMaxHandshakePayloadBytes + kNoiseTagBytes);
static_assert(kMaxHandshakeMessageBytes <= kNoiseMaxMessageBytes);

inline constexpr std::chrono::milliseconds kDefaultHandshakeTimeout = std::chrono::seconds{10};
inline constexpr std::chrono::milliseconds kDefaultIdleTimeout = std::chrono::seconds{120};
/// How much a read asks of the socket at once.
inline constexpr std::size_t kDefaultReadChunkBytes = std::size_t{64} * 1024;

/// What a channel needs besides its socket. Copyable, so one config can serve every
/// connection of a listener.
struct ChannelConfig {
  /// Each handshake uses keys.current(), so a long-running listener follows key renewal.
  /// `keys` and `clock` must outlive every channel made with this config.
  explicit ChannelConfig(StaticKeyManager& keys, const core::Clock& clock_in = core::real_clock())
      : static_key(std::ref(keys)), clock(clock_in) {}
  /// A fixed certified key (tests, fuzzing, tools). `clock` must outlive the channels.
  explicit ChannelConfig(CertifiedStaticKey key, const core::Clock& clock_in = core::real_clock())
      : static_key(std::move(key)), clock(clock_in) {}

  /// The key for a handshake starting now.
  [[nodiscard]] CertifiedStaticKey current_static_key() const;

  std::variant<std::reference_wrapper<StaticKeyManager>, CertifiedStaticKey> static_key;
  /// Certificate times and the record layer's rekey interval. The timeouts below are real
  /// time (steady_timer), whatever this clock says.
  std::reference_wrapper<const core::Clock> clock;
  /// From the start of connect()/accept() until our side of the handshake is complete and
  /// our stream header is sent. Zero means none (do not do that with untrusted peers).
  std::chrono::milliseconds handshake_timeout = kDefaultHandshakeTimeout;
  /// A read_message() that waits this long without receiving a single byte fails with
  /// idle_timeout and closes the channel. The clock runs only while a read waits for the
  /// socket: time in which nobody reads is not the peer's idleness. Zero means none. A peer
  /// keeps a quiet channel alive by writing empty messages.
  std::chrono::milliseconds idle_timeout = kDefaultIdleTimeout;
  /// Our record cap and rekey thresholds.
  RecordSenderOptions records;
  /// The largest record plaintext we accept; at least the peer's sender cap.
  std::uint32_t max_receive_record_bytes = kDefaultMaxRecordBytes;
  /// How much a read asks of the socket at once.
  std::size_t read_chunk_bytes = kDefaultReadChunkBytes;
  /// Called with the specific reason when a handshake fails (the handshake's
  /// failure_reason(), a socket error, message_too_large for a bad length prefix, or
  /// handshake_timeout). For local logs only; the call returns handshake_failed whatever it
  /// was, except for handshake_timeout.
  std::function<void(std::error_code reason)> on_handshake_failure;
};

/// An authenticated, encrypted, ordered message stream over a connected TCP socket.
/// Move-only. Destroying a channel closes its socket without FINAL (the peer sees a
/// truncated stream): call close() first for a clean end (see the top of this file). A moved-from
/// channel fails every operation with out_of_order and must not be asked for peer_id() or
/// handshake_hash().
class SecureChannel {
public:
  using Socket = boost::asio::ip::tcp::socket;
  template <class T>
  using Awaitable = boost::asio::awaitable<T>;

  /// Runs the handshake as the side that opened the connection. With `expected_peer`, a
  /// responder that authenticates as anyone else fails the handshake before we reveal our
  /// identity. Errors: handshake_failed (any protocol, certificate or socket failure, or the
  /// peer closing), handshake_timeout. The socket is closed on failure.
  [[nodiscard]] static Awaitable<core::Result<SecureChannel>>
  connect(Socket socket, ChannelConfig config, std::optional<PeerId> expected_peer = std::nullopt);
  /// Runs the handshake as the side that accepted the connection. Errors as for connect().
  /// Whom to admit beyond a valid certificate is the caller's decision, on peer_id().
  [[nodiscard]] static Awaitable<core::Result<SecureChannel>> accept(Socket socket,
                                                                     ChannelConfig config);

  SecureChannel(const SecureChannel&) = delete;
  SecureChannel& operator=(const SecureChannel&) = delete;
  SecureChannel(SecureChannel&& other) noexcept = default;
  SecureChannel& operator=(SecureChannel&& other) noexcept;
  ~SecureChannel();

  /// The next message the peer wrote, in order. Errors:
  ///   channel_closed     the peer closed its direction cleanly (FINAL) and every message
  ///                      before it was delivered; not a failure, and it stays so
  ///   stream_truncated   the TCP stream ended (closed or reset) without FINAL, possibly
  ///                      cut off by an attacker
  ///   idle_timeout       see ChannelConfig::idle_timeout
  ///   record_*, key_confirmation_failed, data_after_final: a bad stream from the peer
  ///   a socket error (connection reset, ...)
  ///   out_of_order       another read is pending, or the channel was moved from
  /// Every error except channel_closed and out_of_order closes the socket, and every later
  /// call returns the same error. Messages received before a failure are still delivered.
  [[nodiscard]] Awaitable<core::Result<Bytes>> read_message();

  /// Sends `message` as one record; it completes once the socket took all of it. The bytes
  /// must stay valid until then. An empty message is a keep-alive: it resets the peer's
  /// idle timeout and is not delivered. Errors: record_too_large over the record cap (the
  /// channel stays usable; nothing was sent); out_of_order while another write or close()
  /// is pending or after close(); otherwise the channel's failure (the socket is closed).
  [[nodiscard]] Awaitable<core::Status> write_message(ByteView message);

  /// Ends our direction cleanly: sends FINAL and shuts down the socket's send side. The
  /// peer's messages can still be read until its own channel_closed. A second call is a
  /// no-op. Errors as for write_message().
  [[nodiscard]] Awaitable<core::Status> close();

  /// Who the peer is, authenticated by the handshake.
  [[nodiscard]] const PeerId& peer_id() const noexcept;
  /// When the peer's certificate expires (unix seconds): a long session may handshake again.
  [[nodiscard]] std::uint64_t peer_certificate_expiry() const noexcept;
  /// The Noise handshake hash: equal on both sides, unique to this session (channel binding).
  [[nodiscard]] const Hash64& handshake_hash() const noexcept;
  /// Records we marked TAG_REKEY so far, and the peer did.
  [[nodiscard]] std::uint64_t sent_rekeys() const noexcept;
  [[nodiscard]] std::uint64_t received_rekeys() const noexcept;

  [[nodiscard]] boost::asio::any_io_executor get_executor() const;

private:
  struct Impl;

  explicit SecureChannel(std::shared_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

  // Shared with the coroutines and timer handlers in flight, so that moving the channel
  // never invalidates what they point to.
  std::shared_ptr<Impl> impl_;
};

} // namespace swarmshare::crypto
