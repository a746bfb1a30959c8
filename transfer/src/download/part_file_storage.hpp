#pragma once
// A download's storage: the swarm's ChunkStorage over the .part file, and the steps on the
// disk that come before it (finding, checking or creating the .part and its resume record)
// and after it (the last record, the close). Everything here runs on the disk threads.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/transfer/chunk_storage.hpp"
#include "swarmshare/transfer/disk_io.hpp"
#include "swarmshare/transfer/part_file.hpp"
#include "swarmshare/transfer/resume_record.hpp"

#include <filesystem>
#include <optional>
#include <shared_mutex>
#include <string>
#include <system_error>
#include <vector>

namespace swarmshare::transfer::detail {

/// The swarm reads and writes blocks from several disk threads at once (shared lock); the
/// download's own steps (freeze, close) take the lock alone, so a file descriptor is never
/// closed under a read and no block lands after the final record's stamp. Record saves run
/// on the download's disk strand, one at a time.
class PartFileStorage final : public ChunkStorage {
public:
  PartFileStorage(PartFile part, const core::Clock& clock, DiskIo& disk);

  [[nodiscard]] core::Result<std::size_t> read(std::uint64_t offset,
                                               std::span<std::uint8_t> out) override;
  [[nodiscard]] core::Status write(std::uint64_t offset,
                                   std::span<const std::uint8_t> bytes) override;
  /// Nobody else writes a .part file: there is nothing to compare with.
  [[nodiscard]] core::Status check_unchanged() override { return boost::outcome_v2::success(); }

  /// The periodic save (at most once per ResumeSaver interval); true when it saved.
  [[nodiscard]] core::Result<bool> save_if_due(const core::Manifest& manifest,
                                               const std::vector<bool>& verified);
  [[nodiscard]] core::Status save_now(const core::Manifest& manifest,
                                      const std::vector<bool>& verified);
  /// From now on writes fail (a stopped swarm's blocks still on their way are dropped), so
  /// the stamp of the next save is the file's last one and a restart finds it trusted.
  void freeze();
  [[nodiscard]] core::Status close();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
  std::shared_mutex mutex_;
  PartFile part_;
  std::filesystem::path path_;
  ResumeSaver saver_;
  bool frozen_ = false;
};

/// What the disk found or made for a download at its start.
struct PreparedStorage {
  std::error_code error; ///< set: the download fails with `detail`
  std::string detail;
  std::filesystem::path part_path;
  std::optional<PartFile> part;
  std::vector<bool> verified; ///< chunks that count as verified (the resume record's, checked)
  std::vector<std::string> log;
};

/// The .part path used when another file's download (or a stranger's file) already has
/// the manifest's name in the folder.
[[nodiscard]] std::filesystem::path alternate_part_path(const std::filesystem::path& folder,
                                                        const core::Manifest& manifest);

/// Makes the folder, then resumes from the .part and resume record of this File ID (trusted:
/// as recorded; reverify: the recorded chunks hashed again, only the good ones kept;
/// invalid: removed and started over) or creates a fresh .part after checking free space,
/// with a first record beside it. Blocking: run it on the disk threads.
[[nodiscard]] PreparedStorage prepare_storage(const std::filesystem::path& folder,
                                              const core::Manifest& manifest,
                                              const core::Clock& clock, DiskIo& disk);

/// Removes this File ID's .part and record from the folder (cancel), wherever
/// prepare_storage put them; other files are left alone.
void discard_own_files(const std::filesystem::path& folder, const core::Manifest& manifest,
                       DiskIo& disk);

/// The resume record of `file_id` among the folder's `*.part.resume` files, for a download
/// started without a manifest; empty when there is none.
[[nodiscard]] std::optional<core::Manifest>
find_manifest_in_folder(const std::filesystem::path& folder, const core::FileId& file_id,
                        DiskIo& disk);

} // namespace swarmshare::transfer::detail
