// The desktop client's own settings, under Xvfb: a fresh home runs the embedded tracker,
// which a CLI peer uses to download a file the client shares; the network settings and the
// window's size and column widths are saved and used by the next start.
#include "automated_gui.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace swarmshare {
namespace {

namespace fs = std::filesystem;

const fs::path kGui = SWARMSHARE_GUI;
const fs::path kCli = SWARMSHARE_CLI;
const std::string kTrackerLine = "embedded tracker listening on 127.0.0.1:";

class GuiSettings : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(test::has_test_display()) << test::kNoDisplayMessage; }

  // No --tracker: the client decides from its saved settings. Its embedded tracker, when it
  // runs one, binds 127.0.0.1 only.
  std::unique_ptr<test::AutomatedGui> start_gui(const std::string& name,
                                                const std::string& home = "gui-home",
                                                const std::string& tracker_listen = "127.0.0.1:0") {
    auto gui = std::make_unique<test::AutomatedGui>(
        kGui, temp_.path(), name,
        std::vector<std::string>{"--home", (temp_.path() / home).string(), "--tracker-listen",
                                 tracker_listen, "--listen-address", "127.0.0.1", "--listen", "0",
                                 "--no-lan", "--no-dht"});
    EXPECT_TRUE(gui->ready()) << gui->err();
    return gui;
  }

  // A port free on 127.0.0.1 a moment ago.
  static std::uint16_t free_port() {
    const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
    ::close(socket_fd);
    return ntohs(address.sin_port);
  }

  [[nodiscard]] static bool printed(const test::AutomatedGui& gui, const std::string& prefix) {
    return std::any_of(gui.lines().begin(), gui.lines().end(),
                       [&](const std::string& line) { return line.starts_with(prefix); });
  }

  test::TempDir temp_;
};

TEST_F(GuiSettings, freshHomeRunsATrackerThroughWhichACliPeerGetsWhatTheClientShares) {
  auto gui = start_gui("gui");
  const auto listening = gui->wait_for_prefix(kTrackerLine);
  ASSERT_TRUE(listening) << gui->err();
  const std::string tracker =
      listening->substr(std::string("embedded tracker listening on ").size());

  const auto file = temp_.write("files/party-photos.zip", test::random_bytes(700 * 1024 + 3, 11));
  const auto shared = gui->ask("share " + file.string(), "shared ");
  ASSERT_TRUE(shared) << gui->err();
  const std::string file_id = shared->substr(7, 64);
  EXPECT_EQ(*shared, "shared " + file_id + " party-photos.zip");
  const auto link = gui->ask("link 0", "link ");
  ASSERT_TRUE(link) << gui->err();
  EXPECT_TRUE(link->starts_with("link swarmshare:?id=" + file_id)) << *link;

  const fs::path scratch = temp_.path() / "peer-run";
  fs::create_directories(scratch);
  const auto got = test::run_process(
      kCli,
      {"--home", (temp_.path() / "peer").string(), "--tracker", tracker, "--listen-address",
       "127.0.0.1", "--listen", "0", "--no-lan", "--no-dht", "get", file_id, "-o",
       (temp_.path() / "peer-files").string(), "--timeout", "20", "--no-seed"},
      scratch);
  ASSERT_EQ(got.exit_code, 0) << got.err << got.out;
  EXPECT_TRUE(test::slurp(temp_.path() / "peer-files" / "party-photos.zip") == test::slurp(file));

  // Each statistics tick (one a second) adds a point to the Dashboard's speed graph.
  const auto samples = [&gui]() -> int {
    const auto graph = gui->ask("graph", "graph ");
    return graph ? std::stoi(graph->substr(6)) : -1;
  };
  const int before = samples();
  ASSERT_GE(before, 1);
  int after = before;
  for (int attempt = 0; attempt < 100 && after == before; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    after = samples();
  }
  EXPECT_GT(after, before);
  EXPECT_EQ(gui->stop(SIGTERM), 0) << gui->err();
}

