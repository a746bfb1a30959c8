#pragma once
// The Statistics tab's per-file part: each shared file's uploads, peers served and time
// seeding, most uploaded first, and the bars of the chart of the files uploaded most.
#include "swarmshare/client/state_store.hpp"
#include "swarmshare/core/file_id.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace swarmshare::gui {

enum class StatisticsColumn { name, uploaded, times_uploaded, peers_served, time_seeding };

struct FileStatisticsRow {
  core::FileId file_id;
  std::string name;
  std::uint64_t size = 0;
  client::FileStatistics statistics;
};

/// A bar of the chart: a file and its uploads as a fraction of the most uploaded one's.
struct UploadBar {
  std::string label; ///< the name and its uploads, "holiday.bin 1.50 GiB"
  double fraction = 0;
  [[nodiscard]] bool operator==(const UploadBar&) const = default;
};

class FileStatisticsTable {
public:
  void set_library(const std::vector<client::LibraryEntry>& entries);

  [[nodiscard]] std::size_t row_count() const noexcept { return rows_.size(); }
  [[nodiscard]] const FileStatisticsRow& row(std::size_t index) const { return rows_.at(index); }
  /// "holiday.bin", "1.50 GiB", "3.2 ×" (uploads over the file's size), "12", "2 h 07 min".
  [[nodiscard]] std::string cell(std::size_t index, StatisticsColumn column) const;

  /// Time every file was seeded, added up.
  [[nodiscard]] std::uint64_t total_seconds_seeded() const noexcept;
  /// The `count` most uploaded files with anything uploaded, most first.
  [[nodiscard]] std::vector<UploadBar> top_uploads(std::size_t count) const;

private:
  std::vector<FileStatisticsRow> rows_;
};

[[nodiscard]] std::string column_title(StatisticsColumn column);

} // namespace swarmshare::gui
