#pragma once
// History: every download and share with date, size and outcome; "Share" for a downloaded
// file that is not shared (no re-hash while the file is unchanged).
#include "future_watcher.hpp"
#include "notices.hpp"
#include "swarmshare/client/session.hpp"

#include <wx/panel.h>

#include <functional>
#include <vector>

class wxListCtrl;

namespace swarmshare::gui {

class HistoryPage : public wxPanel {
public:
  HistoryPage(wxWindow* parent, client::Session& session, FutureWatcher& futures, Notices& notices);

  /// Reads the newest entries again; `then` runs once they are shown.
  void refresh(std::function<void(const std::vector<client::HistoryEntry>&)> then = {});

private:
  void on_share();

  client::Session& session_;
  FutureWatcher& futures_;
  Notices& notices_;
  wxListCtrl* list_ = nullptr;
  std::vector<client::HistoryEntry> entries_;
};

} // namespace swarmshare::gui
