#include "swarmshare/gui/shared_files.hpp"

#include "gui_test_files.hpp"

#include <gtest/gtest.h>

namespace swarmshare::gui {
namespace {

using client::FileSource;
using client::LibraryStatus;

TEST(SharedFiles, statusReadsAsTheUserSeesIt) {
  EXPECT_EQ(status_text(FileSource::shared, LibraryStatus::active), "Active");
  EXPECT_EQ(status_text(FileSource::downloaded, LibraryStatus::active), "Active (Downloaded)");
  EXPECT_EQ(status_text(FileSource::downloaded, LibraryStatus::paused), "Paused");
  EXPECT_EQ(status_text(FileSource::shared, LibraryStatus::missing), "Missing");
  EXPECT_EQ(status_text(FileSource::shared, LibraryStatus::changed), "Changed");
}

TEST(SharedFiles, rowsFromTheLibrarySortByNameAndShowEachColumn) {
  auto report = testing::make_entry("report.pdf", FileSource::shared, LibraryStatus::active);
  report.statistics.bytes_uploaded = 3 * 1024 * 1024;
  report.statistics.peers_served = 4;
  SharedFiles files;
  files.set_library(
      {report, testing::make_entry("album.zip", FileSource::downloaded, LibraryStatus::active)});

  ASSERT_EQ(files.row_count(), 2U);
  EXPECT_EQ(files.cell(0, SharedColumn::name), "album.zip");
  EXPECT_EQ(files.cell(0, SharedColumn::status), "Active (Downloaded)");
  EXPECT_EQ(files.cell(1, SharedColumn::name), "report.pdf");
  EXPECT_EQ(files.cell(1, SharedColumn::file_id), report.file_id().to_short_hex());
  EXPECT_EQ(files.cell(1, SharedColumn::size), "600 KiB");
  EXPECT_EQ(files.cell(1, SharedColumn::uploaded), "3.00 MiB");
  EXPECT_EQ(files.cell(1, SharedColumn::peers_served), "4");
  EXPECT_EQ(files.find(report.file_id()), 1U);
}

TEST(SharedFiles, aDownloadSharedAfterYesAppearsAsActiveDownloaded) {
  SharedFiles files;
  files.set_library({testing::make_entry("b.txt", FileSource::shared, LibraryStatus::active)});
  const auto manifest = testing::make_manifest("a.iso");
  client::ShareAdded added;
  added.file_id = manifest.file_id();
  added.name = "a.iso";
  added.path = "/home/user/Downloads/a.iso";
  added.size = manifest.file_size();
  added.downloaded = true;
  files.on_share_added(added);

  ASSERT_EQ(files.row_count(), 2U);
  const auto row = files.find(manifest.file_id());
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(*row, 0U) << "sorted by name";
  EXPECT_EQ(files.cell(*row, SharedColumn::status), "Active (Downloaded)");
  EXPECT_EQ(files.find(files.row(1).file_id), 1U) << "the other row's index follows the sort";
}

TEST(SharedFiles, aFileSharedAgainIsOneRowNotTwo) {
  SharedFiles files;
  files.set_library({testing::make_entry("a.txt", FileSource::shared, LibraryStatus::missing)});
  client::ShareAdded added;
  added.file_id = files.row(0).file_id;
  added.name = "a.txt";
  added.path = "/elsewhere/a.txt";
  files.on_share_added(added);
  ASSERT_EQ(files.row_count(), 1U);
  EXPECT_EQ(files.cell(0, SharedColumn::status), "Active");
  EXPECT_EQ(files.row(0).path, "/elsewhere/a.txt");
}

} // namespace
} // namespace swarmshare::gui

namespace swarmshare::gui {
namespace {

TEST(SharedFiles, aRenamedShareMovesToItsPlaceAndKeepsItsUploads) {
  auto moved = testing::make_entry("b.txt", FileSource::shared, LibraryStatus::active);
  moved.statistics.bytes_uploaded = 2048;
  SharedFiles files;
  files.set_library({testing::make_entry("a.txt", FileSource::shared, LibraryStatus::active), moved,
                     testing::make_entry("c.txt", FileSource::shared, LibraryStatus::active)});
  client::ShareAdded added;
  added.file_id = moved.file_id();
  added.name = "d.txt";
  added.path = "/elsewhere/d.txt";
  files.on_share_added(added);

  ASSERT_EQ(files.row_count(), 3U);
  EXPECT_EQ(files.cell(0, SharedColumn::name), "a.txt");
  EXPECT_EQ(files.cell(1, SharedColumn::name), "c.txt");
  EXPECT_EQ(files.cell(2, SharedColumn::name), "d.txt");
  EXPECT_EQ(files.cell(2, SharedColumn::uploaded), "2.00 KiB");
  for (std::size_t row = 0; row < files.row_count(); ++row) {
    EXPECT_EQ(files.find(files.row(row).file_id), row);
  }
}

} // namespace
} // namespace swarmshare::gui
