#pragma once
// Noise_XX_25519_ChaChaPoly_BLAKE2b, exactly as the Noise Protocol Framework revision 34
// (noiseprotocol.org) specifies it, on libsodium primitives.
//
// The three layers mirror section 5 of the specification: CipherState (one AEAD key and
// its nonce), SymmetricState (chaining key and handshake hash) and HandshakeState (the XX
// message pattern). Only XX is implemented; it is the one pattern Swarmshare uses, because
// neither peer knows the other's static key in advance.
//
// Everything that holds a secret wipes it with sodium_memzero when destroyed or moved from.

#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/common.hpp"
#include "swarmshare/crypto/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace swarmshare::crypto {

/// The full Noise protocol name; it seeds the handshake hash, so both peers must agree on it.
inline constexpr std::string_view kNoiseProtocolName = "Noise_XX_25519_ChaChaPoly_BLAKE2b";
/// Noise caps every message, handshake or transport, at 65535 bytes (spec section 3).
inline constexpr std::size_t kNoiseMaxMessageBytes = 65535;
/// The Poly1305 tag appended to every ciphertext made under a key.
inline constexpr std::size_t kNoiseTagBytes = 16;
/// The size of an X25519 public key on the wire.
inline constexpr std::size_t kNoiseDhBytes = 32;
/// The largest plaintext a transport message can carry.
inline constexpr std::size_t kNoiseMaxPlaintextBytes = kNoiseMaxMessageBytes - kNoiseTagBytes;

/// An X25519 key pair. The secret half is wiped on destruction and when moved from.
class KeyPair {
public:
  /// A fresh random key pair (randombytes_buf + crypto_scalarmult_base).
  [[nodiscard]] static KeyPair generate();
  /// The key pair of a given secret key; the public key is derived from it. Fails with
  /// invalid_key only if libsodium refuses the scalar.
  [[nodiscard]] static core::Result<KeyPair> from_secret_key(const Key32& secret_key);

  KeyPair(const KeyPair& other) = default;
  KeyPair& operator=(const KeyPair& other) = default;
  KeyPair(KeyPair&& other) noexcept;
  KeyPair& operator=(KeyPair&& other) noexcept;
  ~KeyPair();

  [[nodiscard]] const Key32& secret_key() const noexcept { return secret_; }
  [[nodiscard]] const Key32& public_key() const noexcept { return public_; }

private:
  KeyPair() = default;

  Key32 secret_{};
  Key32 public_{};
};

/// X25519 of our secret key with a peer's public key. Fails with invalid_key when the result
/// is all zeros, which is what a low-order (malicious or broken) public key produces: such
/// a shared secret would be known to anyone. The result is a secret; wipe it after use.
[[nodiscard]] core::Result<Key32> dh(const KeyPair& local, const Key32& remote_public);

/// Spec 5.1: an AEAD key k (possibly empty) and a 64-bit nonce n. ChaCha20-Poly1305 (IETF)
/// with the 96-bit nonce = 32 zero bits || n little-endian.
///
/// Move-only: a copy would let two owners encrypt under the same key and nonce.
class CipherState {
public:
  /// A CipherState without a key: it passes plaintext through unchanged.
  CipherState() noexcept;
  explicit CipherState(const Key32& key) noexcept;
  CipherState(const CipherState&) = delete;
  CipherState& operator=(const CipherState&) = delete;
  CipherState(CipherState&& other) noexcept;
  CipherState& operator=(CipherState&& other) noexcept;
  ~CipherState();

  /// InitializeKey(key): sets k and resets n to 0.
  void initialize_key(const Key32& key) noexcept;
  /// InitializeKey(empty): forgets the key (wiping it) and resets n to 0.
  void clear_key() noexcept;
  [[nodiscard]] bool has_key() const noexcept { return has_key_; }
  /// SetNonce(n). Setting 2^64-1 makes every further encrypt/decrypt fail (reserved value).
  void set_nonce(std::uint64_t nonce) noexcept { n_ = nonce; }
  [[nodiscard]] std::uint64_t nonce() const noexcept { return n_; }

