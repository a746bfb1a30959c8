#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "settings_page.hpp"

#include <wx/button.h>
#include <wx/checkbox.h>
#include <wx/choice.h>
#include <wx/filepicker.h>
#include <wx/sizer.h>
#include <wx/spinctrl.h>
#include <wx/statbox.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <limits>

namespace swarmshare::gui {
namespace {

constexpr int kMaxRateKib = std::numeric_limits<int>::max();
constexpr int kMaxPort = std::numeric_limits<std::uint16_t>::max();

int to_kib(std::uint64_t bytes_per_second) {
  return static_cast<int>(std::min<std::uint64_t>(bytes_per_second / 1024, kMaxRateKib));
}

} // namespace

SettingsPage::SettingsPage(wxWindow* parent, client::Session& session, FutureWatcher& futures,
                           GuiConfig& config)
    : wxScrolledWindow(parent), session_(session), futures_(futures), config_(config) {
  SetScrollRate(0, 10);
  // Narrow by default: the two columns side by side fit a window 1000 pixels wide.
  const auto spin = [this](int low, int high) {
    return new wxSpinCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(130, -1), wxSP_ARROW_KEYS,
                          low, high);
  };
  const auto section = [this](const wxString& title) {
    auto* box = new wxStaticBoxSizer(wxVERTICAL, this, title);
    auto* grid = new wxFlexGridSizer(2, wxSize(12, 6));
    grid->AddGrowableCol(1);
    box->Add(grid, 1, wxEXPAND | wxALL, 6);
    return std::pair{box, grid};
  };
  const auto add_row = [this](wxFlexGridSizer* grid, const wxString& label, wxWindow* control) {
    grid->Add(new wxStaticText(this, wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
    grid->Add(control, 0, wxEXPAND);
  };

  auto [transfers_box, transfers] = section("Transfers");
  upload_kib_ = spin(0, kMaxRateKib);
  download_kib_ = spin(0, kMaxRateKib);
  active_downloads_ = spin(0, static_cast<int>(client::Settings::kMaxActiveDownloadsCap));
  serve_while_downloading_ = new wxCheckBox(this, wxID_ANY, "Share chunks while downloading");
  after_download_ = new wxChoice(this, wxID_ANY);
  after_download_->Append("Ask");
  after_download_->Append("Always share");
  after_download_->Append("Never share");
  download_folder_ =
      new wxDirPickerCtrl(this, wxID_ANY, "", "Download folder", wxDefaultPosition, wxSize(160, -1),
                          wxDIRP_USE_TEXTCTRL | wxDIRP_DIR_MUST_EXIST);
  add_row(transfers, "Download folder", download_folder_);
  download_folder_->SetToolTip("Empty: your Downloads folder");
  add_row(transfers, "Upload limit (KiB/s, 0: none)", upload_kib_);
  add_row(transfers, "Download limit (KiB/s, 0: none)", download_kib_);
  add_row(transfers, "Downloads at once (0: no limit)", active_downloads_);
  add_row(transfers, "After a download", after_download_);
  add_row(transfers, "", serve_while_downloading_);

  auto [network_box, network] = section("Network (takes effect at the next start)");
  tracker_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(160, -1));
  tracker_->SetHint("HOST:PORT; empty: none");
  tracker_->SetToolTip("HOST:PORT or PEERID@HOST:PORT. Empty: no tracker, or the one this "
                       "computer runs.");
  run_tracker_ = new wxCheckBox(this, wxID_ANY, "Run a tracker on this computer");
  tracker_port_ = spin(1, kMaxPort);
  dht_ = new wxCheckBox(this, wxID_ANY, "Use the DHT");
  bootstrap_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(160, -1));
  bootstrap_->SetHint("HOST:PORT, HOST:PORT ...");
  lan_ = new wxCheckBox(this, wxID_ANY, "Find peers on the local network");
  peer_port_ = spin(0, kMaxPort);
  dht_port_ = spin(0, kMaxPort);
  add_row(network, "Tracker address", tracker_);
  add_row(network, "", run_tracker_);
  add_row(network, "Tracker port (this computer's)", tracker_port_);
  add_row(network, "", dht_);
  add_row(network, "DHT bootstrap nodes", bootstrap_);
  add_row(network, "DHT port (UDP)", dht_port_);
  add_row(network, "", lan_);
  add_row(network, "Peer port (TCP, 0: any free)", peer_port_);

  auto* sizer = new wxBoxSizer(wxVERTICAL);
  auto* columns = new wxBoxSizer(wxHORIZONTAL);
  columns->Add(transfers_box, 1, wxEXPAND | wxRIGHT, 12);
  columns->Add(network_box, 1, wxEXPAND);
  sizer->Add(columns, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, 12);
  auto* save = new wxButton(this, wxID_ANY, "Save");
  sizer->Add(save, 0, wxALL, 12);
  SetSizer(sizer);
  save->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { on_save(); });
  tracker_->Bind(wxEVT_TEXT, [this](wxCommandEvent&) { update_tracker_fields(); });
  run_tracker_->Bind(wxEVT_CHECKBOX, [this](wxCommandEvent&) { update_tracker_fields(); });
  dht_->Bind(wxEVT_CHECKBOX, [this](wxCommandEvent&) { update_tracker_fields(); });

  show_network(config_.network());
}

