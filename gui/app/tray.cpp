#include "tray.hpp"

#include <wx/artprov.h>
#include <wx/frame.h>
#include <wx/menu.h>
#include <wx/notifmsg.h>

namespace swarmshare::gui {
namespace {

wxIcon app_icon() { return wxArtProvider::GetIcon(wxART_GO_DOWN, wxART_OTHER, wxSize(32, 32)); }

} // namespace

Tray::Tray(wxFrame& window) : window_(window) {
  // A desktop without a tray (a bare X server, some Wayland shells): no icon, nothing else
  // changes; closing the window still quits.
  if (IsAvailable()) {
    shown_ = SetIcon(app_icon(), "Swarmshare");
  }
  Bind(wxEVT_TASKBAR_LEFT_DOWN, [this](wxTaskBarIconEvent&) {
    window_.Show();
    window_.Iconize(false);
    window_.Raise();
  });
}

Tray::~Tray() {
  if (shown_) {
    RemoveIcon();
  }
}

void Tray::set_status(const std::string& text) {
  if (shown_) {
    SetIcon(app_icon(), wxString::FromUTF8(text));
  }
}

wxMenu* Tray::CreatePopupMenu() {
  auto* menu = new wxMenu;
  const bool visible = window_.IsShown() && !window_.IsIconized();
  menu->Append(wxID_VIEW_DETAILS, visible ? "Hide Swarmshare" : "Show Swarmshare");
  menu->AppendSeparator();
  menu->Append(wxID_EXIT, "Quit");
  menu->Bind(
      wxEVT_MENU,
      [this, visible](wxCommandEvent&) {
        if (visible) {
          window_.Hide();
        } else {
          window_.Show();
          window_.Iconize(false);
          window_.Raise();
        }
      },
      wxID_VIEW_DETAILS);
  menu->Bind(
      wxEVT_MENU, [this](wxCommandEvent&) { window_.Close(true); }, wxID_EXIT);
  return menu;
}

void Tray::notify_completed(wxFrame& window, const std::string& name, const std::string& path) {
  wxNotificationMessage message("Download complete",
                                wxString::FromUTF8(name + "\nSaved to " + path), &window,
                                wxICON_INFORMATION);
  message.Show(wxNotificationMessage::Timeout_Auto);
}

} // namespace swarmshare::gui
