#include "swarmshare/core/platform/terminal.hpp"

#include <unistd.h>

namespace swarmshare::core::platform {

bool is_terminal(std::FILE* stream) noexcept { return ::isatty(::fileno(stream)) != 0; }

} // namespace swarmshare::core::platform
