#include "swarmshare/core/manifest.hpp"

#include "temp_dir.hpp"

#include "swarmshare/core/file_hasher.hpp"

#include <gtest/gtest.h>

namespace swarmshare::core {
namespace {

std::vector<Hash256> fake_hashes(std::size_t count) {
  std::vector<Hash256> hashes(count);
  for (std::size_t i = 0; i < count; ++i) {
    hashes[i].fill(static_cast<std::uint8_t>(i));
  }
  return hashes;
}

Manifest sample_manifest() {
  return Manifest::create("sample.bin", 600 * 1024, ChunkSize{}, fake_hashes(3)).value();
}

TEST(Manifest, roundTripsThroughItsEncoding) {
  const Manifest original = sample_manifest();
  auto decoded = Manifest::decode(original.encoded());
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded.value(), original);
  EXPECT_EQ(decoded.value().name(), "sample.bin");
  EXPECT_EQ(decoded.value().file_size(), 600U * 1024U);
  EXPECT_EQ(decoded.value().chunk_size(), ChunkSize{});
  EXPECT_EQ(decoded.value().chunk_hashes(), fake_hashes(3));
  EXPECT_EQ(decoded.value().file_id(), original.file_id());
}

TEST(Manifest, encodesExactlyTheDocumentedBytes) {
  // docs/PROTOCOL.md: [1, name, size, chunk size, hashes] in shortest msgpack forms.
  const Manifest manifest = Manifest::create("a", 0, ChunkSize{}, {}).value();
  const std::vector<std::uint8_t> expected = {0x95, 0x01, 0xA1, 'a',  0x00, 0xCE,
                                              0x00, 0x04, 0x00, 0x00, 0xC4, 0x00};
  EXPECT_EQ(manifest.encoded(), expected);
}

TEST(Manifest, fileIdIsBlake2bOfTheEncoding) {
  const Manifest manifest = sample_manifest();
  EXPECT_EQ(manifest.file_id(), FileId{blake2b_256(manifest.encoded())});
}

TEST(Manifest, sameContentUnderAnotherNameHasAnotherFileId) {
  const Manifest a = Manifest::create("a.bin", 1, ChunkSize{}, fake_hashes(1)).value();
  const Manifest b = Manifest::create("b.bin", 1, ChunkSize{}, fake_hashes(1)).value();
  EXPECT_NE(a.file_id(), b.file_id());
}

TEST(Manifest, goldenFileIdForADeterministicFile) {
  // The value was computed independently by tests/tools/manifest_reference.py from the
  // byte layout in docs/PROTOCOL.md; it must never change for format version 1.
  test::TempDir dir;
  const auto path = dir.write("golden.bin", test::pattern_bytes(3 * 256 * 1024 + 1000));
  auto manifest = hash_file(path);
  ASSERT_TRUE(manifest) << manifest.error().message();
  EXPECT_EQ(manifest.value().chunk_count(), 4U);
  EXPECT_EQ(manifest.value().file_id().to_hex(),
            "034f0a653e83bafe45f2da57b4e9649d3b85b585a6caf9894f3611b45e89a1c6");
}

TEST(Manifest, rejectsNonCanonicalIntegerEncoding) {
  std::vector<std::uint8_t> bytes = Manifest::create("a", 0, ChunkSize{}, {}).value().encoded();
  // File size 0 as a uint8 (0xCC 0x00) instead of a positive fixint: same value, other bytes.
  bytes.erase(bytes.begin() + 4);
  bytes.insert(bytes.begin() + 4, {0xCC, 0x00});
  auto decoded = Manifest::decode(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), Errc::manifest_not_canonical);
}

TEST(Manifest, rejectsNonCanonicalStringHeader) {
  std::vector<std::uint8_t> bytes = Manifest::create("a", 0, ChunkSize{}, {}).value().encoded();
  bytes[2] = 0xD9; // str8 with length 1 instead of fixstr
  bytes.insert(bytes.begin() + 3, 0x01);
  auto decoded = Manifest::decode(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), Errc::manifest_not_canonical);
}

TEST(Manifest, rejectsTrailingBytes) {
  std::vector<std::uint8_t> bytes = sample_manifest().encoded();
  bytes.push_back(0x00);
  auto decoded = Manifest::decode(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), Errc::manifest_malformed);
}

TEST(Manifest, rejectsEveryTruncation) {
  const std::vector<std::uint8_t> bytes = sample_manifest().encoded();
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    auto decoded = Manifest::decode(std::span{bytes.data(), length});
    EXPECT_FALSE(decoded) << length;
  }
}

TEST(Manifest, rejectsHashCountThatDisagreesWithSize) {
  auto too_few = Manifest::create("x", 600 * 1024, ChunkSize{}, fake_hashes(2));
  ASSERT_FALSE(too_few);
  EXPECT_EQ(too_few.error(), Errc::manifest_inconsistent);

  // The same disagreement arriving as bytes: size says 3 chunks, hashes say 4.
  const Manifest four = Manifest::create("x", 4 * 256 * 1024, ChunkSize{}, fake_hashes(4)).value();
  std::vector<std::uint8_t> bytes = four.encoded();
  // name "x" is 2 bytes, so the size (uint32) sits at offset 4..8.
  ASSERT_EQ(bytes[4], 0xCE);
  bytes[6] = 0x0C; // 4 * 256 KiB = 0x00100000 -> 0x000C0000 (3 chunks)
  auto decoded = Manifest::decode(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), Errc::manifest_inconsistent);
}

