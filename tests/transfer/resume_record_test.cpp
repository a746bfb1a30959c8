#include "swarmshare/transfer/resume_record.hpp"

#include "temp_dir.hpp"

#include "swarmshare/core/hash.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace swarmshare::transfer {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::size_t kChunk = core::ChunkSize::kMinBytes;
// Eleven chunks, the last one short: the verified bitmap has unused bits to check.
constexpr std::uint32_t kChunks = 11;
constexpr std::uint64_t kFileSize = (kChunks - 1) * kChunk + 123;

core::Manifest sample_manifest() {
  std::vector<core::Hash256> hashes(kChunks);
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    hashes[i].fill(static_cast<std::uint8_t>(i + 1));
  }
  return core::Manifest::create("movie.mkv", kFileSize, core::ChunkSize::from_bytes(kChunk).value(),
                                std::move(hashes))
      .value();
}

std::vector<bool> sample_verified() {
  return {true, false, true, true, false, false, false, true, false, true, true};
}

constexpr PartStamp kStamp{kFileSize, 1'700'000'000'123'456'789};

std::vector<std::uint8_t> sample_bytes() {
  return encode_resume_record(sample_manifest(), kStamp, sample_verified()).value();
}

// Recomputes the trailing checksum, so a test can change a field and reach the checks
// behind the checksum.
void reseal(std::vector<std::uint8_t>& bytes) {
  const std::size_t body = bytes.size() - core::kHashSize;
  const auto checksum = core::blake2b_256(std::span{bytes}.first(body));
  std::copy(checksum.begin(), checksum.end(), bytes.begin() + static_cast<std::ptrdiff_t>(body));
}

void write_file(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t entries_in(const fs::path& folder) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(folder), fs::directory_iterator{}));
}

TEST(ResumeRecord, liesBesideThePartFile) {
  EXPECT_EQ(resume_path_for(fs::path{"dl"} / "movie.mkv.part"),
            fs::path{"dl"} / "movie.mkv.part.resume");
}

TEST(ResumeRecord, roundTripsEveryField) {
  auto decoded = decode_resume_record(sample_bytes());
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded.value().manifest, sample_manifest());
  EXPECT_EQ(decoded.value().file_id(), sample_manifest().file_id());
  EXPECT_EQ(decoded.value().part, kStamp);
  EXPECT_EQ(decoded.value().verified, sample_verified());
}

TEST(ResumeRecord, roundTripsAnEmptyFileAndANegativeModificationTime) {
  const auto manifest = core::Manifest::create("empty", 0, core::ChunkSize{}, {}).value();
  const PartStamp stamp{0, -5};
  auto decoded = decode_resume_record(encode_resume_record(manifest, stamp, {}).value());
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded.value().part, stamp);
  EXPECT_TRUE(decoded.value().verified.empty());
}

TEST(ResumeRecord, encodingRefusesAVerifiedSetOfTheWrongLength) {
  auto bytes = encode_resume_record(sample_manifest(), kStamp, std::vector<bool>(kChunks + 1));
  ASSERT_FALSE(bytes);
  EXPECT_EQ(bytes.error(), std::errc::invalid_argument);
}

TEST(ResumeRecord, everyTruncationIsRefused) {
  const auto bytes = sample_bytes();
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    auto decoded = decode_resume_record(std::span{bytes}.first(length));
    EXPECT_FALSE(decoded) << "accepted a record cut to " << length << " bytes";
  }
}

TEST(ResumeRecord, aTrailingByteIsRefused) {
  auto bytes = sample_bytes();
  bytes.push_back(0);
  EXPECT_EQ(decode_resume_record(bytes).error(), std::errc::bad_message);
}

TEST(ResumeRecord, everyFlippedByteIsRefused) {
  const auto bytes = sample_bytes();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto corrupt = bytes;
    corrupt[i] ^= 0x10U;
    EXPECT_FALSE(decode_resume_record(corrupt)) << "accepted a flipped byte at " << i;
  }
}

TEST(ResumeRecord, anotherVersionIsRefusedAsUnsupported) {
  auto bytes = sample_bytes();
  bytes[8] = 2; // the version field, little-endian
  reseal(bytes);
  auto decoded = decode_resume_record(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), core::Errc::unsupported_version);
}

TEST(ResumeRecord, aWrongMagicIsRefused) {
  auto bytes = sample_bytes();
  bytes[0] = 'X';
  reseal(bytes);
  EXPECT_EQ(decode_resume_record(bytes).error(), std::errc::bad_message);
}

TEST(ResumeRecord, aStrayBitPastTheLastChunkIsRefused) {
  auto bytes = sample_bytes();
  // Eleven chunks: the bitmap's second byte uses bits 0..2 only.
  const std::size_t last_bitmap_byte = bytes.size() - core::kHashSize - 1;
  bytes[last_bitmap_byte] |= 0x80U;
  reseal(bytes);
  EXPECT_EQ(decode_resume_record(bytes).error(), std::errc::bad_message);
}

