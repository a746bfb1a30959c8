#include "swarmshare/transfer/resume_record.hpp"

#include "swarmshare/core/hash.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

namespace swarmshare::transfer {
namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'S', 'W', 'S', 'R', 'E', 'S', 'U', 'M'};

// Offsets of the fixed header fields (see the table in resume_record.hpp).
constexpr std::size_t kVersionOffset = 8;
constexpr std::size_t kFileIdOffset = 12;
constexpr std::size_t kPartSizeOffset = 44;
constexpr std::size_t kPartMtimeOffset = 52;
constexpr std::size_t kChunkCountOffset = 60;
constexpr std::size_t kManifestLengthOffset = 64;
constexpr std::size_t kHeaderBytes = 68;

constexpr std::size_t bitmap_bytes(std::size_t chunk_count) noexcept {
  return (chunk_count + 7) / 8;
}

constexpr std::size_t kMaxRecordBytes =
    kHeaderBytes + core::kMaxManifestBytes + bitmap_bytes(core::kMaxChunks) + core::kHashSize;

std::error_code bad_record() noexcept { return std::make_error_code(std::errc::bad_message); }

void put_u32(std::uint8_t* out, std::uint32_t value) noexcept {
  for (std::size_t i = 0; i < 4; ++i) {
    out[i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

void put_u64(std::uint8_t* out, std::uint64_t value) noexcept {
  for (std::size_t i = 0; i < 8; ++i) {
    out[i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

std::uint32_t get_u32(const std::uint8_t* in) noexcept {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    value |= static_cast<std::uint32_t>(in[i]) << (8 * i);
  }
  return value;
}

std::uint64_t get_u64(const std::uint8_t* in) noexcept {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
  }
  return value;
}

core::Result<std::vector<bool>> decode_bitmap(std::span<const std::uint8_t> bitmap,
                                              std::size_t chunk_count) {
  std::vector<bool> verified(chunk_count);
  for (std::size_t i = 0; i < chunk_count; ++i) {
    verified[i] = ((bitmap[i / 8] >> (i % 8)) & 1U) != 0;
  }
  // Bits past the last chunk must be zero: a record has exactly one valid encoding.
  if (chunk_count % 8 != 0 && (bitmap.back() >> (chunk_count % 8)) != 0) {
    return bad_record();
  }
  return verified;
}

} // namespace

std::filesystem::path resume_path_for(const std::filesystem::path& part_path) {
  std::filesystem::path path = part_path;
  path += kResumeSuffix;
  return path;
}

core::Result<std::vector<std::uint8_t>> encode_resume_record(const core::Manifest& manifest,
                                                             PartStamp part,
                                                             const std::vector<bool>& verified) {
  if (verified.size() != manifest.chunk_count()) {
    return std::make_error_code(std::errc::invalid_argument);
  }
  const auto& encoded = manifest.encoded();
  const std::size_t bitmap_size = bitmap_bytes(verified.size());
  std::vector<std::uint8_t> out(kHeaderBytes + encoded.size() + bitmap_size + core::kHashSize);
  std::copy(kMagic.begin(), kMagic.end(), out.begin());
  put_u32(&out[kVersionOffset], kResumeFormatVersion);
  const auto& id = manifest.file_id().bytes();
  std::copy(id.begin(), id.end(), out.begin() + kFileIdOffset);
  put_u64(&out[kPartSizeOffset], part.size);
  put_u64(&out[kPartMtimeOffset], static_cast<std::uint64_t>(part.mtime_ns));
  put_u32(&out[kChunkCountOffset], manifest.chunk_count());
  put_u32(&out[kManifestLengthOffset], static_cast<std::uint32_t>(encoded.size()));
  std::copy(encoded.begin(), encoded.end(), out.begin() + kHeaderBytes);
  std::uint8_t* bitmap = &out[kHeaderBytes + encoded.size()];
  for (std::size_t i = 0; i < verified.size(); ++i) {
    if (verified[i]) {
      bitmap[i / 8] = static_cast<std::uint8_t>(bitmap[i / 8] | (1U << (i % 8)));
    }
  }
  const std::size_t body = out.size() - core::kHashSize;
  const core::Hash256 checksum = core::blake2b_256(std::span{out}.first(body));
  std::copy(checksum.begin(), checksum.end(), out.begin() + static_cast<std::ptrdiff_t>(body));
  return out;
}

core::Result<ResumeRecord> decode_resume_record(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes + core::kHashSize || bytes.size() > kMaxRecordBytes ||
      !std::equal(kMagic.begin(), kMagic.end(), bytes.begin())) {
    return bad_record();
  }
  // The version comes before the checksum: another version may place the checksum
  // elsewhere, and "made by another version" is the more useful report.
  if (get_u32(&bytes[kVersionOffset]) != kResumeFormatVersion) {
    return core::Errc::unsupported_version;
  }
  const std::size_t body = bytes.size() - core::kHashSize;
  const core::Hash256 checksum = core::blake2b_256(bytes.first(body));
  if (!std::equal(checksum.begin(), checksum.end(), bytes.begin() + body)) {
    return bad_record();
  }
  const std::uint32_t chunk_count = get_u32(&bytes[kChunkCountOffset]);
  const std::uint32_t manifest_length = get_u32(&bytes[kManifestLengthOffset]);
  if (chunk_count > core::kMaxChunks || manifest_length > core::kMaxManifestBytes ||
      body != kHeaderBytes + manifest_length + bitmap_bytes(chunk_count)) {
    return bad_record();
  }
  auto manifest = core::Manifest::decode(bytes.subspan(kHeaderBytes, manifest_length));
  if (!manifest) {
    return bad_record();
  }
  core::Hash256 id{};
  std::copy_n(bytes.begin() + kFileIdOffset, id.size(), id.begin());
  const PartStamp part{get_u64(&bytes[kPartSizeOffset]),
                       static_cast<std::int64_t>(get_u64(&bytes[kPartMtimeOffset]))};
  if (manifest.value().file_id() != core::FileId{id} ||
      manifest.value().chunk_count() != chunk_count || manifest.value().file_size() != part.size) {
    return bad_record();
  }
  auto verified = decode_bitmap(
      bytes.subspan(kHeaderBytes + manifest_length, bitmap_bytes(chunk_count)), chunk_count);
  if (!verified) {
    return verified.error();
  }
  return ResumeRecord{std::move(manifest).value(), part, std::move(verified).value()};
}

core::Status save_resume_record(const std::filesystem::path& record_path,
                                const core::Manifest& manifest, PartStamp part,
                                const std::vector<bool>& verified, DiskIo& disk) {
  auto bytes = encode_resume_record(manifest, part, verified);
  if (!bytes) {
    return bytes.error();
  }
  std::filesystem::path temporary = record_path;
  temporary += ".tmp";
  auto handle = disk.open(temporary, OpenMode::create_truncate);
  if (!handle) {
    return handle.error();
  }
  auto written = disk.pwrite(handle.value(), 0, bytes.value());
  if (written) {
    written = disk.fsync(handle.value());
  }
  const auto closed = disk.close(handle.value());
  if (written && !closed) {
    written = closed;
  }
  if (written) {
    written = disk.rename(temporary, record_path);
  }
  if (!written) {
    // The old record, if any, is untouched: only the temporary goes.
    (void)disk.remove(temporary);
    return written;
  }
  const auto parent =
      record_path.has_parent_path() ? record_path.parent_path() : std::filesystem::path{"."};
  return disk.sync_folder(parent);
}

core::Result<ResumeRecord> read_resume_record(const std::filesystem::path& record_path,
                                              DiskIo& disk) {
  auto handle = disk.open(record_path, OpenMode::read_only);
  if (!handle) {
    return handle.error() == std::errc::no_such_file_or_directory
               ? std::error_code{core::Errc::file_not_found}
               : handle.error();
  }
  auto bytes = [&]() -> core::Result<std::vector<std::uint8_t>> {
    auto info = disk.stat(handle.value());
    if (!info) {
      return info.error();
    }
    if (!info.value().regular_file) {
      return core::Errc::not_a_regular_file;
    }
    if (info.value().size > kMaxRecordBytes) {
      return bad_record();
    }
    std::vector<std::uint8_t> content(static_cast<std::size_t>(info.value().size));
    auto got = disk.pread(handle.value(), 0, content);
    if (!got) {
      return got.error();
    }
    content.resize(got.value());
    return content;
  }();
  (void)disk.close(handle.value()); // read-only: nothing is lost if close fails
  if (!bytes) {
    return bytes.error();
  }
  return decode_resume_record(bytes.value());
}

ResumeLoad load_resume(const std::filesystem::path& part_path, DiskIo& disk) {
  ResumeLoad load;
  auto record = read_resume_record(resume_path_for(part_path), disk);
  if (!record) {
    load.reason = record.error();
    return load;
  }
  load.record.emplace(std::move(record).value());
  auto info = disk.stat(part_path);
  if (!info) {
    load.reason = info.error() == std::errc::no_such_file_or_directory
                      ? std::error_code{core::Errc::file_not_found}
                      : info.error();
    return load;
  }
  if (!info.value().regular_file) {
    load.reason = core::Errc::not_a_regular_file;
    return load;
  }
  if (info.value().size != load.record->part.size) {
    load.reason = core::Errc::file_changed;
    return load;
  }
  if (info.value().mtime_ns != load.record->part.mtime_ns) {
    load.state = ResumeState::reverify;
    load.reason = core::Errc::file_changed;
    return load;
  }
  load.state = ResumeState::trusted;
  return load;
}

core::Status discard_download_files(const std::filesystem::path& part_path, DiskIo& disk) {
  auto removed = disk.remove(resume_path_for(part_path));
  auto removed_part = disk.remove(part_path);
  return removed ? removed_part : removed;
}

ResumeSaver::ResumeSaver(std::filesystem::path record_path, const core::Clock& clock, DiskIo& disk,
                         std::chrono::steady_clock::duration interval)
    : record_path_(std::move(record_path)), clock_(&clock), disk_(&disk), interval_(interval) {}

core::Result<bool> ResumeSaver::save_if_due(PartFile& part, const core::Manifest& manifest,
                                            const std::vector<bool>& verified) {
  const auto now = clock_->steady_now();
  if (last_attempt_ && now - *last_attempt_ < interval_) {
    return false;
  }
  if (auto saved = save_now(part, manifest, verified); !saved) {
    return saved.error();
  }
  return true;
}

core::Status ResumeSaver::save_now(PartFile& part, const core::Manifest& manifest,
                                   const std::vector<bool>& verified) {
  last_attempt_ = clock_->steady_now();
  // Sync first, stamp after: the record must never claim a chunk that is not yet on disk,
  // and the stamp must be the one the synced file keeps.
  if (auto synced = part.sync(); !synced) {
    return synced;
  }
  auto stamp = part.stamp();
  if (!stamp) {
    return stamp.error();
  }
  return save_resume_record(record_path_, manifest, stamp.value(), verified, *disk_);
}

} // namespace swarmshare::transfer
