#pragma once
// The long-term identity of an installation: one Ed25519 key pair, whose public key is the
// Peer ID. It signs the short-lived X25519 keys used in Noise (certificate.hpp), so the
// Noise keys can rotate while the Peer ID stays the same.
//
// identity.key file format, version 1 (71 bytes):
//   "SWSHID" (6 bytes) | version (1 byte, = 1) | Ed25519 seed (32 bytes) |
//   BLAKE2b-256 of the preceding 39 bytes (32 bytes)
// The checksum detects corruption; it is not a MAC (the file's protection is its mode).

#include "swarmshare/core/error.hpp"
#include "swarmshare/crypto/common.hpp"
#include "swarmshare/crypto/error.hpp"

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace swarmshare::crypto {

inline constexpr std::size_t kPeerIdBytes = 32;
/// Characters of the full text form: ceil(256 / 5).
inline constexpr std::size_t kPeerIdTextLength = 52;
/// Characters of the short form shown in lists. 60 bits: enough to tell peers apart by eye,
/// never enough to authenticate one.
inline constexpr std::size_t kPeerIdShortLength = 12;
inline constexpr std::size_t kSignatureBytes = 64;

using Signature = std::array<std::uint8_t, kSignatureBytes>;

/// The Ed25519 public key of an installation.
class PeerId {
public:
  explicit PeerId(const std::array<std::uint8_t, kPeerIdBytes>& public_key) noexcept
      : bytes_(public_key) {}

  /// The text form written by to_string(): 52 characters of lowercase RFC 4648 base32,
  /// unpadded. Uppercase is accepted too (people retype IDs); anything else, including
  /// non-zero unused bits in the last character, is invalid_peer_id, so each Peer ID has
  /// exactly one spelling up to case.
  [[nodiscard]] static core::Result<PeerId> parse(std::string_view text);

  [[nodiscard]] const std::array<std::uint8_t, kPeerIdBytes>& bytes() const noexcept {
    return bytes_;
  }
  [[nodiscard]] std::string to_string() const;
  /// The first kPeerIdShortLength characters of to_string(), for display only.
  [[nodiscard]] std::string to_short_string() const;
  /// A keyed (SipHash) hash with a per-process random key, so peers cannot choose IDs that
  /// collide in our hash tables.
  [[nodiscard]] std::size_t hash_value() const noexcept;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const PeerId&, const PeerId&) = default;

private:
  std::array<std::uint8_t, kPeerIdBytes> bytes_;
};

/// True when `signature` is a valid Ed25519 signature of `message` by `signer`.
[[nodiscard]] bool verify_signature(const PeerId& signer, ByteView message,
                                    const Signature& signature) noexcept;

/// An Ed25519 key pair. Move-only; the secret key is wiped on destruction and when moved
/// from, and never leaves the object except through identity.key.
class Identity {
public:
  /// A fresh random identity (not saved anywhere).
  [[nodiscard]] static Identity generate();
  /// The identity of a 32-byte Ed25519 seed (the secret in identity.key). Deterministic, for
  /// loading and for tests.
  [[nodiscard]] static Identity from_seed(const Key32& seed);

  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
  Identity(Identity&& other) noexcept;
  Identity& operator=(Identity&& other) noexcept;
  ~Identity();

  [[nodiscard]] const PeerId& peer_id() const noexcept { return peer_id_; }
  /// A detached Ed25519 signature of `message`.
  [[nodiscard]] Signature sign(ByteView message) const;

private:
  using SecretKey = std::array<std::uint8_t, 64>; // libsodium layout: seed || public key

  Identity(const SecretKey& secret, const PeerId& peer_id) noexcept;

  SecretKey secret_{};
  PeerId peer_id_;
};

inline constexpr std::string_view kIdentityFileName = "identity.key";

/// Where load_or_create_identity keeps the key in `data_dir`.
[[nodiscard]] std::filesystem::path identity_file_path(const std::filesystem::path& data_dir);

/// Loads `data_dir`/identity.key, or on first use (no file there at all) creates it: the
/// directory owner-only, the file mode 0600, written atomically.
/// Errors: identity_unreadable, identity_corrupt, identity_unsupported_version,
/// identity_insecure_permissions, or the system error of a failed creation. An existing file
/// is never modified or replaced, whatever its state.
/// Creation writes the file and then loads it back like any existing one. Two processes
/// creating the first identity at the same instant could still end up with different keys
/// in memory (the last rename wins on disk); first use happens once per installation, so
/// that window is accepted rather than adding a lock file.
[[nodiscard]] core::Result<Identity> load_or_create_identity(const std::filesystem::path& data_dir);

} // namespace swarmshare::crypto

template <>
struct std::hash<swarmshare::crypto::PeerId> {
  std::size_t operator()(const swarmshare::crypto::PeerId& id) const noexcept {
    return id.hash_value();
  }
};
