#include "swarmshare/core/platform/terminal.hpp"

#include <unistd.h>
#ifdef __APPLE__
#include <sys/select.h>
#else
#include <poll.h>
#endif

namespace swarmshare::core::platform {

bool is_terminal(std::FILE* stream) noexcept { return ::isatty(::fileno(stream)) != 0; }

bool wait_for_input(std::chrono::milliseconds timeout) noexcept {
#ifdef __APPLE__
  // macOS's poll() does not support devices (its manual says so), and a terminal is one.
  constexpr long kMicrosPerMilli = 1'000;
  constexpr long kMillisPerSecond = 1'000;
  const auto millis = static_cast<long>(timeout.count());
  timeval interval{};
  interval.tv_sec = millis / kMillisPerSecond;
  interval.tv_usec =
      static_cast<decltype(interval.tv_usec)>((millis % kMillisPerSecond) * kMicrosPerMilli);
  fd_set input;
  FD_ZERO(&input);
  FD_SET(STDIN_FILENO, &input);
  return ::select(STDIN_FILENO + 1, &input, nullptr, nullptr, &interval) > 0;
#else
  pollfd input{STDIN_FILENO, POLLIN, 0};
  return ::poll(&input, 1, static_cast<int>(timeout.count())) > 0;
#endif
}

std::optional<char> read_input_byte() noexcept {
  char c = 0;
  if (::read(STDIN_FILENO, &c, 1) != 1) {
    return std::nullopt;
  }
  return c;
}

} // namespace swarmshare::core::platform
