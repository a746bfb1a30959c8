#include "download/part_file_storage.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/transfer/download_folder.hpp"

#include <algorithm>
#include <mutex>
#include <string_view>

namespace swarmshare::transfer::detail {
namespace {

/// A folder with more entries than this is not searched further for a resume record.
constexpr std::size_t kMaxFolderEntriesScanned = 10'000;

std::string describe(const std::filesystem::path& path) { return "\"" + path.string() + "\""; }

std::string bytes_text(std::uint64_t bytes) { return std::to_string(bytes) + " bytes"; }

std::uint64_t verified_bytes(const core::Manifest& manifest, const std::vector<bool>& verified) {
  std::uint64_t total = 0;
  for (std::uint32_t i = 0; i < verified.size(); ++i) {
    if (verified[i]) {
      const auto length = manifest.chunk_length(core::ChunkIndex{i});
      total += length ? length.value() : 0;
    }
  }
  return total;
}

// A record that does not match its .part (a crash after some writes, or someone else
// touched it): only chunks that still hash right are kept.
std::vector<bool> reverify(PartFile& part, const core::Manifest& manifest,
                           const std::vector<bool>& recorded) {
  std::vector<bool> good(recorded.size(), false);
  std::vector<std::uint8_t> buffer;
  for (std::uint32_t i = 0; i < recorded.size(); ++i) {
    if (!recorded[i]) {
      continue;
    }
    const core::ChunkIndex chunk{i};
    const auto offset = manifest.chunk_offset(chunk);
    const auto length = manifest.chunk_length(chunk);
    if (!offset || !length) {
      continue;
    }
    buffer.resize(length.value());
    if (part.read_into(offset.value(), buffer) && core::verify_chunk(manifest, chunk, buffer)) {
      good[i] = true;
    }
  }
  return good;
}

enum class Found {
  resumed,  ///< `prepared` holds the open .part and its verified chunks
  fresh,    ///< nothing usable of ours at this path: create a new .part there
  occupied, ///< the name holds another file's download or a stranger's file
};

Found try_resume(const std::filesystem::path& part_path, const core::Manifest& manifest,
                 DiskIo& disk, PreparedStorage& prepared) {
  ResumeLoad load = load_resume(part_path, disk);
  const std::string name = part_path.filename().string();
  if (!load.record) {
    auto exists = disk.exists(part_path);
    const bool part_exists = !exists || exists.value();
    if (load.reason == core::Errc::file_not_found) {
      // A .part without a record is not known to be ours: never overwrite it.
      return part_exists ? Found::occupied : Found::fresh;
    }
    // A record is there but torn, corrupt or from another version: whose it was cannot be
    // told, but the pair has our name and is useless to anyone.
    prepared.log.push_back("Resume record of " + name + " unusable (" + load.reason.message() +
                           "); starting over");
    (void)discard_download_files(part_path, disk);
    return Found::fresh;
  }
  if (load.record->file_id() != manifest.file_id()) {
    return Found::occupied;
  }
  if (load.state == ResumeState::invalid) {
    prepared.log.push_back("The data of " + name + " does not match its resume record (" +
                           load.reason.message() + "); starting over");
    (void)discard_download_files(part_path, disk);
    return Found::fresh;
  }
  auto part = PartFile::open_existing(part_path, manifest.file_size(), disk);
  if (!part) {
    prepared.log.push_back("Cannot reopen " + name + " (" + part.error().message() +
                           "); starting over");
    (void)discard_download_files(part_path, disk);
    return Found::fresh;
  }
  std::vector<bool> verified = load.record->verified;
  const auto recorded =
      static_cast<std::size_t>(std::count(verified.begin(), verified.end(), true));
  if (load.state == ResumeState::reverify) {
    verified = reverify(part.value(), manifest, verified);
    const auto kept = static_cast<std::size_t>(std::count(verified.begin(), verified.end(), true));
    prepared.log.push_back(name + " changed since its resume record was saved; re-verified " +
                           std::to_string(kept) + " of " + std::to_string(recorded) +
                           " chunks as good");
  } else {
    prepared.log.push_back("Resuming " + name + ": " + std::to_string(recorded) + " of " +
                           std::to_string(manifest.chunk_count()) + " chunks verified earlier (" +
                           bytes_text(verified_bytes(manifest, verified)) + ")");
  }
  prepared.part.emplace(std::move(part).value());
  prepared.verified = std::move(verified);
  prepared.part_path = part_path;
  return Found::resumed;
}

void create_fresh(const std::filesystem::path& folder, const std::filesystem::path& part_path,
                  const core::Manifest& manifest, const core::Clock& clock, DiskIo& disk,
                  PreparedStorage& prepared) {
  prepared.part_path = part_path;
  const std::uint64_t size = manifest.file_size();
  if (auto room = check_free_space(folder, size, disk); !room) {
    auto available = free_space(folder, disk);
    prepared.error = room.error();
    prepared.detail = "Not enough free space in " + describe(folder) + " for \"" + manifest.name() +
                      "\": " + bytes_text(size) + " needed" +
                      (available ? ", " + bytes_text(available.value()) + " free" : "");
    return;
  }
  auto part = PartFile::create(part_path, size, disk);
  if (!part) {
    prepared.error = part.error();
    prepared.detail = part.error() == std::errc::no_space_on_device
                          ? "Not enough free space in " + describe(folder) + " for \"" +
                                manifest.name() + "\" (" + bytes_text(size) + ")"
                          : "Cannot create " + describe(part_path) + ": " + part.error().message();
    return;
  }
  // The first record at once: a .part is ours only with a record beside it.
  std::vector<bool> none(manifest.chunk_count(), false);
  ResumeSaver saver(resume_path_for(part_path), clock, disk);
  if (auto saved = saver.save_now(part.value(), manifest, none); !saved) {
    (void)part.value().close();
    (void)discard_download_files(part_path, disk); // nothing was ever written to it
    prepared.error = saved.error();
    prepared.detail = "Cannot write the resume record beside " + describe(part_path) + ": " +
                      saved.error().message();
    return;
  }
  prepared.part.emplace(std::move(part).value());
  prepared.verified = std::move(none);
}

} // namespace

PartFileStorage::PartFileStorage(PartFile part, const core::Clock& clock, DiskIo& disk)
    : part_(std::move(part)), path_(part_.path()), saver_(resume_path_for(path_), clock, disk) {}

core::Result<std::size_t> PartFileStorage::read(std::uint64_t offset, std::span<std::uint8_t> out) {
  const std::shared_lock lock(mutex_);
  const std::uint64_t size = part_.size();
  const auto n =
      static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size - std::min(offset, size)));
  if (auto read = part_.read_into(offset, out.first(n)); !read) {
    return read.error();
  }
  return n;
}

