#include "swarmshare/core/units.hpp"

#include <gtest/gtest.h>

namespace swarmshare::core {
namespace {

TEST(FormatBytes, usesBinaryUnitsWithOneDecimal) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1 KiB");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(256 * 1024), "256 KiB");
  EXPECT_EQ(format_bytes(3'000'000), "2.9 MiB");
  EXPECT_EQ(format_bytes(std::uint64_t{4} << 30U), "4 GiB");
  EXPECT_EQ(format_bytes(std::uint64_t{500} << 30U), "500 GiB");
}

TEST(FormatBytesColumn, readsInBinaryUnitsWithThreeDigitsAtMost) {
  EXPECT_EQ(format_bytes_column(0), "0 B");
  EXPECT_EQ(format_bytes_column(1023), "1023 B");
  EXPECT_EQ(format_bytes_column(1024), "1.00 KiB");
  EXPECT_EQ(format_bytes_column(1536), "1.50 KiB");
  EXPECT_EQ(format_bytes_column(std::uint64_t{15} * 1024 * 1024 + 300 * 1024), "15.3 MiB");
  EXPECT_EQ(format_bytes_column(std::uint64_t{153} * 1024 * 1024), "153 MiB");
  EXPECT_EQ(format_bytes_column(std::uint64_t{3} << 30), "3.00 GiB");
}

TEST(FormatBytesColumn, aSizeJustUnderTheNextUnitReadsAsOneOfIt) {
  // 1023.9 KiB would print "1024 KiB": wider than any other size in the column.
  EXPECT_EQ(format_bytes_column(1024 * 1024 - 100), "1.00 MiB");
}

} // namespace
} // namespace swarmshare::core
