#include "swarmshare/gui/chunk_bar.hpp"

#include <gtest/gtest.h>

#include <array>

namespace swarmshare::gui {
namespace {

TEST(ChunkBar, fewChunksStretchAcrossTheBar) {
  const std::array<std::uint8_t, 4> states{2, 2, 1, 0};
  EXPECT_EQ(chunk_bar(states, 8), (std::vector<ChunkSpan>{{0, 4, ChunkShade::verified},
                                                          {4, 6, ChunkShade::in_progress},
                                                          {6, 8, ChunkShade::missing}}));
}

TEST(ChunkBar, aPixelOfManyChunksIsVerifiedOnlyWhenAllAre) {
  std::vector<std::uint8_t> states(100, 2);
  states[5] = 0; // one missing chunk in the first pixel's ten
  const auto spans = chunk_bar(states, 10);
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(spans[0], (ChunkSpan{0, 1, ChunkShade::partial}));
  EXPECT_EQ(spans[1], (ChunkSpan{1, 10, ChunkShade::verified}));
}

TEST(ChunkBar, spansCoverTheWholeWidthWhateverTheRatio) {
  const std::vector<std::uint8_t> states(997, 0);
  for (const int width : {1, 3, 400, 997, 2000}) {
    const auto spans = chunk_bar(states, width);
    ASSERT_EQ(spans.size(), 1U) << width;
    EXPECT_EQ(spans[0], (ChunkSpan{0, width, ChunkShade::missing}));
  }
}

TEST(ChunkBar, nothingToDrawGivesNoSpans) {
  EXPECT_TRUE(chunk_bar({}, 100).empty());
  const std::array<std::uint8_t, 1> one{2};
  EXPECT_TRUE(chunk_bar(one, 0).empty());
}

TEST(AvailabilityBar, aPixelShowsItsRarestChunk) {
  std::vector<std::uint8_t> peers(100, 5);
  peers[3] = 0; // nobody has chunk 3: its pixel must say so, however wide the pixel
  const auto spans = availability_bar(peers, 10);
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(spans[0], (AvailabilitySpan{0, 1, 0}));
  EXPECT_EQ(spans[1], (AvailabilitySpan{1, 10, kAvailabilityLevels})); // 5 reads "3 or more"
}

TEST(AvailabilityBar, levelsZeroOneTwoAndMany) {
  const std::array<std::uint8_t, 4> peers{0, 1, 2, 200};
  EXPECT_EQ(availability_bar(peers, 4),
            (std::vector<AvailabilitySpan>{{0, 1, 0}, {1, 2, 1}, {2, 3, 2}, {3, 4, 3}}));
  EXPECT_TRUE(availability_bar({}, 4).empty());
}

} // namespace
} // namespace swarmshare::gui
