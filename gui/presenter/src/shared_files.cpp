#include "swarmshare/gui/shared_files.hpp"

#include "swarmshare/gui/text.hpp"

#include <algorithm>

namespace swarmshare::gui {
namespace {

// The list's order: by name, then by File ID (unique, so the order is total).
bool shown_before(const SharedRow& a, const SharedRow& b) {
  return a.name != b.name ? a.name < b.name : a.file_id < b.file_id;
}

} // namespace

std::string status_text(client::FileSource source, client::LibraryStatus status) {
  switch (status) {
  case client::LibraryStatus::active:
    return source == client::FileSource::downloaded ? "Active (Downloaded)" : "Active";
  case client::LibraryStatus::paused: return "Paused";
  case client::LibraryStatus::missing: return "Missing";
  case client::LibraryStatus::changed: return "Changed";
  }
  return "Unknown";
}

std::string column_title(SharedColumn column) {
  switch (column) {
  case SharedColumn::name: return "Name";
  case SharedColumn::file_id: return "File ID";
  case SharedColumn::size: return "Size";
  case SharedColumn::status: return "Status";
  case SharedColumn::uploaded: return "Uploaded";
  case SharedColumn::peers_served: return "Peers served";
  }
  return {};
}

void SharedFiles::set_library(std::vector<client::LibraryEntry> entries) {
  rows_.clear();
  rows_.reserve(entries.size());
  for (auto& entry : entries) {
    rows_.push_back(SharedRow{entry.file_id(), entry.manifest.name(), std::move(entry.path),
                              entry.manifest.file_size(), entry.source, entry.status,
                              entry.statistics.bytes_uploaded, entry.statistics.peers_served});
  }
  sort_and_index();
}

void SharedFiles::on_share_added(const client::ShareAdded& added) {
  SharedRow row{added.file_id,
                added.name,
                added.path,
                added.size,
                added.downloaded ? client::FileSource::downloaded : client::FileSource::shared,
                client::LibraryStatus::active,
                0,
                0};
  // One row moves: take it out and put it back in its place, instead of sorting every row
  // again (a list of 100,000 shares is sorted on the GUI thread).
  std::size_t first_moved = rows_.size();
  if (const auto existing = find(added.file_id)) {
    row.bytes_uploaded = rows_[*existing].bytes_uploaded;
    row.peers_served = rows_[*existing].peers_served;
    rows_.erase(rows_.begin() + static_cast<std::ptrdiff_t>(*existing));
    first_moved = *existing;
  }
  const auto at = std::lower_bound(rows_.begin(), rows_.end(), row, shown_before);
  first_moved = std::min(first_moved, static_cast<std::size_t>(at - rows_.begin()));
  rows_.insert(at, std::move(row));
  index_from(first_moved);
}

std::string SharedFiles::cell(std::size_t index, SharedColumn column) const {
  const SharedRow& shown = rows_.at(index);
  switch (column) {
  case SharedColumn::name: return shown.name;
  case SharedColumn::file_id: return shown.file_id.to_short_hex();
  case SharedColumn::size: return core::format_bytes_column(shown.size);
  case SharedColumn::status: return status_text(shown.source, shown.status);
  case SharedColumn::uploaded: return core::format_bytes_column(shown.bytes_uploaded);
  case SharedColumn::peers_served: return std::to_string(shown.peers_served);
  }
  return {};
}

std::optional<std::size_t> SharedFiles::find(const core::FileId& file_id) const {
  const auto found = index_.find(file_id);
  if (found == index_.end()) {
    return std::nullopt;
  }
  return found->second;
}

void SharedFiles::sort_and_index() {
  std::sort(rows_.begin(), rows_.end(), shown_before);
  index_.clear();
  index_from(0);
}

void SharedFiles::index_from(std::size_t first) {
  for (std::size_t i = first; i < rows_.size(); ++i) {
    index_[rows_[i].file_id] = i;
  }
}

} // namespace swarmshare::gui
