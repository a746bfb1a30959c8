// swarmshare-cli share, get, serve and the library commands, end to end: a real
// swarmshare-tracker process and swarmshare-cli processes with homes of their own, all on
// 127.0.0.1. Every wait is for a line of output; timeouts are only safety nets.

#include "background_cli.hpp"
#include "cli_output.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"
#include "tracker_process.hpp"

#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/share_link.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace swarmshare {
namespace {

namespace fs = std::filesystem;
const fs::path kCli{SWARMSHARE_CLI};
const fs::path kTracker{SWARMSHARE_TRACKER};

std::vector<std::string> operator+(std::vector<std::string> first,
                                   const std::vector<std::string>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

using test::BackgroundCli;
using test::bare_file_ids;
using test::is_bare_file_id;
using test::lines_of;

std::optional<nlohmann::json> json_event(const std::string& out, const std::string& name) {
  for (const auto& line : lines_of(out)) {
    auto object = nlohmann::json::parse(line, nullptr, false);
    if (!object.is_discarded() && object.value("event", "") == name) {
      return object;
    }
  }
  return std::nullopt;
}

class CliTransfer : public ::testing::Test {
protected:
  void SetUp() override {
    tracker_ = test::TrackerProcess::start(kTracker, temp_.path() / "tracker.db");
  }

  // Global options for a peer with its own home, on 127.0.0.1 only.
  std::vector<std::string> peer(const std::string& home, std::vector<std::string> more = {},
                                std::optional<std::string> tracker = std::nullopt) const {
    std::vector<std::string> args{"--home",           (temp_.path() / home).string(),
                                  "--tracker",        tracker.value_or(tracker_.address()),
                                  "--listen-address", "127.0.0.1",
                                  "--listen",         "0"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  test::ProcessResult run(std::vector<std::string> args) const {
    const auto scratch = temp_.path() / ("run-" + std::to_string(++runs_));
    fs::create_directories(scratch);
    return test::run_process(kCli, args, scratch);
  }

  fs::path write_file(const std::string& name, std::size_t size, std::uint32_t seed) const {
    return temp_.write("files/" + name, test::random_bytes(size, seed));
  }

  // `share PATH --serve` in the background, ready once it printed `serving on`.
  std::unique_ptr<BackgroundCli> start_sharer(const std::string& home, const fs::path& file,
                                              std::vector<std::string> globals = {}) const {
    auto args = peer(home, std::move(globals));
    args.insert(args.end(), {"share", file.string(), "--serve"});
    auto sharer = std::make_unique<BackgroundCli>(kCli, args, temp_.path() / (home + ".stderr"));
    EXPECT_TRUE(sharer->wait_for_prefix("serving on 127.0.0.1:")) << sharer->err();
    return sharer;
  }

  test::TempDir temp_;
  test::TrackerProcess tracker_;
  mutable int runs_ = 0;
};

TEST_F(CliTransfer, shareServeThenGetDownloadsTheFileBitExact) {
  const auto file = write_file("report.pdf", 700 * 1024 + 123, 1);
  auto sharer = start_sharer("alice", file);
  ASSERT_GE(sharer->lines().size(), 3U);
  const std::string file_id = sharer->lines()[0];
  ASSERT_TRUE(is_bare_file_id(file_id)) << file_id;
  EXPECT_TRUE(sharer->lines()[1].starts_with("link: swarmshare:?id=" + file_id));
  EXPECT_EQ(bare_file_ids(sharer->lines()[1] + "\n" + sharer->lines()[2]).size(), 0U);

  auto args = peer("bob", {"--json"});
  args.insert(args.end(),
              {"get", file_id, "-o", (temp_.path() / "bob-files").string(), "--timeout", "15"});
  const auto got = run(args);
  ASSERT_EQ(got.exit_code, 0) << got.err << got.out;
  const auto saved = temp_.path() / "bob-files" / "report.pdf";
  EXPECT_EQ(test::slurp(saved), test::slurp(file));
  const auto completed = json_event(got.out, "completed");
  ASSERT_TRUE(completed) << got.out;
  EXPECT_EQ((*completed)["file_id"], file_id);
  EXPECT_EQ(fs::path{(*completed)["path"].get<std::string>()}, saved);
  EXPECT_EQ((*completed)["bytes_downloaded"], fs::file_size(file));
  EXPECT_EQ((*completed)["bytes_resumed"], 0);
  EXPECT_GE((*completed)["sources"].get<int>(), 1);
  EXPECT_EQ(sharer->stop(SIGTERM), 0) << sharer->err();

  // Bob said no (no terminal, no --seed): the history says so, his library is empty.
  const auto history = run(peer("bob", {}, "none") + std::vector<std::string>{"history"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("downloaded  report.pdf"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("share_declined  report.pdf"), std::string::npos) << history.out;
  EXPECT_EQ(bare_file_ids(history.out), std::vector<std::string>(2, file_id));
  const auto bob_list = run(peer("bob", {}, "none") + std::vector<std::string>{"list"});
  ASSERT_EQ(bob_list.exit_code, 0) << bob_list.err;
  EXPECT_TRUE(bare_file_ids(bob_list.out).empty()) << bob_list.out;
  // Alice's library has the file, served to one peer.
  const auto alice_list = run(peer("alice", {}, "none") + std::vector<std::string>{"list"});
  ASSERT_EQ(alice_list.exit_code, 0) << alice_list.err;
  EXPECT_EQ(bare_file_ids(alice_list.out), std::vector<std::string>{file_id});
  EXPECT_NE(alice_list.out.find("  name:   report.pdf\n"), std::string::npos) << alice_list.out;
  EXPECT_NE(alice_list.out.find("  status: active\n"), std::string::npos) << alice_list.out;
  EXPECT_NE(alice_list.out.find("  source: shared\n"), std::string::npos) << alice_list.out;
  const auto stats = run(peer("alice", {"--json"}, "none") + std::vector<std::string>{"stats"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const auto totals = nlohmann::json::parse(stats.out);
  EXPECT_GE(totals["bytes_uploaded"].get<std::uint64_t>(), fs::file_size(file)) << stats.out;
  EXPECT_TRUE(totals["ratio"].is_null()) << stats.out; // nothing downloaded: no finite ratio
  EXPECT_EQ(totals["shared_files"], 1);
}

TEST_F(CliTransfer, aReSharerServesTheFileAfterTheFirstSharerStops) {
  const auto file = write_file("video.mkv", 512 * 1024 + 7, 2);
  auto alice = start_sharer("alice", file);
  const std::string file_id = alice->lines().at(0);

  auto args = peer("bob");
  args.insert(args.end(), {"get", file_id, "-o", (temp_.path() / "bob-files").string(), "--seed",
                           "--serve", "--timeout", "15"});
  BackgroundCli bob(kCli, args, temp_.path() / "bob.stderr");
  ASSERT_TRUE(bob.wait_for_line([](const std::string& line) { return line == "shared"; }))
      << bob.err();
  ASSERT_TRUE(bob.wait_for_line([&](const std::string& line) { return line == file_id; }));
  ASSERT_TRUE(bob.wait_for_prefix("serving on 127.0.0.1:")) << bob.err();
  EXPECT_EQ(alice->stop(SIGTERM), 0) << alice->err(); // unannounces: Bob is the only source

  auto carol_args = peer("carol", {"--json"});
  carol_args.insert(carol_args.end(), {"get", file_id, "-o",
                                       (temp_.path() / "carol-files").string(), "--timeout", "15"});
  const auto carol = run(carol_args);
  ASSERT_EQ(carol.exit_code, 0) << carol.err;
  EXPECT_EQ(test::slurp(temp_.path() / "carol-files" / "video.mkv"), test::slurp(file));
  EXPECT_EQ(bob.stop(SIGTERM), 0) << bob.err();

  // Bob's library now holds the downloaded file.
  const auto list = run(peer("bob", {}, "none") + std::vector<std::string>{"list"});
  EXPECT_EQ(bare_file_ids(list.out), std::vector<std::string>{file_id});
  EXPECT_NE(list.out.find("  source: downloaded\n"), std::string::npos) << list.out;
}

TEST_F(CliTransfer, getWithItsOwnLimitAndPerPeerLimitsStillCompletes) {
  const auto file = write_file("limited.bin", 300 * 1024 + 7, 3);
  auto sharer = start_sharer("alice", file);
  ASSERT_GE(sharer->lines().size(), 1U);
  const std::string file_id = sharer->lines()[0];
  auto args = peer("bob", {"--peer-up-limit", "1M"});
  args.insert(args.end(), {"get", file_id, "-o", (temp_.path() / "bob-files").string(), "--timeout",
                           "15", "--limit", "1M"});
  const auto got = run(args);
  ASSERT_EQ(got.exit_code, 0) << got.err << got.out;
  EXPECT_EQ(test::slurp(temp_.path() / "bob-files" / "limited.bin"), test::slurp(file));
  EXPECT_EQ(sharer->stop(SIGTERM), 0) << sharer->err();
}

TEST_F(CliTransfer, getWithABadLimitIsAUsageError) {
  auto args = peer("bob");
  args.insert(args.end(), {"get", std::string(64, 'a'), "--limit", "fast"});
  const auto got = run(args);
  EXPECT_EQ(got.exit_code, 2) << got.err;
  EXPECT_NE(got.err.find("--limit"), std::string::npos) << got.err;
}

TEST_F(CliTransfer, unknownFileIdExitsWithThreeAfterTheTimeout) {
  auto args = peer("bob");
  args.insert(args.end(), {"get", std::string(64, 'a'), "-o", (temp_.path() / "bob-files").string(),
                           "--timeout", "2"});
  const auto got = run(args);
  EXPECT_EQ(got.exit_code, 3) << got.err;
  EXPECT_TRUE(bare_file_ids(got.out).empty()) << got.out;
  EXPECT_NE(got.err.find("no peer has"), std::string::npos) << got.err;
}

TEST_F(CliTransfer, aKilledGetResumesWhereItStopped) {
  const auto file = write_file("dataset.bin", 6 * 1024 * 1024, 3);
  auto alice = start_sharer("alice", file);
  const std::string file_id = alice->lines().at(0);
  const auto folder = (temp_.path() / "bob-files").string();

  auto slow = peer("bob", {"--json", "--down-limit", "1M"});
  slow.insert(slow.end(), {"get", file_id, "-o", folder, "--timeout", "15"});
  {
    BackgroundCli bob(kCli, slow, temp_.path() / "bob.stderr");
    // Two chunks' worth verified, and a second for the resume record to be written.
    std::uint64_t first_seen = 0;
    ASSERT_TRUE(bob.wait_for_line([&](const std::string& line) {
      auto object = nlohmann::json::parse(line, nullptr, false);
      if (object.is_discarded() || object.value("event", "") != "progress") {
        return false;
      }
      const auto verified = object.value("verified_bytes", std::uint64_t{0});
      if (first_seen == 0 && verified >= 512 * 1024) {
        first_seen = verified;
      }
      return first_seen != 0 && verified > first_seen;
    })) << bob.err();
    EXPECT_EQ(bob.stop(SIGKILL), -1);
  }
  ASSERT_FALSE(fs::exists(fs::path{folder} / "dataset.bin")) << "not stopped mid-way";

  auto again = peer("bob", {"--json"});
  again.insert(again.end(), {"get", file_id, "-o", folder, "--timeout", "15"});
  const auto resumed = run(again);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto completed = json_event(resumed.out, "completed");
  ASSERT_TRUE(completed) << resumed.out;
  EXPECT_GT((*completed)["bytes_resumed"].get<std::uint64_t>(), 0U) << resumed.out;
  EXPECT_LT((*completed)["bytes_resumed"].get<std::uint64_t>(), fs::file_size(file));
  EXPECT_EQ(test::slurp(fs::path{folder} / "dataset.bin"), test::slurp(file));
}

TEST_F(CliTransfer, aShareLinkAloneFindsItsPeer) {
  const auto file = write_file("notes & plans.txt", 64 * 1024 + 1, 4);
  auto alice = start_sharer("alice", file);
  const std::string line = alice->lines().at(1);
  ASSERT_TRUE(line.starts_with("link: "));
  const std::string link = line.substr(6);
  const auto parsed = core::ShareLink::parse(link);
  ASSERT_TRUE(parsed) << link;
  EXPECT_EQ(parsed.value().file_id.to_hex(), alice->lines().at(0));
  EXPECT_EQ(parsed.value().name, "notes & plans.txt");
  ASSERT_EQ(parsed.value().peers.size(), 1U) << link;
  EXPECT_TRUE(parsed.value().peers[0].endpoint.to_string().starts_with("127.0.0.1:"));

  auto args = peer("carol", {}, "none");
  args.insert(args.end(),
              {"get", link, "-o", (temp_.path() / "carol-files").string(), "--timeout", "15"});
  const auto got = run(args);
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(test::slurp(temp_.path() / "carol-files" / "notes & plans.txt"), test::slurp(file));

  const auto bad =
      run(peer("carol", {}, "none") + std::vector<std::string>{"get", "swarmshare:?id=12"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST_F(CliTransfer, aHomeInUseIsRefusedNamingItsHolder) {
  auto args = peer("alice");
  args.emplace_back("serve");
  BackgroundCli serving(kCli, args, temp_.path() / "alice.stderr");
  ASSERT_TRUE(serving.wait_for_prefix("serving on 127.0.0.1:")) << serving.err();
  const auto second = run(peer("alice", {}, "none") + std::vector<std::string>{"list"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("in use by process " + std::to_string(serving.pid())),
            std::string::npos)
      << second.err;
  EXPECT_EQ(serving.stop(SIGINT), 0) << serving.err();
}

TEST_F(CliTransfer, shareWithoutServeThenListHistoryAndUnshare) {
  const auto file = write_file("plain.txt", 1000, 5);
  const auto shared = run(peer("alice", {}, "none") +
                          std::vector<std::string>{"share", file.string(), "--unlisted"});
  ASSERT_EQ(shared.exit_code, 0) << shared.err;
  const auto lines = lines_of(shared.out);
  ASSERT_EQ(lines.size(), 2U) << shared.out;
  const std::string file_id = lines[0];
  EXPECT_TRUE(is_bare_file_id(file_id));
  EXPECT_EQ(lines[1], "link: swarmshare:?id=" + file_id + "&name=plain.txt&size=1000");

  const auto list = run(peer("alice", {}, "none") + std::vector<std::string>{"list"});
  EXPECT_EQ(bare_file_ids(list.out), std::vector<std::string>{file_id});
  EXPECT_NE(list.out.find("  status: active (unlisted)\n"), std::string::npos) << list.out;

  const auto unshared =
      run(peer("alice", {}, "none") + std::vector<std::string>{"unshare", file_id});
  ASSERT_EQ(unshared.exit_code, 0) << unshared.err;
  const auto empty = run(peer("alice", {}, "none") + std::vector<std::string>{"list"});
  EXPECT_TRUE(bare_file_ids(empty.out).empty()) << empty.out;
  const auto history = run(peer("alice", {}, "none") + std::vector<std::string>{"history"});
  EXPECT_NE(history.out.find("unshared  plain.txt"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("shared  plain.txt"), std::string::npos) << history.out;
  const auto again = run(peer("alice", {}, "none") + std::vector<std::string>{"unshare", file_id});
  EXPECT_EQ(again.exit_code, 3) << again.err;
}

} // namespace
} // namespace swarmshare
