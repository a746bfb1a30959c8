#pragma once
// Where a swarm's bytes live, behind an interface (disk I/O is the swarm's collaborator, as
// in libtorrent): the shared file itself, read in place, or a download's .part file. Tests
// put their own behind it (a file that changes, a disk that fills up).
//
// Threads: every call may come from a worker thread, several at once.

#include "swarmshare/core/clock.hpp"
#include "swarmshare/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

namespace swarmshare::transfer {

class ChunkStorage {
public:
  ChunkStorage() = default;
  ChunkStorage(const ChunkStorage&) = delete;
  ChunkStorage& operator=(const ChunkStorage&) = delete;
  ChunkStorage(ChunkStorage&&) = delete;
  ChunkStorage& operator=(ChunkStorage&&) = delete;
  virtual ~ChunkStorage() = default;

  /// Fills `out` from `offset`; the count read is short only at the end of the file.
  [[nodiscard]] virtual core::Result<std::size_t> read(std::uint64_t offset,
                                                       std::span<std::uint8_t> out) = 0;
  /// Writes a received block. A shared file is never written: Errc::not_writable.
  [[nodiscard]] virtual core::Status write(std::uint64_t offset,
                                           std::span<const std::uint8_t> bytes) = 0;
  /// Success while the bytes are still the ones that were shared; core::Errc::file_changed
  /// once the file's size or modification time differ from when it was shared.
  [[nodiscard]] virtual core::Status check_unchanged() = 0;
};

/// The modification time as the library records it: nanoseconds since the epoch.
[[nodiscard]] core::Result<std::int64_t> modification_time_ns(const std::filesystem::path& path);

/// A shared file, read in place (never copied). `size` and `mtime_ns` are what the file was
/// when it was hashed; check_unchanged compares with them, at most once per second of
/// `clock`'s steady time so that serving many blocks costs one stat a second. The clock
/// must outlive the storage and be safe to read from the disk threads.
[[nodiscard]] core::Result<std::shared_ptr<ChunkStorage>>
open_shared_file(const std::filesystem::path& path, std::uint64_t size, std::int64_t mtime_ns,
                 const core::Clock& clock = core::real_clock());

} // namespace swarmshare::transfer
