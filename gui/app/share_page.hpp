#pragma once
// Share Files: "Browse File" or drop files on the window; hashing progress; the shared list
// (virtual) with stop sharing, copy File ID and open folder.
#include "future_watcher.hpp"
#include "swarmshare/client/events.hpp"
#include "swarmshare/client/session.hpp"
#include "swarmshare/gui/shared_files.hpp"

#include <wx/panel.h>

#include <filesystem>
#include <functional>
#include <vector>

class wxGauge;
class wxStaticText;

namespace swarmshare::gui {

class SharedListView;

class SharePage : public wxPanel {
public:
  SharePage(wxWindow* parent, client::Session& session, FutureWatcher& futures);

  /// Reads the library again (at start, when a share stopped or was added by a Yes); `then`
  /// runs once the rows show it.
  void refresh(std::function<void(const SharedFiles&)> then = {});
  void share_files(const std::vector<std::filesystem::path>& paths);
  void on_hash_progress(const client::HashProgressed& progress);
  void on_share_added(const client::ShareAdded& added);

private:
  void on_browse();
  void on_stop_sharing();
  void on_copy_file_id();
  void on_open_folder();
  [[nodiscard]] std::optional<std::size_t> selected_row() const;
  void rows_changed();

  client::Session& session_;
  FutureWatcher& futures_;
  SharedFiles files_;
  SharedListView* list_ = nullptr;
  wxGauge* hashing_gauge_ = nullptr;
  wxStaticText* hashing_text_ = nullptr;
};

} // namespace swarmshare::gui
