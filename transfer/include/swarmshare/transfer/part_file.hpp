#pragma once
// The file a download writes into: `NAME.part`, pre-allocated to the final size when the
// download starts, so a full disk is found then and not halfway through. Its resume record
// lives beside it (resume_record.hpp); download_folder.hpp moves it into place when done.

#include "swarmshare/core/error.hpp"
#include "swarmshare/transfer/disk_io.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace swarmshare::transfer {

/// What a download's data file is called: the sanitized name plus this suffix.
inline constexpr std::string_view kPartSuffix = ".part";

/// The most one read may ask for: the largest chunk.
inline constexpr std::size_t kMaxPartReadBytes = std::size_t{16} * 1024 * 1024;

/// The size and modification time of a .part file: what the resume record remembers so
/// a restart can tell cheaply whether the file was touched since.
struct PartStamp {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const PartStamp&, const PartStamp&) = default;
};

/// Positional I/O on a .part file. Threads: one writer (write, sync) and any number of
/// concurrent readers (read), e.g. serving verified chunks while the download goes on.
/// create/open/close and moves must not race with either.
class PartFile {
public:
  /// Creates `path` (it must not exist: an earlier download's data is never clobbered)
  /// and pre-allocates `size` bytes. If allocation fails (std::errc::no_space_on_device
  /// when the disk is full) the file just created is removed again. `size` over
  /// core::kMaxFileSize is core::Errc::file_too_large. `disk` must outlive the PartFile.
  [[nodiscard]] static core::Result<PartFile>
  create(const std::filesystem::path& path, std::uint64_t size, DiskIo& disk = posix_disk_io());

  /// Opens the .part file of a download being resumed. A file of another size than
  /// `size` is core::Errc::file_changed; a directory or device is not_a_regular_file.
  [[nodiscard]] static core::Result<PartFile> open_existing(const std::filesystem::path& path,
                                                            std::uint64_t size,
                                                            DiskIo& disk = posix_disk_io());

  PartFile(PartFile&& other) noexcept;
  PartFile& operator=(PartFile&& other) noexcept;
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;
  /// Closes without syncing; call sync() first for durability.
  ~PartFile();

  /// Writes `bytes` at `offset`. The range must lie inside the file
  /// (std::errc::invalid_argument otherwise); a closed file is bad_file_descriptor.
  /// A write whose offset, length and buffer address are multiples of kDirectIoAlignment
  /// (a whole chunk from an aligned buffer) goes past the page cache where the file system
  /// allows it: on a virtual machine, filling fresh page-cache pages cost the downloader
  /// more than hashing the bytes, and the data is not read again soon.
  [[nodiscard]] core::Status write(std::uint64_t offset, std::span<const std::uint8_t> bytes);

  /// Reads `length` bytes at `offset` (at most kMaxPartReadBytes, inside the file:
  /// std::errc::invalid_argument otherwise). A file that shrank under us is file_changed.
  [[nodiscard]] core::Result<std::vector<std::uint8_t>> read(std::uint64_t offset,
                                                             std::size_t length) const;
  /// The same into the caller's buffer, which must be filled exactly.
  [[nodiscard]] core::Status read_into(std::uint64_t offset, std::span<std::uint8_t> out) const;

  /// Makes every write so far durable.
  [[nodiscard]] core::Status sync();
  /// The file's size and modification time now, for the resume record.
  [[nodiscard]] core::Result<PartStamp> stamp() const;
  /// Closes the file; later calls give std::errc::bad_file_descriptor.
  [[nodiscard]] core::Status close();

  [[nodiscard]] bool is_open() const noexcept { return handle_ != kClosed; }
  /// Writes that went past the page cache so far.
  [[nodiscard]] std::uint64_t direct_writes() const noexcept {
    return direct_writes_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
  PartFile(DiskIo& disk, FileHandle handle, std::filesystem::path path, std::uint64_t size) noexcept
      : disk_(&disk), handle_(handle), path_(std::move(path)), size_(size) {}
  [[nodiscard]] core::Status check_range(std::uint64_t offset, std::size_t length) const;
  void open_direct();
  [[nodiscard]] bool can_write_direct(std::uint64_t offset,
                                      std::span<const std::uint8_t> bytes) const noexcept;

  static constexpr FileHandle kClosed{-1};
  DiskIo* disk_;
  FileHandle handle_ = kClosed;
  /// The same file opened for direct I/O, or kClosed where that is not possible. Reads
  /// always use handle_: the kernel keeps cached pages coherent with direct writes.
  FileHandle direct_ = kClosed;
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
  std::atomic<std::uint64_t> direct_writes_{0};
};

} // namespace swarmshare::transfer
