#pragma once
// Static-key certificates: the Ed25519 identity (identity.hpp) vouches for the X25519 static
// key a peer uses in Noise, for one network and for a limited time. Noise proves that the
// peer holds the X25519 secret; the certificate proves that key belongs to the Peer ID.
//
// Signed message (all fixed length, so plain concatenation is unambiguous):
//   "swarmshare static-key certificate v1" | network ID (32) | X25519 public key (32) |
//   expiry (unix seconds, uint64 big-endian)
//
// Keys are short-lived so that a stolen X25519 secret is useful for a week at most, while
// the identity secret never needs to be online in the handshake itself.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/hash.hpp"
#include "swarmshare/crypto/common.hpp"
#include "swarmshare/crypto/error.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/crypto/noise.hpp"

#include <chrono>
#include <compare>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace swarmshare::crypto {

/// Whole seconds since the unix epoch, rounded down; 0 for times before it.
[[nodiscard]] std::uint64_t to_unix_seconds(std::chrono::system_clock::time_point time) noexcept;

// ----- Network -------------------------------------------------------------------------------

inline constexpr std::string_view kDefaultNetworkName = "swarmshare";

/// Which swarm a peer belongs to: BLAKE2b-256 of the network name. Certificates and the
/// Noise prologue include it, so peers of different networks cannot complete a handshake.
class NetworkId {
public:
  /// A private group's network: everyone in it must use the same name.
  [[nodiscard]] static NetworkId from_name(std::string_view name) noexcept;
  /// The public network, named kDefaultNetworkName.
  [[nodiscard]] static NetworkId public_network() noexcept;

  [[nodiscard]] const core::Hash256& bytes() const noexcept { return bytes_; }
  [[nodiscard]] std::string to_hex() const;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const NetworkId&, const NetworkId&) = default;

private:
  explicit NetworkId(const core::Hash256& bytes) noexcept : bytes_(bytes) {}

  core::Hash256 bytes_;
};

// ----- Certificate ---------------------------------------------------------------------------

inline constexpr std::string_view kCertificateLabel = "swarmshare static-key certificate v1";
/// How long a certificate we issue is valid.
inline constexpr std::chrono::seconds kCertificateValidity = std::chrono::days{7};
/// StaticKeyManager makes a new key and certificate once less than this remains.
inline constexpr std::chrono::seconds kCertificateRenewBefore = std::chrono::days{1};
/// Tolerated difference between the clocks of two peers.
inline constexpr std::chrono::seconds kCertificateClockSkew = std::chrono::days{1};

/// A certificate as it travels: the network is not part of it, because each side checks it
/// against its own network ID (so a mismatch simply fails the signature).
struct StaticKeyCertificate {
  PeerId identity;
  Key32 static_public_key{};
  std::uint64_t expiry_unix_seconds = 0;
  Signature signature{};

  friend bool operator==(const StaticKeyCertificate&, const StaticKeyCertificate&) = default;
};

/// The exact bytes a certificate signs.
[[nodiscard]] Bytes certificate_signed_message(const NetworkId& network,
                                               const Key32& static_public_key,
                                               std::uint64_t expiry_unix_seconds);

/// Signs `static_public_key` for `network` until `expiry_unix_seconds`.
[[nodiscard]] StaticKeyCertificate certify_static_key(const Identity& identity,
                                                      const NetworkId& network,
                                                      const Key32& static_public_key,
                                                      std::uint64_t expiry_unix_seconds);

/// Accepts `certificate` as proof that `remote_static` (the key the peer used in Noise)
/// belongs to certificate.identity on `network` at time `now`. Checks, in this order:
///   certificate_key_mismatch   certificate.static_public_key != remote_static
///   certificate_bad_signature  the signature does not verify (forged, other network)
///   certificate_expiry_too_far expiry > now + validity + skew
///   certificate_expired        now > expiry + skew
/// The signature comes before the times so that "expired" always describes a genuine
/// certificate in the logs.
[[nodiscard]] core::Status verify_static_key_certificate(const StaticKeyCertificate& certificate,
                                                         const NetworkId& network,
                                                         const Key32& remote_static,
                                                         std::chrono::system_clock::time_point now);

/// An X25519 key pair with its certificate, ready to use as the Noise static key.
struct CertifiedStaticKey {
  KeyPair key_pair;
  StaticKeyCertificate certificate;
  NetworkId network;
};

/// Holds the current certified static key of this installation and renews it (new key
/// pair, new certificate) when less than kCertificateRenewBefore of validity remains, or
/// when the clock has gone back so far that peers would reject the expiry as too far ahead.
/// Thread-safe. `identity` and `clock` must outlive the manager.
class StaticKeyManager {
public:
  StaticKeyManager(const Identity& identity, const NetworkId& network, const core::Clock& clock);
  StaticKeyManager(const StaticKeyManager&) = delete;
  StaticKeyManager& operator=(const StaticKeyManager&) = delete;
  StaticKeyManager(StaticKeyManager&&) = delete;
  StaticKeyManager& operator=(StaticKeyManager&&) = delete;
  ~StaticKeyManager() = default;

  /// The key to use for a handshake starting now, renewed first if due. A copy, so a
  /// handshake in progress keeps its key while the manager moves on.
  [[nodiscard]] CertifiedStaticKey current();
  [[nodiscard]] const NetworkId& network() const noexcept { return network_; }
  [[nodiscard]] const PeerId& peer_id() const noexcept { return identity_.peer_id(); }

private:
  [[nodiscard]] CertifiedStaticKey issue(std::uint64_t now) const;

  const Identity& identity_;
  NetworkId network_;
  const core::Clock& clock_;
  std::mutex mutex_;
  std::optional<CertifiedStaticKey> current_;
};

} // namespace swarmshare::crypto
