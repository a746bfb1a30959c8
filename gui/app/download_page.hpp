#pragma once
// Download Files: search by name words or File ID (prefix), the results with where each was
// found, Download; the active downloads with progress, speed, time left and peers; pause,
// resume, cancel.
#include "future_watcher.hpp"
#include "swarmshare/client/events.hpp"
#include "swarmshare/client/session.hpp"

#include <wx/panel.h>

#include <map>
#include <vector>

class wxListCtrl;
class wxTextCtrl;

namespace swarmshare::gui {

class DownloadPage : public wxPanel {
public:
  DownloadPage(wxWindow* parent, client::Session& session, FutureWatcher& futures);

  void on_started(const client::DownloadStarted& started);
  void on_queued(const client::DownloadQueued& queued);
  void on_progress(const client::DownloadProgressed& progress);
  void on_completed(const client::DownloadCompleted& completed);
  void on_failed(const client::DownloadFailed& failed);

private:
  struct Row {
    std::string name;
    std::string state;
    transfer::DownloadProgress progress;
  };

  void on_search();
  void on_download();
  void on_selected_download(std::future<core::Status> (client::Session::*command)(core::FileId));
  [[nodiscard]] long row_of(const core::FileId& file_id);
  void show(const core::FileId& file_id);

  client::Session& session_;
  FutureWatcher& futures_;
  wxTextCtrl* query_ = nullptr;
  wxListCtrl* results_ = nullptr;
  wxListCtrl* downloads_ = nullptr;
  std::vector<core::SearchHit> hits_;
  std::vector<core::FileId> download_order_;
  std::map<core::FileId, Row> download_rows_;
};

} // namespace swarmshare::gui