void SettingsPage::show(const client::Settings& settings) {
  shown_ = settings;
  upload_kib_->SetValue(to_kib(settings.upload_limit));
  download_kib_->SetValue(to_kib(settings.download_limit));
  active_downloads_->SetValue(static_cast<int>(settings.max_active_downloads));
  serve_while_downloading_->SetValue(settings.serve_while_downloading);
  after_download_->SetSelection(static_cast<int>(settings.after_download));
  download_folder_->SetPath(
      wxString::FromUTF8(settings.download_folder ? settings.download_folder->string() : ""));
}

void SettingsPage::show_network(const NetworkSettings& settings) {
  network_shown_ = settings;
  tracker_->ChangeValue(wxString::FromUTF8(settings.tracker));
  run_tracker_->SetValue(settings.run_tracker);
  tracker_port_->SetValue(settings.tracker_port);
  dht_->SetValue(settings.dht);
  bootstrap_->ChangeValue(wxString::FromUTF8(settings.bootstrap));
  lan_->SetValue(settings.lan);
  peer_port_->SetValue(settings.peer_port);
  dht_port_->SetValue(settings.dht_port);
  update_tracker_fields();
}

void SettingsPage::update_tracker_fields() {
  // A configured tracker is the one used; the embedded one runs only without it.
  const bool no_tracker = tracker_->GetValue().Strip(wxString::both).empty();
  run_tracker_->Enable(no_tracker);
  tracker_port_->Enable(no_tracker && run_tracker_->GetValue());
  bootstrap_->Enable(dht_->GetValue());
  dht_port_->Enable(dht_->GetValue());
}

NetworkSettings SettingsPage::network_from_fields() const {
  NetworkSettings settings;
  settings.tracker = tracker_->GetValue().Strip(wxString::both).utf8_string();
  settings.run_tracker = run_tracker_->GetValue();
  settings.tracker_port = static_cast<std::uint16_t>(tracker_port_->GetValue());
  settings.dht = dht_->GetValue();
  settings.bootstrap = bootstrap_->GetValue().Strip(wxString::both).utf8_string();
  settings.lan = lan_->GetValue();
  settings.peer_port = static_cast<std::uint16_t>(peer_port_->GetValue());
  settings.dht_port = static_cast<std::uint16_t>(dht_port_->GetValue());
  return settings;
}

bool SettingsPage::set_field(const std::string& name, const std::string& value) {
  const wxString text = wxString::FromUTF8(value);
  const auto to_int = [&value] { return std::atoi(value.c_str()); };
  const bool on = value == "on" || value == "yes" || value == "1";
  if (name == "tracker") {
    tracker_->SetValue(text);
  } else if (name == "run_tracker") {
    run_tracker_->SetValue(on);
  } else if (name == "tracker_port") {
    tracker_port_->SetValue(to_int());
  } else if (name == "dht") {
    dht_->SetValue(on);
  } else if (name == "bootstrap") {
    bootstrap_->SetValue(text);
  } else if (name == "lan") {
    lan_->SetValue(on);
  } else if (name == "peer_port") {
    peer_port_->SetValue(to_int());
  } else if (name == "dht_port") {
    dht_port_->SetValue(to_int());
  } else if (name == "download_folder") {
    download_folder_->SetPath(text);
  } else if (name == "after_download") {
    after_download_->SetSelection(value == "always" ? 1 : value == "never" ? 2 : 0);
  } else {
    return false;
  }
  update_tracker_fields();
  return true;
}

void SettingsPage::on_save() {
  const auto notice = [this](const std::string& text, bool error) {
    if (notice_) {
      notice_(text, error);
    }
  };
  const NetworkSettings network = network_from_fields();
  if (const auto invalid = validation_error(network); !invalid.empty()) {
    notice("Settings not saved: " + invalid, true);
    return;
  }
  client::Settings wanted = shown_;
  wanted.upload_limit = std::uint64_t(upload_kib_->GetValue()) * 1024;
  wanted.download_limit = std::uint64_t(download_kib_->GetValue()) * 1024;
  wanted.max_active_downloads = static_cast<std::uint32_t>(active_downloads_->GetValue());
  wanted.serve_while_downloading = serve_while_downloading_->GetValue();
  wanted.after_download = static_cast<client::AfterDownload>(after_download_->GetSelection());
  const std::string folder = download_folder_->GetPath().Strip(wxString::both).utf8_string();
  wanted.download_folder =
      folder.empty() ? std::nullopt : std::optional<std::filesystem::path>(folder);
  futures_.when_ready<core::Status>(
      session_.apply_settings(wanted), [this, wanted, network, notice](core::Status applied) {
        if (!applied) {
          notice("Settings not saved: " + applied.error().message(), true);
          return;
        }
        shown_ = wanted;
        if (saved_) {
          saved_(wanted);
        }
        if (network == network_shown_) {
          notice("Settings saved.", false);
          return;
        }
        if (!config_.save_network(network)) {
          notice("Network settings not saved: cannot write " + config_.path().string(), true);
          return;
        }
        network_shown_ = network;
        notice("Settings saved. The network settings take effect when Swarmshare starts again.",
               false);
      });
}

} // namespace swarmshare::gui
