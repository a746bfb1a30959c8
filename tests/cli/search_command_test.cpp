#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "cli_output.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"
#include "tracker_process.hpp"

#include "swarmshare/core/manifest.hpp"
#include "swarmshare/core/units.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/tracker/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <string>
#include <vector>

namespace swarmshare {
namespace {

namespace fs = std::filesystem;
const fs::path kCli{SWARMSHARE_CLI};
const fs::path kTracker{SWARMSHARE_TRACKER};

using test::bare_file_ids;
using test::is_bare_file_id;
using test::lines_of;

// A manifest for a file of `size` bytes (the chunk hashes are made up: the tracker never
// sees the content).
core::Manifest manifest_of(const std::string& name, std::uint64_t size) {
  const core::ChunkSize chunk_size{};
  std::vector<core::Hash256> hashes(core::chunk_count_for(size, chunk_size));
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    hashes[i].fill(static_cast<std::uint8_t>(i + name.size()));
  }
  return core::Manifest::create(name, size, chunk_size, std::move(hashes)).value();
}

// A real tracker process, filled by a peer that announces a few files with the library's
// client, and the swarmshare-cli invocations against it.
class CliSearch : public ::testing::Test {
protected:
  void SetUp() override {
    tracker_ = test::TrackerProcess::start(kTracker, temp_.path() / "tracker.db");
    announce({ubuntu_desktop_, ubuntu_server_, holiday_});
    unannounce(holiday_); // known to the tracker, served by nobody
  }

  test::ProcessResult search(const std::vector<std::string>& args, bool json = false) {
    return search_on(tracker_.address(), args, json);
  }

  test::ProcessResult search_on(const std::string& tracker, const std::vector<std::string>& args,
                                bool json = false) {
    std::vector<std::string> all{"--home", (temp_.path() / "home").string(), "--tracker", tracker};
    if (json) {
      all.emplace_back("--json");
    }
    all.emplace_back("search");
    all.insert(all.end(), args.begin(), args.end());
    return test::run_process(kCli, all, temp_.path());
  }

  // Runs `body` with a client of a second installation (the sharing peer).
  template <class Body>
  void with_client(Body body) {
    boost::asio::io_context io;
    tracker::Client client(io.get_executor(), crypto::ChannelConfig(keys_),
                           tracker::TrackerAddress::parse(tracker_.address()).value());
    bool done = false;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          co_await body(client);
          client.stop();
          done = true;
        },
        boost::asio::detached);
    io.run_for(std::chrono::seconds{20});
    ASSERT_TRUE(done);
  }

  void announce(const std::vector<core::Manifest>& manifests) {
    with_client([&](tracker::Client& client) -> boost::asio::awaitable<void> {
      for (const auto& manifest : manifests) {
        tracker::protocol::Announce announce;
        announce.file_id = manifest.file_id();
        announce.manifest = manifest.encoded();
        announce.port = 7000;
        const auto done = co_await client.announce(announce);
        EXPECT_TRUE(done) << done.error().message();
      }
    });
  }

  void unannounce(const core::Manifest& manifest) {
    with_client([&](tracker::Client& client) -> boost::asio::awaitable<void> {
      const core::FileId file_id = manifest.file_id();
      const auto done = co_await client.unannounce(file_id);
      EXPECT_TRUE(done) << done.error().message();
    });
  }

  test::TempDir temp_;
  test::TrackerProcess tracker_;
  crypto::Identity sharer_ = crypto::Identity::generate();
  crypto::StaticKeyManager keys_{sharer_, crypto::NetworkId::public_network(), core::real_clock()};
  core::Manifest ubuntu_desktop_ = manifest_of("ubuntu-24.04-desktop-amd64.iso", 3 << 20);
  core::Manifest ubuntu_server_ = manifest_of("Ubuntu Server Guide.pdf", 1536);
  core::Manifest holiday_ = manifest_of("holiday photos.zip", 10);
};

