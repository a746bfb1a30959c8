// Fuzzes Manifest::decode. Beyond "no crash": whatever decodes must be canonical, so its
// own encoding must be byte-identical to the input and decode again to the same File ID.

#include "swarmshare/core/manifest.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using swarmshare::core::Manifest;
  const std::span<const std::uint8_t> input{data, size};
  auto manifest = Manifest::decode(input);
  if (!manifest) {
    return 0;
  }
  const auto& encoded = manifest.value().encoded();
  if (encoded.size() != size || !std::equal(encoded.begin(), encoded.end(), data)) {
    std::abort(); // accepted a non-canonical encoding
  }
  auto again = Manifest::decode(encoded);
  if (!again || again.value().file_id() != manifest.value().file_id()) {
    std::abort();
  }
  return 0;
}
