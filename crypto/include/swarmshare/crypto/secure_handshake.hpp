#pragma once
// The authenticated Swarmshare handshake: Noise XX (noise.hpp) whose static keys are
// certified by the peers' Ed25519 identities (certificate.hpp). Sans-IO: the caller moves
// the bytes; a later layer wraps this in Boost.Asio, and owns timeouts.
//
//   initiator                                responder
//   start()            -> e                  (empty payload: message 1 travels in clear)
//                      <- e, ee, s, es       payload = responder's certificate
//   on_message(msg 2)  -> s, se              payload = initiator's certificate
//                                            on_message(msg 3): done
//
// Payload of messages 2 and 3: the canonical msgpack array
//   [payload version (= 1), Ed25519 identity public key (bin 32),
//    certificate expiry (uint, unix seconds), certificate signature (bin 64)]
// The certified static key is not sent again: it is the Noise static key the message
// just authenticated (HandshakeState::remote_static()).
//
// Prologue: "swarmshare-noise" | protocol version (uint16 big-endian, = 1) | network ID.
// Peers on different networks or protocol versions therefore fail at message 2, when the
// initiator cannot decrypt the responder's static key.
//
// Failures: every failed start() or on_message() returns Errc::handshake_failed, and every
// later one does too. That single code is what the caller reports and acts on (close the
// connection, the same way every time, so a peer learns nothing from how we fail). The
// specific reason (decrypt_failed, certificate_expired, unexpected_peer, ...) is
// failure_reason(), for local logs only.

#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/common.hpp"
#include "swarmshare/crypto/error.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/crypto/noise.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace swarmshare::crypto {

inline constexpr std::string_view kPrologueLabel = "swarmshare-noise";
/// The handshake protocol version carried in the prologue.
inline constexpr std::uint16_t kHandshakeProtocolVersion = 1;
/// The version field of the payload of messages 2 and 3.
inline constexpr std::uint64_t kHandshakePayloadVersion = 1;
/// Encoded payloads are about 110 bytes; anything longer is refused before decoding.
inline constexpr std::size_t kMaxHandshakePayloadBytes = 256;

/// The Noise prologue for `network`. `version` exists so tests can build a mismatching one.
[[nodiscard]] Bytes make_prologue(const NetworkId& network,
                                  std::uint16_t version = kHandshakeProtocolVersion);

/// The payload of messages 2 and 3: a certificate minus the static key.
struct HandshakePayload {
  PeerId identity;
  std::uint64_t expiry_unix_seconds = 0;
  Signature signature{};

  [[nodiscard]] Bytes encode() const;
  /// Exactly the encoding encode() produces, or handshake_payload_malformed (including any
  /// other payload version, a different field count, or a non-canonical spelling).
  [[nodiscard]] static core::Result<HandshakePayload> decode(ByteView bytes);

  friend bool operator==(const HandshakePayload&, const HandshakePayload&) = default;
};

/// What to do after a successful step.
struct HandshakeStep {
  /// Bytes to send to the peer as the next handshake message; empty when there are none.
  Bytes send;
  /// The handshake is complete on our side (after sending `send`, if any): the results
  /// below are available.
  bool done = false;
};

/// One handshake, in one role. Not thread-safe; use it from one strand.
class SecureHandshake {
public:
  /// The side that opens the connection. With `expected_peer`, a responder that
  /// authenticates as anyone else fails the handshake (unexpected_peer) before message 3 is
  /// written, so we never reveal our own identity to the wrong peer.
  /// `local` comes from StaticKeyManager::current(); its network is the handshake's network.
  /// `ephemeral` is for known-answer tests only; reusing an ephemeral key breaks Noise.
  /// `clock` must outlive the handshake.
  [[nodiscard]] static SecureHandshake initiator(CertifiedStaticKey local, const core::Clock& clock,
                                                 std::optional<PeerId> expected_peer = {},
                                                 std::optional<KeyPair> ephemeral = {});
  /// The side that accepted the connection. Whom to accept beyond a valid certificate
  /// (bans, limits) is the caller's decision once peer_id() is known.
  [[nodiscard]] static SecureHandshake responder(CertifiedStaticKey local, const core::Clock& clock,
                                                 std::optional<KeyPair> ephemeral = {});

  /// Initiator only, once: message 1.
  [[nodiscard]] core::Result<Bytes> start();
  /// Consumes the peer's next handshake message. The initiator answers message 2 with
  /// message 3 and is done; the responder answers message 1 with message 2, and is done
  /// after message 3 with nothing to send. A call in the wrong state (including after
  /// completion) fails the handshake like any other error.
  [[nodiscard]] core::Result<HandshakeStep> on_message(ByteView message);

  [[nodiscard]] Role role() const noexcept { return noise_.role(); }
  [[nodiscard]] bool is_complete() const noexcept { return stage_ == Stage::complete; }
  [[nodiscard]] bool has_failed() const noexcept { return stage_ == Stage::failed; }
  /// Why the handshake failed (empty while it has not). For local logs only.
  [[nodiscard]] std::error_code failure_reason() const noexcept { return failure_reason_; }

  // Results, available once is_complete() (out_of_order before).
  /// Who the peer is: its certificate was valid for its Noise static key and our network.
  [[nodiscard]] core::Result<PeerId> peer_id() const;
  /// When the peer's certificate expires; a long-lived session may want to handshake again.
  [[nodiscard]] core::Result<std::uint64_t> peer_certificate_expiry() const;
  /// The Noise handshake hash: equal on both sides, unique to this session.
  [[nodiscard]] core::Result<Hash64> handshake_hash() const;
  /// The transport keys for the record layer, oriented for our role. Once only
  /// (out_of_order on a second call).
  [[nodiscard]] core::Result<TransportKeys> split_keys();

private:
  enum class Stage {
    initiator_start, // initiator: start() not called yet
    await_message_1, // responder
    await_message_2, // initiator
    await_message_3, // responder
    complete,
    failed,
  };

  SecureHandshake(Role role, CertifiedStaticKey local, const core::Clock& clock,
                  std::optional<PeerId> expected_peer, std::optional<KeyPair> ephemeral);

  // Records the reason, marks the handshake dead and returns the one public error.
  [[nodiscard]] std::error_code fail(std::error_code reason) noexcept;
  // Decodes a message 2 or 3 payload and checks its certificate against the Noise remote
  // static key, our network and the clock.
  [[nodiscard]] core::Status accept_peer(ByteView payload);
  [[nodiscard]] Bytes local_payload() const;

  HandshakeState noise_;
  StaticKeyCertificate local_certificate_;
  NetworkId network_;
  const core::Clock* clock_;
  std::optional<PeerId> expected_peer_;
  std::optional<StaticKeyCertificate> peer_certificate_;
  Stage stage_;
  std::error_code failure_reason_;
};

} // namespace swarmshare::crypto
