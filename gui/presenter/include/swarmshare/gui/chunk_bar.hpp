#pragma once
// The chunk bars of a download: every chunk's state (missing, in progress, verified), and
// how many connected peers have each chunk, squeezed into the pixels of a bar. A file of
// 4,000 chunks in a bar of 400 pixels gives each pixel ten chunks; the pixel shows how many
// of them are verified, and the rarest one's peers, so a bar never claims more than there is.
#include <cstdint>
#include <span>
#include <vector>

namespace swarmshare::gui {

enum class ChunkShade : std::uint8_t {
  missing,     ///< none of the pixel's chunks verified or in progress
  in_progress, ///< some requested or being verified, none verified
  partial,     ///< some verified, not all
  verified,    ///< every chunk of the pixel verified
};

/// One run of pixels of the same shade, [begin, end).
struct ChunkSpan {
  int begin = 0;
  int end = 0;
  ChunkShade shade = ChunkShade::missing;
  [[nodiscard]] bool operator==(const ChunkSpan&) const = default;
};

/// `chunk_states` as in transfer::DownloadProgress (0 missing, 1 in progress, 2 verified).
/// Spans cover [0, width) in order; none for width <= 0 or no chunks.
[[nodiscard]] std::vector<ChunkSpan> chunk_bar(std::span<const std::uint8_t> chunk_states,
                                               int width);

/// Availability levels drawn: 0, 1, 2 peers, and this many or more.
inline constexpr std::uint8_t kAvailabilityLevels = 3;

/// One run of pixels whose rarest chunk is held by `peers` connected peers (at most
/// kAvailabilityLevels, which stands for that many or more).
struct AvailabilitySpan {
  int begin = 0;
  int end = 0;
  std::uint8_t peers = 0;
  [[nodiscard]] bool operator==(const AvailabilitySpan&) const = default;
};

/// The availability bar: `peer_counts` as transfer::DownloadProgress::chunk_availability; a
/// pixel shows the rarest of its chunks, so a chunk nobody has never hides in a wide pixel.
[[nodiscard]] std::vector<AvailabilitySpan>
availability_bar(std::span<const std::uint8_t> peer_counts, int width);

} // namespace swarmshare::gui
