#include "swarmshare/core/platform/stop_signals.hpp"

#include <csignal>
#include <ctime>
#include <pthread.h>
#ifdef __APPLE__
#include <thread>
#endif

namespace swarmshare::core::platform {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

} // namespace

void block_stop_signals() noexcept {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

bool wait_for_stop_signal(std::chrono::milliseconds timeout) noexcept {
  const sigset_t set = stop_signals();
#ifdef __APPLE__
  // macOS has no sigtimedwait: look at what is pending, and take a signal that is (sigwait
  // then returns at once), else sleep the timeout out.
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) == 0 &&
      (sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1)) {
    int signal = 0;
    return sigwait(&set, &signal) == 0;
  }
  std::this_thread::sleep_for(timeout);
  return false;
#else
  constexpr long kNanosPerMilli = 1'000'000;
  constexpr long kMillisPerSecond = 1'000;
  const auto millis = static_cast<long>(timeout.count());
  const timespec interval{millis / kMillisPerSecond, (millis % kMillisPerSecond) * kNanosPerMilli};
  return sigtimedwait(&set, nullptr, &interval) > 0;
#endif
}

} // namespace swarmshare::core::platform
