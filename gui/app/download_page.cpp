#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "download_page.hpp"

#include "charts.hpp"
#include "swarmshare/core/share_link.hpp"
#include "swarmshare/gui/share_questions.hpp"
#include "swarmshare/gui/text.hpp"

#include <wx/button.h>
#include <wx/dataview.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/stdpaths.h>
#include <wx/textctrl.h>
#include <wx/utils.h>

#include <algorithm>

namespace swarmshare::gui {
namespace {

long selected_item(const wxListCtrl* list) {
  return list->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
}

long percent_of(const transfer::DownloadProgress& progress) {
  if (progress.total_bytes == 0) {
    return 0;
  }
  return static_cast<long>(progress.verified_bytes * 100 / progress.total_bytes);
}

// The columns of the downloads list.
enum DownloadColumn : unsigned { name, progress, speed, time_left, peers, state };

// The desktop's Downloads folder (XDG user dirs); where none is configured wx answers with
// the home folder itself, and then ~/Downloads it is.
std::filesystem::path default_download_folder() {
  const wxString configured = wxStandardPaths::Get().GetUserDir(wxStandardPaths::Dir_Downloads);
  const std::filesystem::path home(wxGetHomeDir().utf8_string());
  std::filesystem::path folder(configured.utf8_string());
  if (folder.empty() || folder == home) {
    folder = home / "Downloads";
  }
  std::error_code ignored;
  std::filesystem::create_directories(folder, ignored);
  return folder;
}

} // namespace

DownloadPage::DownloadPage(wxWindow* parent, client::Session& session, FutureWatcher& futures,
                           Notices& notices)
    : wxPanel(parent), session_(session), futures_(futures), notices_(notices) {
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  auto* search = new wxBoxSizer(wxHORIZONTAL);
  query_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxTE_PROCESS_ENTER);
  query_->SetHint("Name words, a File ID (at least 8 hex digits) or a share link");
  auto* search_button = new wxButton(this, wxID_ANY, "Search");
  search->Add(query_, 1, wxALL, 6);
  search->Add(search_button, 0, wxALL, 6);
  sizer->Add(search, 0, wxEXPAND);

  results_ = new wxListCtrl(this, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                            wxLC_REPORT | wxLC_SINGLE_SEL, wxDefaultValidator, "search-results");
  results_->AppendColumn("Name", wxLIST_FORMAT_LEFT, 300);
  results_->AppendColumn("Size", wxLIST_FORMAT_RIGHT, 90);
  results_->AppendColumn("Seeders", wxLIST_FORMAT_RIGHT, 70);
  results_->AppendColumn("Found via", wxLIST_FORMAT_LEFT, 90);
  results_->AppendColumn("File ID", wxLIST_FORMAT_LEFT, 150);
  sizer->Add(results_, 1, wxEXPAND | wxLEFT | wxRIGHT, 6);
  auto* download = new wxButton(this, wxID_ANY, "Download");
  sizer->Add(download, 0, wxALL, 6);

  downloads_ = new wxDataViewListCtrl(this, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                      wxDV_SINGLE | wxDV_ROW_LINES);
  downloads_->SetName("downloads"); // its column widths are kept under this name
  downloads_->AppendTextColumn("Name", wxDATAVIEW_CELL_INERT, 260);
  downloads_->AppendProgressColumn("Progress", wxDATAVIEW_CELL_INERT, 140);
  downloads_->AppendTextColumn("Speed", wxDATAVIEW_CELL_INERT, 100, wxALIGN_RIGHT);
  downloads_->AppendTextColumn("Time left", wxDATAVIEW_CELL_INERT, 100, wxALIGN_RIGHT);
  downloads_->AppendTextColumn("Peers", wxDATAVIEW_CELL_INERT, 60, wxALIGN_RIGHT);
  downloads_->AppendTextColumn("State", wxDATAVIEW_CELL_INERT, 160);
  sizer->Add(downloads_, 1, wxEXPAND | wxLEFT | wxRIGHT, 6);
  auto* chunks = new wxBoxSizer(wxHORIZONTAL);
  chunks->Add(new wxStaticText(this, wxID_ANY, "Chunks (done; peers with each):"), 0,
              wxALIGN_CENTER_VERTICAL | wxRIGHT, 6);
  chunk_bar_ = new ChunkBar(this);
  chunks->Add(chunk_bar_, 1, wxALIGN_CENTER_VERTICAL);
  sizer->Add(chunks, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, 6);
  auto* actions = new wxBoxSizer(wxHORIZONTAL);
  auto* pause = new wxButton(this, wxID_ANY, "Pause");
  auto* resume = new wxButton(this, wxID_ANY, "Resume");
  auto* cancel = new wxButton(this, wxID_ANY, "Cancel");
  actions->Add(pause, 0, wxALL, 6);
  actions->Add(resume, 0, wxALL, 6);
  actions->Add(cancel, 0, wxALL, 6);
  sizer->Add(actions, 0);
  SetSizer(sizer);

