#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "share_page.hpp"

#include "share_link_text.hpp"
#include "swarmshare/gui/text.hpp"
#include "virtual_table.hpp"

#include <wx/button.h>
#include <wx/clipbrd.h>
#include <wx/dnd.h>
#include <wx/filedlg.h>
#include <wx/gauge.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/utils.h>

namespace swarmshare::gui {

namespace {

class ShareDropTarget : public wxFileDropTarget {
public:
  explicit ShareDropTarget(SharePage& page) : page_(page) {}

  bool OnDropFiles(wxCoord, wxCoord, const wxArrayString& names) override {
    std::vector<std::filesystem::path> paths;
    for (const auto& name : names) {
      paths.emplace_back(name.utf8_string());
    }
    page_.share_files(paths);
    return true;
  }

private:
  SharePage& page_;
};

} // namespace

SharePage::SharePage(wxWindow* parent, client::Session& session, FutureWatcher& futures,
                     Notices& notices)
    : wxPanel(parent), session_(session), futures_(futures), notices_(notices) {
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  auto* top = new wxBoxSizer(wxHORIZONTAL);
  auto* browse = new wxButton(this, wxID_ANY, wxString::FromUTF8("Browse File…"));
  top->Add(browse, 0, wxALL, 6);
  top->Add(new wxStaticText(this, wxID_ANY, "or drop files on this window to share them"), 0,
           wxALIGN_CENTER_VERTICAL | wxALL, 6);
  sizer->Add(top, 0, wxEXPAND);

  auto* hashing = new wxBoxSizer(wxHORIZONTAL);
  hashing_text_ = new wxStaticText(this, wxID_ANY, "");
  hashing_gauge_ = new wxGauge(this, wxID_ANY, 1000);
  hashing->Add(hashing_text_, 1, wxALIGN_CENTER_VERTICAL | wxALL, 6);
  cancel_hashing_ = new wxButton(this, wxID_ANY, "Cancel");
  hashing->Add(hashing_gauge_, 1, wxALIGN_CENTER_VERTICAL | wxALL, 6);
  hashing->Add(cancel_hashing_, 0, wxALIGN_CENTER_VERTICAL | wxALL, 6);
  sizer->Add(hashing, 0, wxEXPAND);
  hashing_gauge_->Hide();
  cancel_hashing_->Hide();

  list_ =
      new SharedListView(this, files_, "shared-files", {{280}, {150}, {90}, {150}, {90}, {100}});
  sizer->Add(list_, 1, wxEXPAND | wxALL, 6);

  auto* actions = new wxBoxSizer(wxHORIZONTAL);
  auto* stop = new wxButton(this, wxID_ANY, "Stop Sharing");
  auto* copy = new wxButton(this, wxID_ANY, "Copy File ID");
  auto* copy_link = new wxButton(this, wxID_ANY, "Copy Share Link");
  auto* open = new wxButton(this, wxID_ANY, "Open Folder");
  actions->Add(stop, 0, wxALL, 6);
  actions->Add(copy, 0, wxALL, 6);
  actions->Add(copy_link, 0, wxALL, 6);
  actions->Add(open, 0, wxALL, 6);
  sizer->Add(actions, 0);
  SetSizer(sizer);

  browse->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { on_browse(); });
  stop->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { on_stop_sharing(); });
  copy->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { on_copy_file_id(); });
  copy_link->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { on_copy_share_link(); });
  cancel_hashing_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { cancel_hashing(); });
  open->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { on_open_folder(); });
  // Drops anywhere on the top-level window share the files.
  wxGetTopLevelParent(parent)->SetDropTarget(new ShareDropTarget(*this));
}

void SharePage::refresh(std::function<void(const SharedFiles&)> then) {
  futures_.when_ready<core::Result<std::vector<client::LibraryEntry>>>(
      session_.library(),
      [this, then = std::move(then)](core::Result<std::vector<client::LibraryEntry>> library) {
        if (library) {
          files_.set_library(std::move(library).value());
          rows_changed();
        }
        if (then) {
          then(files_);
        }
      });
}

