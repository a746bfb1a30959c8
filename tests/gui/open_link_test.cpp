// Share links open the client, under Xvfb: given on the command line (as the desktop entry
// and the Windows and macOS link registrations pass a clicked link), and handed by a second
// start to the copy already running on the same home. A swarmshare-tracker and a
// swarmshare-cli seeder run on 127.0.0.1; the link names the seeder, so the download needs
// nothing else.
#include "automated_gui.hpp"
#include "background_cli.hpp"
#include "gui_swarm_test.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace swarmshare {
namespace {

namespace fs = std::filesystem;

const fs::path kGui = SWARMSHARE_GUI;
const fs::path kCli = SWARMSHARE_CLI;

class GuiOpenLink : public test::GuiSwarmTest {
protected:
  void SetUp() override {
    GuiSwarmTest::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    const auto file =
        temp_.write("files/holiday-video-2026.bin", test::random_bytes(600 * 1024 + 3, 11));
    auto args = peer("seeder");
    args.insert(args.end(), {"share", file.string(), "--serve"});
    seeder_ = std::make_unique<test::BackgroundCli>(kCli, args, temp_.path() / "seeder.stderr");
    ASSERT_TRUE(seeder_->wait_for_prefix("serving on 127.0.0.1:")) << seeder_->err();
    file_id_ = seeder_->lines().at(0);
    const auto link_line =
        std::find_if(seeder_->lines().begin(), seeder_->lines().end(),
                     [](const auto& line) { return line.starts_with("link: "); });
    ASSERT_NE(link_line, seeder_->lines().end());
    link_ = link_line->substr(6);
    ASSERT_NE(link_.find("&peer="), std::string::npos) << "the link names the seeder: " << link_;
  }

  // The client opened link_ and downloaded the file: the share question is asked.
  void expect_link_downloaded(test::AutomatedGui& gui) const {
    const auto opened = gui.wait_for_prefix("link opened ");
    ASSERT_TRUE(opened) << gui.err();
    EXPECT_EQ(*opened, "link opened " + link_);
    const auto question = gui.wait_for_prefix("question ");
    ASSERT_TRUE(question) << gui.err();
    EXPECT_EQ(*question, "question " + file_id_ + " holiday-video-2026.bin");
  }

  std::unique_ptr<test::BackgroundCli> seeder_;
  std::string file_id_;
  std::string link_;
};

TEST_F(GuiOpenLink, aLinkOnTheCommandLineIsDownloadedAtStart) {
  auto args = peer("gui");
  args.push_back(link_);
  test::AutomatedGui gui(kGui, temp_.path(), "gui", args);
  ASSERT_TRUE(gui.ready()) << gui.err();
  expect_link_downloaded(gui);
  EXPECT_EQ(test::slurp(temp_.path() / "Downloads" / "holiday-video-2026.bin"),
            test::slurp(temp_.path() / "files" / "holiday-video-2026.bin"));
  EXPECT_EQ(gui.stop(SIGTERM), 0) << gui.err();
}

TEST_F(GuiOpenLink, aSecondStartHandsItsLinkToTheRunningCopyAndExits) {
  test::AutomatedGui gui(kGui, temp_.path(), "gui", peer("gui"));
  ASSERT_TRUE(gui.ready()) << gui.err();

  auto args = peer("gui"); // the same home: the engine is taken, so the link is handed over
  args.push_back(link_);
  const fs::path scratch = temp_.path() / "second-start";
  fs::create_directories(scratch);
  const auto second = test::run_process(kGui, args, scratch, {{"HOME", temp_.path().string()}});
  EXPECT_EQ(second.exit_code, 0) << second.err << second.out;
  EXPECT_NE(second.out.find("handed the link to the Swarmshare already running"), std::string::npos)
      << second.out;

  expect_link_downloaded(gui);
  EXPECT_EQ(gui.stop(SIGTERM), 0) << gui.err();
}

TEST_F(GuiOpenLink, somethingThatIsNotALinkIsRefusedWithAMessage) {
  auto args = peer("gui");
  args.emplace_back("swarmshare:?name=no-id-here");
  test::AutomatedGui gui(kGui, temp_.path(), "gui", args);
  ASSERT_TRUE(gui.ready()) << gui.err();
  const auto told = gui.wait_for_prefix("told ");
  ASSERT_TRUE(told) << gui.err();
  EXPECT_TRUE(told->starts_with("told Download Files: Swarmshare was asked to open something "
                                "that is neither a share link nor a File ID"))
      << *told;
  EXPECT_EQ(gui.stop(SIGTERM), 0) << gui.err();
}

} // namespace
} // namespace swarmshare
