#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "download_page.hpp"

#include "swarmshare/gui/text.hpp"

#include <wx/button.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/stdpaths.h>
#include <wx/textctrl.h>
#include <wx/utils.h>

#include <algorithm>

namespace swarmshare::gui {
namespace {

long selected_item(const wxListCtrl* list) {
  return list->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
}

std::string percent_text(const transfer::DownloadProgress& progress) {
  if (progress.total_bytes == 0) {
    return "0 %";
  }
  return std::to_string(progress.verified_bytes * 100 / progress.total_bytes) + " %";
}

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

DownloadPage::DownloadPage(wxWindow* parent, client::Session& session, FutureWatcher& futures)
    : wxPanel(parent), session_(session), futures_(futures) {
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  auto* search = new wxBoxSizer(wxHORIZONTAL);
  query_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxTE_PROCESS_ENTER);
  query_->SetHint("Name words, or a File ID (at least 8 hex digits)");
  auto* search_button = new wxButton(this, wxID_ANY, "Search");
  search->Add(query_, 1, wxALL, 6);
  search->Add(search_button, 0, wxALL, 6);
  sizer->Add(search, 0, wxEXPAND);

  results_ = new wxListCtrl(this, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                            wxLC_REPORT | wxLC_SINGLE_SEL);
  results_->AppendColumn("Name", wxLIST_FORMAT_LEFT, 300);
  results_->AppendColumn("Size", wxLIST_FORMAT_RIGHT, 90);
  results_->AppendColumn("Seeders", wxLIST_FORMAT_RIGHT, 70);
  results_->AppendColumn("Found via", wxLIST_FORMAT_LEFT, 90);
  results_->AppendColumn("File ID", wxLIST_FORMAT_LEFT, 150);
  sizer->Add(results_, 1, wxEXPAND | wxLEFT | wxRIGHT, 6);
  auto* download = new wxButton(this, wxID_ANY, "Download");
  sizer->Add(download, 0, wxALL, 6);

  downloads_ = new wxListCtrl(this, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                              wxLC_REPORT | wxLC_SINGLE_SEL);
  downloads_->AppendColumn("Name", wxLIST_FORMAT_LEFT, 260);
  downloads_->AppendColumn("Progress", wxLIST_FORMAT_RIGHT, 80);
  downloads_->AppendColumn("Speed", wxLIST_FORMAT_RIGHT, 100);
  downloads_->AppendColumn("Time left", wxLIST_FORMAT_RIGHT, 100);
  downloads_->AppendColumn("Peers", wxLIST_FORMAT_RIGHT, 60);
  downloads_->AppendColumn("State", wxLIST_FORMAT_LEFT, 140);
  sizer->Add(downloads_, 1, wxEXPAND | wxLEFT | wxRIGHT, 6);
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
  results_->DeleteAllItems();
  hits_.clear();
  futures_.when_ready<core::Result<std::vector<core::SearchHit>>>(
      session_.search(text), [this](core::Result<std::vector<core::SearchHit>> found) {
        if (!found) {
          wxMessageBox(wxString::FromUTF8("Search failed: " + found.error().message()),
                       "Download Files", wxOK | wxICON_ERROR, this);
          return;
        }
        hits_ = std::move(found).value();
        for (std::size_t i = 0; i < hits_.size(); ++i) {
          const auto& hit = hits_[i];
          const long row = results_->InsertItem(static_cast<long>(i), wxString::FromUTF8(hit.name));
          results_->SetItem(row, 1, wxString::FromUTF8(format_bytes(hit.size)));
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

void DownloadPage::on_download() {
  const long selected = selected_item(results_);
  if (selected < 0 || static_cast<std::size_t>(selected) >= hits_.size()) {
    return;
  }
  const core::SearchHit hit = hits_[static_cast<std::size_t>(selected)];
  client::DownloadCommand command;
  command.file_id = hit.file_id;
  command.folder = download_folder_.value_or(default_download_folder());
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
  const long selected = selected_item(downloads_);
  if (selected < 0 || static_cast<std::size_t>(selected) >= download_order_.size()) {
    return;
  }
  const core::FileId file_id = download_order_[static_cast<std::size_t>(selected)];
  futures_.when_ready<core::Status>((session_.*command)(file_id), [this](core::Status done) {
    if (!done) {
      wxMessageBox(wxString::FromUTF8(done.error().message()), "Download Files",
                   wxOK | wxICON_ERROR, this);
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
}

void DownloadPage::on_completed(const client::DownloadCompleted& completed) {
  auto& row = download_rows_[completed.file_id];
  row.name = completed.name;
  row.progress.verified_bytes = completed.size;
  row.progress.total_bytes = completed.size;
  row.progress.download_rate = 0;
  row.state = "completed";
  show(completed.file_id);
}

void DownloadPage::on_failed(const client::DownloadFailed& failed) {
  download_rows_[failed.file_id].state = "failed: " + failed.error.message();
  show(failed.file_id);
}

long DownloadPage::row_of(const core::FileId& file_id) {
  const auto found = std::find(download_order_.begin(), download_order_.end(), file_id);
  if (found != download_order_.end()) {
    return static_cast<long>(found - download_order_.begin());
  }
  download_order_.push_back(file_id);
  const long row = static_cast<long>(download_order_.size() - 1);
  downloads_->InsertItem(row, "");
  return row;
}

void DownloadPage::show(const core::FileId& file_id) {
  const Row& shown = download_rows_[file_id];
  const long row = row_of(file_id);
  const auto& progress = shown.progress;
  downloads_->SetItem(row, 0,
                      wxString::FromUTF8(shown.name.empty() ? file_id.to_short_hex() : shown.name));
  downloads_->SetItem(row, 1, percent_text(progress));
  downloads_->SetItem(row, 2, wxString::FromUTF8(format_rate(progress.download_rate)));
  downloads_->SetItem(
      row, 3,
      wxString::FromUTF8(
          format_eta(progress.total_bytes - std::min(progress.total_bytes, progress.verified_bytes),
                     progress.download_rate)));
  downloads_->SetItem(row, 4, std::to_string(progress.peers));
  downloads_->SetItem(row, 5, wxString::FromUTF8(shown.state));
}

} // namespace swarmshare::gui
