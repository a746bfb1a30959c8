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

// Runs of equal value over the pixels of a bar, each pixel the value `of` its chunks.
template <class Span, auto Member, class Value>
std::vector<Span> spans_over(std::span<const std::uint8_t> chunks, int width, Value of) {
  std::vector<Span> spans;
  if (width <= 0 || chunks.empty()) {
    return spans;
  }
  const std::size_t count = chunks.size();
  const auto pixels = static_cast<std::size_t>(width);
  for (std::size_t pixel = 0; pixel < pixels; ++pixel) {
    // The chunks under this pixel; with fewer chunks than pixels a chunk spans several.
    const std::size_t first = pixel * count / pixels;
    const std::size_t last = std::max(first + 1, (pixel + 1) * count / pixels);
    const auto value = of(chunks.subspan(first, last - first));
    if (!spans.empty() && spans.back().*Member == value) {
      spans.back().end = static_cast<int>(pixel + 1);
    } else {
      Span span;
      span.begin = static_cast<int>(pixel);
      span.end = static_cast<int>(pixel + 1);
      span.*Member = value;
      spans.push_back(span);
    }
  }
  return spans;
}

} // namespace

std::vector<ChunkSpan> chunk_bar(std::span<const std::uint8_t> chunk_states, int width) {
  return spans_over<ChunkSpan, &ChunkSpan::shade>(chunk_states, width, shade_of);
}

std::vector<AvailabilitySpan> availability_bar(std::span<const std::uint8_t> peer_counts,
                                               int width) {
  return spans_over<AvailabilitySpan, &AvailabilitySpan::peers>(
      peer_counts, width, [](std::span<const std::uint8_t> chunks) {
        const std::uint8_t rarest = *std::min_element(chunks.begin(), chunks.end());
        return std::min(rarest, kAvailabilityLevels);
      });
}

} // namespace swarmshare::gui
