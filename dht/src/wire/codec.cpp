#include "wire/codec.hpp"

#include "swarmshare/core/file_name.hpp"

#include <algorithm>
#include <limits>

namespace swarmshare::dht::wire {

void pack_endpoint(Packer& packer, const core::Endpoint& endpoint) {
  require(endpoint.port() != 0);
  core::pack_endpoint(packer, endpoint);
}

void pack_contact(Packer& packer, const NodeContact& contact) {
  packer.pack_array(2);
  pack_bin(packer, contact.peer.bytes());
  pack_endpoint(packer, contact.endpoint);
}

void pack_peer_record_fields(Packer& packer, const PeerRecord& record) {
  require(!record.endpoints.empty() && record.endpoints.size() <= kMaxPeerRecordEndpoints);
  pack_bin(packer, record.peer.bytes());
  pack_bin(packer, record.file_id.bytes());
  packer.pack_array(static_cast<std::uint32_t>(record.endpoints.size()));
  for (const auto& endpoint : record.endpoints) {
    pack_endpoint(packer, endpoint);
  }
  packer.pack_uint64(record.issued);
}

void pack_peer_record(Packer& packer, const PeerRecord& record) {
  packer.pack_array(5);
  pack_peer_record_fields(packer, record);
  pack_bin(packer, record.signature);
}

void pack_signed_record_fields(Packer& packer, const SignedRecord& record) {
  require(record.salt.size() <= kMaxRecordSaltBytes);
  require(record.value.size() <= kMaxRecordValueBytes);
  pack_bin(packer, record.signer.bytes());
  pack_bin(packer, record.target.bytes());
  pack_bin(packer, record.salt);
  packer.pack_uint64(record.seq);
  pack_bin(packer, record.value);
}

void pack_signed_record(Packer& packer, const SignedRecord& record) {
  packer.pack_array(6);
  pack_signed_record_fields(packer, record);
  pack_bin(packer, record.signature);
}

// ---- Reader ----

std::span<const Object> Reader::fields(const Object& object, std::size_t count) const {
  if (object.type != msgpack::type::ARRAY) {
    malformed();
  }
  const std::size_t size = object.via.array.size;
  if (size < count || (size > count && !lenient_)) {
    malformed();
  }
  return {object.via.array.ptr, count};
}

std::span<const Object> Reader::exact_fields(const Object& object, std::size_t count) const {
  if (object.type != msgpack::type::ARRAY || object.via.array.size != count) {
    malformed();
  }
  return {object.via.array.ptr, count};
}

std::span<const Object> Reader::list(const Object& object, std::size_t max) const {
  if (object.type != msgpack::type::ARRAY) {
    malformed();
  }
  if (object.via.array.size > max) {
    fail(Errc::limit_exceeded);
  }
  return {object.via.array.ptr, object.via.array.size};
}

std::uint64_t Reader::uint(const Object& object, std::uint64_t max) const {
  if (object.type != msgpack::type::POSITIVE_INTEGER || object.via.u64 > max) {
    malformed();
  }
  return object.via.u64;
}

std::span<const std::uint8_t> Reader::bin(const Object& object, std::size_t max) const {
  if (object.type != msgpack::type::BIN) {
    malformed();
  }
  if (object.via.bin.size > max) {
    fail(Errc::limit_exceeded);
  }
  return {reinterpret_cast<const std::uint8_t*>(object.via.bin.ptr), object.via.bin.size};
}

void Reader::bin_exact(const Object& object, std::span<std::uint8_t> out) const {
  const auto view = bin(object, std::numeric_limits<std::size_t>::max());
  if (view.size() != out.size()) {
    malformed();
  }
  std::copy(view.begin(), view.end(), out.begin());
}

std::string Reader::text(const Object& object, std::size_t max) const {
  if (object.type != msgpack::type::STR) {
    malformed();
  }
  if (object.via.str.size > max) {
    fail(Errc::limit_exceeded);
  }
  std::string value(object.via.str.ptr, object.via.str.size);
  if (!core::is_valid_utf8(value)) {
    malformed();
  }
  return value;
}

crypto::PeerId Reader::peer_id(const Object& object) const {
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  bin_exact(object, key);
  return crypto::PeerId{key};
}

NodeId Reader::node_id(const Object& object) const {
  NodeId::Bytes bytes{};
  bin_exact(object, bytes);
  return NodeId{bytes};
}

core::FileId Reader::file_id(const Object& object) const {
  core::Hash256 digest{};
  bin_exact(object, digest);
  return core::FileId{digest};
}

core::Endpoint Reader::endpoint(const Object& object) const {
  const auto f = exact_fields(object, 2);
  // Any other length is a malformed endpoint, not an over-long one: from_bytes refuses it.
  const auto address = bin(f[0], std::numeric_limits<std::size_t>::max());
  const auto port = uint(f[1], std::numeric_limits<std::uint16_t>::max());
  if (port == 0) {
    malformed();
  }
  auto endpoint = core::Endpoint::from_bytes(address, static_cast<std::uint16_t>(port));
  if (!endpoint) {
    malformed();
  }
  return endpoint.value();
}

NodeContact Reader::contact(const Object& object) const {
  const auto f = exact_fields(object, 2);
  const auto peer = peer_id(f[0]);
  return NodeContact::of(peer, endpoint(f[1]));
}

PeerRecord Reader::peer_record(const Object& object) const {
  const auto f = exact_fields(object, 5);
  PeerRecord record;
  record.peer = peer_id(f[0]);
  record.file_id = file_id(f[1]);
  const auto endpoints = list(f[2], kMaxPeerRecordEndpoints);
  if (endpoints.empty()) {
    malformed();
  }
  record.endpoints.reserve(endpoints.size());
  for (const auto& e : endpoints) {
    record.endpoints.push_back(endpoint(e));
  }
  record.issued = uint(f[3], std::numeric_limits<std::uint64_t>::max());
  bin_exact(f[4], record.signature);
  return record;
}

SignedRecord Reader::signed_record(const Object& object) const {
  const auto f = exact_fields(object, 6);
  SignedRecord record;
  record.signer = peer_id(f[0]);
  record.target = node_id(f[1]);
  const auto salt = bin(f[2], kMaxRecordSaltBytes);
  record.salt.assign(salt.begin(), salt.end());
  record.seq = uint(f[3], std::numeric_limits<std::uint64_t>::max());
  const auto value = bin(f[4], kMaxRecordValueBytes);
  record.value.assign(value.begin(), value.end());
  bin_exact(f[5], record.signature);
  return record;
}

} // namespace swarmshare::dht::wire
