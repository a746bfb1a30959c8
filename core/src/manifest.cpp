#include "swarmshare/core/manifest.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/msgpack_io.hpp"

#include <algorithm>
#include <cstring>

namespace swarmshare::core {
namespace {

// The manifest is a msgpack array of exactly these fields, in this order.
enum Field : std::uint32_t { kVersion, kName, kFileSize, kChunkSize, kHashes, kFieldCount };

std::vector<std::uint8_t> encode_fields(const std::string& name, std::uint64_t file_size,
                                        ChunkSize chunk_size, const std::vector<Hash256>& hashes) {
  std::vector<std::uint8_t> out;
  out.reserve(32 + name.size() + hashes.size() * kHashSize);
  ByteVectorSink sink{out};
  msgpack::packer<ByteVectorSink> packer(sink);
  // msgpack-c always picks the shortest form for integers, strings and binaries, which
  // is exactly the canonical form docs/PROTOCOL.md specifies.
  packer.pack_array(kFieldCount);
  packer.pack_uint32(kManifestFormatVersion);
  pack_str(packer, name);
  packer.pack_uint64(file_size);
  packer.pack_uint32(chunk_size.bytes());
  const auto hash_bytes = static_cast<std::uint32_t>(hashes.size() * kHashSize);
  packer.pack_bin(hash_bytes);
  for (const Hash256& hash : hashes) {
    packer.pack_bin_body(reinterpret_cast<const char*>(hash.data()), kHashSize);
  }
  return out;
}

Status validate(const std::string& name, std::uint64_t file_size, ChunkSize chunk_size,
                std::size_t hash_count) {
  if (name.size() > kMaxManifestNameBytes || hash_count > kMaxChunks) {
    return Errc::manifest_too_large;
  }
  if (!is_valid_utf8(name)) {
    return Errc::manifest_malformed;
  }
  if (chunk_count_for(file_size, chunk_size) != hash_count) {
    return Errc::manifest_inconsistent;
  }
  return boost::outcome_v2::success();
}

} // namespace

Result<Manifest> Manifest::create(std::string name, std::uint64_t file_size, ChunkSize chunk_size,
                                  std::vector<Hash256> chunk_hashes) {
  if (auto status = validate(name, file_size, chunk_size, chunk_hashes.size()); !status) {
    return status.error();
  }
  Manifest manifest;
  manifest.encoded_ = encode_fields(name, file_size, chunk_size, chunk_hashes);
  manifest.file_id_ = FileId{blake2b_256(manifest.encoded_)};
  manifest.name_ = std::move(name);
  manifest.file_size_ = file_size;
  manifest.chunk_size_ = chunk_size;
  manifest.chunk_hashes_ = std::move(chunk_hashes);
  return manifest;
}

Result<Manifest> Manifest::decode(std::span<const std::uint8_t> bytes) {
  if (bytes.size() > kMaxManifestBytes) {
    return Errc::manifest_too_large;
  }
  UnpackLimits limits;
  limits.max_array_elements = 16; // room for a future version's extra fields
  limits.max_map_entries = 0;
  limits.max_string_bytes = kMaxManifestNameBytes;
  limits.max_binary_bytes = static_cast<std::size_t>(kMaxChunks) * kHashSize;
  limits.max_depth = 1;
  auto handle = unpack_exactly(bytes, limits, Errc::manifest_malformed);
  if (!handle) {
    return handle.error();
  }
  const msgpack::object& root = handle.value().get();
  if (root.type != msgpack::type::ARRAY || root.via.array.size == 0) {
    return Errc::manifest_malformed;
  }
  const msgpack::object* fields = root.via.array.ptr;
  std::uint64_t version = 0;
  if (!read_uint(fields[kVersion], version)) {
    return Errc::manifest_malformed;
  }
  if (version != kManifestFormatVersion) {
    return Errc::unsupported_version;
  }
  if (root.via.array.size != kFieldCount) {
    return Errc::manifest_malformed;
  }
  std::uint64_t file_size = 0;
  std::uint64_t chunk_bytes = 0;
  if (fields[kName].type != msgpack::type::STR || !read_uint(fields[kFileSize], file_size) ||
      !read_uint(fields[kChunkSize], chunk_bytes) || fields[kHashes].type != msgpack::type::BIN) {
    return Errc::manifest_malformed;
  }
  auto chunk_size = ChunkSize::from_bytes(chunk_bytes);
  if (!chunk_size) {
    return Errc::manifest_inconsistent;
  }
  const msgpack::object_bin& hash_blob = fields[kHashes].via.bin;
  if (hash_blob.size % kHashSize != 0) {
    return Errc::manifest_inconsistent;
  }
  std::vector<Hash256> hashes(hash_blob.size / kHashSize);
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    std::memcpy(hashes[i].data(), hash_blob.ptr + i * kHashSize, kHashSize);
  }
  std::string name{fields[kName].via.str.ptr, fields[kName].via.str.size};
  auto manifest = create(std::move(name), file_size, chunk_size.value(), std::move(hashes));
  if (!manifest) {
    return manifest.error();
  }
  // Every value has exactly one encoding; any other spelling of the same values (a wider
  // integer, a longer length prefix) would give a second File ID for the same file.
  if (!std::equal(bytes.begin(), bytes.end(), manifest.value().encoded_.begin(),
                  manifest.value().encoded_.end())) {
    return Errc::manifest_not_canonical;
  }
  return manifest;
}

Result<Hash256> Manifest::chunk_hash(ChunkIndex index) const {
  if (index_value(index) >= chunk_hashes_.size()) {
    return Errc::chunk_index_out_of_range;
  }
  return chunk_hashes_[index_value(index)];
}

Result<std::uint64_t> Manifest::chunk_offset(ChunkIndex index) const {
  if (index_value(index) >= chunk_hashes_.size()) {
    return Errc::chunk_index_out_of_range;
  }
  return static_cast<std::uint64_t>(index_value(index)) * chunk_size_.bytes();
}

Result<std::uint32_t> Manifest::chunk_length(ChunkIndex index) const {
  auto offset = chunk_offset(index);
  if (!offset) {
    return offset.error();
  }
  return static_cast<std::uint32_t>(
      std::min<std::uint64_t>(chunk_size_.bytes(), file_size_ - offset.value()));
}

bool verify_chunk(const Manifest& manifest, ChunkIndex index,
                  std::span<const std::uint8_t> data) noexcept {
  const auto length = manifest.chunk_length(index);
  if (!length || data.size() != length.value()) {
    return false;
  }
  return blake2b_256(data) == manifest.chunk_hashes()[index_value(index)];
}

} // namespace swarmshare::core
