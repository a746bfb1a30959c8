#pragma once
// The per-chunk availability bar of a download: every chunk's state (missing, in progress,
// verified) squeezed into the pixels of a bar. A file of 4,000 chunks in a bar of 400 pixels
// gives each pixel ten chunks; the pixel shows how many of them are verified, so a bar never
// claims more than the download has.
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

} // namespace swarmshare::gui
