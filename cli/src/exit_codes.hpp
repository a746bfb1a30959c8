#pragma once
// The process exit codes of swarmshare-cli (also listed by `swarmshare-cli --help`).

#include <system_error>

namespace swarmshare::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,       ///< The operation failed (unreadable file, I/O error, bad data).
  kExitUsage = 2,         ///< The command line was wrong.
  kExitNotFound = 3,      ///< A named file does not exist, or no peer has it (get).
  kExitUnverified = 4,    ///< The download could not be verified (bad chunks, wrong manifest).
  kExitInterrupted = 130, ///< Stopped by Ctrl-C (128 + SIGINT, as shells report it).
};

/// The exit code for an error returned by the engine.
[[nodiscard]] int exit_code_for(const std::error_code& error) noexcept;

} // namespace swarmshare::cli
