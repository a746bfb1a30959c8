#include "swarmshare/crypto/identity.hpp"

#include "swarmshare/core/digits.hpp"

#include "swarmshare/core/hash.hpp"
#include "swarmshare/core/platform/paths.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <system_error>
#include <utility>
#include <vector>

namespace swarmshare::crypto {
namespace {

static_assert(crypto_sign_PUBLICKEYBYTES == kPeerIdBytes);
static_assert(crypto_sign_BYTES == kSignatureBytes);
static_assert(crypto_sign_SEEDBYTES == std::tuple_size_v<Key32>);
static_assert(crypto_sign_SECRETKEYBYTES == 64);

constexpr std::string_view kBase32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

// identity.key layout (see identity.hpp).
constexpr std::string_view kIdentityMagic = "SWSHID";
constexpr std::uint8_t kIdentityFileVersion = 1;
constexpr std::size_t kIdentityHeaderBytes = kIdentityMagic.size() + 1;
constexpr std::size_t kIdentityChecksummedBytes = kIdentityHeaderBytes + crypto_sign_SEEDBYTES;
constexpr std::size_t kIdentityFileBytes = kIdentityChecksummedBytes + core::kHashSize;
// Anything longer is certainly not ours; refusing it early keeps the read small.
constexpr std::size_t kMaxIdentityFileBytes = 4096;

void wipe(std::span<std::uint8_t> bytes) noexcept { sodium_memzero(bytes.data(), bytes.size()); }

Bytes encode_identity_file(const Key32& seed) {
  Bytes file(kIdentityFileBytes);
  std::copy(kIdentityMagic.begin(), kIdentityMagic.end(), file.begin());
  file[kIdentityMagic.size()] = kIdentityFileVersion;
  std::copy(seed.begin(), seed.end(), file.begin() + kIdentityHeaderBytes);
  const core::Hash256 checksum =
      core::blake2b_256(std::span(file).first(kIdentityChecksummedBytes));
  std::copy(checksum.begin(), checksum.end(), file.begin() + kIdentityChecksummedBytes);
  return file;
}

core::Result<Identity> decode_identity_file(ByteView file) {
  if (file.size() < kIdentityHeaderBytes ||
      !std::equal(kIdentityMagic.begin(), kIdentityMagic.end(), file.begin())) {
    return Errc::identity_corrupt;
  }
  // The version is judged before the length: a later version may well be longer.
  if (file[kIdentityMagic.size()] != kIdentityFileVersion) {
    return Errc::identity_unsupported_version;
  }
  if (file.size() != kIdentityFileBytes) {
    return Errc::identity_corrupt;
  }
  const core::Hash256 checksum = core::blake2b_256(file.first(kIdentityChecksummedBytes));
  if (!std::equal(checksum.begin(), checksum.end(), file.begin() + kIdentityChecksummedBytes)) {
    return Errc::identity_corrupt;
  }
  Key32 seed{};
  std::copy_n(file.begin() + kIdentityHeaderBytes, seed.size(), seed.begin());
  Identity identity = Identity::from_seed(seed);
  wipe(seed);
  return identity;
}

std::error_code read_error_to_identity_error(const std::error_code& error) {
  // An oversized file is not a key file of ours; everything else is a failure to read it.
  if (error == core::Errc::file_too_large) {
    return Errc::identity_corrupt;
  }
  return Errc::identity_unreadable;
}

// Reads and checks an existing identity file. file_not_found passes through unchanged so the
// caller can tell "nothing there yet" from every other failure.
core::Result<Identity> load_identity(const std::filesystem::path& path) {
  auto file = core::platform::read_small_file(path, kMaxIdentityFileBytes);
  if (!file) {
    if (file.error() == core::Errc::file_not_found) {
      return file.error();
    }
    return read_error_to_identity_error(file.error());
  }
  auto owner_only = core::platform::is_owner_only(path);
  if (!owner_only) {
    wipe(file.value());
    return Errc::identity_unreadable;
  }
  if (!owner_only.value()) {
    wipe(file.value());
    return Errc::identity_insecure_permissions;
  }
  auto identity = decode_identity_file(file.value());
  wipe(file.value());
  return identity;
}

} // namespace

// ----- PeerId --------------------------------------------------------------------------------

core::Result<PeerId> PeerId::parse(std::string_view text) {
  if (text.size() != kPeerIdTextLength) {
    return Errc::invalid_peer_id;
  }
  std::array<std::uint8_t, kPeerIdBytes> bytes{};
  std::size_t out = 0;
  std::uint32_t buffer = 0;
  unsigned bits = 0;
  for (const char c : text) {
    const int value = core::base32_digit_value(c);
    if (value < 0) {
      return Errc::invalid_peer_id;
    }
    buffer = (buffer << 5U) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[out++] = static_cast<std::uint8_t>(buffer >> bits);
      buffer &= (1U << bits) - 1U;
    }
  }
  // 52 characters carry 260 bits; the 4 left over must be zero or one ID would have 16
  // spellings.
  if (buffer != 0) {
    return Errc::invalid_peer_id;
  }
  return PeerId{bytes};
}

