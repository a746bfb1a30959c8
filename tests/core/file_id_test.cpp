#include "swarmshare/core/file_id.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

namespace swarmshare::core {
namespace {

TEST(FileId, printsAs64LowercaseHexDigitsAndShortFormIsFirst16) {
  Hash256 digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    digest[i] = static_cast<std::uint8_t>(0xA0 + i);
  }
  const FileId id{digest};
  EXPECT_EQ(id.to_hex(), "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
  EXPECT_EQ(id.to_short_hex(), "a0a1a2a3a4a5a6a7");
}

TEST(FileId, parsesItsOwnHexAndUppercase) {
  Hash256 digest{};
  digest[0] = 0xAB;
  digest[31] = 0x01;
  const FileId id{digest};
  auto lower = FileId::parse(id.to_hex());
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower.value(), id);
  std::string upper = id.to_hex();
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  auto parsed_upper = FileId::parse(upper);
  ASSERT_TRUE(parsed_upper);
  EXPECT_EQ(parsed_upper.value(), id);
}

TEST(FileId, rejectsWrongLengthOrNonHex) {
  const std::string good(64, 'a');
  for (const std::string& bad :
       {std::string{}, good.substr(1), good + "a", std::string(63, 'a') + "g", " " + good.substr(1),
        std::string(64, 'z')}) {
    auto parsed = FileId::parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error(), Errc::invalid_file_id);
  }
}

TEST(FileId, hashesDistinctIdsDifferently) {
  std::unordered_set<FileId> ids;
  for (std::uint8_t i = 0; i < 100; ++i) {
    Hash256 digest{};
    digest[7] = i;
    ids.insert(FileId{digest});
  }
  EXPECT_EQ(ids.size(), 100U);
}

} // namespace
} // namespace swarmshare::core
