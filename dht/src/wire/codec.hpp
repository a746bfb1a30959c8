#pragma once
// Internal to dht/src/wire: the msgpack pieces that messages and records share.
//
// Decoding and encoding throw Failure inside the wire sources only, which keeps each
// decoder a straight list of fields; every public function catches it and returns the code.

#include "swarmshare/core/msgpack_io.hpp"
#include "swarmshare/dht/contact.hpp"
#include "swarmshare/dht/error.hpp"
#include "swarmshare/dht/records.hpp"

#include <msgpack.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace swarmshare::dht::wire {

using Packer = msgpack::packer<msgpack::sbuffer>;
using Object = msgpack::object;

struct Failure {
  Errc code;
};

[[noreturn]] inline void fail(Errc code) { throw Failure{code}; }

/// The encoder's check: a value a conforming receiver would refuse is never sent.
inline void require(bool condition) {
  if (!condition) {
    fail(Errc::invalid_message);
  }
}

[[nodiscard]] inline std::span<const std::uint8_t> bytes_of(const msgpack::sbuffer& buffer) {
  return {reinterpret_cast<const std::uint8_t*>(buffer.data()), buffer.size()};
}

using core::pack_bin;
/// A str (the caller has checked it is UTF-8 within its cap).
inline void pack_text(Packer& packer, std::string_view text) { core::pack_str(packer, text); }
/// [address (bin 4|16), port (uint 1..65535)]
void pack_endpoint(Packer& packer, const core::Endpoint& endpoint);
/// [peer_id (bin 32), endpoint]
void pack_contact(Packer& packer, const NodeContact& contact);
/// The signed part of a peer record: [peer, file_id, endpoints, issued].
void pack_peer_record_fields(Packer& packer, const PeerRecord& record);
/// The signed part followed by the signature, as one array of 5.
void pack_peer_record(Packer& packer, const PeerRecord& record);
/// The signed part of a signed record: [signer, target, salt, seq, value].
void pack_signed_record_fields(Packer& packer, const SignedRecord& record);
void pack_signed_record(Packer& packer, const SignedRecord& record);

/// Reads fields out of a decoded msgpack object, failing with `malformed` for any shape
/// other than the documented one and with limit_exceeded for a count over its maximum.
class Reader {
public:
  /// `lenient`: the message comes from a newer protocol version, which may append fields
  /// to the envelope and to bodies (never to records or endpoints).
  Reader(Errc malformed, bool lenient) noexcept : malformed_(malformed), lenient_(lenient) {}

  [[noreturn]] void malformed() const { fail(malformed_); }

  /// The first `count` elements of an array of exactly that many (or, lenient, at least).
  [[nodiscard]] std::span<const Object> fields(const Object& object, std::size_t count) const;
  /// Records and endpoints: never extended, so exact whatever the version.
  [[nodiscard]] std::span<const Object> exact_fields(const Object& object, std::size_t count) const;
  /// An array of at most `max` elements (limit_exceeded above, checked before anything).
  [[nodiscard]] std::span<const Object> list(const Object& object, std::size_t max) const;

  [[nodiscard]] std::uint64_t uint(const Object& object, std::uint64_t max) const;
  [[nodiscard]] std::span<const std::uint8_t> bin(const Object& object, std::size_t max) const;
  /// A bin of exactly `out.size()` bytes.
  void bin_exact(const Object& object, std::span<std::uint8_t> out) const;
  [[nodiscard]] std::string text(const Object& object, std::size_t max) const;

  [[nodiscard]] crypto::PeerId peer_id(const Object& object) const;
  [[nodiscard]] NodeId node_id(const Object& object) const;
  [[nodiscard]] core::FileId file_id(const Object& object) const;
  [[nodiscard]] core::Endpoint endpoint(const Object& object) const;
  [[nodiscard]] NodeContact contact(const Object& object) const;
  [[nodiscard]] PeerRecord peer_record(const Object& object) const;
  [[nodiscard]] SignedRecord signed_record(const Object& object) const;

private:
  Errc malformed_;
  bool lenient_;
};

} // namespace swarmshare::dht::wire