void SharePage::share_files(const std::vector<std::filesystem::path>& paths) {
  for (const auto& given : paths) {
    std::error_code ignored;
    const auto path = std::filesystem::absolute(given, ignored).lexically_normal();
    sharing_.insert(path);
    futures_.when_ready<core::Result<client::ShareResult>>(
        session_.share(path), [this, path](core::Result<client::ShareResult> result) {
          sharing_.erase(path);
          if (path == hashing_path_) {
            hashing_gauge_->Hide();
            cancel_hashing_->Hide();
            hashing_text_->SetLabel("");
            hashing_path_.clear();
          }
          if (shared_) {
            shared_(path, result);
          }
          // A cancel is the user's own doing: the status log says it, no box.
          if (!result && result.error() != core::Errc::cancelled) {
            notices_.tell("Share Files",
                          "Could not share " + path.string() + ": " + result.error().message(),
                          wxICON_ERROR);
          }
          Layout();
        });
  }
}

void SharePage::on_hash_progress(const client::HashProgressed& progress) {
  if (!sharing_.contains(progress.path)) {
    return;
  }
  const double done = progress.bytes_total == 0 ? 1.0
                                                : static_cast<double>(progress.bytes_done) /
                                                      static_cast<double>(progress.bytes_total);
  hashing_text_->SetLabel(wxString::FromUTF8("Hashing " + progress.path.filename().string() + ": " +
                                             core::format_bytes_column(progress.bytes_done) +
                                             " of " +
                                             core::format_bytes_column(progress.bytes_total)));
  hashing_gauge_->SetValue(static_cast<int>(done * 1000));
  hashing_gauge_->Show();
  cancel_hashing_->Show();
  hashing_path_ = progress.path;
  Layout();
}

void SharePage::on_share_added(const client::ShareAdded& added) {
  files_.on_share_added(added);
  rows_changed();
}

void SharePage::on_browse() {
  wxFileDialog dialog(this, "Share a file", "", "", "All files|*",
                      wxFD_OPEN | wxFD_FILE_MUST_EXIST | wxFD_MULTIPLE);
  if (dialog.ShowModal() != wxID_OK) {
    return;
  }
  wxArrayString names;
  dialog.GetPaths(names);
  std::vector<std::filesystem::path> paths;
  for (const auto& name : names) {
    paths.emplace_back(name.utf8_string());
  }
  share_files(paths);
}

std::optional<std::size_t> SharePage::selected_row() const {
  const long selected = list_->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
  if (selected < 0 || static_cast<std::size_t>(selected) >= files_.row_count()) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(selected);
}

void SharePage::on_stop_sharing() {
  const auto row = selected_row();
  if (!row) {
    return;
  }
  const auto file_id = files_.row(*row).file_id;
  futures_.when_ready<core::Status>(session_.unshare(file_id), [this](core::Status done) {
    if (!done) {
      notices_.tell("Share Files", "Could not stop sharing: " + done.error().message(),
                    wxICON_ERROR);
    }
    refresh();
  });
}

void SharePage::on_copy_file_id() {
  const auto row = selected_row();
  if (!row || !wxTheClipboard->Open()) {
    return;
  }
  wxTheClipboard->SetData(new wxTextDataObject(files_.row(*row).file_id.to_hex()));
  wxTheClipboard->Close();
}

void SharePage::on_copy_share_link() {
  const auto row = selected_row();
  if (!row) {
    return;
  }
  const auto& shown = files_.row(*row);
  const std::string link =
      cli::share_link_text(shown.file_id, shown.name, shown.size, link_tracker_, &session_);
  if (wxTheClipboard->Open()) {
    wxTheClipboard->SetData(new wxTextDataObject(wxString::FromUTF8(link)));
    wxTheClipboard->Close();
  }
}

std::string SharePage::copy_share_link(std::size_t row) {
  if (row >= files_.row_count()) {
    return {};
  }
  list_->SetItemState(static_cast<long>(row), wxLIST_STATE_SELECTED, wxLIST_STATE_SELECTED);
  on_copy_share_link();
  std::string copied;
  if (wxTheClipboard->Open()) {
    wxTextDataObject text;
    if (wxTheClipboard->GetData(text)) {
      copied = text.GetText().utf8_string();
    }
    wxTheClipboard->Close();
  }
  return copied;
}

void SharePage::cancel_hashing() {
  if (!hashing_path_.empty() && session_.cancel_hashing(hashing_path_)) {
    hashing_text_->SetLabel(
        wxString::FromUTF8("Cancelling the hashing of " + hashing_path_.filename().string()));
  }
}

void SharePage::on_open_folder() {
  if (const auto row = selected_row()) {
    wxLaunchDefaultApplication(wxString::FromUTF8(files_.row(*row).path.parent_path().string()));
  }
}

void SharePage::rows_changed() {
  list_->SetItemCount(static_cast<long>(files_.row_count()));
  list_->Refresh();
}

} // namespace swarmshare::gui
