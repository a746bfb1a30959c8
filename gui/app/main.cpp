// swarmshare: the desktop client. Takes the command line's global options (--home,
// --tracker, --listen, --no-dht, --no-lan, --dht-port, --bootstrap), --version, which
// works with no display, and a share link or File ID to open.
#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "app.hpp"
#include "global_options.hpp"
#include "swarmshare/client/error.hpp"
#include "swarmshare/client/home_lock.hpp"
#include "swarmshare/gui/opened_links.hpp"

#include <CLI/CLI.hpp>
#include <wx/init.h>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#ifdef _WIN32
#include <wx/msw/wrapwin.h> // <windows.h> as wx needs it included

#include <atomic>
#else
#include <csignal>
#include <pthread.h>
#include <thread>
#endif

namespace {

bool has_display() {
#if defined(__linux__) || defined(__FreeBSD__)
  const auto set = [](const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0';
  };
  return set("DISPLAY") || set("WAYLAND_DISPLAY");
#else
  return true;
#endif
}

#ifdef _WIN32

// Ctrl-C, Ctrl-Break and the closing of the console the program was started from close the
// window without asking, as SIGINT and SIGTERM do on other systems. Windows calls the handler
// on a thread of its own, which hands the request to the GUI thread. (Started without a
// console, as from the Start menu, nothing ever calls it.)
class SignalWatcher {
public:
  SignalWatcher() = default;
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
  SignalWatcher(SignalWatcher&&) = delete;
  SignalWatcher& operator=(SignalWatcher&&) = delete;

  void start(swarmshare::gui::SwarmshareApp& app) {
    app_.store(&app);
    (void)::SetConsoleCtrlHandler(on_console_control, TRUE);
  }

  ~SignalWatcher() {
    (void)::SetConsoleCtrlHandler(on_console_control, FALSE);
    app_.store(nullptr);
  }

private:
  static BOOL WINAPI on_console_control(DWORD type) {
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT && type != CTRL_CLOSE_EVENT) {
      return FALSE; // log-off and shut-down: the window hears of them (WM_QUERYENDSESSION)
    }
    if (auto* app = app_.load()) {
      app->CallAfter([app] { app->close_without_asking(); });
    }
    return TRUE;
  }

  static inline std::atomic<swarmshare::gui::SwarmshareApp*> app_{nullptr};
};

#else

// SIGINT and SIGTERM close the window without asking. They are blocked in every thread
// (threads inherit the mask from here) and taken by one thread of our own, which hands them
// to the GUI thread; SIGUSR1 tells that thread to end.
class SignalWatcher {
public:
  SignalWatcher() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
  SignalWatcher(SignalWatcher&&) = delete;
  SignalWatcher& operator=(SignalWatcher&&) = delete;

  void start(swarmshare::gui::SwarmshareApp& app) {
    thread_ = std::thread([this, &app] {
      for (;;) {
        int signal = 0;
        if (sigwait(&signals_, &signal) != 0 || signal == SIGUSR1) {
          return;
        }
        app.CallAfter([&app] { app.close_without_asking(); });
      }
    });
  }

  ~SignalWatcher() {
    if (thread_.joinable()) {
      pthread_kill(thread_.native_handle(), SIGUSR1);
      thread_.join();
    }
  }

private:
  sigset_t signals_{};
  std::thread thread_;
};

#endif

// ADDRESS:PORT, port 0 allowed (a free one is picked).
std::optional<swarmshare::core::Endpoint> parse_tracker_listen(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view address = text.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  std::uint16_t port = 0;
  const auto digits = text.substr(colon + 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  auto bound = swarmshare::cli::parse_listen_address(address);
  if (error != std::errc{} || end != digits.data() + digits.size() || !bound) {
    return std::nullopt;
  }
  return bound.value().with_port(port);
}

} // namespace

int main(int argc, char** argv) {
  swarmshare::cli::GlobalOptions global;
  CLI::App command_line{"Swarmshare: share a file, get a File ID; download from every peer "
                        "that has it.",
                        "swarmshare"};
  global.add_to(command_line);
  std::optional<std::string> tracker_listen;
  // Hidden: for tests, which must bind 127.0.0.1 only; users set the port in Settings.
  command_line
      .add_option("--tracker-listen", tracker_listen,
                  "Address and port of the embedded tracker instead of every interface")
      ->type_name("ADDR:PORT")
      ->group("");
  std::optional<std::string> link;
  command_line
      .add_option("link", link,
                  "A share link (swarmshare:?id=...) or File ID to download; handed to the "
                  "copy already running on this data directory, if there is one")
      ->type_name("LINK");
  command_line.set_version_flag("--version", "swarmshare " SWARMSHARE_VERSION);
  CLI11_PARSE(command_line, argc, argv);

  if (!has_display()) {
    std::cerr << "swarmshare: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are "
                 "not set). On this machine use swarmshare-cli (swarmshare-cli --help).\n";
    return 1;
  }
  auto home = global.data_dir();
  if (!home) {
    std::cerr << "swarmshare: " << home.error().message() << "\n";
    return 1;
  }
  if (link) {
    // A clicked link starts a second copy; while the first holds this home the engine cannot
    // open here, so the link goes to the first one, which looks for it twice a second.
    auto probe = swarmshare::client::HomeLock::acquire(home.value(), "swarmshare");
    if (!probe && probe.error() == swarmshare::client::Errc::home_in_use) {
      if (auto handed = swarmshare::gui::LinkInbox(home.value()).deliver(*link); !handed) {
        std::cerr << "swarmshare: " << swarmshare::client::describe_home_in_use(home.value())
                  << ", and the link could not be handed to it: " << handed.error().message()
                  << "\n";
        return 1;
      }
      std::cout << "swarmshare: handed the link to the Swarmshare already running ("
                << swarmshare::client::describe_home_in_use(home.value()) << ")" << std::endl;
      return 0;
    }
  }
  std::optional<swarmshare::core::Endpoint> tracker_endpoint;
  if (tracker_listen) {
    tracker_endpoint = parse_tracker_listen(*tracker_listen);
    if (!tracker_endpoint) {
      std::cerr << "swarmshare: --tracker-listen " << *tracker_listen
                << ": expected ADDRESS:PORT (port 0: any free port)\n";
      return 1;
    }
  }

  SignalWatcher signals; // before any thread starts
  std::vector<std::string> links;
  if (link) {
    links.push_back(*link);
  }
  auto* app = new swarmshare::gui::SwarmshareApp(std::move(global), std::move(home).value(),
                                                 tracker_endpoint, std::move(links));
  wxApp::SetInstance(app);
  signals.start(*app);
  // wx sees only the program name: every option above is ours.
  int wx_argc = 1;
  const int wx_status = wxEntry(wx_argc, argv);
  // wxEntry deleted the app; its exit status was saved in it before. A failed start
  // (OnInit false) makes wxEntry return non-zero.
  return wx_status == 0 ? 0 : 1;
}
