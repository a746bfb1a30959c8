#include "swarmshare/core/platform/terminal.hpp"

#include <poll.h>
#include <unistd.h>

namespace swarmshare::core::platform {

bool is_terminal(std::FILE* stream) noexcept { return ::isatty(::fileno(stream)) != 0; }

bool wait_for_input(std::chrono::milliseconds timeout) noexcept {
  pollfd input{STDIN_FILENO, POLLIN, 0};
  return ::poll(&input, 1, static_cast<int>(timeout.count())) > 0;
}

std::optional<char> read_input_byte() noexcept {
  char c = 0;
  if (::read(STDIN_FILENO, &c, 1) != 1) {
    return std::nullopt;
  }
  return c;
}

} // namespace swarmshare::core::platform
