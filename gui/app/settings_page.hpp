#pragma once
// Settings. Two kinds, saved by one button: those the engine keeps (client::Settings: rate
// limits, downloads at once, sharing chunks while downloading, what follows a completed
// download, the download folder), which take effect at once; and the network settings
// (network_settings.hpp: tracker, embedded tracker, DHT, bootstrap nodes, LAN discovery,
// ports), which the engine takes at start and so take effect at the next start.
#include "future_watcher.hpp"
#include "gui_config.hpp"
#include "swarmshare/client/session.hpp"
#include "swarmshare/client/settings.hpp"
#include "swarmshare/gui/network_settings.hpp"

#include <wx/scrolwin.h>

#include <functional>
#include <string>

class wxCheckBox;
class wxChoice;
class wxDirPickerCtrl;
class wxSpinCtrl;
class wxTextCtrl;

namespace swarmshare::gui {

// Scrolls when the window is too short for it.
class SettingsPage : public wxScrolledWindow {
public:
  SettingsPage(wxWindow* parent, client::Session& session, FutureWatcher& futures,
               GuiConfig& config);

  /// Shows the engine's settings in effect.
  void show(const client::Settings& settings);
  /// Called after the engine accepted and saved the settings.
  void on_saved(std::function<void(const client::Settings&)> saved) { saved_ = std::move(saved); }
  /// Called with what to tell the user after a save ("takes effect at the next start"), or
  /// an error; the window shows it (a message box, or a line under automation).
  void on_notice(std::function<void(const std::string&, bool error)> notice) {
    notice_ = std::move(notice);
  }

  /// Automation: sets one field by its name as the user would type it, then Save is pressed
  /// with `save`. Names: tracker, run_tracker, tracker_port, dht, bootstrap, lan, peer_port,
  /// dht_port, download_folder, after_download. Returns false for an unknown name.
  [[nodiscard]] bool set_field(const std::string& name, const std::string& value);
  void save() { on_save(); }

private:
  void on_save();
  void show_network(const NetworkSettings& settings);
  [[nodiscard]] NetworkSettings network_from_fields() const;
  void update_tracker_fields();

  client::Session& session_;
  FutureWatcher& futures_;
  GuiConfig& config_;
  client::Settings shown_;
  NetworkSettings network_shown_;
  std::function<void(const client::Settings&)> saved_;
  std::function<void(const std::string&, bool)> notice_;
  wxSpinCtrl* upload_kib_ = nullptr;
  wxSpinCtrl* download_kib_ = nullptr;
  wxSpinCtrl* active_downloads_ = nullptr;
  wxCheckBox* serve_while_downloading_ = nullptr;
  wxChoice* after_download_ = nullptr;
  wxDirPickerCtrl* download_folder_ = nullptr;
  wxTextCtrl* tracker_ = nullptr;
  wxCheckBox* run_tracker_ = nullptr;
  wxSpinCtrl* tracker_port_ = nullptr;
  wxCheckBox* dht_ = nullptr;
  wxTextCtrl* bootstrap_ = nullptr;
  wxCheckBox* lan_ = nullptr;
  wxSpinCtrl* peer_port_ = nullptr;
  wxSpinCtrl* dht_port_ = nullptr;
};

} // namespace swarmshare::gui
