#pragma once
// Settings the engine keeps (client::Settings): rate limits, downloads at once, sharing
// chunks while downloading, and what follows a completed download. Saved for later runs.
#include "future_watcher.hpp"
#include "swarmshare/client/session.hpp"
#include "swarmshare/client/settings.hpp"

#include <wx/panel.h>

#include <functional>

class wxCheckBox;
class wxChoice;
class wxSpinCtrl;

namespace swarmshare::gui {

class SettingsPage : public wxPanel {
public:
  SettingsPage(wxWindow* parent, client::Session& session, FutureWatcher& futures);

  /// Shows the settings in effect.
  void show(const client::Settings& settings);
  /// Called after the engine accepted and saved the settings.
  void on_saved(std::function<void(const client::Settings&)> saved) { saved_ = std::move(saved); }

private:
  void on_save();

  client::Session& session_;
  FutureWatcher& futures_;
  client::Settings shown_;
  std::function<void(const client::Settings&)> saved_;
  wxSpinCtrl* upload_kib_ = nullptr;
  wxSpinCtrl* download_kib_ = nullptr;
  wxSpinCtrl* active_downloads_ = nullptr;
  wxCheckBox* serve_while_downloading_ = nullptr;
  wxChoice* after_download_ = nullptr;
};

} // namespace swarmshare::gui
