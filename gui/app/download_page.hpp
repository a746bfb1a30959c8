#pragma once
// Download Files: search by name words or File ID (prefix), or paste a share link; the
// results with where each was found, Download; the active downloads with progress, speed, time left
// and peers; pause, resume, cancel.
#include "future_watcher.hpp"
#include "notices.hpp"
#include "swarmshare/client/events.hpp"
#include "swarmshare/client/session.hpp"
#include "swarmshare/gui/opened_links.hpp"

#include <wx/panel.h>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

class wxDataViewListCtrl;
class wxListCtrl;
class wxTextCtrl;

namespace swarmshare::gui {

class ChunkBar;

class DownloadPage : public wxPanel {
public:
  DownloadPage(wxWindow* parent, client::Session& session, FutureWatcher& futures,
               Notices& notices);

  void on_started(const client::DownloadStarted& started);
  void on_queued(const client::DownloadQueued& queued);
  void on_progress(const client::DownloadProgressed& progress);
  void on_completed(const client::DownloadCompleted& completed);
  void on_failed(const client::DownloadFailed& failed);

  /// Types `text` in the search box and presses Search (the same handler as the button).
  void search_for(const std::string& text);
  /// A share link or File ID the desktop opened the client with: shown as the one result and
  /// downloaded (after the warning, when it was downloaded before). A text that is neither
  /// is refused with a message.
  void open_link(const std::string& text);
  /// Selects result `row` and presses Download.
  void download_result(long row);
  /// Called with the number of hits whenever a search's results are shown.
  void on_results(std::function<void(std::size_t)> shown) { results_shown_ = std::move(shown); }
  /// Where downloads go: the download folder setting, else the user's Downloads folder.
  void set_download_folder(std::optional<std::filesystem::path> folder) {
    download_folder_ = std::move(folder);
  }

private:
  struct Row {
    std::string name;
    std::string state;
    transfer::DownloadProgress progress;
  };

  void on_search();
  void on_download();
  /// Shows `target` as the one result, as a search would.
  void show_link_result(const LinkTarget& target);
  /// Downloads `hit`, after the warning when it was downloaded before.
  void download_hit(const core::SearchHit& hit);
  void start_download(const core::SearchHit& hit);
  void show_chunks();
  void on_selected_download(std::future<core::Status> (client::Session::*command)(core::FileId));
  [[nodiscard]] long row_of(const core::FileId& file_id);
  void show(const core::FileId& file_id);

  client::Session& session_;
  FutureWatcher& futures_;
  Notices& notices_;
  ChunkBar* chunk_bar_ = nullptr;
  wxTextCtrl* query_ = nullptr;
  wxListCtrl* results_ = nullptr;
  /// A data view for its progress bars (a report list has none).
  wxDataViewListCtrl* downloads_ = nullptr;
  std::vector<core::SearchHit> hits_;
  /// The peers of the share links opened, given to their downloads with the registries'.
  std::map<core::FileId, std::vector<core::PeerSource>> link_sources_;
  std::vector<core::FileId> download_order_;
  std::map<core::FileId, Row> download_rows_;
  std::function<void(std::size_t)> results_shown_;
  std::optional<std::filesystem::path> download_folder_;
};

} // namespace swarmshare::gui
