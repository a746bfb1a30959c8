// The DHT between swarmshare-cli processes, all on 127.0.0.1 (each DHT node binds where its
// peer server does, on a free port): a download with no tracker through one bootstrap node,
// and a download whose tracker was killed, through the DHT the tracker's list joined.

#include "background_cli.hpp"
#include "cli_output.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"
#include "tracker_process.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace swarmshare {
namespace {

namespace fs = std::filesystem;
const fs::path kCli{SWARMSHARE_CLI};
const fs::path kTracker{SWARMSHARE_TRACKER};

// Children of this test run a DHT node (the test executables turn it off by default), and
// the next test starts from the default again.
class DhtOnForChildren {
public:
  DhtOnForChildren() { ::unsetenv("SWARMSHARE_NO_DHT"); }
  ~DhtOnForChildren() { ::setenv("SWARMSHARE_NO_DHT", "1", 1); }
  DhtOnForChildren(const DhtOnForChildren&) = delete;
  DhtOnForChildren& operator=(const DhtOnForChildren&) = delete;
  DhtOnForChildren(DhtOnForChildren&&) = delete;
  DhtOnForChildren& operator=(DhtOnForChildren&&) = delete;
};

class CliDht : public ::testing::Test {
protected:
  // Global options for a peer with its own home, on 127.0.0.1 only, no LAN.
  std::vector<std::string> peer(const std::string& home, const std::string& tracker,
                                std::vector<std::string> more = {}) const {
    std::vector<std::string> args{"--home",    (temp_.path() / home).string(),
                                  "--tracker", tracker,
                                  "--no-lan",  "--listen-address",
                                  "127.0.0.1", "--listen",
                                  "0"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  fs::path write_file(const std::string& name, std::size_t size, std::uint32_t seed) const {
    return temp_.write("files/" + name, test::random_bytes(size, seed));
  }

  // A background process; ready once it printed `serving on`. Returns its DHT address
  // ("127.0.0.1:PORT") through `dht`.
  std::unique_ptr<test::BackgroundCli> start(const std::string& home,
                                             const std::vector<std::string>& args,
                                             std::string* dht = nullptr) const {
    auto process =
        std::make_unique<test::BackgroundCli>(kCli, args, temp_.path() / (home + ".stderr"));
    const auto listening = process->wait_for_prefix("dht listening on 127.0.0.1:");
    EXPECT_TRUE(listening) << process->err();
    if (listening && dht != nullptr) {
      *dht = listening->substr(std::string{"dht listening on "}.size());
    }
    EXPECT_TRUE(process->wait_for_prefix("serving on 127.0.0.1:")) << process->err();
    return process;
  }

  test::ProcessResult run(const std::vector<std::string>& args) const {
    const auto scratch = temp_.path() / ("run-" + std::to_string(++runs_));
    fs::create_directories(scratch);
    return test::run_process(kCli, args, scratch);
  }

  // `serve` with no tracker and nothing to share: the others' bootstrap node. Its DHT
  // address comes back through `dht`.
  std::unique_ptr<test::BackgroundCli> start_bootstrap_node(const std::string& home,
                                                            std::string* dht) const {
    auto args = peer(home, "none");
    args.emplace_back("serve");
    return start(home, args, dht);
  }

  // `share FILE --serve` with the given global options; its File ID through `file_id`.
  std::unique_ptr<test::BackgroundCli> start_sharer(const std::string& home, const fs::path& file,
                                                    std::vector<std::string> args,
                                                    std::string* file_id) const {
    args.insert(args.end(), {"share", file.string(), "--serve"});
    auto sharer = start(home, args);
    *file_id = sharer->lines().empty() ? std::string{} : sharer->lines().front();
    EXPECT_TRUE(test::is_bare_file_id(*file_id)) << *file_id;
    return sharer;
  }

  // Runs a search until it finds something (a sharer publishes its name words once its
  // node has joined, which may come after the first search), at most 10 times.
  test::ProcessResult search_until_found(const std::vector<std::string>& args) const {
    test::ProcessResult found;
    for (int attempt = 0; attempt < 10; ++attempt) {
      found = run(args);
      if (found.exit_code == 0) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{300});
    }
    return found;
  }

  DhtOnForChildren dht_on_;
  test::TempDir temp_;
  mutable int runs_ = 0;
};

TEST_F(CliDht, aDownloadWithNoTrackerFindsTheSharerThroughABootstrapNode) {
  std::string carol_dht;
  auto carol = start_bootstrap_node("carol", &carol_dht);
  ASSERT_FALSE(carol_dht.empty());

  const auto file = write_file("no-tracker.bin", 600 * 1024 + 5, 11);
  std::string file_id;
  auto alice =
      start_sharer("alice", file, peer("alice", "none", {"--bootstrap", carol_dht}), &file_id);

  auto get = peer("bob", "none", {"--bootstrap", carol_dht});
  get.insert(get.end(),
             {"get", file_id, "-o", (temp_.path() / "bob-files").string(), "--timeout", "30"});
  const auto got = run(get);
  ASSERT_EQ(got.exit_code, 0) << got.err << got.out;
  EXPECT_EQ(test::slurp(temp_.path() / "bob-files" / "no-tracker.bin"), test::slurp(file));
  EXPECT_NE(got.err.find("(DHT)"), std::string::npos) << got.err; // the source's origin
  EXPECT_EQ(alice->stop(SIGTERM), 0) << alice->err();
  EXPECT_EQ(carol->stop(SIGTERM), 0) << carol->err();
  // Carol saved the routing table she built, for her next start.
  EXPECT_TRUE(fs::exists(temp_.path() / "carol" / "dht-nodes.bin"));
}

TEST_F(CliDht, aDownloadFallsBackToTheDhtWhenTheTrackerIsKilled) {
  auto tracker = test::TrackerProcess::start(kTracker, temp_.path() / "tracker.db");
  const std::string tracker_address = tracker.address();

  // Alice shares through the tracker; her DHT node knows nobody yet.
  const auto file = write_file("fallback.bin", 500 * 1024 + 3, 12);
  std::string file_id;
  auto alice = start_sharer("alice", file, peer("alice", tracker_address), &file_id);

  // Carol joins the DHT through the tracker's list of DHT-capable peers (Alice).
  std::string carol_dht;
  auto carol_args = peer("carol", tracker_address);
  carol_args.push_back("serve");
  auto carol = start("carol", carol_args, &carol_dht);
  EXPECT_TRUE(carol->wait_for_err("DHT joined")) << carol->err();

  tracker.kill_hard(); // the tracker is gone, with nothing said

  // Bob still names the dead tracker; the DHT (joined through Carol) finds Alice.
  auto get = peer("bob", tracker_address, {"--bootstrap", carol_dht});
  get.insert(get.end(),
             {"get", file_id, "-o", (temp_.path() / "bob-files").string(), "--timeout", "30"});
  const auto got = run(get);
  ASSERT_EQ(got.exit_code, 0) << got.err << got.out;
  EXPECT_EQ(test::slurp(temp_.path() / "bob-files" / "fallback.bin"), test::slurp(file));
  EXPECT_NE(got.err.find("(DHT)"), std::string::npos) << got.err;

  // A search names the dead tracker too: it says so and answers from the DHT.
  auto search = peer("dave", tracker_address, {"--bootstrap", carol_dht});
  search.insert(search.end(), {"search", "fallback"});
  const auto found = search_until_found(search);
  ASSERT_EQ(found.exit_code, 0) << found.err << found.out;
  EXPECT_EQ(test::bare_file_ids(found.out), std::vector<std::string>{file_id}) << found.out;
  EXPECT_NE(found.err.find("unreachable"), std::string::npos) << found.err;
  EXPECT_NE(found.err.find("searching the DHT and the LAN instead"), std::string::npos)
      << found.err;
  EXPECT_EQ(alice->stop(SIGTERM), 0) << alice->err();
  EXPECT_EQ(carol->stop(SIGTERM), 0) << carol->err();
}

TEST_F(CliDht, aSearchWithNoTrackerFindsAListedShareByNameInTheDht) {
  std::string carol_dht;
  auto carol = start_bootstrap_node("carol", &carol_dht);

  const auto file = write_file("holiday-video-2026.bin", 32 * 1024, 14);
  std::string file_id;
  auto alice =
      start_sharer("alice", file, peer("alice", "none", {"--bootstrap", carol_dht}), &file_id);

  auto search = peer("bob", "none", {"--bootstrap", carol_dht});
  search.insert(search.end(), {"search", "holiday"});
  const auto found = search_until_found(search);
  ASSERT_EQ(found.exit_code, 0) << found.err << found.out;
  EXPECT_EQ(test::bare_file_ids(found.out), std::vector<std::string>{file_id}) << found.out;
  EXPECT_NE(found.out.find("holiday-video-2026.bin"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("1 publisher in the DHT"), std::string::npos) << found.out;

  // A word of no shared name: nothing, exit code 3.
  auto nothing = peer("bob", "none", {"--bootstrap", carol_dht});
  nothing.insert(nothing.end(), {"search", "beach"});
  const auto none = run(nothing);
  EXPECT_EQ(none.exit_code, 3) << none.err << none.out;
}

TEST_F(CliDht, aSecondProcessFindsTheDhtPortTakenAndUsesAnother) {
  std::string first_dht;
  auto first = start_bootstrap_node("carol", &first_dht);
  const std::string taken_port = first_dht.substr(first_dht.rfind(':') + 1);

  std::string second_dht;
  auto second_args = peer("dave", "none", {"--dht-port", taken_port});
  second_args.push_back("serve");
  auto second = start("dave", second_args, &second_dht);
  ASSERT_FALSE(second_dht.empty());
  EXPECT_NE(second_dht, first_dht); // both run, each on its own port
  EXPECT_TRUE(second->wait_for_err("DHT port " + taken_port + " is taken")) << second->err();
  EXPECT_EQ(second->stop(SIGTERM), 0) << second->err();
  EXPECT_EQ(first->stop(SIGTERM), 0) << first->err();
}

TEST_F(CliDht, noDhtKeepsADownloadWithNoTrackerFromFindingTheSharer) {
  std::string carol_dht;
  auto carol = start_bootstrap_node("carol", &carol_dht);

  const auto file = write_file("hidden.bin", 64 * 1024, 13);
  std::string file_id;
  auto alice =
      start_sharer("alice", file, peer("alice", "none", {"--bootstrap", carol_dht}), &file_id);

  auto get = peer("bob", "none", {"--no-dht", "--bootstrap", carol_dht});
  get.insert(get.end(),
             {"get", file_id, "-o", (temp_.path() / "bob-files").string(), "--timeout", "3"});
  const auto got = run(get);
  EXPECT_EQ(got.exit_code, 3) << got.err << got.out; // no source at all
}

} // namespace
} // namespace swarmshare
