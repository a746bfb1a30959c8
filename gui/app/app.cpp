#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "app.hpp"

#include "main_window.hpp"
#include "share_link_text.hpp"
#include "swarmshare/client/error.hpp"
#include "swarmshare/client/home_lock.hpp"
#include "swarmshare/gui/opened_links.hpp"

#include <wx/msgdlg.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

namespace swarmshare::gui {
namespace {

/// How often the running client looks for links a second start handed over: a clicked link
/// opens within half a second, for one directory listing each time.
constexpr int kLinkInboxLookMs = 500;

// The tracker a share link names: the one we use, as other machines reach it. A tracker on
// this computer (ours, or another copy's) is named by this computer's network address.
std::optional<std::string> tracker_for_links(const cli::GlobalOptions& global) {
  auto address = global.tracker_address();
  if (!address) {
    return std::nullopt;
  }
  const bool on_this_computer =
      address->host == "localhost" || address->host == "::1" || address->host.starts_with("127.");
  if (!on_this_computer) {
    return address->to_string();
  }
  const auto reachable = cli::routable_endpoint(core::Endpoint::ipv4({0, 0, 0, 0}, address->port));
  if (!reachable) {
    return std::nullopt; // no network: a link with our loopback address helps nobody
  }
  const std::string text = reachable->to_string();
  address->host = text.substr(0, text.rfind(':'));
  return address->to_string();
}

} // namespace

bool SwarmshareApp::OnInit() {
  SetAppName("Swarmshare");
  const auto fail = [this](const std::string& why) {
    std::cerr << "swarmshare: " << why << "\n";
    wxMessageBox(wxString::FromUTF8("Swarmshare could not start: " + why), "Swarmshare",
                 wxOK | wxICON_ERROR);
    exit_status_ = 1;
    return false;
  };
  config_ = std::make_unique<GuiConfig>(home_);
  const auto plan = apply_network_settings(config_->network(), global_);
  if (plan.run) {
    start_embedded_tracker(plan.port);
  }
  auto options = global_.session_options();
  if (!options) {
    return fail(options.error().message());
  }
  options.value().program = "swarmshare";
  auto session = client::Session::open(options.value());
  if (!session) {
    return fail(session.error().message());
  }
  session_ = std::move(session).value();
  window_ = new MainWindow(*session_, options.value(), *config_);
  for (const auto& note : startup_notes_) {
    window_->note(note);
  }
  window_->set_link_tracker(tracker_for_links(global_));
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
  if (const char* watch = std::getenv("SWARMSHARE_GUI_STALL_WATCH");
      watch != nullptr && *watch != '\0') {
    window_->watch_stalls();
  }
  if (const char* commands = std::getenv("SWARMSHARE_GUI_AUTOMATION");
      commands != nullptr && *commands != '\0') {
    start_automation(commands);
  }
  start_opening_links();
  return true;
}

void SwarmshareApp::start_opening_links() {
  for (const auto& link : std::exchange(pending_links_, {})) {
    open_link(link);
  }
  link_inbox_timer_.Bind(wxEVT_TIMER, [this, inbox = LinkInbox(home_)](wxTimerEvent&) {
    for (const auto& link : inbox.take()) {
      open_link(link);
    }
  });
  link_inbox_timer_.Start(kLinkInboxLookMs);
}

void SwarmshareApp::open_link(const std::string& link) {
  if (window_ != nullptr) {
    window_->open_link(link);
  }
}

#ifdef __WXMAC__
void SwarmshareApp::MacOpenURL(const wxString& url) {
  if (window_ == nullptr) {
    pending_links_.push_back(url.utf8_string()); // before OnInit finished: opened there
    return;
  }
  open_link(url.utf8_string());
}
#endif

void SwarmshareApp::start_embedded_tracker(std::uint16_t port) {
  const core::Endpoint listen = tracker_listen_.value_or(core::Endpoint::ipv4({0, 0, 0, 0}, port));
  auto started = EmbeddedTracker::start(home_ / "tracker", listen);
  if (started) {
    tracker_ = std::move(started).value();
    const auto& local = tracker_->local_endpoint();
    use_local_tracker(global_, local.port(), tracker_->peer_id());
    // Tests and scripts wait for this line.
    std::cout << "embedded tracker listening on " << local.to_string() << std::endl;
    startup_notes_.push_back("Running a tracker on this computer at " + local.to_string() +
                             " (tracker ID " + tracker_->peer_id() +
                             "); others on this network can use it as its address.");
    return;
  }
  const auto error = started.error();
  if (error == std::errc::address_in_use) {
    // Most likely another copy of Swarmshare on this computer runs it: share that one.
    use_local_tracker(global_, listen.port(), "");
    startup_notes_.push_back("Port " + std::to_string(listen.port()) +
                             " is taken: using the tracker already running on this computer.");
    return;
  }
  startup_notes_.push_back("Could not run a tracker on this computer (" + listen.to_string() +
                           "): " + error.message() + ". LAN discovery and the DHT still work.");
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
  link_inbox_timer_.Stop();
  if (session_) {
    session_->set_notify({});
    // Unannounce from the registries (each within the tracker timeout) before the network
    // stops; the window is already gone, so nobody watches the wait.
    session_->shutdown().wait();
    session_.reset();
  }
  tracker_.reset(); // after the session said goodbye to it
  return wxApp::OnExit();
}

} // namespace swarmshare::gui
