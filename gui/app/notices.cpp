#include "notices.hpp"

#include <wx/msgdlg.h>

namespace swarmshare::gui {

void Notices::tell(const std::string& title, const std::string& text, long icon) {
  if (print_) {
    print_("told " + title + ": " + text.substr(0, text.find('\n')));
    return;
  }
  wxMessageBox(wxString::FromUTF8(text), wxString::FromUTF8(title), wxOK | icon, &parent_);
}

void Notices::ask(const std::string& title, const std::string& text,
                  std::function<void(bool)> then) {
  if (print_) {
    pending_ = std::move(then);
    print_("asked " + title + ": " + text.substr(0, text.find('\n')));
    return;
  }
  wxMessageDialog dialog(&parent_, wxString::FromUTF8(text), wxString::FromUTF8(title),
                         wxYES_NO | wxNO_DEFAULT | wxICON_WARNING);
  then(dialog.ShowModal() == wxID_YES);
}

} // namespace swarmshare::gui
