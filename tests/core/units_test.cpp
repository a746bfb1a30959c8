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

} // namespace
} // namespace swarmshare::core