  search_button->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { on_search(); });
  query_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) { on_search(); });
  download->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { on_download(); });
  results_->Bind(wxEVT_LIST_ITEM_ACTIVATED, [this](wxListEvent&) { on_download(); });
  downloads_->Bind(wxEVT_DATAVIEW_SELECTION_CHANGED, [this](wxDataViewEvent&) { show_chunks(); });
  pause->Bind(wxEVT_BUTTON,
              [this](wxCommandEvent&) { on_selected_download(&client::Session::pause); });
  resume->Bind(wxEVT_BUTTON,
               [this](wxCommandEvent&) { on_selected_download(&client::Session::resume); });
  cancel->Bind(wxEVT_BUTTON,
               [this](wxCommandEvent&) { on_selected_download(&client::Session::cancel); });
}

void DownloadPage::on_search() {
  const std::string text = query_->GetValue().utf8_string();
  if (text.empty()) {
    return;
  }
  if (core::looks_like_share_link(text)) {
    // A pasted link names its file: no search, it is the result.
    auto target = parse_link_target(text);
    if (!target) {
      notices_.tell("Download Files", "Not a usable share link: " + target.error().message(),
                    wxICON_ERROR);
      return;
    }
    show_link_result(target.value());
    return;
  }
  results_->DeleteAllItems();
  hits_.clear();
  futures_.when_ready<core::Result<std::vector<core::SearchHit>>>(
      session_.search(text), [this](core::Result<std::vector<core::SearchHit>> found) {
        if (!found) {
          notices_.tell("Download Files", "Search failed: " + found.error().message(),
                        wxICON_ERROR);
          return;
        }
        hits_ = std::move(found).value();
        for (std::size_t i = 0; i < hits_.size(); ++i) {
          const auto& hit = hits_[i];
          const long row = results_->InsertItem(static_cast<long>(i), wxString::FromUTF8(hit.name));
          results_->SetItem(row, 1, wxString::FromUTF8(core::format_bytes_column(hit.size)));
          results_->SetItem(row, 2, std::to_string(hit.seeders));
          results_->SetItem(row, 3, wxString::FromUTF8(std::string(core::to_string(hit.origin))));
          results_->SetItem(row, 4, hit.file_id.to_short_hex());
        }
        if (hits_.empty()) {
          results_->InsertItem(0, "No files found");
        }
        if (results_shown_) {
          results_shown_(hits_.size());
        }
      });
}

void DownloadPage::show_link_result(const LinkTarget& target) {
  results_->DeleteAllItems();
  core::SearchHit hit;
  hit.file_id = target.file_id;
  hit.name = link_display_name(target);
  hit.size = target.size.value_or(0);
  hits_ = {hit};
  link_sources_[target.file_id] = target.sources;
  const long row = results_->InsertItem(0, wxString::FromUTF8(hit.name));
  results_->SetItem(row, 1,
                    target.size ? wxString::FromUTF8(core::format_bytes_column(*target.size)) : "");
  results_->SetItem(row, 2, "");
  results_->SetItem(row, 3, "link");
  results_->SetItem(row, 4, hit.file_id.to_short_hex());
  if (results_shown_) {
    results_shown_(hits_.size());
  }
}

void DownloadPage::open_link(const std::string& text) {
  auto target = parse_link_target(text);
  if (!target) {
    notices_.tell("Download Files",
                  "Swarmshare was asked to open something that is neither a share link nor a "
                  "File ID: " +
                      target.error().message(),
                  wxICON_ERROR);
    return;
  }
  query_->SetValue(wxString::FromUTF8(text));
  show_link_result(target.value());
  download_hit(hits_.front());
}

void DownloadPage::on_download() {
  const long selected = selected_item(results_);
  if (selected < 0 || static_cast<std::size_t>(selected) >= hits_.size()) {
    return;
  }
  download_hit(hits_[static_cast<std::size_t>(selected)]);
}

void DownloadPage::download_hit(const core::SearchHit& hit) {
  // Downloaded before: say when and where, and download again only when the user says so.
  futures_.when_ready<core::Result<std::optional<client::HistoryEntry>>>(
      session_.last_download(hit.file_id),
      [this, hit](core::Result<std::optional<client::HistoryEntry>> last) {
        if (!last || !last.value()) {
          start_download(hit);
          return;
        }
        std::error_code ignored;
        const bool still_there = std::filesystem::exists(last.value()->path, ignored);
        notices_.ask(redownload_title(), redownload_text(*last.value(), still_there),
                     [this, hit](bool again) {
                       if (again) {
                         start_download(hit);
                       }
                     });
      });
}

