#pragma once
// Whether a standard stream is an interactive terminal (to decide on progress displays), and
// reading standard input without blocking a loop that must also watch for other things.

#include <chrono>
#include <cstdio>
#include <optional>

namespace swarmshare::core::platform {

[[nodiscard]] bool is_terminal(std::FILE* stream) noexcept;

/// Waits up to `timeout` for standard input to have a byte to read, or to have ended; true
/// then (read_input_byte() will not wait long). False on timeout.
[[nodiscard]] bool wait_for_input(std::chrono::milliseconds timeout) noexcept;

/// Reads one byte of standard input past the C library's buffering; nullopt at its end or
/// on an error.
[[nodiscard]] std::optional<char> read_input_byte() noexcept;

} // namespace swarmshare::core::platform
