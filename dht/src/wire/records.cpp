// Signing and checking peer records and generic signed records.

#include "swarmshare/dht/records.hpp"

#include "wire/codec.hpp"

#include <new>
#include <string_view>

namespace swarmshare::dht {
namespace {

// Domain labels: a signature made for one kind of record (or for a certificate, which has
// its own label) can never be presented as another kind.
constexpr std::string_view kPeerRecordLabel = "swarmshare dht peer record v1";
constexpr std::string_view kSignedRecordLabel = "swarmshare dht record v1";

// label | network ID | msgpack of the fields. The network keeps a record of a private
// group from being replayed into the public network, and the other way round.
template <class PackFields>
Bytes signed_message(std::string_view label, const crypto::NetworkId& network,
                     std::uint32_t field_count, PackFields pack_fields) {
  msgpack::sbuffer buffer;
  buffer.write(label.data(), label.size());
  buffer.write(reinterpret_cast<const char*>(network.bytes().data()), network.bytes().size());
  wire::Packer packer(buffer);
  packer.pack_array(field_count);
  pack_fields(packer);
  const auto bytes = wire::bytes_of(buffer);
  return {bytes.begin(), bytes.end()};
}

template <class Function>
auto guarded(Function function) -> decltype(function()) {
  try {
    return function();
  } catch (const wire::Failure& failure) {
    return failure.code;
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

} // namespace

Bytes peer_record_signed_message(const PeerRecord& record, const crypto::NetworkId& network) {
  return signed_message(kPeerRecordLabel, network, 4, [&record](wire::Packer& packer) {
    wire::pack_peer_record_fields(packer, record);
  });
}

Bytes signed_record_message(const SignedRecord& record, const crypto::NetworkId& network) {
  return signed_message(kSignedRecordLabel, network, 5, [&record](wire::Packer& packer) {
    wire::pack_signed_record_fields(packer, record);
  });
}

core::Result<PeerRecord> make_peer_record(const crypto::Identity& identity,
                                          const crypto::NetworkId& network,
                                          const core::FileId& file_id,
                                          std::vector<core::Endpoint> endpoints,
                                          const core::Clock& clock) {
  return guarded([&]() -> core::Result<PeerRecord> {
    PeerRecord record;
    record.peer = identity.peer_id();
    record.file_id = file_id;
    record.endpoints = std::move(endpoints);
    record.issued = crypto::to_unix_seconds(clock.system_now());
    record.signature = identity.sign(peer_record_signed_message(record, network));
    return record;
  });
}

core::Status verify_peer_record(const PeerRecord& record, const crypto::NetworkId& network,
                                const core::Clock& clock) noexcept {
  return guarded([&]() -> core::Status {
    // Cheap checks first: an expired record costs no signature verification.
    const std::uint64_t now = crypto::to_unix_seconds(clock.system_now());
    const auto lifetime = static_cast<std::uint64_t>(kPeerRecordLifetime.count());
    const auto skew = static_cast<std::uint64_t>(kMaxClockSkew.count());
    if (record.issued > now && record.issued - now > skew) {
      return Errc::record_from_future;
    }
    if (record.issued <= now && now - record.issued >= lifetime) {
      return Errc::record_expired;
    }
    const Bytes message = peer_record_signed_message(record, network);
    if (!crypto::verify_signature(record.peer, message, record.signature)) {
      return Errc::bad_signature;
    }
    return core::Status{boost::outcome_v2::success()};
  });
}

core::Result<SignedRecord> make_signed_record(const crypto::Identity& identity,
                                              const crypto::NetworkId& network,
                                              const NodeId& target, Bytes salt, std::uint64_t seq,
                                              Bytes value) {
  return guarded([&]() -> core::Result<SignedRecord> {
    SignedRecord record;
    record.signer = identity.peer_id();
    record.target = target;
    record.salt = std::move(salt);
    record.seq = seq;
    record.value = std::move(value);
    record.signature = identity.sign(signed_record_message(record, network));
    return record;
  });
}

core::Status verify_signed_record(const SignedRecord& record,
                                  const crypto::NetworkId& network) noexcept {
  return guarded([&]() -> core::Status {
    const Bytes message = signed_record_message(record, network);
    if (!crypto::verify_signature(record.signer, message, record.signature)) {
      return Errc::bad_signature;
    }
    return core::Status{boost::outcome_v2::success()};
  });
}

} // namespace swarmshare::dht
