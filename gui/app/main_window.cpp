#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "main_window.hpp"

#include "dashboard_page.hpp"
#include "download_page.hpp"
#include "history_page.hpp"
#include "named_lists.hpp"
#include "settings_page.hpp"
#include "share_page.hpp"
#include "statistics_page.hpp"
#include "swarmshare/gui/registry_health.hpp"
#include "swarmshare/gui/text.hpp"
#include "tray.hpp"

#include <wx/dcclient.h>
#include <wx/dcmemory.h>
#include <wx/display.h>
#include <wx/image.h>
#include <wx/listbox.h>
#include <wx/msgdlg.h>
#include <wx/notebook.h>
#include <wx/sizer.h>
#include <wx/splitter.h>
#include <wx/statusbr.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>

namespace swarmshare::gui {
namespace {

// The status log keeps this many lines; older ones scroll away.
constexpr unsigned kLogLines = 5000;

template <class... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};

} // namespace

MainWindow::MainWindow(client::Session& session, const client::SessionOptions& options,
                       GuiConfig& config)
    : wxFrame(nullptr, wxID_ANY, "Swarmshare", wxDefaultPosition, wxSize(1000, 720)),
      session_(session), config_(config), tracker_configured_(options.tracker.has_value()) {
  splitter_ = new wxSplitterWindow(this, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                                   wxSP_LIVE_UPDATE | wxSP_3D);
  auto* splitter = splitter_;
  notebook_ = new wxNotebook(splitter, wxID_ANY);
  dashboard_ = new DashboardPage(notebook_, options);
  shares_ = new SharePage(notebook_, session_, futures_, notices_);
  downloads_ = new DownloadPage(notebook_, session_, futures_, notices_);
  history_ = new HistoryPage(notebook_, session_, futures_, notices_);
  statistics_ = new StatisticsPage(notebook_, session_, futures_);
  settings_ = new SettingsPage(notebook_, session_, futures_, config_);
  notebook_->AddPage(dashboard_, "Dashboard", true);
  notebook_->AddPage(shares_, "Share Files");
  notebook_->AddPage(downloads_, "Download Files");
  notebook_->AddPage(history_, "History");
  notebook_->AddPage(statistics_, "Statistics");
  notebook_->AddPage(settings_, "Settings");
  notebook_->Bind(wxEVT_NOTEBOOK_PAGE_CHANGED, [this](wxBookCtrlEvent& event) {
    // Pages that read the state database refresh when they are looked at.
    const wxWindow* shown = notebook_->GetPage(static_cast<size_t>(event.GetSelection()));
    if (shown == history_) {
      history_->refresh();
    } else if (shown == statistics_) {
      statistics_->refresh();
    }
    event.Skip();
  });

  log_ = new wxListBox(splitter, wxID_ANY);
  splitter->SetMinimumPaneSize(60);
  splitter->SetSashGravity(1.0);
  splitter->SplitHorizontally(notebook_, log_, -160);

  CreateStatusBar(3);
  const int widths[] = {-2, -1, -3};
  GetStatusBar()->SetStatusWidths(3, widths);
  SetStatusText(wxString::FromUTF8("↓ 0 B/s  ↑ 0 B/s"), 0);
  SetStatusText("Peers: 0", 1);
  SetStatusText(wxString::FromUTF8(tracker_health_line(tracker_configured_, {}).text), 2);

  futures_.when_ready<client::Settings>(session_.settings(), [this](client::Settings settings) {
    after_download_ = settings.after_download;
    downloads_->set_download_folder(settings.download_folder);
    settings_->show(settings);
  });
  settings_->on_saved([this](const client::Settings& saved) {
    after_download_ = saved.after_download;
    downloads_->set_download_folder(saved.download_folder);
  });
  settings_->on_notice([this](const std::string& text, bool error) {
    note(text);
    if (error || notices_.automated()) {
      tell("Settings", text, error ? wxICON_ERROR : wxICON_INFORMATION);
    }
  });
  // The library at start; under automation its size and how long it took to show (the
  // benchmark of a large library).
  shares_->refresh([this, started = std::chrono::steady_clock::now()](const SharedFiles& files) {
    if (automation_) {
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      automation_("library at start " + std::to_string(files.row_count()) + " rows in " +
                  std::to_string(took.count()) + " ms");
    }
  });
  restore_placement();
  tray_ = std::make_unique<Tray>(*this);
  Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& event) {
    save_placement();
    tray_.reset(); // a tray icon left behind would keep the program running
    event.Skip();
  });
  note("Swarmshare started. Peer ID: " + session_.peer_id().to_string());
}

