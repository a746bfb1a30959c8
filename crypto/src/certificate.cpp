#include "swarmshare/crypto/certificate.hpp"

#include <limits>

namespace swarmshare::crypto {
namespace {

std::uint64_t seconds_of(std::chrono::seconds duration) noexcept {
  return static_cast<std::uint64_t>(duration.count());
}

// Expiries come from the network, so sums with them must not wrap around.
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
  return a > std::numeric_limits<std::uint64_t>::max() - b
             ? std::numeric_limits<std::uint64_t>::max()
             : a + b;
}

} // namespace

std::uint64_t to_unix_seconds(std::chrono::system_clock::time_point time) noexcept {
  // C++20 fixes system_clock's epoch to the unix epoch.
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
  return seconds < 0 ? 0 : static_cast<std::uint64_t>(seconds);
}

// ----- NetworkId -----------------------------------------------------------------------------

NetworkId NetworkId::from_name(std::string_view name) noexcept {
  return NetworkId{
      core::blake2b_256({reinterpret_cast<const std::uint8_t*>(name.data()), name.size()})};
}

NetworkId NetworkId::public_network() noexcept { return from_name(kDefaultNetworkName); }

std::string NetworkId::to_hex() const { return core::to_hex(bytes_); }

// ----- Certificates --------------------------------------------------------------------------

Bytes certificate_signed_message(const NetworkId& network, const Key32& static_public_key,
                                 std::uint64_t expiry_unix_seconds) {
  Bytes message;
  message.reserve(kCertificateLabel.size() + network.bytes().size() + static_public_key.size() + 8);
  message.insert(message.end(), kCertificateLabel.begin(), kCertificateLabel.end());
  message.insert(message.end(), network.bytes().begin(), network.bytes().end());
  message.insert(message.end(), static_public_key.begin(), static_public_key.end());
  for (int shift = 56; shift >= 0; shift -= 8) {
    message.push_back(static_cast<std::uint8_t>(expiry_unix_seconds >> shift));
  }
  return message;
}

StaticKeyCertificate certify_static_key(const Identity& identity, const NetworkId& network,
                                        const Key32& static_public_key,
                                        std::uint64_t expiry_unix_seconds) {
  const Bytes message = certificate_signed_message(network, static_public_key, expiry_unix_seconds);
  return StaticKeyCertificate{identity.peer_id(), static_public_key, expiry_unix_seconds,
                              identity.sign(message)};
}

core::Status verify_static_key_certificate(const StaticKeyCertificate& certificate,
                                           const NetworkId& network, const Key32& remote_static,
                                           std::chrono::system_clock::time_point now) {
  if (certificate.static_public_key != remote_static) {
    return Errc::certificate_key_mismatch;
  }
  const Bytes message = certificate_signed_message(network, certificate.static_public_key,
                                                   certificate.expiry_unix_seconds);
  if (!verify_signature(certificate.identity, message, certificate.signature)) {
    return Errc::certificate_bad_signature;
  }
  const std::uint64_t now_seconds = to_unix_seconds(now);
  if (certificate.expiry_unix_seconds >
      saturating_add(now_seconds, seconds_of(kCertificateValidity + kCertificateClockSkew))) {
    return Errc::certificate_expiry_too_far;
  }
  if (now_seconds >
      saturating_add(certificate.expiry_unix_seconds, seconds_of(kCertificateClockSkew))) {
    return Errc::certificate_expired;
  }
  return boost::outcome_v2::success();
}

// ----- StaticKeyManager ----------------------------------------------------------------------

StaticKeyManager::StaticKeyManager(const Identity& identity, const NetworkId& network,
                                   const core::Clock& clock)
    : identity_(identity), network_(network), clock_(clock),
      current_(issue(to_unix_seconds(clock.system_now()))) {}

CertifiedStaticKey StaticKeyManager::issue(std::uint64_t now) const {
  KeyPair key_pair = KeyPair::generate();
  const std::uint64_t expiry = saturating_add(now, seconds_of(kCertificateValidity));
  StaticKeyCertificate certificate =
      certify_static_key(identity_, network_, key_pair.public_key(), expiry);
  return CertifiedStaticKey{std::move(key_pair), certificate, network_};
}

CertifiedStaticKey StaticKeyManager::current() {
  const std::uint64_t now = to_unix_seconds(clock_.system_now());
  const std::lock_guard lock(mutex_);
  const std::uint64_t expiry = current_->certificate.expiry_unix_seconds;
  const bool nearly_expired = saturating_add(now, seconds_of(kCertificateRenewBefore)) > expiry;
  const bool too_far_ahead = expiry > saturating_add(now, seconds_of(kCertificateValidity));
  if (nearly_expired || too_far_ahead) {
    current_ = issue(now);
  }
  return *current_;
}

} // namespace swarmshare::crypto
