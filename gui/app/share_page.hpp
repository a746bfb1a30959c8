#pragma once
// Share Files: "Browse File" or drop files on the window; hashing progress; the shared list
// (virtual) with stop sharing, copy File ID and open folder.
#include "future_watcher.hpp"
#include "notices.hpp"
#include "swarmshare/client/events.hpp"
#include "swarmshare/client/session.hpp"
#include "swarmshare/gui/shared_files.hpp"

#include <wx/panel.h>

#include <filesystem>
#include <functional>
#include <set>
#include <vector>

class wxButton;
class wxGauge;
class wxStaticText;

namespace swarmshare::gui {

template <class Table, class Column>
class VirtualTableView;
using SharedListView = VirtualTableView<SharedFiles, SharedColumn>;

class SharePage : public wxPanel {
public:
  SharePage(wxWindow* parent, client::Session& session, FutureWatcher& futures, Notices& notices);

  /// Reads the library again (at start, when a share stopped or was added by a Yes); `then`
  /// runs once the rows show it.
  void refresh(std::function<void(const SharedFiles&)> then = {});
  void share_files(const std::vector<std::filesystem::path>& paths);
  void on_hash_progress(const client::HashProgressed& progress);
  void on_share_added(const client::ShareAdded& added);

  /// The tracker that share links name ([PEERID@]HOST:PORT, reachable from other machines);
  /// none: links carry our own address alone.
  void set_link_tracker(std::optional<std::string> tracker) { link_tracker_ = std::move(tracker); }
  /// Selects `row` and presses Copy Share Link; returns the link copied (empty: no such row).
  std::string copy_share_link(std::size_t row);
  /// Called when a share of ours (Browse, drop) completed, shared or not (cancelled, failed).
  using SharedHandler =
      std::function<void(const std::filesystem::path&, const core::Result<client::ShareResult>&)>;
  void on_shared(SharedHandler shared) { shared_ = std::move(shared); }
  /// Presses Cancel beside the hashing progress.
  void cancel_hashing();

private:
  void on_browse();
  void on_stop_sharing();
  void on_copy_file_id();
  void on_copy_share_link();
  void on_open_folder();
  [[nodiscard]] std::optional<std::size_t> selected_row() const;
  void rows_changed();

  client::Session& session_;
  FutureWatcher& futures_;
  Notices& notices_;
  SharedFiles files_;
  std::optional<std::string> link_tracker_;
  SharedHandler shared_;
  /// Files whose share() has not completed: progress of any other (a late event of a share
  /// already done) is not shown.
  std::set<std::filesystem::path> sharing_;
  /// The file whose hashing the progress shows (Cancel stops it).
  std::filesystem::path hashing_path_;
  wxButton* cancel_hashing_ = nullptr;
  SharedListView* list_ = nullptr;
  wxGauge* hashing_gauge_ = nullptr;
  wxStaticText* hashing_text_ = nullptr;
};

} // namespace swarmshare::gui
