#pragma once
// The Share Files tab's list: one row per library file, what each column reads, kept in
// step with the engine's events. The list control is virtual (it asks for the cells of the
// rows on screen), so 100,000 shares cost nothing until they are scrolled to.
#include "swarmshare/client/events.hpp"
#include "swarmshare/client/state_store.hpp"
#include "swarmshare/core/file_id.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace swarmshare::gui {

enum class SharedColumn { name, file_id, size, status, uploaded, peers_served };

struct SharedRow {
  core::FileId file_id;
  std::string name;
  std::filesystem::path path;
  std::uint64_t size = 0;
  client::FileSource source = client::FileSource::shared;
  client::LibraryStatus status = client::LibraryStatus::active;
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t peers_served = 0;
};

/// "Active", "Active (Downloaded)", "Paused", "Missing", "Changed".
[[nodiscard]] std::string status_text(client::FileSource source, client::LibraryStatus status);

[[nodiscard]] std::string column_title(SharedColumn column);

class SharedFiles {
public:
  /// Replaces every row with the library as the engine read it; rows sort by name.
  /// Taken by value: the paths move into the rows (100,000 of them are copied otherwise).
  void set_library(std::vector<client::LibraryEntry> entries);
  /// A file entered the library (or entered it again): its row is added or refreshed.
  void on_share_added(const client::ShareAdded& added);

  [[nodiscard]] std::size_t row_count() const noexcept { return rows_.size(); }
  [[nodiscard]] const SharedRow& row(std::size_t index) const { return rows_.at(index); }
  [[nodiscard]] std::string cell(std::size_t index, SharedColumn column) const;
  /// The row of a File ID, if listed.
  [[nodiscard]] std::optional<std::size_t> find(const core::FileId& file_id) const;

private:
  void sort_and_index();
  /// Points the index at rows `first` onwards (after rows moved).
  void index_from(std::size_t first);

  std::vector<SharedRow> rows_;
  std::unordered_map<core::FileId, std::size_t> index_;
};

} // namespace swarmshare::gui