  /// EncryptWithAd: ciphertext || tag under (k, n), then n += 1; plaintext unchanged when
  /// there is no key. Errors: nonce_exhausted at n = 2^64-1, message_too_large when the
  /// result would exceed 65535 bytes.
  [[nodiscard]] core::Result<Bytes> encrypt_with_ad(ByteView ad, ByteView plaintext);
  /// DecryptWithAd: the inverse. On decrypt_failed n is left unchanged (spec), so a forged
  /// message does not desynchronise the nonces. Other errors as for encrypt_with_ad.
  [[nodiscard]] core::Result<Bytes> decrypt_with_ad(ByteView ad, ByteView ciphertext);
  /// Rekey: k = the first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes); n is kept.
  /// Fails with out_of_order when there is no key.
  [[nodiscard]] core::Status rekey();

private:
  Key32 k_{};
  bool has_key_ = false;
  std::uint64_t n_ = 0;
};

/// Raw transport keys (Split's two outputs, oriented for one side), for a cipher other than Noise's
/// own CipherState (the secretstream record layer, secure_records.hpp). Wiped when destroyed.
struct TransportKeys {
  Key32 send{};
  Key32 receive{};

  ~TransportKeys();
};

/// Spec 5.2: chaining key ck, handshake hash h and the CipherState they key. Exposed for
/// tests and for reuse; applications use HandshakeState.
class SymmetricState {
public:
  /// InitializeSymmetric(protocol_name): h = the name zero-padded to 64 bytes when it fits,
  /// else BLAKE2b(name); ck = h; no key.
  explicit SymmetricState(std::string_view protocol_name);
  SymmetricState(const SymmetricState&) = delete;
  SymmetricState& operator=(const SymmetricState&) = delete;
  SymmetricState(SymmetricState&& other) noexcept;
  SymmetricState& operator=(SymmetricState&& other) noexcept;
  ~SymmetricState();

  /// MixKey: ck, temp_k = HKDF(ck, ikm, 2); key the cipher with temp_k[0..32).
  void mix_key(ByteView input_key_material);
  /// MixHash: h = BLAKE2b(h || data).
  void mix_hash(ByteView data);
  /// MixKeyAndHash: ck, temp_h, temp_k = HKDF(ck, ikm, 3); MixHash(temp_h); key with temp_k.
  void mix_key_and_hash(ByteView input_key_material);
  /// GetHandshakeHash: h.
  [[nodiscard]] const Hash64& handshake_hash() const noexcept { return h_; }
  [[nodiscard]] bool has_key() const noexcept { return cipher_.has_key(); }
  /// EncryptAndHash: c = EncryptWithAd(h, plaintext); MixHash(c).
  [[nodiscard]] core::Result<Bytes> encrypt_and_hash(ByteView plaintext);
  /// DecryptAndHash: p = DecryptWithAd(h, ciphertext); MixHash(ciphertext). h is only
  /// updated when decryption succeeds.
  [[nodiscard]] core::Result<Bytes> decrypt_and_hash(ByteView ciphertext);
  /// Split: temp_k1, temp_k2 = HKDF(ck, empty, 2); two CipherStates keyed with their first
  /// 32 bytes. The first is for initiator-to-responder traffic, the second the reverse.
  [[nodiscard]] std::pair<CipherState, CipherState> split() const;
  /// Split's keys as raw bytes, oriented as the initiator uses them: `send` is the first
  /// (initiator-to-responder) key.
  [[nodiscard]] TransportKeys split_keys() const;

private:
  Hash64 ck_{};
  Hash64 h_{};
  CipherState cipher_;
};

enum class Role { initiator, responder };

