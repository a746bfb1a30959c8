#pragma once
// Statistics: totals (uploaded, downloaded, ratio, peers served) read from the state.
#include "future_watcher.hpp"
#include "swarmshare/client/session.hpp"

#include <wx/panel.h>

class wxStaticText;

namespace swarmshare::gui {

class StatisticsPage : public wxPanel {
public:
  StatisticsPage(wxWindow* parent, client::Session& session, FutureWatcher& futures);

  void refresh();

private:
  client::Session& session_;
  FutureWatcher& futures_;
  wxStaticText* totals_ = nullptr;
};

} // namespace swarmshare::gui
