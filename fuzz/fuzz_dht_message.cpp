// Fuzzes the DHT's datagram decoder as a node runs it: the input is one received UDP
// datagram, given to dht::decode_message for the public network.
//
// Must never crash. Also checked: whatever decodes re-encodes (unless it is larger than we
// send: the receive cap is above the send cap) to a datagram that decodes to an equal
// message, and a refusal is always one of the decoder's documented codes. Records inside
// are run through the signature and keyword checks, which must refuse, not crash.
//
// Seeds (fuzz/seeds/dht_message/) are one valid datagram of each message type. To
// regenerate them, from the source root:
//   SWARMSHARE_WRITE_DHT_SEEDS=fuzz/seeds/dht_message
//     <build>/bin/dht_wire_tests --gtest_filter='DhtFuzzSeeds.*'
// (one command line; see tests/dht/message_test.cpp).

#include "swarmshare/dht/message.hpp"

#include <cstdlib>

namespace {

using namespace swarmshare;
using namespace swarmshare::dht;

void exercise_records(const Message& message, const crypto::NetworkId& network) {
  static const core::ManualClock clock{
      std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}}};
  const auto check_peer = [&](const PeerRecord& record) {
    (void)verify_peer_record(record, network, clock);
  };
  const auto check_signed = [&](const SignedRecord& record) {
    (void)verify_signed_record(record, network);
    (void)read_keyword_record(record);
  };
  if (const auto* request = std::get_if<Request>(&message)) {
    if (const auto* announce = std::get_if<AnnouncePeerRequest>(&request->body)) {
      check_peer(announce->record);
    } else if (const auto* put = std::get_if<PutRequest>(&request->body)) {
      check_signed(put->record);
    }
    return;
  }
  const auto& reply = std::get<Reply>(message);
  if (const auto* peers = std::get_if<PeersReply>(&reply.body)) {
    for (const auto& record : peers->records) {
      check_peer(record);
    }
  } else if (const auto* values = std::get_if<ValuesReply>(&reply.body)) {
    for (const auto& record : values->records) {
      check_signed(record);
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const crypto::NetworkId network = crypto::NetworkId::public_network();
  auto message = decode_message({data, size}, network);
  if (!message) {
    const std::error_code error = message.error();
    if (error != Errc::datagram_too_large && error != Errc::malformed_message &&
        error != Errc::limit_exceeded && error != Errc::wrong_network &&
        error != Errc::unsupported_version && error != Errc::unknown_message_type) {
      std::abort();
    }
    return 0;
  }
  const Message& decoded = message.value();
  auto again = std::visit(
      [](const auto& m) -> core::Result<Bytes> {
        if constexpr (std::is_same_v<std::decay_t<decltype(m)>, Request>) {
          return encode_request(m, network);
        } else {
          return encode_reply(m, network);
        }
      },
      decoded);
  if (!again) {
    if (again.error() != Errc::message_too_large) {
      std::abort(); // accepted something we would refuse to send
    }
    exercise_records(decoded, network);
    return 0;
  }
  auto redecoded = decode_message(again.value(), network);
  if (!redecoded || redecoded.value() != decoded) {
    std::abort();
  }
  exercise_records(decoded, network);
  return 0;
}