core::Status PartFileStorage::write(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  const std::shared_lock lock(mutex_);
  if (frozen_) {
    return std::make_error_code(std::errc::operation_canceled);
  }
  return part_.write(offset, bytes);
}

core::Result<bool> PartFileStorage::save_if_due(const core::Manifest& manifest,
                                                const std::vector<bool>& verified) {
  const std::shared_lock lock(mutex_);
  return saver_.save_if_due(part_, manifest, verified);
}

core::Status PartFileStorage::save_now(const core::Manifest& manifest,
                                       const std::vector<bool>& verified) {
  const std::shared_lock lock(mutex_);
  return saver_.save_now(part_, manifest, verified);
}

void PartFileStorage::freeze() {
  const std::unique_lock lock(mutex_);
  frozen_ = true;
}

core::Status PartFileStorage::close() {
  const std::unique_lock lock(mutex_);
  frozen_ = true;
  if (!part_.is_open()) {
    return boost::outcome_v2::success();
  }
  return part_.close();
}

std::filesystem::path alternate_part_path(const std::filesystem::path& folder,
                                          const core::Manifest& manifest) {
  // The File ID first: sanitize_file_name may shorten a long name from its end.
  return part_path_for(folder, manifest.file_id().to_short_hex() + " " + manifest.name());
}

PreparedStorage prepare_storage(const std::filesystem::path& folder, const core::Manifest& manifest,
                                const core::Clock& clock, DiskIo& disk) {
  PreparedStorage prepared;
  if (auto made = ensure_folder(folder); !made) {
    prepared.error = made.error();
    prepared.detail =
        "Cannot use the download folder " + describe(folder) + ": " + made.error().message();
    return prepared;
  }
  for (const auto& path :
       {part_path_for(folder, manifest.name()), alternate_part_path(folder, manifest)}) {
    switch (try_resume(path, manifest, disk, prepared)) {
    case Found::resumed: return prepared;
    case Found::fresh: create_fresh(folder, path, manifest, clock, disk, prepared); return prepared;
    case Found::occupied: break;
    }
  }
  prepared.error = std::make_error_code(std::errc::file_exists);
  prepared.detail = "Other files already use the names of \"" + manifest.name() + "\".part in " +
                    describe(folder);
  return prepared;
}

void discard_own_files(const std::filesystem::path& folder, const core::Manifest& manifest,
                       DiskIo& disk) {
  for (const auto& path :
       {part_path_for(folder, manifest.name()), alternate_part_path(folder, manifest)}) {
    auto record = read_resume_record(resume_path_for(path), disk);
    if (record && record.value().file_id() == manifest.file_id()) {
      (void)discard_download_files(path, disk);
    }
  }
}

std::optional<core::Manifest> find_manifest_in_folder(const std::filesystem::path& folder,
                                                      const core::FileId& file_id, DiskIo& disk) {
  constexpr std::string_view kRecordEnding = ".part.resume";
  std::error_code error;
  std::filesystem::directory_iterator entries(folder, error);
  std::size_t scanned = 0;
  for (; !error && entries != std::filesystem::directory_iterator{}; entries.increment(error)) {
    if (++scanned > kMaxFolderEntriesScanned) {
      break;
    }
    const std::string name = entries->path().filename().string();
    if (name.size() <= kRecordEnding.size() || !name.ends_with(kRecordEnding)) {
      continue;
    }
    auto record = read_resume_record(entries->path(), disk);
    if (record && record.value().file_id() == file_id) {
      return std::move(record).value().manifest;
    }
  }
  return std::nullopt;
}

} // namespace swarmshare::transfer::detail
