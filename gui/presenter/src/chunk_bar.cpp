#include "swarmshare/gui/chunk_bar.hpp"

#include <algorithm>
#include <cstddef>

namespace swarmshare::gui {
namespace {

constexpr std::uint8_t kInProgress = 1;
constexpr std::uint8_t kVerified = 2;

ChunkShade shade_of(std::span<const std::uint8_t> chunks) {
  std::size_t verified = 0;
  bool in_progress = false;
  for (const auto state : chunks) {
    verified += state == kVerified ? 1 : 0;
    in_progress = in_progress || state == kInProgress;
  }
  if (verified == chunks.size()) {
    return ChunkShade::verified;
  }
  if (verified > 0) {
    return ChunkShade::partial;
  }
  return in_progress ? ChunkShade::in_progress : ChunkShade::missing;
}

} // namespace

std::vector<ChunkSpan> chunk_bar(std::span<const std::uint8_t> chunk_states, int width) {
  std::vector<ChunkSpan> spans;
  if (width <= 0 || chunk_states.empty()) {
    return spans;
  }
  const std::size_t chunks = chunk_states.size();
  const auto pixels = static_cast<std::size_t>(width);
  for (std::size_t pixel = 0; pixel < pixels; ++pixel) {
    // The chunks under this pixel; with fewer chunks than pixels a chunk spans several.
    const std::size_t first = pixel * chunks / pixels;
    const std::size_t last = std::max(first + 1, (pixel + 1) * chunks / pixels);
    const ChunkShade shade = shade_of(chunk_states.subspan(first, last - first));
    if (!spans.empty() && spans.back().shade == shade) {
      spans.back().end = static_cast<int>(pixel + 1);
    } else {
      spans.push_back({static_cast<int>(pixel), static_cast<int>(pixel + 1), shade});
    }
  }
  return spans;
}

} // namespace swarmshare::gui
