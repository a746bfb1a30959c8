#pragma once
// The download folder: where a finished download lands, under a name that came from the
// network and is therefore sanitized (core::sanitize_file_name) before it becomes a path,
// and never over a file that is already there.

#include "swarmshare/core/error.hpp"
#include "swarmshare/transfer/disk_io.hpp"

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace swarmshare::transfer {

/// How many " (N)" names final_path tries before giving up with std::errc::file_exists.
inline constexpr std::uint32_t kMaxNameAttempts = 10'000;

/// Creates `folder` and its parents if missing, and checks we may create files in it.
/// Errors: std::errc::not_a_directory when something else has the name,
/// std::errc::permission_denied when it cannot be created or written, or what the system
/// reports.
[[nodiscard]] core::Status ensure_folder(const std::filesystem::path& folder);

/// Bytes still free for us on the folder's file system.
[[nodiscard]] core::Result<std::uint64_t> free_space(const std::filesystem::path& folder,
                                                     DiskIo& disk = posix_disk_io());

/// std::errc::no_space_on_device when fewer than `bytes_needed` bytes are free: checked
/// before a download starts, so the user hears of it at once.
[[nodiscard]] core::Status check_free_space(const std::filesystem::path& folder,
                                            std::uint64_t bytes_needed,
                                            DiskIo& disk = posix_disk_io());

/// The folder's .part path for a manifest name: the sanitized name plus kPartSuffix.
[[nodiscard]] std::filesystem::path part_path_for(const std::filesystem::path& folder,
                                                  std::string_view manifest_name);

/// The first free name in `folder` for a manifest name, always a direct child of
/// `folder`: the sanitized name, else "stem (1).ext", "stem (2).ext", ... (a name
/// without an extension, or a dot file, gets " (N)" at the end). A free name may be taken
/// by the time it is used; finish() copes with that.
[[nodiscard]] core::Result<std::filesystem::path> final_path(const std::filesystem::path& folder,
                                                             std::string_view manifest_name,
                                                             DiskIo& disk = posix_disk_io());

/// Moves a completed .part file into `folder` under final_path's name, never replacing an
/// existing file (a name taken in the meantime moves on to the next free one), removes the
/// resume record beside the .part, makes the move durable and returns the final path.
/// The .part must be on the folder's file system (std::errc::cross_device_link otherwise).
/// Once the file is in place the call succeeds: a resume record that cannot be removed is
/// left behind, and load_resume reports it invalid later since its .part is gone.
[[nodiscard]] core::Result<std::filesystem::path> finish(const std::filesystem::path& part_path,
                                                         const std::filesystem::path& folder,
                                                         std::string_view manifest_name,
                                                         DiskIo& disk = posix_disk_io());

} // namespace swarmshare::transfer