TEST_F(GuiSettings, savedNetworkSettingsAndWindowPlacementAreUsedByTheNextStart) {
  {
    auto gui = start_gui("first");
    ASSERT_TRUE(gui->wait_for_prefix(kTrackerLine)) << gui->err();
    ASSERT_EQ(gui->ask("set tracker not an address", "set "), "set tracker");
    const auto refused = gui->ask("save-settings", "told Settings: ");
    ASSERT_TRUE(refused) << gui->err();
    EXPECT_TRUE(refused->starts_with("told Settings: Settings not saved: Tracker address"))
        << *refused;

    ASSERT_EQ(gui->ask("set tracker 127.0.0.1:9", "set "), "set tracker");
    const auto saved = gui->ask("save-settings", "told Settings: ");
    ASSERT_TRUE(saved) << gui->err();
    EXPECT_EQ(*saved, "told Settings: Settings saved. The network settings take effect when "
                      "Swarmshare starts again.");
    ASSERT_EQ(gui->ask("resize 820 610", "resized"), "resized");
    ASSERT_TRUE(gui->ask("column shared-files 0 333", "columns "));
    // A data view, not a list: its column takes the width once laid out, as after a drag.
    ASSERT_TRUE(gui->ask("column downloads 1 222", "columns "));
    bool laid_out = false;
    for (int attempt = 0; attempt < 100 && !laid_out; ++attempt) {
      const auto widths = gui->ask("column downloads", "columns ");
      laid_out = widths && widths->find(",222,") != std::string::npos;
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    ASSERT_TRUE(laid_out);
    EXPECT_EQ(gui->stop(SIGTERM), 0) << gui->err();
  }
  auto gui = start_gui("second");
  // A tracker is configured now: none runs here.
  EXPECT_FALSE(printed(*gui, kTrackerLine));
  const auto geometry = gui->ask("geometry", "geometry ");
  ASSERT_TRUE(geometry) << gui->err();
  EXPECT_EQ(*geometry, "geometry 820 610");
  const auto columns = gui->ask("column shared-files", "columns ");
  ASSERT_TRUE(columns);
  EXPECT_TRUE(columns->starts_with("columns shared-files 333,")) << *columns;
  const auto download_columns = gui->ask("column downloads", "columns ");
  ASSERT_TRUE(download_columns);
  EXPECT_NE(download_columns->find("columns downloads "), std::string::npos);
  EXPECT_NE(download_columns->find(",222,"), std::string::npos) << *download_columns;
  EXPECT_EQ(gui->stop(SIGTERM), 0) << gui->err();
}

TEST_F(GuiSettings, twoCopiesOnOneComputerShareThroughTheFirstOnesTracker) {
  // Both would run a tracker on the same port; the second finds it taken and uses the
  // first one's.
  const std::string port = std::to_string(free_port());
  auto first = start_gui("first", "first-home", "127.0.0.1:" + port);
  ASSERT_EQ(first->wait_for_prefix(kTrackerLine), kTrackerLine + port) << first->err();
  auto second = start_gui("second", "second-home", "127.0.0.1:" + port);
  EXPECT_FALSE(printed(*second, kTrackerLine)) << "the port is the first copy's";

  const auto file = temp_.write("files/lan-party-map.pak", test::random_bytes(400 * 1024 + 9, 12));
  const auto shared = first->ask("share " + file.string(), "shared ");
  ASSERT_TRUE(shared) << first->err();
  const std::string file_id = shared->substr(7, 64);
  ASSERT_EQ(second->ask("search lan party", "results "), "results 1") << second->err();
  const auto question = second->ask("download 0", "question ");
  ASSERT_TRUE(question) << second->err();
  EXPECT_EQ(*question, "question " + file_id + " lan-party-map.pak");
  EXPECT_TRUE(test::slurp(temp_.path() / "Downloads" / "lan-party-map.pak") == test::slurp(file));
  EXPECT_EQ(second->stop(SIGTERM), 0) << second->err();
  EXPECT_EQ(first->stop(SIGTERM), 0) << first->err();
}

TEST_F(GuiSettings, cancelStopsTheHashingAndNothingIsShared) {
  auto gui = start_gui("gui");
  // Sparse: 4 GiB of zeros take seconds to hash and no time to make.
  const auto big = temp_.path() / "files" / "disk-image.raw";
  fs::create_directories(big.parent_path());
  std::ofstream(big, std::ios::binary).close();
  fs::resize_file(big, std::uint64_t{4} << 30U);

  const auto hashing = gui->ask("share " + big.string(), "hashing disk-image.raw ");
  ASSERT_TRUE(hashing) << gui->err();
  ASSERT_NE(*hashing, "hashing disk-image.raw 4294967296 of 4294967296")
      << "hashed before it could be cancelled";
  gui->command("cancel-hashing"); // the Cancel button beside the progress
  const auto outcome = gui->wait_for_prefix("not shared ");
  ASSERT_TRUE(outcome) << gui->err();
  EXPECT_EQ(*outcome, "not shared disk-image.raw: cancelled");
  ASSERT_TRUE(gui->ask("shares", "shares end"));
  for (const auto& line : gui->lines()) {
    EXPECT_FALSE(line.starts_with("share ")) << line;
  }
  EXPECT_EQ(gui->stop(SIGTERM), 0) << gui->err();
}

} // namespace
} // namespace swarmshare
