#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "app.hpp"

#include "main_window.hpp"
#include "swarmshare/client/error.hpp"
#include "swarmshare/client/home_lock.hpp"

#include <wx/msgdlg.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

namespace swarmshare::gui {

bool SwarmshareApp::OnInit() {
  SetAppName("Swarmshare");
  auto session = client::Session::open(options_);
  if (!session) {
    wxMessageBox(wxString::FromUTF8("Swarmshare could not start: " + session.error().message()),
                 "Swarmshare", wxOK | wxICON_ERROR);
    exit_status_ = 1;
    return false;
  }
  session_ = std::move(session).value();
  window_ = new MainWindow(*session_, options_);
  window_->Show();
  // The window is gone once closed; events still queued for it are dropped.
  window_->Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& event) {
    window_ = nullptr;
    event.Skip();
  });
  session_->set_notify([this] {
    // Many events come in bursts: one drain queued at a time is enough.
    if (!drain_queued_.exchange(true)) {
      CallAfter([this] { drain_events(); });
    }
  });
  drain_events();
  if (const char* folder = std::getenv("SWARMSHARE_GUI_SCREENSHOTS");
      folder != nullptr && *folder != '\0') {
    // For tests and documentation: once the window has settled, a picture of every tab.
    screenshot_timer_.Bind(wxEVT_TIMER, [this, where = std::string(folder)](wxTimerEvent&) {
      if (window_ != nullptr) {
        const int saved = window_->save_tab_screenshots(where);
        std::cout << "screenshots " << saved << " in " << where << std::endl;
      }
    });
    screenshot_timer_.StartOnce(1500);
  }
  if (const char* commands = std::getenv("SWARMSHARE_GUI_AUTOMATION");
      commands != nullptr && *commands != '\0') {
    start_automation(commands);
  }
  return true;
}

void SwarmshareApp::start_automation(const std::string& commands_path) {
  window_->enable_automation([](const std::string& line) { std::cout << line << std::endl; });
  // Commands come one per line from a FIFO the test writes; each runs on the GUI thread.
  // The reader blocks in the read and ends with the process.
  std::thread([this, commands_path] {
    std::ifstream commands(commands_path);
    std::string line;
    while (std::getline(commands, line)) {
      CallAfter([this, line] {
        if (window_ != nullptr) {
          window_->automate(line);
        }
      });
    }
  }).detach();
  std::cout << "automation ready" << std::endl;
}

void SwarmshareApp::drain_events() {
  drain_queued_ = false;
  if (session_ && window_ != nullptr) {
    window_->on_events(session_->take_events());
  }
}

void SwarmshareApp::close_without_asking() {
  if (window_ != nullptr) {
    window_->Close(true);
  }
}

int SwarmshareApp::OnExit() {
  if (session_) {
    session_->set_notify({});
    // Unannounce from the registries (each within the tracker timeout) before the network
    // stops; the window is already gone, so nobody watches the wait.
    session_->shutdown().wait();
    session_.reset();
  }
  return wxApp::OnExit();
}

} // namespace swarmshare::gui
