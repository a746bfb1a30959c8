// swarmshare-cli settings: shows the saved settings, saves one, refuses what it cannot
// read. Each run opens its own home (its peer server on 127.0.0.1 only); no tracker.

#include "run_process.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace swarmshare::cli {
namespace {

namespace fs = std::filesystem;
const fs::path kCli{SWARMSHARE_CLI};

class CliSettings : public ::testing::Test {
protected:
  test::ProcessResult run(std::vector<std::string> args) {
    std::vector<std::string> full{"--home", (temp_.path() / "home").string(), "--listen-address",
                                  "127.0.0.1"};
    full.insert(full.end(), args.begin(), args.end());
    return test::run_process(kCli, full, temp_.path());
  }

  test::TempDir temp_;
};

TEST_F(CliSettings, printsEverySettingWithItsDefaultOnePerLine) {
  const auto result = run({"settings"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "upload_limit 0\n"
                        "download_limit 0\n"
                        "peer_upload_limit 0\n"
                        "max_active_downloads 3\n"
                        "serve_while_downloading true\n"
                        "after_download ask\n"
                        "download_folder none\n");
}

TEST_F(CliSettings, savedValueIsSeenByLaterRunsAndRatesTakeSuffixes) {
  const auto set = run({"settings", "upload_limit", "2M"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out, "upload_limit 2097152\n");
  ASSERT_EQ(run({"settings", "max-active-downloads", "0"}).exit_code, 0);
  ASSERT_EQ(run({"settings", "after_download", "always_share"}).exit_code, 0);
  const fs::path incoming = temp_.path() / "incoming";
  const auto folder = run({"settings", "download_folder", (incoming / "." / "").string()});
  ASSERT_EQ(folder.exit_code, 0) << folder.err;
  EXPECT_EQ(folder.out, "download_folder " + incoming.string() + "\n");

  const auto shown = run({"--json", "settings"}); // one object, its keys in JSON's order
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, "{\"after_download\":\"always_share\",\"download_folder\":\"" +
                           incoming.string() +
                           "\",\"download_limit\":0,\"max_active_downloads\":0,"
                           "\"peer_upload_limit\":0,\"serve_while_downloading\":true,"
                           "\"upload_limit\":2097152}\n");
  const auto one = run({"settings", "max_active_downloads"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, "max_active_downloads 0\n");
}

TEST_F(CliSettings, peerUploadLimitIsSavedWithASuffixAndReadBack) {
  const auto set = run({"settings", "peer-upload-limit", "256K"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out, "peer_upload_limit 262144\n");
  const auto shown = run({"settings", "peer_upload_limit"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, "peer_upload_limit 262144\n");
  const auto json = run({"--json", "settings", "peer_upload_limit"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out, "{\"peer_upload_limit\":262144}\n");
}

TEST_F(CliSettings, peerUpLimitOnTheCommandLineIsNotSaved) {
  ASSERT_EQ(run({"settings", "peer_upload_limit", "1M"}).exit_code, 0);
  ASSERT_EQ(run({"--peer-up-limit", "5K", "settings", "download_limit", "5K"}).exit_code, 0);
  const auto shown = run({"settings", "peer_upload_limit"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, "peer_upload_limit 1048576\n");
}

TEST_F(CliSettings, badPeerUpLimitIsAUsageError) {
  const auto bad = run({"--peer-up-limit", "fast", "settings"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(bad.out.empty()) << bad.out;
}

TEST_F(CliSettings, upLimitOnTheCommandLineIsNotSaved) {
  ASSERT_EQ(run({"--up-limit", "1M", "settings", "download_limit", "5K"}).exit_code, 0);
  const auto shown = run({"settings", "upload_limit"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, "upload_limit 0\n");
}

TEST_F(CliSettings, unknownKeyOrBadValueIsAUsageErrorAndSavesNothing) {
  const auto unknown = run({"settings", "colour", "blue"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown setting colour"), std::string::npos) << unknown.err;

  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"upload_limit", "fast"},
                                                        {"peer_upload_limit", "1X"},
                                                        {"max_active_downloads", "1001"},
                                                        {"max_active_downloads", "-1"},
                                                        {"serve_while_downloading", "maybe"},
                                                        {"after_download", "sometimes"}}) {
    const auto bad = run({"settings", key, value});
    EXPECT_EQ(bad.exit_code, 2) << key << " " << value;
    EXPECT_NE(bad.err.find(key), std::string::npos) << bad.err;
    EXPECT_TRUE(bad.out.empty()) << bad.out;
  }
  const auto shown = run({"settings"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("upload_limit 0\n"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("max_active_downloads 3\n"), std::string::npos) << shown.out;
}

TEST_F(CliSettings, helpListsTheKeys) {
  const auto help = run({"settings", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* key :
       {"upload_limit", "download_limit", "peer_upload_limit", "max_active_downloads",
        "serve_while_downloading", "after_download", "download_folder"}) {
    EXPECT_NE(help.out.find(key), std::string::npos) << key;
  }
}

} // namespace
} // namespace swarmshare::cli
