// The desktop client as a process: --version and the no-display message without a display;
// under Xvfb (ctest runs this suite through xvfb-run) every tab drawn and saved as a
// screenshot in the build tree, and SIGTERM closing it with exit code 0.
#include "automated_gui.hpp"
#include "background_cli.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

namespace swarmshare {
namespace {

namespace fs = std::filesystem;

const fs::path kGui = SWARMSHARE_GUI;

TEST(DesktopClient, versionWorksWithNoDisplay) {
  test::TempDir scratch;
  const auto result = test::run_process(kGui, {"--version"}, scratch.path(),
                                        {{"DISPLAY", ""}, {"WAYLAND_DISPLAY", ""}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "swarmshare " SWARMSHARE_VERSION "\n");
}

TEST(DesktopClient, withNoDisplayItSaysSoAndExitsOne) {
  test::TempDir scratch;
  const auto result =
      test::run_process(kGui, {"--home", (scratch.path() / "home").string(), "--tracker", "none"},
                        scratch.path(), {{"DISPLAY", ""}, {"WAYLAND_DISPLAY", ""}});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no display"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("swarmshare-cli"), std::string::npos) << result.err;
}

TEST(DesktopClient, everyTabIsDrawnAndSigtermClosesItWithExitZero) {
  ASSERT_TRUE(test::has_test_display()) << test::kNoDisplayMessage;
  test::TempDir scratch;
  const fs::path shots = SWARMSHARE_GUI_SCREENSHOT_DIR;
  fs::remove_all(shots);
  setenv("SWARMSHARE_GUI_SCREENSHOTS", shots.c_str(), 1);
  // The sanitizer build: GTK's libraries keep caches until exit (tests/gui/lsan.supp).
  setenv("LSAN_OPTIONS", "suppressions=" SWARMSHARE_GUI_LSAN_SUPPRESSIONS, 1);
  test::BackgroundCli gui(kGui,
                          {"--home", (scratch.path() / "home").string(), "--tracker", "none",
                           "--no-lan", "--no-dht", "--listen-address", "127.0.0.1"},
                          scratch.path() / "gui.err");
  unsetenv("SWARMSHARE_GUI_SCREENSHOTS");
  unsetenv("LSAN_OPTIONS");
  const auto saved = gui.wait_for_prefix("screenshots ");
  ASSERT_TRUE(saved.has_value()) << gui.err();
  EXPECT_EQ(*saved, "screenshots 6 in " + shots.string());
  for (const char* tab : {"01-dashboard", "02-share-files", "03-download-files", "04-history",
                          "05-statistics", "06-settings"}) {
    const auto picture = shots / (std::string(tab) + ".png");
    ASSERT_TRUE(fs::exists(picture)) << picture;
    EXPECT_GT(fs::file_size(picture), 1000U) << picture;
  }
  EXPECT_EQ(gui.stop(SIGTERM), 0) << gui.err();
}

} // namespace
} // namespace swarmshare
