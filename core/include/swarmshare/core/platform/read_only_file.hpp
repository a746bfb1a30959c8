#pragma once
// Positioned reads from a file opened read-only: the one place that knows how the
// operating system does it (pread on POSIX systems, ReadFile at an offset on Windows).

#include "swarmshare/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <span>

namespace swarmshare::core::platform {

class ReadOnlyFile {
public:
  /// Opens a regular file. Errors: file_not_found, file_unreadable, not_a_regular_file.
  [[nodiscard]] static Result<ReadOnlyFile> open(const std::filesystem::path& path);

  ReadOnlyFile(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile& operator=(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
  ~ReadOnlyFile();

  /// The size now (it is asked again each call, so a file that changed is noticed).
  [[nodiscard]] Result<std::uint64_t> size() const;

  /// Fills `out` from `offset`, retrying short reads. Returns the bytes read: fewer than
  /// out.size() only at end of file. Safe to call from several threads at once.
  [[nodiscard]] Result<std::size_t> read_at(std::uint64_t offset,
                                            std::span<std::uint8_t> out) const;

  /// Tells the system the file will be read front to back (a hint; errors are ignored).
  void advise_sequential() const noexcept;

private:
  explicit ReadOnlyFile(std::intptr_t handle) noexcept : handle_(handle) {}
  void close() noexcept;

  static constexpr std::intptr_t kClosed = -1;
  std::intptr_t handle_ = kClosed;
};

} // namespace swarmshare::core::platform