TEST(Manifest, rejectsInvalidChunkSizeInBytes) {
  std::vector<std::uint8_t> bytes = Manifest::create("a", 0, ChunkSize{}, {}).value().encoded();
  bytes[7] = 0x05; // 0x00050000: not a power of two
  auto decoded = Manifest::decode(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), Errc::manifest_inconsistent);
}

TEST(Manifest, rejectsHashBlobNotAMultipleOf32) {
  std::vector<std::uint8_t> bytes =
      Manifest::create("a", 1, ChunkSize{}, fake_hashes(1)).value().encoded();
  bytes.pop_back();
  bytes[bytes.size() - 32] = 31; // bin8 length
  auto decoded = Manifest::decode(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), Errc::manifest_inconsistent);
}

TEST(Manifest, rejectsOversizedInputBeforeParsing) {
  std::vector<std::uint8_t> bytes(kMaxManifestBytes + 1, 0x00);
  auto decoded = Manifest::decode(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), Errc::manifest_too_large);
}

TEST(Manifest, rejectsNamesOverTheLimitAndTooManyChunks) {
  auto long_name =
      Manifest::create(std::string(kMaxManifestNameBytes + 1, 'n'), 0, ChunkSize{}, {});
  ASSERT_FALSE(long_name);
  EXPECT_EQ(long_name.error(), Errc::manifest_too_large);

  const auto chunk = ChunkSize::from_bytes(16 * 1024).value();
  const std::uint64_t size = std::uint64_t{kMaxChunks + 1} * chunk.bytes();
  auto too_many = Manifest::create("big", size, chunk, fake_hashes(kMaxChunks + 1));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error(), Errc::manifest_too_large);
}

TEST(Manifest, acceptsTheLargestManifest) {
  const auto chunk = ChunkSize::from_bytes(ChunkSize::kMaxBytes).value();
  auto largest = Manifest::create(std::string(kMaxManifestNameBytes, 'n'), kMaxFileSize, chunk,
                                  fake_hashes(kMaxChunks));
  ASSERT_TRUE(largest);
  EXPECT_LE(largest.value().encoded().size(), kMaxManifestBytes);
  auto decoded = Manifest::decode(largest.value().encoded());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value().chunk_count(), kMaxChunks);
}

TEST(Manifest, rejectsInvalidUtf8Names) {
  auto bad = Manifest::create("bad\xFF", 0, ChunkSize{}, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), Errc::manifest_malformed);
}

TEST(Manifest, reportsANewerFormatVersionAsUnsupported) {
  std::vector<std::uint8_t> bytes = sample_manifest().encoded();
  bytes[1] = 0x02;
  auto decoded = Manifest::decode(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), Errc::unsupported_version);
}

TEST(Manifest, rejectsOtherShapes) {
  const std::vector<std::vector<std::uint8_t>> inputs = {
      {},                                                                            // nothing
      {0x90},                                                                        // empty array
      {0x80},                                                                        // a map
      {0x94, 0x01, 0xA1, 'a', 0x00, 0x00},                                           // four fields
      {0x95, 0x01, 0xC4, 0x01, 'a', 0x00, 0xCE, 0x00, 0x04, 0x00, 0x00, 0xC4, 0x00}, // bin name
      {0x95, 0x01, 0xA1, 'a', 0xFF, 0xCE, 0x00, 0x04, 0x00, 0x00, 0xC4, 0x00}, // negative size
      {0xC7, 0x01, 0x01, 0x00},                                                // an ext type
  };
  for (const auto& input : inputs) {
    auto decoded = Manifest::decode(input);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error(), Errc::manifest_malformed);
  }
}

TEST(Manifest, reportsChunkOffsetsAndLengthsIncludingAShortLastChunk) {
  const Manifest manifest = sample_manifest(); // 600 KiB in 256 KiB chunks
  EXPECT_EQ(manifest.chunk_offset(ChunkIndex{2}).value(), 512U * 1024U);
  EXPECT_EQ(manifest.chunk_length(ChunkIndex{0}).value(), 256U * 1024U);
  EXPECT_EQ(manifest.chunk_length(ChunkIndex{2}).value(), 88U * 1024U);
  EXPECT_EQ(manifest.chunk_length(ChunkIndex{3}).error(), Errc::chunk_index_out_of_range);
  EXPECT_EQ(manifest.chunk_hash(ChunkIndex{3}).error(), Errc::chunk_index_out_of_range);
}

TEST(VerifyChunk, acceptsTheRightBytesAndRejectsAnyOther) {
  test::TempDir dir;
  const auto content = test::pattern_bytes(300 * 1024);
  const auto path = dir.write("v.bin", content);
  const Manifest manifest = hash_file(path).value();
  const std::span all{content};
  EXPECT_TRUE(verify_chunk(manifest, ChunkIndex{0}, all.first(256 * 1024)));
  EXPECT_TRUE(verify_chunk(manifest, ChunkIndex{1}, all.subspan(256 * 1024)));
  EXPECT_FALSE(verify_chunk(manifest, ChunkIndex{1}, all.first(44 * 1024)));
  EXPECT_FALSE(verify_chunk(manifest, ChunkIndex{1}, all.subspan(256 * 1024, 1000)));
  EXPECT_FALSE(verify_chunk(manifest, ChunkIndex{2}, all.subspan(256 * 1024)));
  auto flipped = content;
  flipped[5] ^= 0x01U;
  EXPECT_FALSE(verify_chunk(manifest, ChunkIndex{0}, std::span{flipped}.first(256 * 1024)));
}

} // namespace
} // namespace swarmshare::core
