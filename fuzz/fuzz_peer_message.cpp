// Fuzzes the peer wire decoder (transfer::wire::decode) as a connection runs it: the input is
// the plaintext of one secure-channel record from a peer.
//
// Must never crash. Also checked: a refusal is one of the decoder's own codes; a message
// that is ignored really has a type this build does not know; whatever decodes re-encodes
// (the encoder accepts everything the decoder does) to bytes that decode to an equal message
// (nothing is lost); a manifest message goes through decode_manifest without crashing.
//
// Seeds: fuzz/seeds/peer_message/ (one small message of most types); the fuzzer also finds
// the small types from an empty corpus within seconds.

#include "swarmshare/core/msgpack_io.hpp"
#include "swarmshare/transfer/wire.hpp"

#include <cstdlib>

namespace {

using namespace swarmshare;
using namespace swarmshare::transfer;

void check_refusal(const std::error_code& error) {
  if (error != Errc::message_malformed && error != Errc::limit_exceeded &&
      error != Errc::invalid_bitfield) {
    std::abort();
  }
}

void check_ignored(std::span<const std::uint8_t> input) {
  // The decoder accepted the envelope, so a permissive unpack succeeds too.
  auto handle = core::unpack_exactly(input, core::UnpackLimits{}, core::Errc::frame_malformed);
  if (!handle) {
    std::abort();
  }
  std::uint64_t type = 0;
  const msgpack::object& root = handle.value().get();
  if (root.type != msgpack::type::ARRAY || root.via.array.size == 0 ||
      !core::read_uint(root.via.array.ptr[0], type)) {
    std::abort();
  }
  if (type == 0 || type > 0xFFFF ||
      wire::message_name(static_cast<wire::MessageType>(type)) != std::string_view{"unknown"}) {
    std::abort(); // a known type must decode or be refused, never be ignored
  }
}

void check_round_trip(const wire::Message& message) {
  auto bytes = wire::encode(message);
  if (!bytes) {
    std::abort(); // accepted something we would refuse to send
  }
  auto again = wire::decode(bytes.value());
  if (!again || !again.value() || *again.value() != message) {
    std::abort();
  }
  if (const auto* reply = std::get_if<wire::ManifestReply>(&message)) {
    (void)wire::decode_manifest(*reply, core::FileId{});
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input{data, size};
  auto decoded = wire::decode(input);
  if (!decoded) {
    check_refusal(decoded.error());
  } else if (!decoded.value()) {
    check_ignored(input);
  } else {
    check_round_trip(*decoded.value());
  }
  return 0;
}
