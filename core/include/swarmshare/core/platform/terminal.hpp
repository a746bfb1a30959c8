#pragma once
// Whether a standard stream is an interactive terminal (to decide on progress displays).

#include <cstdio>

namespace swarmshare::core::platform {

[[nodiscard]] bool is_terminal(std::FILE* stream) noexcept;

} // namespace swarmshare::core::platform