TEST(ResumeRecord, aFileIdThatIsNotTheManifestsIsRefused) {
  auto bytes = sample_bytes();
  bytes[12] ^= 0xFFU; // first byte of the File ID
  reseal(bytes);
  EXPECT_EQ(decode_resume_record(bytes).error(), std::errc::bad_message);
}

TEST(ResumeRecord, aPartSizeThatIsNotTheFileSizeIsRefused) {
  auto bytes = sample_bytes();
  bytes[44] ^= 0x01U; // lowest byte of the .part size
  reseal(bytes);
  EXPECT_EQ(decode_resume_record(bytes).error(), std::errc::bad_message);
}

TEST(ResumeRecord, savedRecordReadsBackAndLeavesNoTemporaryFile) {
  test::TempDir dir;
  const auto record = dir.path() / "movie.mkv.part.resume";
  ASSERT_TRUE(save_resume_record(record, sample_manifest(), kStamp, sample_verified()));
  auto loaded = read_resume_record(record);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded.value().verified, sample_verified());
  EXPECT_EQ(entries_in(dir.path()), 1U);
}

TEST(ResumeRecord, aFailedSaveKeepsThePreviousRecord) {
  test::TempDir dir;
  const auto record = dir.path() / "movie.mkv.part.resume";
  ASSERT_TRUE(save_resume_record(record, sample_manifest(), kStamp, sample_verified()));
  const auto before = read_file(record);
  FaultInjectingDiskIo disk;
  disk.fail_write(1, std::make_error_code(std::errc::no_space_on_device));
  auto saved =
      save_resume_record(record, sample_manifest(), kStamp, std::vector<bool>(kChunks), disk);
  ASSERT_FALSE(saved);
  EXPECT_EQ(saved.error(), std::errc::no_space_on_device);
  EXPECT_EQ(read_file(record), before);
  EXPECT_EQ(entries_in(dir.path()), 1U);
}

TEST(ResumeRecord, aRecordFileLargerThanAnyRecordIsRefusedUnread) {
  test::TempDir dir;
  const auto record = dir.path() / "big.part.resume";
  write_file(record, {});
  fs::resize_file(record, std::uintmax_t{4} * 1024 * 1024);
  EXPECT_EQ(read_resume_record(record).error(), std::errc::bad_message);
}

TEST(ResumeRecord, aMissingRecordIsFileNotFound) {
  test::TempDir dir;
  EXPECT_EQ(read_resume_record(dir.path() / "none.part.resume").error(),
            core::Errc::file_not_found);
}

// A download with a real .part file and a record saved through the saver.
struct SavedDownload {
  explicit SavedDownload(const fs::path& folder)
      : part_path(folder / "movie.mkv.part"), saver(resume_path_for(part_path), clock) {
    auto part = PartFile::create(part_path, kFileSize).value();
    EXPECT_TRUE(part.write(0, test::random_bytes(kChunk, 5)));
    EXPECT_TRUE(saver.save_now(part, sample_manifest(), sample_verified()));
  }
  fs::path part_path;
  core::ManualClock clock;
  ResumeSaver saver;
};

TEST(ResumeLoad, anUntouchedPartFileIsTrusted) {
  test::TempDir dir;
  const SavedDownload download{dir.path()};
  const auto load = load_resume(download.part_path);
  EXPECT_EQ(load.state, ResumeState::trusted) << load.reason.message();
  ASSERT_TRUE(load.record);
  EXPECT_EQ(load.record->verified, sample_verified());
  EXPECT_EQ(load.record->manifest, sample_manifest());
}

TEST(ResumeLoad, aPartFileModifiedSinceTheSaveMustBeReverified) {
  test::TempDir dir;
  const SavedDownload download{dir.path()};
  fs::last_write_time(download.part_path, fs::last_write_time(download.part_path) + 5s);
  const auto load = load_resume(download.part_path);
  EXPECT_EQ(load.state, ResumeState::reverify);
  ASSERT_TRUE(load.record);
  EXPECT_EQ(load.record->verified, sample_verified());
}

TEST(ResumeLoad, aPartFileOfAnotherSizeIsInvalidButTheManifestSurvives) {
  test::TempDir dir;
  const SavedDownload download{dir.path()};
  fs::resize_file(download.part_path, kFileSize - 1);
  const auto load = load_resume(download.part_path);
  EXPECT_EQ(load.state, ResumeState::invalid);
  EXPECT_EQ(load.reason, core::Errc::file_changed);
  ASSERT_TRUE(load.record);
  EXPECT_EQ(load.record->manifest, sample_manifest());
}

