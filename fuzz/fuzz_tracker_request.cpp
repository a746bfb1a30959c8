// Fuzzes the tracker's request decoder as the server runs it: the input is a byte stream
// from a client (after the secure channel), fed to a core::FrameDecoder with the server's
// limits, and each message to tracker::protocol::decode_request.
//
// Must never crash. Also checked: whatever decodes re-encodes to a frame that decodes to an
// equal request (the encoder accepts everything the decoder does, and nothing is lost), and
// a refused request never maps to a wire error other than malformed_request/limit_exceeded.
//
// Seeds (fuzz/seeds/tracker/) are one valid frame of each request type. To regenerate them,
// from the source root:
//   SWARMSHARE_WRITE_TRACKER_SEEDS=fuzz/seeds/tracker
//     <build>/bin/tracker_protocol_tests --gtest_filter='TrackerProtocolFuzzSeeds.*'
// (one command line; see tests/tracker/protocol_test.cpp).

#include "swarmshare/tracker/protocol.hpp"

#include <cstdlib>

namespace {

using namespace swarmshare;
using namespace swarmshare::tracker::protocol;

void check(const core::Message& message) {
  auto request = decode_request(message);
  if (!request) {
    const ErrorCode code = wire_error_for(request.error());
    if (code != ErrorCode::malformed_request && code != ErrorCode::limit_exceeded) {
      std::abort();
    }
    (void)peek_request_id(message);
    return;
  }
  if (!request.value()) {
    if (is_request_type(message.type)) {
      std::abort(); // a known type must decode or be refused, never be ignored
    }
    return;
  }
  const Request& decoded = *request.value();
  if (message_type(decoded) != message.type) {
    std::abort();
  }
  auto frame = encode_request(decoded);
  if (!frame) {
    std::abort(); // accepted something we would refuse to send
  }
  std::vector<core::Message> again;
  core::FrameDecoder decoder(server_frame_limits());
  auto fed =
      decoder.feed(frame.value(), [&again](core::Message&& m) { again.push_back(std::move(m)); });
  if (!fed || again.size() != 1) {
    std::abort();
  }
  auto redecoded = decode_request(again.front());
  if (!redecoded || !redecoded.value() || *redecoded.value() != decoded) {
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const core::FrameLimits limits = server_frame_limits();
  core::FrameDecoder decoder(limits);
  auto status = decoder.feed({data, size}, [](core::Message&& message) { check(message); });
  (void)status;
  (void)decoder.finish();
  return 0;
}
