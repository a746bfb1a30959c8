#include "swarmshare/transfer/download_folder.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/platform/files.hpp"
#include "swarmshare/transfer/part_file.hpp"
#include "swarmshare/transfer/resume_record.hpp"

#include <algorithm>
#include <string>

namespace swarmshare::transfer {
namespace {

// Longer "extensions" are not extensions (".tar" is, ".some long text" is not); the whole
// name then counts as the stem, so " (N)" never pushes a real stem out of the name.
constexpr std::size_t kMaxExtensionBytes = 16;

// A name lost to another writer between final_path and the move is retried this often.
constexpr int kMaxMoveAttempts = 100;

struct NameParts {
  std::string stem;
  std::string extension; ///< with its dot; empty when there is none
};

NameParts split_extension(const std::string& name) {
  const auto dot = name.rfind('.');
  // A leading dot marks a hidden file (".profile"), not an extension.
  if (dot == std::string::npos || dot == 0 || name.size() - dot > kMaxExtensionBytes) {
    return {name, {}};
  }
  return {name.substr(0, dot), name.substr(dot)};
}

// "stem (n).ext", with the stem cut on a UTF-8 boundary so the whole stays within the
// longest name sanitize_file_name allows.
std::string numbered_name(const NameParts& parts, std::uint32_t n) {
  const std::string suffix = " (" + std::to_string(n) + ")";
  const std::size_t room = core::kMaxFileNameBytes - suffix.size() - parts.extension.size();
  std::size_t cut = std::min(parts.stem.size(), room);
  while (cut > 0 && cut < parts.stem.size() &&
         (static_cast<unsigned char>(parts.stem[cut]) & 0xC0U) == 0x80U) {
    --cut;
  }
  return parts.stem.substr(0, cut) + suffix + parts.extension;
}

bool same_folder(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ignored;
  return std::filesystem::equivalent(a, b, ignored);
}

} // namespace

core::Status ensure_folder(const std::filesystem::path& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    return error;
  }
  if (!std::filesystem::is_directory(folder, error)) {
    return error ? error : std::make_error_code(std::errc::not_a_directory);
  }
  // Finding out now, rather than when the first download completes hours later.
  return core::platform::check_folder_writable(folder);
}

core::Result<std::uint64_t> free_space(const std::filesystem::path& folder, DiskIo& disk) {
  return disk.free_space(folder);
}

core::Status check_free_space(const std::filesystem::path& folder, std::uint64_t bytes_needed,
                              DiskIo& disk) {
  auto available = disk.free_space(folder);
  if (!available) {
    return available.error();
  }
  if (available.value() < bytes_needed) {
    return std::make_error_code(std::errc::no_space_on_device);
  }
  return boost::outcome_v2::success();
}

std::filesystem::path part_path_for(const std::filesystem::path& folder,
                                    std::string_view manifest_name) {
  return folder / (core::sanitize_file_name(manifest_name) + std::string{kPartSuffix});
}

core::Result<std::filesystem::path> final_path(const std::filesystem::path& folder,
                                               std::string_view manifest_name, DiskIo& disk) {
  const std::string name = core::sanitize_file_name(manifest_name);
  // sanitize_file_name promises a single safe component; a broken promise must not
  // become a path outside the folder.
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    return std::make_error_code(std::errc::invalid_argument);
  }
  const NameParts parts = split_extension(name);
  for (std::uint32_t n = 0; n <= kMaxNameAttempts; ++n) {
    auto candidate = folder / (n == 0 ? name : numbered_name(parts, n));
    auto taken = disk.exists(candidate);
    if (!taken) {
      return taken.error();
    }
    if (!taken.value()) {
      return candidate;
    }
  }
  return std::make_error_code(std::errc::file_exists);
}

core::Result<std::filesystem::path> finish(const std::filesystem::path& part_path,
                                           const std::filesystem::path& folder,
                                           std::string_view manifest_name, DiskIo& disk) {
  for (int attempt = 0; attempt < kMaxMoveAttempts; ++attempt) {
    auto target = final_path(folder, manifest_name, disk);
    if (!target) {
      return target.error();
    }
    auto moved = disk.rename_no_replace(part_path, target.value());
    if (!moved) {
      if (moved.error() == std::errc::file_exists) {
        continue; // someone took the name after we looked: the next free one
      }
      return moved.error();
    }
    // The download is in place: what follows is tidying, and failing it must not make
    // the caller believe the download failed (the .part is gone already).
    (void)disk.remove(resume_path_for(part_path));
    (void)disk.sync_folder(folder);
    const auto part_folder =
        part_path.has_parent_path() ? part_path.parent_path() : std::filesystem::path{"."};
    if (!same_folder(part_folder, folder)) {
      (void)disk.sync_folder(part_folder);
    }
    return target;
  }
  return std::make_error_code(std::errc::file_exists);
}

} // namespace swarmshare::transfer
