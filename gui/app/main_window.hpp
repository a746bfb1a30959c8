#pragma once
// The main window: the six tabs, the status log below them and the status bar. It gets the
// engine's events from the app (on the GUI thread) and sends each to the part that shows
// it; it owns the "Share Downloaded File?" questions.
#include "future_watcher.hpp"
#include "swarmshare/client/events.hpp"
#include "swarmshare/client/session.hpp"
#include "swarmshare/gui/share_questions.hpp"

#include <wx/frame.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

class wxListBox;
class wxNotebook;

namespace swarmshare::gui {

class DashboardPage;
class SharePage;
class DownloadPage;
class HistoryPage;
class SettingsPage;
class StatisticsPage;

class MainWindow : public wxFrame {
public:
  MainWindow(client::Session& session, const client::SessionOptions& options);

  void on_events(std::vector<client::Event> events);

  /// Shows each tab in turn and saves the window as DIR/NN-tab-name.png (tests, and the
  /// screenshots the GUI tests leave in the build tree). Returns how many were saved.
  int save_tab_screenshots(const std::filesystem::path& folder);

  /// Test automation: from now on, questions and notices are written through `print`
  /// instead of being shown as dialogs, and automate() takes commands.
  void enable_automation(std::function<void(const std::string&)> print);
  /// One automation command, run through the same handlers as the clicks they stand for:
  /// `search TEXT`, `download ROW`, `answer yes|no`, `shares`, `history`, `screenshots DIR`.
  void automate(const std::string& command);

private:
  void on_event(const client::Event& event);
  void append_log(const client::LogLine& line);
  void append_log(const std::string& text);
  void on_completed(const client::DownloadCompleted& completed);
  void show_next_question();
  void answer_question(bool share);
  void update_status_bar(const client::StatisticsTick& tick);
  /// A notice for the user: a message box, or under automation a printed line.
  void tell(const std::string& title, const std::string& text, long icon);

  client::Session& session_;
  FutureWatcher futures_;
  ShareQuestions questions_;
  client::AfterDownload after_download_ = client::AfterDownload::ask;
  bool tracker_configured_ = false;

  wxNotebook* notebook_ = nullptr;
  DashboardPage* dashboard_ = nullptr;
  SharePage* shares_ = nullptr;
  DownloadPage* downloads_ = nullptr;
  HistoryPage* history_ = nullptr;
  StatisticsPage* statistics_ = nullptr;
  SettingsPage* settings_ = nullptr;
  wxListBox* log_ = nullptr;
  std::function<void(const std::string&)> automation_;
};

} // namespace swarmshare::gui
