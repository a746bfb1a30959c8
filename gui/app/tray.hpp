#pragma once
// The tray icon (where the desktop has a tray) and the notification when a download
// completes. The icon's menu shows or hides the window and quits; a click shows the window.
#include <wx/taskbar.h>

#include <string>

class wxFrame;

namespace swarmshare::gui {

class Tray : public wxTaskBarIcon {
public:
  explicit Tray(wxFrame& window);
  Tray(const Tray&) = delete;
  Tray& operator=(const Tray&) = delete;
  Tray(Tray&&) = delete;
  Tray& operator=(Tray&&) = delete;
  ~Tray() override;

  /// The tooltip: what is going on ("Swarmshare: ↓ 1.2 MiB/s ↑ 300 KiB/s").
  void set_status(const std::string& text);

  /// "Download complete" with the file's name, as a desktop notification.
  static void notify_completed(wxFrame& window, const std::string& name, const std::string& path);

private:
  wxMenu* CreatePopupMenu() override;

  wxFrame& window_;
  bool shown_ = false;
};

} // namespace swarmshare::gui
