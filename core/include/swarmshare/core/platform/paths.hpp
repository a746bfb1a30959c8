#pragma once
// Where Swarmshare keeps its files, and how it writes the ones nobody else may read.

#include "swarmshare/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace swarmshare::core::platform {

/// The per-user data directory (identity, databases, resume records):
/// $SWARMSHARE_HOME when set; otherwise $XDG_DATA_HOME/swarmshare or
/// ~/.local/share/swarmshare on Linux, ~/Library/Application Support/Swarmshare on macOS,
/// %LOCALAPPDATA%\Swarmshare on Windows. It is not created here.
[[nodiscard]] Result<std::filesystem::path> default_data_dir();

/// Creates `dir` (and parents) if missing; the last component gets owner-only access
/// (mode 0700; on Windows an ACL that names only the current user, inherited by its files).
[[nodiscard]] Status create_private_dir(const std::filesystem::path& dir);

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one,
/// never a mix: a temporary file beside it with owner-only permissions, flushed to disk,
/// then renamed over `path`.
[[nodiscard]] Status write_private_file_atomically(const std::filesystem::path& path,
                                                   std::span<const std::uint8_t> bytes);

/// Reads a whole file of at most `max_bytes` bytes (a larger one is file_too_large).
[[nodiscard]] Result<std::vector<std::uint8_t>> read_small_file(const std::filesystem::path& path,
                                                                std::size_t max_bytes);

/// True when only the owner may read or write the file (no group or other bits; on Windows
/// no ACL entry that lets anyone but the owner, the system or the administrators in).
[[nodiscard]] Result<bool> is_owner_only(const std::filesystem::path& path);

} // namespace swarmshare::core::platform
