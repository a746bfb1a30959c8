#pragma once
// Requests from outside to stop the process: SIGINT and SIGTERM on POSIX systems; Ctrl-C,
// Ctrl-Break and the closing of the console window on Windows. A command-line program takes
// them on a thread of its own and ends cleanly instead of dying in the middle of a write.

#include <chrono>

namespace swarmshare::core::platform {

/// From now on stop requests no longer end the process: they wait for
/// wait_for_stop_signal(). On POSIX systems the signals are blocked in the calling thread,
/// and every thread it starts later inherits that, so call it before any thread starts;
/// no engine thread is then ever interrupted by a handler. On Windows a console control
/// handler takes them (Windows ends the process shortly after a console window is closed,
/// whatever the handler does).
void block_stop_signals() noexcept;

/// Waits up to `timeout` for a stop request; true when one came. For one thread only.
[[nodiscard]] bool wait_for_stop_signal(std::chrono::milliseconds timeout) noexcept;

} // namespace swarmshare::core::platform
