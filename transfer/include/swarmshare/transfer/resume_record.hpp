#pragma once
// The resume record: what a restart needs to carry on a download with nothing from the
// network. It sits beside the data file as `NAME.part.resume` (resume_path_for), so the
// two are moved, listed and removed together.
//
// Format (fixed binary layout, little-endian; chosen over msgpack because every field has
// a fixed width except two whose lengths are capped before use):
//
//   offset  size  field
//   0       8     magic "SWSRESUM"
//   8       4     format version (kResumeFormatVersion)
//   12      32    File ID
//   44      8     .part size in bytes (always the manifest's file size)
//   52      8     .part modification time, ns since the epoch (signed)
//   60      4     chunk count C (at most core::kMaxChunks; the manifest's count)
//   64      4     manifest length M (at most core::kMaxManifestBytes)
//   68      M     the canonical manifest bytes (their BLAKE2b-256 is the File ID)
//   68+M    B     verified chunks, B = ceil(C / 8): chunk i is bit (i % 8) of byte i / 8;
//                 the unused high bits of the last byte are zero
//   68+M+B  32    BLAKE2b-256 of every byte before it
//
// The decoder accepts exactly this: any other length, a checksum mismatch, a manifest
// that does not decode or does not match the File ID, or a stray bit is refused.
//
// Ordering that makes the verified set trustworthy: a chunk is marked verified only after
// its hash matched, and a record is saved only after the .part file was synced, with the
// .part's stamp taken after that sync (ResumeSaver does all of this).

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/transfer/disk_io.hpp"
#include "swarmshare/transfer/part_file.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace swarmshare::transfer {

inline constexpr std::uint32_t kResumeFormatVersion = 1;
inline constexpr std::string_view kResumeSuffix = ".resume";

/// `NAME.part` -> `NAME.part.resume`.
[[nodiscard]] std::filesystem::path resume_path_for(const std::filesystem::path& part_path);

struct ResumeRecord {
  core::Manifest manifest;
  /// The .part file as it was when the record was saved.
  PartStamp part;
  /// One entry per chunk of the manifest: true when its hash was checked.
  std::vector<bool> verified;

  [[nodiscard]] const core::FileId& file_id() const noexcept { return manifest.file_id(); }
};

/// The bytes of a record. `verified` must hold manifest.chunk_count() entries
/// (std::errc::invalid_argument otherwise).
[[nodiscard]] core::Result<std::vector<std::uint8_t>>
encode_resume_record(const core::Manifest& manifest, PartStamp part,
                     const std::vector<bool>& verified);

/// Strict decode. Errors: core::Errc::unsupported_version for another format version;
/// std::errc::bad_message for anything else that is not a whole, intact record of this
/// format (wrong magic, torn, corrupt, inconsistent).
[[nodiscard]] core::Result<ResumeRecord> decode_resume_record(std::span<const std::uint8_t> bytes);

/// Writes the record so that a crash leaves the old record or the new one, never a mix:
/// a temporary file beside it, fsync, rename over, fsync of the folder.
[[nodiscard]] core::Status save_resume_record(const std::filesystem::path& record_path,
                                              const core::Manifest& manifest, PartStamp part,
                                              const std::vector<bool>& verified,
                                              DiskIo& disk = posix_disk_io());

/// Reads and decodes a record file (a file larger than any record is refused before it is
/// read). A missing file is core::Errc::file_not_found.
[[nodiscard]] core::Result<ResumeRecord>
read_resume_record(const std::filesystem::path& record_path, DiskIo& disk = posix_disk_io());

/// What a restart may do with a download's files, decided from metadata only.
enum class ResumeState {
  /// Record intact and the .part's size and modification time as recorded: the verified
  /// chunks can be trusted as they are.
  trusted,
  /// Record intact, .part of the right size, but touched since the record was saved (a
  /// crash after some writes, or someone else): hash the chunks marked verified again
  /// and clear those that fail before trusting any.
  reverify,
  /// Record missing, torn, corrupt or of another version, or the .part missing or of
  /// the wrong size: the caller starts fresh (discard_download_files, then a new .part).
  invalid,
};

struct ResumeLoad {
  ResumeState state = ResumeState::invalid;
  /// Set whenever the record itself decoded, also when only the .part was at fault, so a
  /// fresh start still needs no manifest from the network.
  std::optional<ResumeRecord> record;
  /// For invalid (and reverify): what was wrong, for the log.
  std::error_code reason;
};

/// Loads the record beside `part_path` and checks it cheaply against the .part file.
[[nodiscard]] ResumeLoad load_resume(const std::filesystem::path& part_path,
                                     DiskIo& disk = posix_disk_io());

/// Removes a download's .part file and its record (either may be missing already).
[[nodiscard]] core::Status discard_download_files(const std::filesystem::path& part_path,
                                                  DiskIo& disk = posix_disk_io());

/// Saves a download's resume record at most once per interval, unless forced. Lives on the
/// download's writer thread, since each save syncs the .part file first.
class ResumeSaver {
public:
  static constexpr std::chrono::steady_clock::duration kDefaultInterval = std::chrono::seconds{1};

  /// `clock` and `disk` must outlive the saver.
  ResumeSaver(std::filesystem::path record_path, const core::Clock& clock,
              DiskIo& disk = posix_disk_io(),
              std::chrono::steady_clock::duration interval = kDefaultInterval);

  /// Saves when no save was attempted yet or the interval has passed since the last
  /// attempt; otherwise does nothing. True when it saved. A failed save also waits out
  /// the interval, so a failing disk is not hit on every chunk.
  [[nodiscard]] core::Result<bool> save_if_due(PartFile& part, const core::Manifest& manifest,
                                               const std::vector<bool>& verified);

  /// Saves now (on pause, stop, or when a download completes): sync the .part, stamp it,
  /// write the record.
  [[nodiscard]] core::Status save_now(PartFile& part, const core::Manifest& manifest,
                                      const std::vector<bool>& verified);

  [[nodiscard]] const std::filesystem::path& record_path() const noexcept { return record_path_; }

private:
  std::filesystem::path record_path_;
  const core::Clock* clock_;
  DiskIo* disk_;
  std::chrono::steady_clock::duration interval_;
  std::optional<std::chrono::steady_clock::time_point> last_attempt_;
};

} // namespace swarmshare::transfer
