#pragma once
// The desktop client's wxApp: opens the engine, shows the main window, and carries engine
// events to it. The engine's notify hook runs on engine threads; it only queues a drain
// on the GUI thread (CallAfter), which takes the events and hands them to the window.
#include "embedded_tracker.hpp"
#include "global_options.hpp"
#include "gui_config.hpp"
#include "swarmshare/client/session.hpp"

#include <wx/app.h>
#include <wx/timer.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace swarmshare::gui {

class MainWindow;

class SwarmshareApp : public wxApp {
public:
  /// `home`: the data directory the options name. `tracker_listen`: where the embedded
  /// tracker listens instead of every interface at the configured port (tests: 127.0.0.1:0).
  /// `links`: share links or File IDs to open once the window is up (the command line).
  SwarmshareApp(cli::GlobalOptions options, std::filesystem::path home,
                std::optional<core::Endpoint> tracker_listen, std::vector<std::string> links = {})
      : global_(std::move(options)), home_(std::move(home)), tracker_listen_(tracker_listen),
        pending_links_(std::move(links)) {}

  bool OnInit() override;
  int OnExit() override;
#ifdef __WXMAC__
  /// macOS hands a clicked swarmshare: link to the running application this way (the
  /// bundle's Info.plist claims the scheme), not on the command line.
  void MacOpenURL(const wxString& url) override;
#endif

  /// The exit status main() returns: 1 when the engine could not start.
  [[nodiscard]] int exit_status() const noexcept { return exit_status_; }

  /// SIGINT or SIGTERM: close without asking (the state is saved as on any close).
  void close_without_asking();

private:
  void drain_events();
  void start_automation(const std::string& commands_path);
  /// Runs the embedded tracker and points global_ at it (or at the copy of the client that
  /// already holds the port); what happened goes to startup_notes_ for the status log.
  void start_embedded_tracker(std::uint16_t port);
  /// Opens the links given at start, then looks in the link inbox (links a second start of
  /// the client handed over) twice a second.
  void start_opening_links();
  void open_link(const std::string& link);

  cli::GlobalOptions global_;
  std::filesystem::path home_;
  std::optional<core::Endpoint> tracker_listen_;
  std::unique_ptr<GuiConfig> config_;
  std::unique_ptr<EmbeddedTracker> tracker_;
  std::vector<std::string> startup_notes_;
  std::unique_ptr<client::Session> session_;
  MainWindow* window_ = nullptr; // owned by wx
  wxTimer screenshot_timer_;
  std::vector<std::string> pending_links_;
  wxTimer link_inbox_timer_;
  std::atomic<bool> drain_queued_{false};
  int exit_status_ = 0;
};

} // namespace swarmshare::gui