void MainWindow::restore_placement() {
  for (auto& list : NamedList::in(*this)) {
    list.set_widths(config_.column_widths(list.name()));
  }
  const auto placement = config_.placement();
  if (!placement) {
    return;
  }
  // A window saved on a screen that is gone (a second monitor unplugged) comes back on the
  // first one rather than out of sight.
  wxRect frame = placement->frame;
  frame.width = std::max(frame.width, 400);
  frame.height = std::max(frame.height, 300);
  if (wxDisplay::GetFromPoint(frame.GetTopLeft()) == wxNOT_FOUND) {
    frame.SetTopLeft(wxDisplay(0U).GetClientArea().GetTopLeft());
  }
  SetSize(frame);
  if (placement->maximized) {
    Maximize();
  }
  if (placement->log_height > 0) {
    splitter_->SetSashPosition(-placement->log_height);
  }
}

void MainWindow::save_placement() {
  WindowPlacement placement;
  placement.maximized = IsMaximized();
  placement.frame =
      placement.maximized ? config_.placement().value_or(WindowPlacement{}).frame : GetRect();
  if (placement.frame.IsEmpty()) {
    placement.frame = GetRect();
  }
  placement.log_height = splitter_->GetSize().GetHeight() - splitter_->GetSashPosition();
  config_.set_placement(placement);
  for (const auto& list : NamedList::in(*this)) {
    config_.set_column_widths(list.name(), list.widths());
  }
  if (!config_.flush()) {
    std::cerr << "swarmshare: could not save the window's placement\n";
  }
}

MainWindow::~MainWindow() = default;

void MainWindow::watch_stalls() {
  stall_timer_.Bind(wxEVT_TIMER, [this](wxTimerEvent&) { stalls_.tick(StallMeter::Clock::now()); });
  stall_timer_.Start(10);
}

void MainWindow::set_link_tracker(std::optional<std::string> tracker) {
  shares_->set_link_tracker(std::move(tracker));
}

void MainWindow::on_events(std::vector<client::Event> events) {
  for (const auto& event : events) {
    on_event(event);
  }
}

void MainWindow::on_event(const client::Event& event) {
  std::visit(
      Overloaded{
          [this](const client::LogLine& line) { append_log(line); },
          [this](const client::HashProgressed& progress) {
            shares_->on_hash_progress(progress);
            if (automation_) {
              automation_("hashing " + progress.path.filename().string() + " " +
                          std::to_string(progress.bytes_done) + " of " +
                          std::to_string(progress.bytes_total));
            }
          },
          [this](const client::ShareAdded& added) { shares_->on_share_added(added); },
          [this](const client::ShareAnnounced&) {},
          [this](const client::ShareStopped&) { shares_->refresh(); },
          [this](const client::DownloadStarted& started) { downloads_->on_started(started); },
          [this](const client::DownloadQueued& queued) { downloads_->on_queued(queued); },
          [this](const client::DownloadProgressed& progress) { downloads_->on_progress(progress); },
          [](const client::SourceFound&) {},
          [this](const client::DownloadCompleted& completed) { on_completed(completed); },
          [this](const client::DownloadFailed& failed) { downloads_->on_failed(failed); },
          [this](const client::StatisticsTick& tick) {
            dashboard_->on_tick(tick);
            update_status_bar(tick);
          },
          [this](const client::RegistryHealthChanged& changed) {
            tracker_configured_ = changed.tracker_configured;
            dashboard_->on_registry_health(changed);
            SetStatusText(
                wxString::FromUTF8(
                    tracker_health_line(changed.tracker_configured, changed.tracker).text),
                2);
          },
      },
      event);
}

void MainWindow::open_link(const std::string& text) {
  if (IsIconized()) {
    Iconize(false);
  }
  Show();
  Raise();
  notebook_->SetSelection(static_cast<size_t>(notebook_->FindPage(downloads_)));
  append_log("Opening the link " + text);
  if (automation_) {
    automation_("link opened " + text);
  }
  downloads_->open_link(text);
}

void MainWindow::note(const std::string& text) {
  append_log(client::LogLine{std::chrono::system_clock::now(), client::LogLevel::info, text});
}

void MainWindow::append_log(const client::LogLine& line) { append_log(status_log_text(line)); }

void MainWindow::append_log(const std::string& text) {
  if (log_->GetCount() >= kLogLines) {
    log_->Delete(0);
  }
  const auto row = static_cast<int>(log_->Append(wxString::FromUTF8(text)));
  log_->EnsureVisible(row);
}

