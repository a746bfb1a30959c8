#pragma once
// The disk, behind a small interface: the download's storage (PartFile, the resume record,
// the move into the download folder) reaches the file system only through DiskIo, so a
// test can make the Nth write fail with ENOSPC or EIO and check what is left behind.
//
// Errors are std::error_code values: the system's errno in std::generic_category (compare
// with std::errc, e.g. std::errc::no_space_on_device), or core::Errc where one fits.

#include "swarmshare/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>

namespace swarmshare::transfer {

/// An open file as a DiskIo knows it (a file descriptor for the POSIX implementation, a
/// HANDLE for the Windows one).
enum class FileHandle : std::int64_t {};

/// How DiskIo::open opens a file. Every mode is close-on-exec; created files get 0666
/// reduced by the umask, like any file a user saves.
enum class OpenMode {
  create_new,      ///< Read-write; the file must not exist yet (never clobbers a file).
  read_write,      ///< Read-write; the file must exist.
  read_only,       ///< Read; the file must exist.
  create_truncate, ///< Write; created or emptied (temporary files only).
  /// Read-write past the page cache (O_DIRECT); the file must exist. Offsets, lengths and
  /// buffer addresses must be multiples of kDirectIoAlignment. A file system without
  /// direct I/O refuses the open (std::errc::invalid_argument).
  read_write_direct,
};

/// What direct I/O needs aligned: 4 KiB covers the logical block size of common disks.
inline constexpr std::size_t kDirectIoAlignment = 4096;

/// What the storage code needs to know about a file.
struct FileStat {
  std::uint64_t size = 0;
  /// Modification time in nanoseconds since the epoch, as the file system reports it.
  std::int64_t mtime_ns = 0;
  bool regular_file = false;
};

class DiskIo {
public:
  DiskIo() = default;
  DiskIo(const DiskIo&) = delete;
  DiskIo& operator=(const DiskIo&) = delete;
  DiskIo(DiskIo&&) = delete;
  DiskIo& operator=(DiskIo&&) = delete;
  virtual ~DiskIo() = default;

  [[nodiscard]] virtual core::Result<FileHandle> open(const std::filesystem::path& path,
                                                      OpenMode mode) = 0;
  /// Closes the handle; it is gone even when an error is reported.
  [[nodiscard]] virtual core::Status close(FileHandle file) = 0;
  /// Writes all of `bytes` at `offset` (short writes and EINTR are retried).
  [[nodiscard]] virtual core::Status pwrite(FileHandle file, std::uint64_t offset,
                                            std::span<const std::uint8_t> bytes) = 0;
  /// Fills `out` from `offset`; fewer bytes than out.size() only at end of file.
  /// Safe to call from several threads at once, also while one thread writes.
  [[nodiscard]] virtual core::Result<std::size_t> pread(FileHandle file, std::uint64_t offset,
                                                        std::span<std::uint8_t> out) = 0;
  [[nodiscard]] virtual core::Status fsync(FileHandle file) = 0;
  /// Reserves `size` bytes for the file and sets its size: posix_fallocate, or ftruncate
  /// (size only, no reservation) where the file system cannot allocate (EOPNOTSUPP,
  /// EINVAL). A full disk is std::errc::no_space_on_device.
  [[nodiscard]] virtual core::Status fallocate(FileHandle file, std::uint64_t size) = 0;
  [[nodiscard]] virtual core::Result<FileStat> stat(FileHandle file) = 0;
  /// Does not follow a final symbolic link, so a link never stands in for a .part file.
  [[nodiscard]] virtual core::Result<FileStat> stat(const std::filesystem::path& path) = 0;
  /// True when anything (even a dangling symbolic link) has this name.
  [[nodiscard]] virtual core::Result<bool> exists(const std::filesystem::path& path) = 0;
  /// Renames `from` over `to`, replacing it atomically.
  [[nodiscard]] virtual core::Status rename(const std::filesystem::path& from,
                                            const std::filesystem::path& to) = 0;
  /// Renames `from` to `to` only if `to` does not exist (std::errc::file_exists otherwise):
  /// renameat2(RENAME_NOREPLACE), or link + unlink where the file system lacks it. Both
  /// paths must be on one file system (std::errc::cross_device_link otherwise).
  [[nodiscard]] virtual core::Status rename_no_replace(const std::filesystem::path& from,
                                                       const std::filesystem::path& to) = 0;
  /// Removes a file; one that does not exist is not an error.
  [[nodiscard]] virtual core::Status remove(const std::filesystem::path& path) = 0;
  /// Makes the entries of a folder (created, renamed, removed files) durable.
  [[nodiscard]] virtual core::Status sync_folder(const std::filesystem::path& folder) = 0;
  /// Bytes an unprivileged user may still write on the folder's file system.
  [[nodiscard]] virtual core::Result<std::uint64_t>
  free_space(const std::filesystem::path& folder) = 0;
};

/// The operating system's disk (disk_io_posix.cpp; on Windows disk_io_windows.cpp, despite
/// the name). One process-wide instance; safe to use from any thread.
[[nodiscard]] DiskIo& posix_disk_io() noexcept;

/// For tests: the real disk (or any other DiskIo), with failures injected on request.
/// Thread-safe; counts only the calls made through it.
class FaultInjectingDiskIo final : public DiskIo {
public:
  explicit FaultInjectingDiskIo(DiskIo& inner = posix_disk_io()) noexcept : inner_(inner) {}

