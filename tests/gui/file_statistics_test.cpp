#include "swarmshare/gui/file_statistics.hpp"

#include "gui_test_files.hpp"

#include <gtest/gtest.h>

namespace swarmshare::gui {
namespace {

client::LibraryEntry with_uploads(const std::string& name, std::uint64_t uploaded,
                                  std::uint64_t seconds) {
  auto entry = testing::make_entry(name, client::FileSource::shared, client::LibraryStatus::active);
  entry.statistics.bytes_uploaded = uploaded;
  entry.statistics.peers_served = uploaded / 1000;
  entry.statistics.seconds_seeded = seconds;
  return entry;
}

TEST(FileStatistics, mostUploadedComesFirstAndTiesGoByName) {
  FileStatisticsTable table;
  table.set_library({with_uploads("b.bin", 0, 10), with_uploads("c.bin", 5000, 20),
                     with_uploads("a.bin", 0, 30)});
  ASSERT_EQ(table.row_count(), 3U);
  EXPECT_EQ(table.cell(0, StatisticsColumn::name), "c.bin");
  EXPECT_EQ(table.cell(1, StatisticsColumn::name), "a.bin");
  EXPECT_EQ(table.cell(2, StatisticsColumn::name), "b.bin");
  EXPECT_EQ(table.total_seconds_seeded(), 60U);
}

TEST(FileStatistics, cellsReadAsPeopleRead) {
  FileStatisticsTable table;
  // make_entry's files are 600 KiB; twice that uploaded, seeded for two hours and seven
  // minutes.
  table.set_library({with_uploads("a.bin", 1200U * 1024U, 2 * 3600 + 7 * 60)});
  EXPECT_EQ(table.cell(0, StatisticsColumn::uploaded), "1.17 MiB");
  EXPECT_EQ(table.cell(0, StatisticsColumn::times_uploaded), "2.0 ×");
  EXPECT_EQ(table.cell(0, StatisticsColumn::peers_served), "1228");
  EXPECT_EQ(table.cell(0, StatisticsColumn::time_seeding), "2 h 07 min");
  EXPECT_EQ(column_title(StatisticsColumn::time_seeding), "Time seeding");
}

TEST(FileStatistics, chartShowsTheTopUploadsAgainstTheMost) {
  FileStatisticsTable table;
  table.set_library({with_uploads("small.bin", 1024, 0), with_uploads("big.bin", 4096, 0),
                     with_uploads("none.bin", 0, 0), with_uploads("mid.bin", 2048, 0)});
  const auto bars = table.top_uploads(2);
  ASSERT_EQ(bars.size(), 2U);
  EXPECT_EQ(bars[0], (UploadBar{"big.bin  4.00 KiB", 1.0}));
  EXPECT_EQ(bars[1], (UploadBar{"mid.bin  2.00 KiB", 0.5}));
  EXPECT_EQ(table.top_uploads(10).size(), 3U) << "a file with no uploads has no bar";
  FileStatisticsTable idle;
  idle.set_library({with_uploads("none.bin", 0, 0)});
  EXPECT_TRUE(idle.top_uploads(10).empty());
}

} // namespace
} // namespace swarmshare::gui