void MainWindow::on_completed(const client::DownloadCompleted& completed) {
  downloads_->on_completed(completed);
  if (automation_) {
    automation_("notified Download complete: " + completed.name);
  } else {
    Tray::notify_completed(*this, completed.name, completed.path.string());
  }
  switch (questions_.on_completed(completed, after_download_)) {
  case CompletionAction::share_at_once:
    futures_.when_ready<core::Result<client::ShareResult>>(
        session_.accept_share(completed.file_id), [](core::Result<client::ShareResult>) {});
    return;
  case CompletionAction::keep_at_once:
    futures_.when_ready<core::Status>(session_.decline_share(completed.file_id),
                                      [](core::Status) {});
    return;
  case CompletionAction::ask:
    // Outside this event's handling: the dialog runs its own event loop, in which the engine
    // keeps running and further completions queue.
    CallAfter([this] { show_next_question(); });
    return;
  }
}

void MainWindow::show_next_question() {
  const auto question = questions_.next_to_show();
  if (!question) {
    return;
  }
  if (automation_) {
    automation_("question " + question->file_id.to_hex() + " " + question->name);
    return; // answered by an `answer` command
  }
  wxMessageDialog dialog(this, wxString::FromUTF8(share_question_text(*question)),
                         wxString::FromUTF8(share_question_title()),
                         wxYES_NO | wxYES_DEFAULT | wxICON_QUESTION);
  answer_question(dialog.ShowModal() == wxID_YES);
}

void MainWindow::answer_question(bool share) {
  const ShareQuestion answered = questions_.answer();
  if (share) {
    futures_.when_ready<core::Result<client::ShareResult>>(
        session_.accept_share(answered.file_id),
        [this, answered](core::Result<client::ShareResult> result) {
          if (result) {
            tell(shared_result_title(), shared_result_text(answered), wxICON_INFORMATION);
          } else {
            tell("Swarmshare", "Could not share " + answered.name + ": " + result.error().message(),
                 wxICON_ERROR);
          }
          shares_->refresh();
          show_next_question();
        });
    return;
  }
  futures_.when_ready<core::Status>(
      session_.decline_share(answered.file_id), [this, answered](core::Status) {
        tell(kept_result_title(), kept_result_text(answered), wxICON_INFORMATION);
        history_->refresh();
        show_next_question();
      });
}

int MainWindow::save_tab_screenshots(const std::filesystem::path& folder) {
  if (wxImage::FindHandler(wxBITMAP_TYPE_PNG) == nullptr) {
    wxImage::AddHandler(new wxPNGHandler);
  }
  std::error_code ignored;
  std::filesystem::create_directories(folder, ignored);
  int saved = 0;
  for (size_t page = 0; page < notebook_->GetPageCount(); ++page) {
    notebook_->SetSelection(page);
    Update();
    wxYield(); // let the tab paint before it is copied
    wxClientDC window_dc(this);
    const wxSize size = GetClientSize();
    wxBitmap bitmap(size);
    wxMemoryDC memory(bitmap);
    memory.Blit(0, 0, size.GetWidth(), size.GetHeight(), &window_dc, 0, 0);
    memory.SelectObject(wxNullBitmap);
    std::string name = notebook_->GetPageText(page).utf8_string();
    for (char& c : name) {
      c = (c == ' ') ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const std::string number = std::to_string(page + 1);
    const auto path = folder / ((number.size() < 2 ? "0" : "") + number + "-" + name + ".png");
    if (bitmap.SaveFile(wxString::FromUTF8(path.string()), wxBITMAP_TYPE_PNG)) {
      ++saved;
    }
  }
  notebook_->SetSelection(0);
  return saved;
}

void MainWindow::tell(const std::string& title, const std::string& text, long icon) {
  notices_.tell(title, text, icon);
}

void MainWindow::update_status_bar(const client::StatisticsTick& tick) {
  SetStatusText(wxString::FromUTF8("↓ " + format_rate(tick.download_rate) + "  ↑ " +
                                   format_rate(tick.upload_rate)),
                0);
  SetStatusText(wxString::FromUTF8("Peers: " + std::to_string(tick.peers)), 1);
  if (tray_) {
    tray_->set_status("Swarmshare: ↓ " + format_rate(tick.download_rate) + "  ↑ " +
                      format_rate(tick.upload_rate));
  }
}

} // namespace swarmshare::gui
