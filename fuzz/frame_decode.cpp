// Fuzzes the stream framing: the input is cut into fragments (sizes taken from its first
// bytes) and fed to a FrameDecoder with small limits. The decoder must never buffer more
// than one frame, and every message it yields must carry a valid type.

#include "swarmshare/core/framing.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace swarmshare::core;
  if (size < 2) {
    return 0;
  }
  FrameLimits limits;
  limits.max_frame_bytes = 4096;
  limits.unpack.max_array_elements = 64;
  limits.unpack.max_map_entries = 64;
  limits.unpack.max_string_bytes = 1024;
  limits.unpack.max_binary_bytes = 1024;
  FrameDecoder decoder(limits);
  const std::size_t fragment = 1 + data[0] % 64U;
  std::span<const std::uint8_t> rest{data + 1, size - 1};
  while (!rest.empty()) {
    const auto piece = rest.first(std::min(fragment, rest.size()));
    rest = rest.subspan(piece.size());
    auto status = decoder.feed(piece, [](Message&& message) {
      if (type_value(message.type) == 0 || message.version < kMinWireVersion) {
        std::abort();
      }
    });
    if (decoder.buffered_bytes() > kFrameHeaderBytes + limits.max_frame_bytes) {
      std::abort();
    }
    if (!status) {
      break;
    }
  }
  (void)decoder.finish();
  return 0;
}
