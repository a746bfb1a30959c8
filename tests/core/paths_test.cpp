#include "swarmshare/core/platform/paths.hpp"

#include "environment.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace swarmshare::core::platform {
namespace {

TEST(DataDir, followsSwarmshareHomeWhenSet) {
  const char* previous = std::getenv("SWARMSHARE_HOME");
  const std::string saved = previous != nullptr ? previous : "";
  test::set_env("SWARMSHARE_HOME", "/some/where");
  auto dir = default_data_dir();
  if (previous != nullptr) {
    test::set_env("SWARMSHARE_HOME", saved.c_str());
  } else {
    test::unset_env("SWARMSHARE_HOME");
  }
  ASSERT_TRUE(dir);
  EXPECT_EQ(dir.value(), std::filesystem::path{"/some/where"});
}

TEST(PrivateFiles, areWrittenOwnerOnlyAndReplacedWhole) {
  test::TempDir dir;
  const auto sub = dir.path() / "data";
  ASSERT_TRUE(create_private_dir(sub));
  EXPECT_TRUE(is_owner_only(sub).value());
  const auto file = sub / "secret";
  const std::vector<std::uint8_t> first = {1, 2, 3};
  ASSERT_TRUE(write_private_file_atomically(file, first));
  EXPECT_TRUE(is_owner_only(file).value());
  EXPECT_EQ(read_small_file(file, 16).value(), first);
  const std::vector<std::uint8_t> second = {9};
  ASSERT_TRUE(write_private_file_atomically(file, second));
  EXPECT_EQ(read_small_file(file, 16).value(), second);
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(sub), {}), 1);
}

TEST(ReadSmallFile, refusesFilesOverTheLimitAndReportsMissingOnes) {
  test::TempDir dir;
  const auto file = dir.write("big", std::vector<std::uint8_t>(100, 7));
  EXPECT_EQ(read_small_file(file, 99).error(), Errc::file_too_large);
  EXPECT_EQ(read_small_file(dir.path() / "missing", 99).error(), Errc::file_not_found);
}

} // namespace
} // namespace swarmshare::core::platform
