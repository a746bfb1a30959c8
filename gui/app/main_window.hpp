#pragma once
// The main window: the six tabs, the status log below them and the status bar. It gets the
// engine's events from the app (on the GUI thread) and sends each to the part that shows
// it; it owns the "Share Downloaded File?" questions.
#include "future_watcher.hpp"
#include "gui_config.hpp"
#include "notices.hpp"
#include "swarmshare/client/events.hpp"
#include "swarmshare/client/session.hpp"
#include "swarmshare/gui/share_questions.hpp"
#include "swarmshare/gui/stall_meter.hpp"

#include <wx/frame.h>
#include <wx/timer.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class wxListBox;
class wxNotebook;
class wxSplitterWindow;

namespace swarmshare::gui {

class DashboardPage;
class Tray;
class SharePage;
class DownloadPage;
class HistoryPage;
class SettingsPage;
class StatisticsPage;

class MainWindow : public wxFrame {
public:
  /// `config` keeps the window's placement and column widths, and the network settings; it
  /// must outlive the window.
  MainWindow(client::Session& session, const client::SessionOptions& options, GuiConfig& config);
  ~MainWindow() override;

  void on_events(std::vector<client::Event> events);
  /// The tracker share links name (see SharePage::set_link_tracker).
  void set_link_tracker(std::optional<std::string> tracker);
  /// A line of our own in the status log (the engine's come as events).
  void note(const std::string& text);
  /// A share link or File ID the desktop opened the client with (command line, a clicked
  /// link, a second start handing it over): brought to the front on Download Files, which
  /// downloads it.
  void open_link(const std::string& text);

  /// Shows each tab in turn and saves the window as DIR/NN-tab-name.png (tests, and the
  /// screenshots the GUI tests leave in the build tree). Returns how many were saved.
  int save_tab_screenshots(const std::filesystem::path& folder);

  /// Benchmarks: a 10 ms timer whose late ticks measure how long the event loop was kept
  /// from running (automation: `stalls`, `stalls reset`).
  void watch_stalls();

  /// Test automation: from now on, questions and notices are written through `print`
  /// instead of being shown as dialogs, and automate() takes commands.
  void enable_automation(std::function<void(const std::string&)> print);
  /// One automation command, run through the same handlers as the clicks they stand for:
  /// `search TEXT`, `download ROW`, `answer yes|no` (the share question), `confirm yes|no`
  /// (any other question), `shares`, `history`, `share PATH`, `cancel-hashing`, `link ROW`,
  /// `set NAME VALUE` and `save-settings`, `resize W H`, `geometry`, `column LIST [I W]`,
  /// `graph`, `statistics`, `stalls [reset]`, `open-shares`, `screenshots DIR`.
  void automate(const std::string& command);

private:
  void on_event(const client::Event& event);
  void append_log(const client::LogLine& line);
  void append_log(const std::string& text);
  void on_completed(const client::DownloadCompleted& completed);
  void show_next_question();
  void answer_question(bool share);
  void update_status_bar(const client::StatisticsTick& tick);
  void restore_placement();
  /// Saves the placement and every list's column widths (at close).
  void save_placement();
  /// A notice for the user: a message box, or under automation a printed line.
  void tell(const std::string& title, const std::string& text, long icon);

  client::Session& session_;
  GuiConfig& config_;
  FutureWatcher futures_;
  Notices notices_{*this};
  ShareQuestions questions_;
  client::AfterDownload after_download_ = client::AfterDownload::ask;
  bool tracker_configured_ = false;

  wxSplitterWindow* splitter_ = nullptr;
  wxNotebook* notebook_ = nullptr;
  DashboardPage* dashboard_ = nullptr;
  SharePage* shares_ = nullptr;
  DownloadPage* downloads_ = nullptr;
  HistoryPage* history_ = nullptr;
  StatisticsPage* statistics_ = nullptr;
  SettingsPage* settings_ = nullptr;
  wxListBox* log_ = nullptr;
  std::unique_ptr<Tray> tray_;
  StallMeter stalls_{std::chrono::milliseconds{10}};
  wxTimer stall_timer_;
  std::function<void(const std::string&)> automation_;
};

} // namespace swarmshare::gui