/// The two transport CipherStates one side gets from a finished handshake.
struct TransportCiphers {
  CipherState send;
  CipherState receive;
};

/// Spec 5.3 for the XX pattern:
///   -> e
///   <- e, ee, s, es
///   -> s, se
/// Any error in write_message or read_message after its input checks ends the handshake:
/// every later call fails with handshake_failed (Noise forbids continuing after an error).
class HandshakeState {
public:
  /// Number of handshake messages in XX.
  static constexpr std::size_t kMessageCount = 3;

  /// Initialize(XX, role, prologue, s, e). `local_ephemeral` exists for known-answer tests;
  /// production code leaves it empty so a fresh random ephemeral key is made when needed.
  /// Reusing an ephemeral key across handshakes destroys Noise's security.
  HandshakeState(Role role, KeyPair local_static, ByteView prologue = {},
                 std::optional<KeyPair> local_ephemeral = std::nullopt);
  HandshakeState(const HandshakeState&) = delete;
  HandshakeState& operator=(const HandshakeState&) = delete;
  HandshakeState(HandshakeState&&) noexcept = default;
  HandshakeState& operator=(HandshakeState&&) noexcept = default;
  ~HandshakeState() = default;

  /// WriteMessage: the next handshake message carrying `payload` (encrypted from message 2
  /// on; message 1's payload travels in clear, so keep it empty or public).
  /// Errors: out_of_order (not our turn or finished), message_too_large, invalid_key
  /// (peer's ephemeral key is low order), handshake_failed.
  [[nodiscard]] core::Result<Bytes> write_message(ByteView payload);
  /// ReadMessage: consumes the peer's next handshake message and returns its payload.
  /// Errors: out_of_order, message_too_large, message_truncated, decrypt_failed,
  /// invalid_key, handshake_failed.
  [[nodiscard]] core::Result<Bytes> read_message(ByteView message);

  [[nodiscard]] Role role() const noexcept { return role_; }
  /// True when the next step is our write_message.
  [[nodiscard]] bool is_write_turn() const noexcept;
  /// True after all three messages were written or read successfully.
  [[nodiscard]] bool is_complete() const noexcept;
  /// h after the last message: identical on both sides, a unique channel binding for the
  /// session. out_of_order before the handshake completes.
  [[nodiscard]] core::Result<Hash64> handshake_hash() const;
  /// The peer's static public key once it has been received and authenticated (after
  /// message 2 for the initiator, message 3 for the responder). The handshake only proves
  /// the peer holds the matching secret key; whether that key is acceptable is the caller's
  /// decision (certificate check).
  [[nodiscard]] const std::optional<Key32>& remote_static() const noexcept { return rs_; }
  /// Split, oriented for our role: the initiator sends with the spec's first CipherState,
  /// the responder with the second. Allowed once, after completion (out_of_order otherwise)
  /// so that no two CipherStates ever share a key.
  [[nodiscard]] core::Result<TransportCiphers> split();
  /// Split as raw keys: exactly the keys split() would give its CipherStates, oriented the
  /// same way. split() and split_keys() share the once-only rule (out_of_order on a second
  /// call of either), so no key ever has two owners.
  [[nodiscard]] core::Result<TransportKeys> split_keys();

private:
  // Marks the handshake dead and hands the error back, so call sites can `return fail(..)`.
  [[nodiscard]] std::error_code fail(std::error_code error) noexcept;
  // MixKey(DH(local, remote)) with our ephemeral or static key and the peer's.
  [[nodiscard]] core::Status mix_dh_keys(bool local_ephemeral, bool remote_ephemeral);

  Role role_;
  SymmetricState symmetric_;
  KeyPair s_;
  std::optional<KeyPair> e_;
  std::optional<Key32> rs_;
  std::optional<Key32> re_;
  std::size_t next_message_ = 0;
  bool failed_ = false;
  bool split_done_ = false;
};

} // namespace swarmshare::crypto
