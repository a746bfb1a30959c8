#include "swarmshare/core/platform/stop_signals.hpp"

#include <windows.h>

#include <atomic>

namespace swarmshare::core::platform {
namespace {

// Set by the control handler, which Windows runs on a thread of its own; auto-reset, so one
// request wakes one wait, as one signal does on POSIX systems.
std::atomic<HANDLE> g_stop_event{nullptr};

BOOL WINAPI on_console_control(DWORD type) {
  switch (type) {
  case CTRL_C_EVENT:
  case CTRL_BREAK_EVENT:
  case CTRL_CLOSE_EVENT: {
    if (const HANDLE event = g_stop_event.load()) {
      (void)::SetEvent(event);
    }
    if (type == CTRL_CLOSE_EVENT) {
      // Windows ends the process as soon as the handler returns from a close event (or a
      // few seconds later if it does not): stay here so the clean shutdown gets those
      // seconds; the process exits under us when it is done.
      ::Sleep(INFINITE);
    }
    return TRUE;
  }
  default: return FALSE; // log-off and shut-down: the default handling
  }
}

} // namespace

void block_stop_signals() noexcept {
  if (g_stop_event.load() != nullptr) {
    return;
  }
  const HANDLE event = ::CreateEventW(nullptr, FALSE, FALSE, nullptr);
  if (event == nullptr) {
    return; // then Ctrl-C keeps its default meaning: the process ends at once
  }
  g_stop_event.store(event);
  (void)::SetConsoleCtrlHandler(on_console_control, TRUE);
}

bool wait_for_stop_signal(std::chrono::milliseconds timeout) noexcept {
  const HANDLE event = g_stop_event.load();
  if (event == nullptr) {
    ::Sleep(static_cast<DWORD>(timeout.count()));
    return false;
  }
  return ::WaitForSingleObject(event, static_cast<DWORD>(timeout.count())) == WAIT_OBJECT_0;
}

} // namespace swarmshare::core::platform
