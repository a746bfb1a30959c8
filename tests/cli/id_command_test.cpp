#include "run_process.hpp"
#include "temp_dir.hpp"

#include "swarmshare/core/platform/paths.hpp"
#include "swarmshare/crypto/identity.hpp"

#include <gtest/gtest.h>

namespace swarmshare::crypto {
namespace {

namespace fs = std::filesystem;
const fs::path kCli{SWARMSHARE_CLI};

Bytes read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(CliId, printsTheSamePeerIdOnEveryRunAndCreatesItOnce) {
  test::TempDir temp;
  const fs::path data_dir = temp.path() / "data";
  const auto first = test::run_process(kCli, {"id", "--data-dir", data_dir.string()}, temp.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto second = test::run_process(kCli, {"id", "--data-dir", data_dir.string()}, temp.path());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(first.out, second.out);

  const auto identity = load_or_create_identity(data_dir);
  ASSERT_TRUE(identity);
  const PeerId& id = identity.value().peer_id();
  EXPECT_EQ(first.out, id.to_string() + "\nshort: " + id.to_short_string() + "\n");
}

TEST(CliId, usesSwarmshareHomeWhenNoDataDirIsGiven) {
  test::TempDir temp;
  const fs::path home = temp.path() / "home";
  const auto result =
      test::run_process(kCli, {"id"}, temp.path(), {{"SWARMSHARE_HOME", home.string()}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto identity = load_or_create_identity(home);
  ASSERT_TRUE(identity);
  EXPECT_EQ(result.out.substr(0, kPeerIdTextLength), identity.value().peer_id().to_string());
}

TEST(CliId, corruptKeyFileExitsWithOneNamesTheFileAndLeavesItUnchanged) {
  test::TempDir temp;
  const fs::path data_dir = temp.path() / "data";
  ASSERT_TRUE(load_or_create_identity(data_dir));
  const fs::path file = identity_file_path(data_dir);
  Bytes bytes = read_all(file);
  bytes[30] ^= 0x80U;
  ASSERT_TRUE(core::platform::write_private_file_atomically(file, bytes));

  const auto result = test::run_process(kCli, {"id", "--data-dir", data_dir.string()}, temp.path());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_NE(result.err.find(file.string()), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("corrupt"), std::string::npos) << result.err;
  EXPECT_EQ(read_all(file), bytes);
}

} // namespace
} // namespace swarmshare::crypto