TEST_F(CliSearch, wordSearchPrintsEachFileIdAloneThenItsDetailsAndASummary) {
  const auto result = search({"ubuntu"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto ids = bare_file_ids(result.out);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> expected{ubuntu_desktop_.file_id().to_hex(),
                                    ubuntu_server_.file_id().to_hex()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected) << result.out;

  const auto lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 5U) << result.out;
  for (std::size_t i = 0; i < 4; i += 2) {
    ASSERT_TRUE(is_bare_file_id(lines[i])) << result.out;
    const bool desktop = lines[i] == ubuntu_desktop_.file_id().to_hex();
    const core::Manifest& hit = desktop ? ubuntu_desktop_ : ubuntu_server_;
    const std::string& details = lines[i + 1];
    EXPECT_TRUE(details.starts_with("  " + hit.name() + " | ")) << details;
    EXPECT_NE(details.find(core::format_bytes(hit.file_size())), std::string::npos) << details;
    EXPECT_NE(details.find("1 live seeder"), std::string::npos) << details;
    EXPECT_NE(details.find("first seen 20"), std::string::npos) << details;
  }
  EXPECT_EQ(lines[4], "2 results");
}

TEST_F(CliSearch, fileIdPrefixFindsTheFile) {
  const std::string prefix = holiday_.file_id().to_hex().substr(0, 12);
  const auto result = search({prefix});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(bare_file_ids(result.out), std::vector<std::string>{holiday_.file_id().to_hex()});
  EXPECT_NE(result.out.find("holiday photos.zip"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("no live seeders"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("1 result\n"), std::string::npos) << result.out;
}

TEST_F(CliSearch, offsetAndLimitPageThroughTheResults) {
  const auto first = search({"ubuntu", "--limit", "1"});
  const auto second = search({"ubuntu", "--limit", "1", "--offset", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(second.exit_code, 0) << second.err;
  ASSERT_EQ(bare_file_ids(first.out).size(), 1U);
  ASSERT_EQ(bare_file_ids(second.out).size(), 1U);
  EXPECT_NE(bare_file_ids(first.out), bare_file_ids(second.out));
  EXPECT_NE(first.out.find("1 result; more follow: --offset 1\n"), std::string::npos) << first.out;
  EXPECT_NE(second.out.find("1 result, from result 2 (2 in total)\n"), std::string::npos)
      << second.out;
}

TEST_F(CliSearch, noResultsExitsWithThreeAndPrintsNoFileId) {
  const auto result = search({"nonexistentword"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_NE(result.err.find("no results"), std::string::npos) << result.err;
}

TEST_F(CliSearch, jsonPrintsOneObjectPerLine) {
  const auto result = search({"ubuntu"}, true);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 3U) << result.out;
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < 2; ++i) {
    const auto hit = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(hit.at("type"), "hit");
    ids.push_back(hit.at("file_id").get<std::string>());
    EXPECT_EQ(hit.at("live_seeders"), 1);
    EXPECT_GT(hit.at("first_seen").get<std::uint64_t>(), 0U);
    const std::string name = hit.at("name");
    EXPECT_EQ(hit.at("size").get<std::uint64_t>(), name == ubuntu_desktop_.name()
                                                       ? ubuntu_desktop_.file_size()
                                                       : ubuntu_server_.file_size());
  }
  EXPECT_NE(std::find(ids.begin(), ids.end(), ubuntu_desktop_.file_id().to_hex()), ids.end());
  const auto summary = nlohmann::json::parse(lines[2]);
  EXPECT_EQ(summary.at("type"), "summary");
  EXPECT_EQ(summary.at("shown"), 2);
  EXPECT_EQ(summary.at("total"), 2);
  EXPECT_EQ(summary.at("offset"), 0);
}

TEST_F(CliSearch, pinnedTrackerIdentityIsChecked) {
  const auto right = search_on(tracker_.pinned_address(), {"ubuntu"});
  EXPECT_EQ(right.exit_code, 0) << right.err;
  const std::string wrong_id = sharer_.peer_id().to_string();
  const auto wrong = search_on(wrong_id + "@" + tracker_.address(), {"ubuntu"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(wrong.out.empty()) << wrong.out;
  EXPECT_NE(wrong.err.find(wrong_id), std::string::npos) << wrong.err;
}

TEST_F(CliSearch, unreachableTrackerExitsWithOneAndNamesTheAddress) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor closed(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
  const std::string nowhere = "127.0.0.1:" + std::to_string(closed.local_endpoint().port());
  closed.close();
  const auto result = search_on(nowhere, {"ubuntu"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_NE(result.err.find("tracker " + nowhere + " unreachable"), std::string::npos)
      << result.err;
}

// (The DHT and the LAN are off in test processes: with them, no tracker means a search of
// those, cli_dht_tests and cli_lan_tests.)
TEST_F(CliSearch, noTrackerConfiguredAndNoDhtNorLanExitsWithOne) {
  const auto none = search_on("none", {"ubuntu"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no tracker configured, and neither the DHT nor LAN discovery"),
            std::string::npos)
      << none.err;
  const auto absent = test::run_process(
      kCli, {"--home", (temp_.path() / "home").string(), "search", "ubuntu"}, temp_.path());
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_NE(absent.err.find("no tracker configured, and neither the DHT nor LAN discovery"),
            std::string::npos)
      << absent.err;
}

TEST_F(CliSearch, usageErrorsExitWithTwo) {
  EXPECT_EQ(search_on("not an address", {"ubuntu"}).exit_code, 2);
  EXPECT_EQ(search({"ubuntu", "--limit", "0"}).exit_code, 2);
  EXPECT_EQ(search({"ubuntu", "--offset", "10001"}).exit_code, 2);
  EXPECT_EQ(search({}).exit_code, 2);
  EXPECT_EQ(search({std::string(300, 'a')}).exit_code, 2);
  // Words the tracker cannot search for.
  const auto punctuation = search({"--", "-!?"});
  EXPECT_EQ(punctuation.exit_code, 2) << punctuation.err;
}

TEST_F(CliSearch, homeGivesTheIdentityToIdToo) {
  const fs::path home = temp_.path() / "home";
  const auto id = test::run_process(kCli, {"--home", home.string(), "id"}, temp_.path());
  ASSERT_EQ(id.exit_code, 0) << id.err;
  const auto identity = crypto::load_or_create_identity(home);
  ASSERT_TRUE(identity);
  EXPECT_TRUE(id.out.starts_with(identity.value().peer_id().to_string() + "\n")) << id.out;
}

} // namespace
} // namespace swarmshare
