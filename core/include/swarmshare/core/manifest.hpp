#pragma once
// The manifest: what a file is (name, size, chunk size, one hash per chunk), and its
// canonical encoding, whose BLAKE2b-256 is the File ID. docs/PROTOCOL.md has the bytes.

#include "swarmshare/core/chunking.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/hash.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace swarmshare::core {

/// The manifest format this build writes and reads.
inline constexpr std::uint32_t kManifestFormatVersion = 1;

/// The longest name, in bytes, a manifest may carry. Names are sanitized on use (see
/// sanitize_file_name); this only bounds what a decoder accepts.
inline constexpr std::size_t kMaxManifestNameBytes = 1024;

/// No encoded manifest is longer: 32,000 hashes plus the largest name and the framing.
inline constexpr std::size_t kMaxManifestBytes =
    kMaxChunks * kHashSize + kMaxManifestNameBytes + 64;

class Manifest {
public:
  /// Validates and builds a manifest. `name` must be valid UTF-8 of at most
  /// kMaxManifestNameBytes; `chunk_hashes` must hold exactly one hash per chunk.
  [[nodiscard]] static Result<Manifest> create(std::string name, std::uint64_t file_size,
                                               ChunkSize chunk_size,
                                               std::vector<Hash256> chunk_hashes);

  /// Decodes canonical bytes. Rejects malformed, non-canonical, oversized and
  /// inconsistent input, and trailing bytes.
  [[nodiscard]] static Result<Manifest> decode(std::span<const std::uint8_t> bytes);

  /// The canonical encoding (the bytes the File ID hashes).
  [[nodiscard]] const std::vector<std::uint8_t>& encoded() const noexcept { return encoded_; }
  [[nodiscard]] const FileId& file_id() const noexcept { return file_id_; }

  /// The name as carried; sanitize_file_name before using it as a path.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] std::uint64_t file_size() const noexcept { return file_size_; }
  [[nodiscard]] ChunkSize chunk_size() const noexcept { return chunk_size_; }
  [[nodiscard]] std::uint32_t chunk_count() const noexcept {
    return static_cast<std::uint32_t>(chunk_hashes_.size());
  }
  [[nodiscard]] const std::vector<Hash256>& chunk_hashes() const noexcept { return chunk_hashes_; }

  [[nodiscard]] Result<Hash256> chunk_hash(ChunkIndex index) const;
  /// Byte offset of a chunk in the file.
  [[nodiscard]] Result<std::uint64_t> chunk_offset(ChunkIndex index) const;
  /// Length of a chunk: the chunk size, except for a shorter last chunk.
  [[nodiscard]] Result<std::uint32_t> chunk_length(ChunkIndex index) const;

  friend bool operator==(const Manifest& a, const Manifest& b) noexcept {
    return a.encoded_ == b.encoded_;
  }

private:
  Manifest() = default;

  std::string name_;
  std::uint64_t file_size_ = 0;
  ChunkSize chunk_size_;
  std::vector<Hash256> chunk_hashes_;
  std::vector<std::uint8_t> encoded_;
  FileId file_id_;
};

/// True when `data` is exactly chunk `index` of the manifest's file.
[[nodiscard]] bool verify_chunk(const Manifest& manifest, ChunkIndex index,
                                std::span<const std::uint8_t> data) noexcept;

} // namespace swarmshare::core