void DownloadPage::start_download(const core::SearchHit& hit) {
  client::DownloadCommand command;
  command.file_id = hit.file_id;
  command.folder = download_folder_.value_or(default_download_folder());
  if (const auto link = link_sources_.find(hit.file_id); link != link_sources_.end()) {
    command.sources = link->second;
  }
  auto& row = download_rows_[hit.file_id];
  row.name = hit.name;
  row.state = "starting";
  show(hit.file_id);
  futures_.when_ready<core::Status>(
      session_.download(std::move(command)), [this, hit](core::Status started) {
        if (!started) {
          download_rows_[hit.file_id].state = "failed: " + started.error().message();
          show(hit.file_id);
        }
      });
}

void DownloadPage::search_for(const std::string& text) {
  query_->SetValue(wxString::FromUTF8(text));
  on_search();
}

void DownloadPage::download_result(long row) {
  if (row >= 0 && row < results_->GetItemCount()) {
    results_->SetItemState(row, wxLIST_STATE_SELECTED, wxLIST_STATE_SELECTED);
  }
  on_download();
}

void DownloadPage::on_selected_download(
    std::future<core::Status> (client::Session::*command)(core::FileId)) {
  const long selected = downloads_->GetSelectedRow();
  if (selected < 0 || static_cast<std::size_t>(selected) >= download_order_.size()) {
    return;
  }
  const core::FileId file_id = download_order_[static_cast<std::size_t>(selected)];
  futures_.when_ready<core::Status>((session_.*command)(file_id), [this](core::Status done) {
    if (!done) {
      notices_.tell("Download Files", done.error().message(), wxICON_ERROR);
    }
  });
}

void DownloadPage::on_started(const client::DownloadStarted& started) {
  download_rows_[started.file_id].state = "started";
  show(started.file_id);
}

void DownloadPage::on_queued(const client::DownloadQueued& queued) {
  download_rows_[queued.file_id].state = "queued (" + std::to_string(queued.position) + ")";
  show(queued.file_id);
}

void DownloadPage::on_progress(const client::DownloadProgressed& progress) {
  auto& row = download_rows_[progress.file_id];
  row.progress = progress.progress;
  row.state = std::string(transfer::to_string(progress.progress.state));
  show(progress.file_id);
  show_chunks();
}

void DownloadPage::on_completed(const client::DownloadCompleted& completed) {
  auto& row = download_rows_[completed.file_id];
  row.name = completed.name;
  row.progress.verified_bytes = completed.size;
  row.progress.total_bytes = completed.size;
  row.progress.download_rate = 0;
  std::fill(row.progress.chunk_states.begin(), row.progress.chunk_states.end(), 2);
  row.progress.chunk_availability.clear(); // no swarm downloads it any more
  row.state = "completed";
  show(completed.file_id);
  show_chunks();
}

void DownloadPage::on_failed(const client::DownloadFailed& failed) {
  download_rows_[failed.file_id].state = "failed: " + failed.error.message();
  show(failed.file_id);
}

void DownloadPage::show_chunks() {
  // The selected download's, else the first one's.
  const long selected =
      download_order_.empty() ? -1 : std::max(static_cast<long>(downloads_->GetSelectedRow()), 0L);
  if (selected < 0 || static_cast<std::size_t>(selected) >= download_order_.size()) {
    chunk_bar_->show({}, {});
    return;
  }
  const auto& shown = download_rows_[download_order_[static_cast<std::size_t>(selected)]];
  chunk_bar_->show(shown.progress.chunk_states, shown.progress.chunk_availability);
}

long DownloadPage::row_of(const core::FileId& file_id) {
  const auto found = std::find(download_order_.begin(), download_order_.end(), file_id);
  if (found != download_order_.end()) {
    return static_cast<long>(found - download_order_.begin());
  }
  download_order_.push_back(file_id);
  wxVector<wxVariant> cells;
  cells.push_back(wxVariant(wxString()));
  cells.push_back(wxVariant(0L));
  for (int text = 0; text < 4; ++text) {
    cells.push_back(wxVariant(wxString()));
  }
  downloads_->AppendItem(cells);
  return static_cast<long>(download_order_.size() - 1);
}

void DownloadPage::show(const core::FileId& file_id) {
  const Row& shown = download_rows_[file_id];
  const auto row = static_cast<unsigned>(row_of(file_id));
  const auto& progress = shown.progress;
  const auto text = [this, row](const std::string& value, DownloadColumn column) {
    downloads_->SetTextValue(wxString::FromUTF8(value), row, column);
  };
  text(shown.name.empty() ? file_id.to_short_hex() : shown.name, DownloadColumn::name);
  downloads_->SetValue(wxVariant(percent_of(progress)), row, DownloadColumn::progress);
  text(format_rate(progress.download_rate), DownloadColumn::speed);
  text(format_eta(progress.total_bytes - std::min(progress.total_bytes, progress.verified_bytes),
                  progress.download_rate),
       DownloadColumn::time_left);
  text(std::to_string(progress.peers), DownloadColumn::peers);
  text(shown.state, DownloadColumn::state);
}

} // namespace swarmshare::gui