std::string PeerId::to_string() const {
  std::string text;
  text.reserve(kPeerIdTextLength);
  std::uint32_t buffer = 0;
  unsigned bits = 0;
  for (const std::uint8_t byte : bytes_) {
    buffer = (buffer << 8U) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text.push_back(kBase32Alphabet[(buffer >> bits) & 31U]);
    }
    buffer &= (1U << bits) - 1U;
  }
  if (bits > 0) {
    text.push_back(kBase32Alphabet[(buffer << (5U - bits)) & 31U]);
  }
  return text;
}

std::string PeerId::to_short_string() const { return to_string().substr(0, kPeerIdShortLength); }

std::size_t PeerId::hash_value() const noexcept {
  static const auto key = [] {
    init();
    std::array<std::uint8_t, crypto_shorthash_KEYBYTES> k{};
    crypto_shorthash_keygen(k.data());
    return k;
  }();
  std::array<std::uint8_t, crypto_shorthash_BYTES> digest{};
  crypto_shorthash(digest.data(), bytes_.data(), bytes_.size(), key.data());
  std::size_t value = 0;
  std::memcpy(&value, digest.data(), std::min(sizeof value, digest.size()));
  return value;
}

bool verify_signature(const PeerId& signer, ByteView message, const Signature& signature) noexcept {
  init();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     signer.bytes().data()) == 0;
}

// ----- Identity ------------------------------------------------------------------------------

Identity::Identity(const SecretKey& secret, const PeerId& peer_id) noexcept
    : secret_(secret), peer_id_(peer_id) {}

Identity Identity::generate() {
  init();
  Key32 seed{};
  randombytes_buf(seed.data(), seed.size());
  Identity identity = from_seed(seed);
  wipe(seed);
  return identity;
}

Identity Identity::from_seed(const Key32& seed) {
  init();
  std::array<std::uint8_t, kPeerIdBytes> public_key{};
  SecretKey secret{};
  // Cannot fail in libsodium: every 32-byte seed gives a valid key pair.
  crypto_sign_seed_keypair(public_key.data(), secret.data(), seed.data());
  Identity identity{secret, PeerId{public_key}};
  wipe(secret);
  return identity;
}

Identity::Identity(Identity&& other) noexcept : secret_(other.secret_), peer_id_(other.peer_id_) {
  wipe(other.secret_);
}

Identity& Identity::operator=(Identity&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    peer_id_ = other.peer_id_;
    wipe(other.secret_);
  }
  return *this;
}

Identity::~Identity() { wipe(secret_); }

Signature Identity::sign(ByteView message) const {
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_.data());
  return signature;
}

// ----- identity.key --------------------------------------------------------------------------

std::filesystem::path identity_file_path(const std::filesystem::path& data_dir) {
  return data_dir / kIdentityFileName;
}

core::Result<Identity> load_or_create_identity(const std::filesystem::path& data_dir) {
  init();
  const auto path = identity_file_path(data_dir);
  auto loaded = load_identity(path);
  if (loaded || loaded.error() != core::Errc::file_not_found) {
    return loaded;
  }
  // open() said "not found", but that also covers a dangling symbolic link or a symlink
  // loop; writing would replace the link. Create only when the name is truly unused.
  std::error_code ignored;
  if (std::filesystem::symlink_status(path, ignored).type() !=
      std::filesystem::file_type::not_found) {
    return Errc::identity_unreadable;
  }
  if (auto created = core::platform::create_private_dir(data_dir); !created) {
    return created.error();
  }
  Key32 seed{};
  randombytes_buf(seed.data(), seed.size());
  Bytes file = encode_identity_file(seed);
  wipe(seed);
  auto written = core::platform::write_private_file_atomically(path, file);
  wipe(file);
  if (!written) {
    return written.error();
  }
  // Reading it back proves the file is usable before anyone learns the new Peer ID.
  auto reloaded = load_identity(path);
  if (!reloaded && reloaded.error() == core::Errc::file_not_found) {
    return Errc::identity_unreadable;
  }
  return reloaded;
}

} // namespace swarmshare::crypto
