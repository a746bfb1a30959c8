#include "swarmshare/gui/file_statistics.hpp"

#include "swarmshare/core/units.hpp"
#include "swarmshare/gui/text.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace swarmshare::gui {

void FileStatisticsTable::set_library(const std::vector<client::LibraryEntry>& entries) {
  rows_.clear();
  rows_.reserve(entries.size());
  for (const auto& entry : entries) {
    rows_.push_back(
        {entry.file_id(), entry.manifest.name(), entry.manifest.file_size(), entry.statistics});
  }
  // Most uploaded first; then by name, so equal rows keep one order.
  std::sort(rows_.begin(), rows_.end(), [](const auto& a, const auto& b) {
    if (a.statistics.bytes_uploaded != b.statistics.bytes_uploaded) {
      return a.statistics.bytes_uploaded > b.statistics.bytes_uploaded;
    }
    return a.name < b.name;
  });
}

std::string FileStatisticsTable::cell(std::size_t index, StatisticsColumn column) const {
  const auto& shown = rows_.at(index);
  switch (column) {
  case StatisticsColumn::name: return shown.name;
  case StatisticsColumn::uploaded:
    return core::format_bytes_column(shown.statistics.bytes_uploaded);
  case StatisticsColumn::times_uploaded: {
    if (shown.size == 0) {
      return "-";
    }
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.1f ×",
                  static_cast<double>(shown.statistics.bytes_uploaded) /
                      static_cast<double>(shown.size));
    return text.data();
  }
  case StatisticsColumn::peers_served: return std::to_string(shown.statistics.peers_served);
  case StatisticsColumn::time_seeding: return format_duration(shown.statistics.seconds_seeded);
  }
  return {};
}

std::uint64_t FileStatisticsTable::total_seconds_seeded() const noexcept {
  std::uint64_t total = 0;
  for (const auto& shown : rows_) {
    total += shown.statistics.seconds_seeded;
  }
  return total;
}

std::vector<UploadBar> FileStatisticsTable::top_uploads(std::size_t count) const {
  std::vector<UploadBar> bars;
  if (rows_.empty() || rows_.front().statistics.bytes_uploaded == 0) {
    return bars;
  }
  const auto most = static_cast<double>(rows_.front().statistics.bytes_uploaded);
  for (const auto& shown : rows_) {
    if (bars.size() == count || shown.statistics.bytes_uploaded == 0) {
      break;
    }
    bars.push_back({shown.name + "  " + core::format_bytes_column(shown.statistics.bytes_uploaded),
                    static_cast<double>(shown.statistics.bytes_uploaded) / most});
  }
  return bars;
}

std::string column_title(StatisticsColumn column) {
  switch (column) {
  case StatisticsColumn::name: return "Name";
  case StatisticsColumn::uploaded: return "Uploaded";
  case StatisticsColumn::times_uploaded: return "Times its size";
  case StatisticsColumn::peers_served: return "Peers served";
  case StatisticsColumn::time_seeding: return "Time seeding";
  }
  return {};
}

} // namespace swarmshare::gui
