#pragma once
// Statistics: totals (uploaded, downloaded, ratio, peers served, time seeding), a chart of
// the files uploaded most, and every shared file's uploads, peers served and time seeding.
#include "future_watcher.hpp"
#include "swarmshare/client/session.hpp"
#include "swarmshare/gui/file_statistics.hpp"

#include <wx/panel.h>

class wxStaticText;

namespace swarmshare::gui {

class UploadChart;
template <class Table, class Column>
class VirtualTableView;
using FileStatisticsView = VirtualTableView<FileStatisticsTable, StatisticsColumn>;

class StatisticsPage : public wxPanel {
public:
  StatisticsPage(wxWindow* parent, client::Session& session, FutureWatcher& futures);

  /// Reads the totals and the library again; `then` runs once both are shown.
  void refresh(std::function<void(const FileStatisticsTable&)> then = {});

private:
  void show_totals();

  client::Session& session_;
  FutureWatcher& futures_;
  client::Totals totals_;
  FileStatisticsTable files_;
  wxStaticText* totals_text_ = nullptr;
  UploadChart* chart_ = nullptr;
  FileStatisticsView* list_ = nullptr;
};

} // namespace swarmshare::gui
