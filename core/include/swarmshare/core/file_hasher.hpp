#pragma once
// Hashing and verifying whole files in place: streaming reads, chunks hashed in parallel
// on a worker pool, progress reports, cancellation. Nothing is written anywhere.

#include "swarmshare/core/chunking.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/manifest.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <vector>

namespace boost::asio {
class thread_pool;
}

namespace swarmshare::core {

struct HashProgress {
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
  std::uint32_t chunks_done = 0;
  std::uint32_t chunk_count = 0;
};

struct HashOptions {
  /// Unset: choose_chunk_size() picks one from the file size. Ignored by verify_file.
  std::optional<ChunkSize> chunk_size;
  /// Pool that runs the hashing. Null: a pool of `workers` threads lives for the call.
  boost::asio::thread_pool* pool = nullptr;
  /// Threads (or tasks on `pool`) hashing at once; 0 means one per hardware thread.
  unsigned workers = 0;
  /// Called on the calling thread about this often, and once more at the end.
  std::function<void(const HashProgress&)> on_progress;
  std::chrono::milliseconds progress_interval{100};
  /// When stop is requested the call returns Errc::cancelled soon after.
  std::stop_token stop;
};

/// Builds the manifest of the file at `path`, named by its sanitized file name.
/// Memory stays bounded by workers × min(chunk size, 1 MiB) whatever the file size.
[[nodiscard]] Result<Manifest> hash_file(const std::filesystem::path& path,
                                         const HashOptions& options = {});

struct VerifyReport {
  /// Chunks whose bytes do not match the manifest (missing bytes count as mismatches).
  std::vector<ChunkIndex> bad_chunks;
  [[nodiscard]] bool ok() const noexcept { return bad_chunks.empty(); }
};

/// Checks every chunk of the file at `path` against `manifest`. A file of the wrong size
/// is reported as Errc::manifest_inconsistent.
[[nodiscard]] Result<VerifyReport> verify_file(const std::filesystem::path& path,
                                               const Manifest& manifest,
                                               const HashOptions& options = {});

} // namespace swarmshare::core