  /// The `nth` pwrite from now on (1 = the next one) fails with `error` and writes nothing;
  /// the writes before and after it go through.
  void fail_write(std::uint64_t nth, std::error_code error);
  /// Every fallocate from now on fails with `error`, as a full disk does.
  void fail_fallocate(std::error_code error);
  /// Every fsync (of a file or a folder) from now on fails with `error`.
  void fail_fsync(std::error_code error);
  /// Opens for direct I/O fail from now on, as on a file system without it.
  void refuse_direct_io();
  /// free_space reports `bytes` instead of asking the inner disk.
  void set_free_space(std::optional<std::uint64_t> bytes);
  /// pwrite calls seen so far, failed ones included.
  [[nodiscard]] std::uint64_t writes() const;

  [[nodiscard]] core::Result<FileHandle> open(const std::filesystem::path& path,
                                              OpenMode mode) override;
  [[nodiscard]] core::Status close(FileHandle file) override;
  [[nodiscard]] core::Status pwrite(FileHandle file, std::uint64_t offset,
                                    std::span<const std::uint8_t> bytes) override;
  [[nodiscard]] core::Result<std::size_t> pread(FileHandle file, std::uint64_t offset,
                                                std::span<std::uint8_t> out) override;
  [[nodiscard]] core::Status fsync(FileHandle file) override;
  [[nodiscard]] core::Status fallocate(FileHandle file, std::uint64_t size) override;
  [[nodiscard]] core::Result<FileStat> stat(FileHandle file) override;
  [[nodiscard]] core::Result<FileStat> stat(const std::filesystem::path& path) override;
  [[nodiscard]] core::Result<bool> exists(const std::filesystem::path& path) override;
  [[nodiscard]] core::Status rename(const std::filesystem::path& from,
                                    const std::filesystem::path& to) override;
  [[nodiscard]] core::Status rename_no_replace(const std::filesystem::path& from,
                                               const std::filesystem::path& to) override;
  [[nodiscard]] core::Status remove(const std::filesystem::path& path) override;
  [[nodiscard]] core::Status sync_folder(const std::filesystem::path& folder) override;
  [[nodiscard]] core::Result<std::uint64_t>
  free_space(const std::filesystem::path& folder) override;

private:
  [[nodiscard]] std::error_code fsync_fault() const;

  DiskIo& inner_;
  mutable std::mutex mutex_;
  std::uint64_t writes_ = 0;
  std::optional<std::uint64_t> failing_write_; ///< Absolute number in writes_ terms.
  std::error_code write_error_;
  std::error_code fallocate_error_;
  std::error_code fsync_error_;
  std::optional<std::uint64_t> free_space_;
  bool refuse_direct_io_ = false;
};

} // namespace swarmshare::transfer
