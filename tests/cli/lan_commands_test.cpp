// LAN discovery between swarmshare-cli processes, with no tracker and no bootstrap node:
// inside a network namespace of the test's own whose only interface is loopback (the
// multicast never reaches this machine's network), a sharer and a downloader find each
// other and the file arrives.

#include "background_cli.hpp"
#include "cli_output.hpp"
#include "netns.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

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

std::vector<std::string> lan_peer(const fs::path& home) {
  return {"--home",           home.string(), "--tracker",       "none",
          "--listen-address", "127.0.0.1",   "--lan-interface", "lo"};
}

fs::path write_file(const fs::path& folder, const std::string& name, std::size_t size) {
  fs::create_directories(folder);
  const auto path = folder / name;
  const auto bytes = test::random_bytes(size, 5);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(CliLan, aDownloadFindsTheSharerOnTheLanWithNoTrackerAndNoBootstrap) {
  test::TempDir temp;
  test::run_in_new_netns([&](const test::NetnsInfo&) {
    ::unsetenv("SWARMSHARE_NO_LAN"); // this namespace is the test's own: LAN on
    const auto file = write_file(temp.path() / "files", "lan-party.bin", 300 * 1024 + 7);
    auto args = lan_peer(temp.path() / "alice");
    args.insert(args.end(), {"share", file.string(), "--serve"});
    test::BackgroundCli alice(kCli, args, temp.path() / "alice.stderr");
    ASSERT_TRUE(alice.wait_for_prefix("serving on 127.0.0.1:")) << alice.err();
    const std::string file_id = alice.lines().at(0);
    ASSERT_TRUE(test::is_bare_file_id(file_id)) << file_id;

    auto get = lan_peer(temp.path() / "bob");
    get.insert(get.end(),
               {"get", file_id, "-o", (temp.path() / "bob-files").string(), "--timeout", "15"});
    const auto scratch = temp.path() / "bob-run";
    fs::create_directories(scratch);
    const auto got = test::run_process(kCli, get, scratch);
    ASSERT_EQ(got.exit_code, 0) << got.err << got.out;
    EXPECT_EQ(test::slurp(temp.path() / "bob-files" / "lan-party.bin"), test::slurp(file));
    EXPECT_NE(got.err.find("LAN peer"), std::string::npos) << got.err;
  });
}

TEST(CliLan, lanPeersFormADhtWithNoBootstrapNode) {
  test::TempDir temp;
  test::run_in_new_netns([&](const test::NetnsInfo&) {
    ::unsetenv("SWARMSHARE_NO_LAN");
    ::unsetenv("SWARMSHARE_NO_DHT"); // this namespace is the test's own: the DHT on too
    auto alice_args = lan_peer(temp.path() / "alice");
    alice_args.emplace_back("serve");
    test::BackgroundCli alice(kCli, alice_args, temp.path() / "alice.stderr");
    ASSERT_TRUE(alice.wait_for_prefix("dht listening on 127.0.0.1:")) << alice.err();
    auto bob_args = lan_peer(temp.path() / "bob");
    bob_args.emplace_back("serve");
    test::BackgroundCli bob(kCli, bob_args, temp.path() / "bob.stderr");
    ASSERT_TRUE(bob.wait_for_prefix("serving on 127.0.0.1:")) << bob.err();
    // Each heard the other on the LAN, with its DHT port: a DHT of two, joined through that.
    EXPECT_TRUE(bob.wait_for_err("DHT joined")) << bob.err();
    EXPECT_TRUE(alice.wait_for_err("DHT joined")) << alice.err();
    EXPECT_EQ(bob.stop(SIGTERM), 0) << bob.err();
    EXPECT_EQ(alice.stop(SIGTERM), 0) << alice.err();
  });
}

TEST(CliLan, theLanCatalogueListsAndSearchesTheListedFilesOfAnotherPeer) {
  test::TempDir temp;
  test::run_in_new_netns([&](const test::NetnsInfo&) {
    ::unsetenv("SWARMSHARE_NO_LAN");
    const auto secret = write_file(temp.path() / "files", "secret-plans.bin", 8 * 1024);
    const auto listed = write_file(temp.path() / "files", "party-photos-2026.zip", 16 * 1024);
    auto unlisted_args = lan_peer(temp.path() / "alice");
    unlisted_args.insert(unlisted_args.end(), {"share", secret.string(), "--unlisted"});
    const auto scratch = temp.path() / "run";
    fs::create_directories(scratch);
    const auto added = test::run_process(kCli, unlisted_args, scratch);
    ASSERT_EQ(added.exit_code, 0) << added.err;
    const std::string secret_id = test::lines_of(added.out).at(0);

    auto args = lan_peer(temp.path() / "alice");
    args.insert(args.end(), {"share", listed.string(), "--serve"});
    test::BackgroundCli alice(kCli, args, temp.path() / "alice.stderr");
    ASSERT_TRUE(alice.wait_for_prefix("serving on 127.0.0.1:")) << alice.err();
    const std::string listed_id = alice.lines().at(0);

    // Browsing: Alice's peer, and only her listed file.
    auto lan = lan_peer(temp.path() / "bob");
    lan.emplace_back("lan");
    const auto listing = test::run_process(kCli, lan, scratch);
    ASSERT_EQ(listing.exit_code, 0) << listing.err << listing.out;
    EXPECT_NE(listing.out.find(": 1 file"), std::string::npos) << listing.out;
    EXPECT_EQ(test::bare_file_ids(listing.out), std::vector<std::string>{listed_id}) << listing.out;
    EXPECT_NE(listing.out.find("party-photos-2026.zip"), std::string::npos) << listing.out;

    // Searching: by a word of the name, with no tracker and no DHT.
    auto search = lan_peer(temp.path() / "bob");
    search.insert(search.end(), {"search", "photos"});
    const auto found = test::run_process(kCli, search, scratch);
    ASSERT_EQ(found.exit_code, 0) << found.err << found.out;
    EXPECT_EQ(test::bare_file_ids(found.out), std::vector<std::string>{listed_id}) << found.out;
    EXPECT_NE(found.out.find("1 LAN peer"), std::string::npos) << found.out;
    // The unlisted file is reachable by its File ID only: no name search finds it.
    auto hidden = lan_peer(temp.path() / "bob");
    hidden.insert(hidden.end(), {"search", "secret"});
    const auto not_found = test::run_process(kCli, hidden, scratch);
    EXPECT_EQ(not_found.exit_code, 3) << not_found.err << not_found.out;
    EXPECT_EQ(not_found.out.find(secret_id), std::string::npos) << not_found.out;
    EXPECT_EQ(alice.stop(SIGTERM), 0) << alice.err();
  });
}

TEST(CliLan, noLanKeepsADownloadFromFindingTheSharer) {
  test::TempDir temp;
  test::run_in_new_netns([&](const test::NetnsInfo&) {
    ::unsetenv("SWARMSHARE_NO_LAN");
    const auto file = write_file(temp.path() / "files", "hidden.bin", 64 * 1024);
    auto args = lan_peer(temp.path() / "alice");
    args.insert(args.end(), {"share", file.string(), "--serve"});
    test::BackgroundCli alice(kCli, args, temp.path() / "alice.stderr");
    ASSERT_TRUE(alice.wait_for_prefix("serving on 127.0.0.1:")) << alice.err();
    const std::string file_id = alice.lines().at(0);

    auto get = lan_peer(temp.path() / "bob");
    get.insert(get.end(), {"--no-lan", "get", file_id, "-o", (temp.path() / "bob-files").string(),
                           "--timeout", "3"});
    const auto scratch = temp.path() / "bob-run";
    fs::create_directories(scratch);
    const auto got = test::run_process(kCli, get, scratch);
    EXPECT_EQ(got.exit_code, 3) << got.err << got.out; // no source at all
  });
}

} // namespace
} // namespace swarmshare
