#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

// The main window's test automation: commands from the FIFO named by
// SWARMSHARE_GUI_AUTOMATION, each run through the handlers a click runs, and the lines that
// answer them (main_window.hpp lists the commands).
#include "main_window.hpp"

#include "dashboard_page.hpp"
#include "download_page.hpp"
#include "history_page.hpp"
#include "named_lists.hpp"
#include "settings_page.hpp"
#include "share_page.hpp"
#include "statistics_page.hpp"

#include <wx/notebook.h>

#include <chrono>
#include <sstream>

namespace swarmshare::gui {

void MainWindow::enable_automation(std::function<void(const std::string&)> print) {
  automation_ = std::move(print);
  notices_.automate(automation_);
  shares_->on_shared([this](const std::filesystem::path& path,
                            const core::Result<client::ShareResult>& shared) {
    automation_(shared
                    ? "shared " + shared.value().file_id.to_hex() + " " + shared.value().name
                    : "not shared " + path.filename().string() + ": " + shared.error().message());
  });
  downloads_->on_results(
      [this](std::size_t hits) { automation_("results " + std::to_string(hits)); });
}

void MainWindow::automate(const std::string& command) {
  automation_("> " + command); // a transcript for the test's failure messages
  const auto space = command.find(' ');
  const std::string verb = command.substr(0, space);
  const std::string argument = space == std::string::npos ? "" : command.substr(space + 1);
  if (verb == "search") {
    notebook_->SetSelection(static_cast<size_t>(notebook_->FindPage(downloads_)));
    downloads_->search_for(argument);
  } else if (verb == "download") {
    downloads_->download_result(std::stol(argument));
  } else if (verb == "answer" && questions_.question_open()) {
    answer_question(argument == "yes");
  } else if (verb == "shares") {
    // The library is read again first, so the rows are the engine's, not just our events'.
    shares_->refresh([this](const SharedFiles& files) {
      for (std::size_t row = 0; row < files.row_count(); ++row) {
        automation_("share " + files.row(row).file_id.to_hex() + " " +
                    files.cell(row, SharedColumn::status) + " | " + files.row(row).name);
      }
      automation_("shares end");
    });
  } else if (verb == "history") {
    history_->refresh([this](const std::vector<client::HistoryEntry>& entries) {
      for (const auto& entry : entries) {
        automation_("history " + entry.file_id.to_hex() + " " +
                    std::string(client::to_string(entry.outcome)) + " | " + entry.name);
      }
      automation_("history end");
    });
  } else if (verb == "share") {
    shares_->share_files({std::filesystem::path(argument)});
  } else if (verb == "cancel-hashing") {
    shares_->cancel_hashing();
  } else if (verb == "link") {
    automation_("link " + shares_->copy_share_link(std::stoul(argument)));
  } else if (verb == "confirm") {
    if (!notices_.confirm(argument == "yes")) {
      automation_("no question open");
    }
  } else if (verb == "set") {
    const auto value_at = argument.find(' ');
    const std::string name = argument.substr(0, value_at);
    const std::string value = value_at == std::string::npos ? "" : argument.substr(value_at + 1);
    automation_(settings_->set_field(name, value) ? "set " + name : "unknown setting " + name);
  } else if (verb == "save-settings") {
    settings_->save();
  } else if (verb == "resize") {
    int width = 0;
    int height = 0;
    std::istringstream(argument) >> width >> height;
    SetSize(width, height);
    automation_("resized");
  } else if (verb == "geometry") {
    const wxRect frame = GetRect();
    automation_("geometry " + std::to_string(frame.width) + " " + std::to_string(frame.height));
  } else if (verb == "column") {
    // column LIST INDEX WIDTH sets a width; column LIST prints the widths.
    std::istringstream words(argument);
    std::string list_name;
    int index = -1;
    int width = 0;
    words >> list_name >> index >> width;
    for (auto& list : NamedList::in(*this)) {
      if (list.name() != list_name) {
        continue;
      }
      // Its tab is shown first, as for a user who drags a column's edge: a data view's
      // columns take their widths once laid out.
      for (size_t page = 0; page < notebook_->GetPageCount(); ++page) {
        if (notebook_->GetPage(page)->IsDescendant(&list.window())) {
          notebook_->SetSelection(page);
        }
      }
      wxYield();
      if (index >= 0) {
        list.set_width(static_cast<std::size_t>(index), width);
        wxYield();
      }
      std::string widths;
      for (const int shown : list.widths()) {
        widths += widths.empty() ? "" : ",";
        widths += std::to_string(shown);
      }
      automation_("columns " + list_name + " " + widths);
    }
  } else if (verb == "statistics") {
    statistics_->refresh([this](const FileStatisticsTable& files) {
      for (std::size_t row = 0; row < files.row_count(); ++row) {
        const auto& shown = files.row(row);
        automation_("statistics " + shown.file_id.to_hex() + " " +
                    std::to_string(shown.statistics.bytes_uploaded) + " " +
                    std::to_string(shown.statistics.peers_served) + " | " + shown.name);
      }
      automation_("statistics end");
    });
  } else if (verb == "stalls") {
    if (argument == "reset") {
      stalls_.reset();
    }
    automation_("stalls longest " + std::to_string(stalls_.longest_stall().count()) + " ms over " +
                std::to_string(stalls_.ticks()) + " ticks");
  } else if (verb == "open-shares") {
    // The Share Files tab as a user opens it: the library read again, the rows counted into
    // the list, the tab shown and painted.
    const auto started = std::chrono::steady_clock::now();
    shares_->refresh([this, started](const SharedFiles& files) {
      notebook_->SetSelection(static_cast<size_t>(notebook_->FindPage(shares_)));
      Update(); // paints now, not when the loop gets to it
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      automation_("shares shown " + std::to_string(files.row_count()) + " rows in " +
                  std::to_string(took.count()) + " ms");
    });
  } else if (verb == "graph") {
    automation_("graph " + std::to_string(dashboard_->graph_samples()) + " samples");
  } else if (verb == "screenshots") {
    automation_("screenshots " + std::to_string(save_tab_screenshots(argument)) + " in " +
                argument);
  } else {
    automation_("unknown command: " + command);
  }
}

} // namespace swarmshare::gui
