#include "swarmshare/crypto/secure_handshake.hpp"

#include "swarmshare/core/msgpack_io.hpp"

#include <msgpack.hpp>

#include <algorithm>
#include <cstring>
#include <utility>

namespace swarmshare::crypto {
namespace {

// The payload is a msgpack array of exactly these fields, in this order.
enum PayloadField : std::uint32_t {
  kPayloadVersion,
  kPayloadIdentity,
  kPayloadExpiry,
  kPayloadSignature,
  kPayloadFieldCount
};

template <std::size_t N>
bool read_bin(const msgpack::object& object, std::array<std::uint8_t, N>& out) {
  if (object.type != msgpack::type::BIN || object.via.bin.size != N) {
    return false;
  }
  std::memcpy(out.data(), object.via.bin.ptr, N);
  return true;
}

} // namespace

Bytes make_prologue(const NetworkId& network, std::uint16_t version) {
  Bytes prologue;
  prologue.reserve(kPrologueLabel.size() + 2 + network.bytes().size());
  prologue.insert(prologue.end(), kPrologueLabel.begin(), kPrologueLabel.end());
  prologue.push_back(static_cast<std::uint8_t>(version >> 8U));
  prologue.push_back(static_cast<std::uint8_t>(version & 0xFFU));
  prologue.insert(prologue.end(), network.bytes().begin(), network.bytes().end());
  return prologue;
}

// ----- HandshakePayload ----------------------------------------------------------------------

Bytes HandshakePayload::encode() const {
  Bytes out;
  out.reserve(128);
  core::ByteVectorSink sink{out};
  msgpack::packer<core::ByteVectorSink> packer(sink);
  // msgpack-c picks the shortest form for integers and binaries: the canonical encoding.
  packer.pack_array(kPayloadFieldCount);
  packer.pack_uint64(kHandshakePayloadVersion);
  core::pack_bin(packer, identity.bytes());
  packer.pack_uint64(expiry_unix_seconds);
  core::pack_bin(packer, signature);
  return out;
}

core::Result<HandshakePayload> HandshakePayload::decode(ByteView bytes) {
  if (bytes.size() > kMaxHandshakePayloadBytes) {
    return Errc::handshake_payload_malformed;
  }
  core::UnpackLimits limits;
  limits.max_array_elements = kPayloadFieldCount;
  limits.max_map_entries = 0;
  limits.max_string_bytes = 0;
  limits.max_binary_bytes = kSignatureBytes;
  limits.max_depth = 1;
  // The core decoder reports a core::Errc; any such failure is simply a malformed payload.
  auto handle = core::unpack_exactly(bytes, limits, core::Errc::frame_malformed);
  if (!handle) {
    return Errc::handshake_payload_malformed;
  }
  const msgpack::object& root = handle.value().get();
  if (root.type != msgpack::type::ARRAY || root.via.array.size != kPayloadFieldCount) {
    return Errc::handshake_payload_malformed;
  }
  const msgpack::object* fields = root.via.array.ptr;
  std::uint64_t version = 0;
  std::array<std::uint8_t, kPeerIdBytes> identity{};
  HandshakePayload payload{PeerId{identity}};
  if (!core::read_uint(fields[kPayloadVersion], version) || version != kHandshakePayloadVersion ||
      !read_bin(fields[kPayloadIdentity], identity) ||
      !core::read_uint(fields[kPayloadExpiry], payload.expiry_unix_seconds) ||
      !read_bin(fields[kPayloadSignature], payload.signature)) {
    return Errc::handshake_payload_malformed;
  }
  payload.identity = PeerId{identity};
  // One encoding per value: a wider integer or a longer length prefix is refused, so the
  // transcript a peer signs up to can only be spelled one way.
  const Bytes canonical = payload.encode();
  if (!std::equal(bytes.begin(), bytes.end(), canonical.begin(), canonical.end())) {
    return Errc::handshake_payload_malformed;
  }
  return payload;
}

// ----- SecureHandshake -----------------------------------------------------------------------

SecureHandshake::SecureHandshake(Role role, CertifiedStaticKey local, const core::Clock& clock,
                                 std::optional<PeerId> expected_peer,
                                 std::optional<KeyPair> ephemeral)
    : noise_(role, std::move(local.key_pair), make_prologue(local.network), std::move(ephemeral)),
      local_certificate_(local.certificate), network_(local.network), clock_(&clock),
      expected_peer_(expected_peer),
      stage_(role == Role::initiator ? Stage::initiator_start : Stage::await_message_1) {}

SecureHandshake SecureHandshake::initiator(CertifiedStaticKey local, const core::Clock& clock,
                                           std::optional<PeerId> expected_peer,
                                           std::optional<KeyPair> ephemeral) {
  return SecureHandshake{Role::initiator, std::move(local), clock, expected_peer,
                         std::move(ephemeral)};
}

SecureHandshake SecureHandshake::responder(CertifiedStaticKey local, const core::Clock& clock,
                                           std::optional<KeyPair> ephemeral) {
  return SecureHandshake{Role::responder, std::move(local), clock, std::nullopt,
                         std::move(ephemeral)};
}

std::error_code SecureHandshake::fail(std::error_code reason) noexcept {
  // Keep the first reason: later calls only report that the handshake is already dead.
  if (stage_ != Stage::failed) {
    failure_reason_ = reason;
    stage_ = Stage::failed;
  }
  return Errc::handshake_failed;
}

Bytes SecureHandshake::local_payload() const {
  return HandshakePayload{local_certificate_.identity, local_certificate_.expiry_unix_seconds,
                          local_certificate_.signature}
      .encode();
}

core::Status SecureHandshake::accept_peer(ByteView payload) {
  auto decoded = HandshakePayload::decode(payload);
  if (!decoded) {
    return decoded.error();
  }
  // The Noise message just proved the peer holds this key's secret; the certificate must be
  // for exactly this key.
  const std::optional<Key32>& remote_static = noise_.remote_static();
  if (!remote_static) {
    return Errc::handshake_failed; // unreachable: XX sends s in messages 2 and 3
  }
  StaticKeyCertificate certificate{decoded.value().identity, *remote_static,
                                   decoded.value().expiry_unix_seconds, decoded.value().signature};
  if (auto valid = verify_static_key_certificate(certificate, network_, *remote_static,
                                                 clock_->system_now());
      !valid) {
    return valid.error();
  }
  // Checked after the certificate, so unexpected_peer means a genuine other peer answered.
  if (expected_peer_ && certificate.identity != *expected_peer_) {
    return Errc::unexpected_peer;
  }
  peer_certificate_ = certificate;
  return boost::outcome_v2::success();
}

core::Result<Bytes> SecureHandshake::start() {
  if (stage_ != Stage::initiator_start) {
    return fail(Errc::out_of_order);
  }
  auto message_1 = noise_.write_message({});
  if (!message_1) {
    return fail(message_1.error());
  }
  stage_ = Stage::await_message_2;
  return message_1;
}

core::Result<HandshakeStep> SecureHandshake::on_message(ByteView message) {
  switch (stage_) {
  case Stage::await_message_1: {
    auto payload = noise_.read_message(message);
    if (!payload) {
      return fail(payload.error());
    }
    // Message 1 is cleartext; nothing may ride on it that a later version would have to
    // keep accepting.
    if (!payload.value().empty()) {
      return fail(Errc::handshake_payload_malformed);
    }
    auto message_2 = noise_.write_message(local_payload());
    if (!message_2) {
      return fail(message_2.error());
    }
    stage_ = Stage::await_message_3;
    return HandshakeStep{std::move(message_2).value(), false};
  }
  case Stage::await_message_2: {
    auto payload = noise_.read_message(message);
    if (!payload) {
      return fail(payload.error());
    }
    // Everything about the responder is settled before message 3 exists: message 3 carries
    // our identity, which only the peer we meant to reach may learn.
    if (auto accepted = accept_peer(payload.value()); !accepted) {
      return fail(accepted.error());
    }
    auto message_3 = noise_.write_message(local_payload());
    if (!message_3) {
      return fail(message_3.error());
    }
    stage_ = Stage::complete;
    return HandshakeStep{std::move(message_3).value(), true};
  }
  case Stage::await_message_3: {
    auto payload = noise_.read_message(message);
    if (!payload) {
      return fail(payload.error());
    }
    if (auto accepted = accept_peer(payload.value()); !accepted) {
      return fail(accepted.error());
    }
    stage_ = Stage::complete;
    return HandshakeStep{{}, true};
  }
  case Stage::failed: return Errc::handshake_failed;
  case Stage::initiator_start:
  case Stage::complete: break;
  }
  return fail(Errc::out_of_order);
}

core::Result<PeerId> SecureHandshake::peer_id() const {
  if (!is_complete()) {
    return Errc::out_of_order;
  }
  return peer_certificate_->identity;
}

core::Result<std::uint64_t> SecureHandshake::peer_certificate_expiry() const {
  if (!is_complete()) {
    return Errc::out_of_order;
  }
  return peer_certificate_->expiry_unix_seconds;
}

core::Result<Hash64> SecureHandshake::handshake_hash() const {
  if (!is_complete()) {
    return Errc::out_of_order;
  }
  return noise_.handshake_hash();
}

core::Result<TransportKeys> SecureHandshake::split_keys() {
  if (!is_complete()) {
    return Errc::out_of_order;
  }
  return noise_.split_keys();
}

} // namespace swarmshare::crypto
