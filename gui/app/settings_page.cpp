#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "settings_page.hpp"

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/choice.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>
#include <wx/spinctrl.h>
#include <wx/stattext.h>

#include <limits>

namespace swarmshare::gui {
namespace {

constexpr int kMaxRateKib = std::numeric_limits<int>::max();

int to_kib(std::uint64_t bytes_per_second) {
  return static_cast<int>(std::min<std::uint64_t>(bytes_per_second / 1024, kMaxRateKib));
}

} // namespace

SettingsPage::SettingsPage(wxWindow* parent, client::Session& session, FutureWatcher& futures)
    : wxPanel(parent), session_(session), futures_(futures) {
  auto* grid = new wxFlexGridSizer(2, wxSize(12, 8));
  const auto add_row = [&](const wxString& label, wxWindow* control) {
    grid->Add(new wxStaticText(this, wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
    grid->Add(control, 0, wxEXPAND);
  };
  upload_kib_ = new wxSpinCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize,
                               wxSP_ARROW_KEYS, 0, kMaxRateKib);
  download_kib_ = new wxSpinCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize,
                                 wxSP_ARROW_KEYS, 0, kMaxRateKib);
  active_downloads_ =
      new wxSpinCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxSP_ARROW_KEYS, 0,
                     static_cast<int>(client::Settings::kMaxActiveDownloadsCap));
  serve_while_downloading_ = new wxCheckBox(this, wxID_ANY, "Share chunks while downloading");
  after_download_ = new wxChoice(this, wxID_ANY);
  after_download_->Append("Ask");
  after_download_->Append("Always share");
  after_download_->Append("Never share");
  add_row("Upload limit (KiB/s, 0: none)", upload_kib_);
  add_row("Download limit (KiB/s, 0: none)", download_kib_);
  add_row("Downloads at once (0: no limit)", active_downloads_);
  add_row("After a download", after_download_);
  add_row("", serve_while_downloading_);

  auto* sizer = new wxBoxSizer(wxVERTICAL);
  sizer->Add(grid, 0, wxALL, 12);
  auto* save = new wxButton(this, wxID_ANY, "Save");
  sizer->Add(save, 0, wxLEFT, 12);
  SetSizer(sizer);
  save->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { on_save(); });
}

void SettingsPage::show(const client::Settings& settings) {
  shown_ = settings;
  upload_kib_->SetValue(to_kib(settings.upload_limit));
  download_kib_->SetValue(to_kib(settings.download_limit));
  active_downloads_->SetValue(static_cast<int>(settings.max_active_downloads));
  serve_while_downloading_->SetValue(settings.serve_while_downloading);
  after_download_->SetSelection(static_cast<int>(settings.after_download));
}

void SettingsPage::on_save() {
  client::Settings wanted = shown_;
  wanted.upload_limit = std::uint64_t(upload_kib_->GetValue()) * 1024;
  wanted.download_limit = std::uint64_t(download_kib_->GetValue()) * 1024;
  wanted.max_active_downloads = static_cast<std::uint32_t>(active_downloads_->GetValue());
  wanted.serve_while_downloading = serve_while_downloading_->GetValue();
  wanted.after_download = static_cast<client::AfterDownload>(after_download_->GetSelection());
  futures_.when_ready<core::Status>(
      session_.apply_settings(wanted), [this, wanted](core::Status applied) {
        if (!applied) {
          wxMessageBox(wxString::FromUTF8("Settings not saved: " + applied.error().message()),
                       "Settings", wxOK | wxICON_ERROR, this);
          return;
        }
        shown_ = wanted;
        if (saved_) {
          saved_(wanted);
        }
      });
}

} // namespace swarmshare::gui
