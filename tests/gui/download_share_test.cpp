// The share question end to end, under Xvfb: a swarmshare-tracker and a swarmshare-cli
// seeder on 127.0.0.1; the desktop client with a fresh home searches the File ID, downloads
// it and answers the question through its automation hook (the same handlers as the
// clicks). Yes: Share Files lists the file as Active (Downloaded), and a CLI peer then
// downloads it from the client alone. No: not shared, listed in History.
#include "automated_gui.hpp"
#include "background_cli.hpp"
#include "gui_swarm_test.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

namespace swarmshare {
namespace {

namespace fs = std::filesystem;

const fs::path kGui = SWARMSHARE_GUI;
const fs::path kCli = SWARMSHARE_CLI;

class GuiDownloadShare : public test::GuiSwarmTest {
protected:
  fs::path write_file(const std::string& name, std::size_t size, std::uint32_t seed) const {
    return temp_.write("files/" + name, test::random_bytes(size, seed));
  }

  std::unique_ptr<test::BackgroundCli> start_seeder(const fs::path& file) const {
    auto args = peer("seeder");
    args.insert(args.end(), {"share", file.string(), "--serve"});
    auto seeder = std::make_unique<test::BackgroundCli>(kCli, args, temp_.path() / "seeder.stderr");
    EXPECT_TRUE(seeder->wait_for_prefix("serving on 127.0.0.1:")) << seeder->err();
    return seeder;
  }

  // The client with a fresh home; its downloads go to <temp>/Downloads (HOME is the temp
  // folder, so the user's Downloads folder is there).
  std::unique_ptr<test::AutomatedGui> start_gui() {
    auto gui = std::make_unique<test::AutomatedGui>(kGui, temp_.path(), "gui", peer("gui"));
    EXPECT_TRUE(gui->ready()) << gui->err();
    return gui;
  }

  // Searches the File ID, downloads the one hit and waits for the question.
  static void download_until_question(test::AutomatedGui& gui, const std::string& file_id) {
    const auto results = gui.ask("search " + file_id, "results ");
    ASSERT_TRUE(results) << gui.err();
    ASSERT_EQ(*results, "results 1");
    const auto question = gui.ask("download 0", "question ");
    ASSERT_TRUE(question) << gui.err();
    EXPECT_EQ(*question, "question " + file_id + " holiday-video-2026.bin");
  }
};

TEST_F(GuiDownloadShare, yesSharesTheDownloadAndAnotherPeerGetsItFromTheClientAlone) {
  const auto file = write_file("holiday-video-2026.bin", 900 * 1024 + 17, 7);
  auto seeder = start_seeder(file);
  const std::string file_id = seeder->lines().at(0);
  auto gui = start_gui();

  download_until_question(*gui, file_id);
  for (const auto& line : gui->lines()) {
    EXPECT_FALSE(line.starts_with("embedded tracker")) << "--tracker given: no tracker of its own";
  }
  // The desktop notification came with the completion, before the question.
  EXPECT_NE(std::find(gui->lines().begin(), gui->lines().end(),
                      "notified Download complete: holiday-video-2026.bin"),
            gui->lines().end());
  gui->command("answer yes");
  const auto told = gui->wait_for_prefix("told ");
  ASSERT_TRUE(told) << gui->err();
  EXPECT_EQ(*told, "told File Shared: File downloaded and shared successfully!");
  EXPECT_TRUE(test::slurp(temp_.path() / "Downloads" / "holiday-video-2026.bin") ==
              test::slurp(file));

  gui->command("shares");
  ASSERT_TRUE(gui->wait_for_prefix("shares end")) << gui->err();
  EXPECT_NE(std::find(gui->lines().begin(), gui->lines().end(),
                      "share " + file_id + " Active (Downloaded) | holiday-video-2026.bin"),
            gui->lines().end());

  // The original seeder leaves: the client is the only peer with the file.
  EXPECT_EQ(seeder->stop(SIGTERM), 0) << seeder->err();
  auto args = peer("later");
  args.insert(args.end(), {"get", file_id, "-o", (temp_.path() / "later-files").string(),
                           "--timeout", "20", "--no-seed"});
  const fs::path scratch = temp_.path() / "later-run";
  fs::create_directories(scratch);
  const auto got = test::run_process(kCli, args, scratch);
  ASSERT_EQ(got.exit_code, 0) << got.err << got.out;
  EXPECT_TRUE(test::slurp(temp_.path() / "later-files" / "holiday-video-2026.bin") ==
              test::slurp(file));

  // Statistics counts what the client uploaded to that peer (recorded once a second).
  const std::string uploaded_all = "statistics " + file_id + " " + std::to_string(900 * 1024 + 17);
  bool counted = false;
  for (int attempt = 0; attempt < 50 && !counted; ++attempt) {
    const std::size_t before = gui->lines().size();
    ASSERT_TRUE(gui->ask("statistics", "statistics end"));
    counted =
        std::any_of(gui->lines().begin() + static_cast<std::ptrdiff_t>(before), gui->lines().end(),
                    [&](const std::string& line) { return line.starts_with(uploaded_all); });
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  EXPECT_TRUE(counted) << "no line starting \"" << uploaded_all << "\"";

  EXPECT_EQ(gui->stop(SIGTERM), 0) << gui->err();
}

TEST_F(GuiDownloadShare, noKeepsTheFileUnsharedAndHistoryListsIt) {
  const auto file = write_file("holiday-video-2026.bin", 300 * 1024 + 5, 8);
  auto seeder = start_seeder(file);
  const std::string file_id = seeder->lines().at(0);
  auto gui = start_gui();

  download_until_question(*gui, file_id);
  gui->command("answer no");
  const auto told = gui->wait_for_prefix("told ");
  ASSERT_TRUE(told) << gui->err() << "\n" << testing::PrintToString(gui->lines());
  EXPECT_EQ(*told, "told Download Complete: File downloaded successfully!");
  EXPECT_TRUE(fs::exists(temp_.path() / "Downloads" / "holiday-video-2026.bin"));

  gui->command("shares");
  ASSERT_TRUE(gui->wait_for_prefix("shares end")) << gui->err();
  for (const auto& line : gui->lines()) {
    EXPECT_FALSE(line.starts_with("share ")) << line;
  }
  gui->command("history");
  ASSERT_TRUE(gui->wait_for_prefix("history end")) << gui->err();
  const auto& lines = gui->lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "history " + file_id + " share_declined | holiday-video-2026.bin"),
            lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "history " + file_id + " downloaded | holiday-video-2026.bin"),
            lines.end());

  // The same File ID again: the client says it was downloaded, when and where, and asks.
  ASSERT_EQ(gui->ask("search " + file_id, "results "), "results 1");
  const auto asked = gui->ask("download 0", "asked ");
  ASSERT_TRUE(asked) << gui->err();
  EXPECT_TRUE(
      asked->starts_with("asked Already Downloaded: You downloaded holiday-video-2026.bin on "))
      << *asked;
  EXPECT_NE(asked->find("it is still at " + (temp_.path() / "Downloads").string()),
            std::string::npos)
      << *asked;
  EXPECT_EQ(gui->ask("confirm no", "> confirm"), "> confirm no");

  EXPECT_EQ(gui->stop(SIGTERM), 0) << gui->err();
  EXPECT_EQ(seeder->stop(SIGTERM), 0) << seeder->err();
}

} // namespace
} // namespace swarmshare