TEST(ResumeLoad, aMissingPartFileIsInvalid) {
  test::TempDir dir;
  const SavedDownload download{dir.path()};
  fs::remove(download.part_path);
  const auto load = load_resume(download.part_path);
  EXPECT_EQ(load.state, ResumeState::invalid);
  EXPECT_EQ(load.reason, core::Errc::file_not_found);
}

TEST(ResumeLoad, aMissingRecordIsInvalid) {
  test::TempDir dir;
  const SavedDownload download{dir.path()};
  fs::remove(resume_path_for(download.part_path));
  const auto load = load_resume(download.part_path);
  EXPECT_EQ(load.state, ResumeState::invalid);
  EXPECT_FALSE(load.record);
  EXPECT_EQ(load.reason, core::Errc::file_not_found);
}

TEST(ResumeLoad, aCorruptRecordIsInvalid) {
  test::TempDir dir;
  const SavedDownload download{dir.path()};
  const auto record = resume_path_for(download.part_path);
  auto bytes = read_file(record);
  bytes[bytes.size() / 2] ^= 0x01U;
  write_file(record, bytes);
  const auto load = load_resume(download.part_path);
  EXPECT_EQ(load.state, ResumeState::invalid);
  EXPECT_FALSE(load.record);
  EXPECT_EQ(load.reason, std::errc::bad_message);
}

TEST(ResumeLoad, discardRemovesThePartFileAndItsRecord) {
  test::TempDir dir;
  const SavedDownload download{dir.path()};
  ASSERT_TRUE(discard_download_files(download.part_path));
  EXPECT_EQ(entries_in(dir.path()), 0U);
  EXPECT_TRUE(discard_download_files(download.part_path)); // nothing left is fine
}

class ResumeSaverTest : public ::testing::Test {
protected:
  [[nodiscard]] std::vector<bool> saved_verified() const {
    return read_resume_record(record_).value().verified;
  }
  [[nodiscard]] std::vector<bool> with_chunks(std::size_t count) const {
    std::vector<bool> verified(kChunks);
    std::fill_n(verified.begin(), count, true);
    return verified;
  }

  test::TempDir dir_;
  fs::path record_ = dir_.path() / "movie.mkv.part.resume";
  core::ManualClock clock_;
  PartFile part_ = PartFile::create(dir_.path() / "movie.mkv.part", kFileSize).value();
  ResumeSaver saver_{record_, clock_};
};

TEST_F(ResumeSaverTest, savesAtMostOnceASecond) {
  EXPECT_TRUE(saver_.save_if_due(part_, sample_manifest(), with_chunks(1)).value());
  clock_.advance(500ms);
  EXPECT_FALSE(saver_.save_if_due(part_, sample_manifest(), with_chunks(2)).value());
  EXPECT_EQ(saved_verified(), with_chunks(1));
  clock_.advance(499ms);
  EXPECT_FALSE(saver_.save_if_due(part_, sample_manifest(), with_chunks(3)).value());
  EXPECT_EQ(saved_verified(), with_chunks(1));
  clock_.advance(1ms);
  EXPECT_TRUE(saver_.save_if_due(part_, sample_manifest(), with_chunks(4)).value());
  EXPECT_EQ(saved_verified(), with_chunks(4));
}

TEST_F(ResumeSaverTest, aForcedSaveIgnoresTheInterval) {
  EXPECT_TRUE(saver_.save_if_due(part_, sample_manifest(), with_chunks(1)).value());
  clock_.advance(10ms);
  ASSERT_TRUE(saver_.save_now(part_, sample_manifest(), with_chunks(5)));
  EXPECT_EQ(saved_verified(), with_chunks(5));
  // The forced save restarts the interval.
  clock_.advance(999ms);
  EXPECT_FALSE(saver_.save_if_due(part_, sample_manifest(), with_chunks(6)).value());
}

TEST_F(ResumeSaverTest, aSavedRecordCarriesThePartFilesStamp) {
  ASSERT_TRUE(saver_.save_now(part_, sample_manifest(), with_chunks(1)));
  EXPECT_EQ(read_resume_record(record_).value().part, part_.stamp().value());
}

TEST(ResumeSaver, aFailedSaveIsReportedAndWaitsOutTheInterval) {
  test::TempDir dir;
  FaultInjectingDiskIo disk;
  core::ManualClock clock;
  auto part = PartFile::create(dir.path() / "a.part", kFileSize, disk).value();
  ResumeSaver saver{resume_path_for(part.path()), clock, disk};
  disk.fail_fsync(std::make_error_code(std::errc::io_error));
  auto first = saver.save_if_due(part, sample_manifest(), sample_verified());
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error(), std::errc::io_error);
  EXPECT_FALSE(fs::exists(saver.record_path()));
  EXPECT_FALSE(saver.save_if_due(part, sample_manifest(), sample_verified()).value());
}

} // namespace
} // namespace swarmshare::transfer
