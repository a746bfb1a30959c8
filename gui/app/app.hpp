#pragma once
// The desktop client's wxApp: opens the engine, shows the main window, and carries engine
// events to it. The engine's notify hook runs on engine threads; it only queues a drain
// on the GUI thread (CallAfter), which takes the events and hands them to the window.
#include "swarmshare/client/session.hpp"

#include <wx/app.h>
#include <wx/timer.h>

#include <atomic>
#include <memory>
#include <string>

namespace swarmshare::gui {

class MainWindow;

class SwarmshareApp : public wxApp {
public:
  explicit SwarmshareApp(client::SessionOptions options) : options_(std::move(options)) {}

  bool OnInit() override;
  int OnExit() override;

  /// The exit status main() returns: 1 when the engine could not start.
  [[nodiscard]] int exit_status() const noexcept { return exit_status_; }

  /// SIGINT or SIGTERM: close without asking (the state is saved as on any close).
  void close_without_asking();

private:
  void drain_events();
  void start_automation(const std::string& commands_path);

  client::SessionOptions options_;
  std::unique_ptr<client::Session> session_;
  MainWindow* window_ = nullptr; // owned by wx
  wxTimer screenshot_timer_;
  std::atomic<bool> drain_queued_{false};
  int exit_status_ = 0;
};

} // namespace swarmshare::gui
