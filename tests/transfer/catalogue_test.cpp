// The LAN catalogue: its two messages, and a peer server listing its files to a dialler over
// real secure channels on 127.0.0.1.

#include "run_coroutine.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/transfer/catalogue.hpp"
#include "swarmshare/transfer/error.hpp"
#include "swarmshare/transfer/peer_server.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace swarmshare::transfer {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

CatalogueEntry entry(std::uint32_t n) {
  core::Hash256 digest{};
  digest[0] = static_cast<std::uint8_t>(n);
  digest[1] = static_cast<std::uint8_t>(n >> 8U);
  return CatalogueEntry{core::FileId{digest}, 1000U + n, "file-" + std::to_string(n) + ".bin"};
}

std::vector<CatalogueEntry> entries(std::uint32_t count) {
  std::vector<CatalogueEntry> made;
  for (std::uint32_t n = 0; n < count; ++n) {
    made.push_back(entry(n));
  }
  return made;
}

TEST(CatalogueWire, requestAndPageRoundTrip) {
  const CatalogueRequest request{400, 200};
  const auto request_bytes = encode(request);
  ASSERT_TRUE(request_bytes);
  EXPECT_EQ(decode_catalogue_request(request_bytes.value()), request);

  const CataloguePage page{entries(3), true};
  const auto page_bytes = encode(page);
  ASSERT_TRUE(page_bytes);
  const auto decoded = decode_catalogue_page(page_bytes.value());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value(), page);
}

TEST(CatalogueWire, requestLimitMustBeOneToAPage) {
  EXPECT_FALSE(encode(CatalogueRequest{0, 0}));
  EXPECT_FALSE(encode(CatalogueRequest{0, kMaxCataloguePage + 1}));
}

TEST(CatalogueWire, otherRecordsAreNotCatalogueRequests) {
  EXPECT_FALSE(decode_catalogue_request(std::vector<std::uint8_t>{}));
  EXPECT_FALSE(decode_catalogue_request(std::vector<std::uint8_t>{0x93, 0x01, 0x00, 0x01}));
  // A catalogue page is not a request either.
  EXPECT_FALSE(decode_catalogue_request(encode(CataloguePage{}).value()));
}

TEST(CatalogueWire, longNamesAreCutOnACharacterBoundary) {
  CatalogueEntry long_name = entry(1);
  long_name.name = std::string(kMaxCatalogueNameBytes - 1, 'a') + "\xC3\xA9"; // é at the cut
  const auto decoded = decode_catalogue_page(encode(CataloguePage{{long_name}, false}).value());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value().entries.at(0).name, std::string(kMaxCatalogueNameBytes - 1, 'a'));
}

TEST(CatalogueWire, aPageOverTheCapIsRefused) {
  EXPECT_FALSE(encode(CataloguePage{entries(kMaxCataloguePage + 1), false}));
  EXPECT_FALSE(decode_catalogue_page(std::vector<std::uint8_t>{0xc0}));
}

TEST(CatalogueWire, pageOfCutsTheRequestedRangeAndSaysWhetherMoreFollow) {
  const auto all = entries(5);
  const auto first = page_of(all, CatalogueRequest{0, 2});
  EXPECT_EQ(first.entries, std::vector<CatalogueEntry>(all.begin(), all.begin() + 2));
  EXPECT_TRUE(first.more);
  const auto last = page_of(all, CatalogueRequest{4, 2});
  EXPECT_EQ(last.entries.size(), 1U);
  EXPECT_FALSE(last.more);
  EXPECT_TRUE(page_of(all, CatalogueRequest{9, 2}).entries.empty());
}

class CatalogueServerTest : public ::testing::Test {
protected:
  struct Peer {
    crypto::Identity identity = crypto::Identity::generate();
    core::ManualClock clock{std::chrono::system_clock::now()};
    crypto::StaticKeyManager keys{identity, crypto::NetworkId::public_network(), clock};
    [[nodiscard]] crypto::ChannelConfig config() {
      crypto::ChannelConfig config(keys, clock);
      config.handshake_timeout = 5s;
      return config;
    }
  };

  std::unique_ptr<PeerServer> serve(Peer& peer) {
    return PeerServer::start(io_.get_executor(), peer.config(),
                             core::Endpoint::ipv4({127, 0, 0, 1}, 0),
                             [](const core::FileId&) -> Swarm* { return nullptr; })
        .value();
  }

  asio::io_context io_;
  Peer server_peer_;
  Peer dialler_;
};

TEST_F(CatalogueServerTest, aDiallerFetchesEveryPageOfTheServersCatalogue) {
  auto server = serve(server_peer_);
  const auto listed = entries(2 * kMaxCataloguePage + 50); // three pages
  server->set_catalogue([&listed] { return listed; });
  test::run_coroutine(
      io_,
      [&]() -> asio::awaitable<void> {
        auto fetched = co_await fetch_catalogue(dialler_.config(), server->local_endpoint(),
                                                server_peer_.identity.peer_id(), 5s);
        EXPECT_TRUE(fetched) << fetched.error().message();
        if (fetched) {
          EXPECT_EQ(fetched.value(), listed);
        }
      },
      30s);
}

TEST_F(CatalogueServerTest, aServerWithNothingListedAnswersAnEmptyCatalogue) {
  auto server = serve(server_peer_);
  test::run_coroutine(
      io_,
      [&]() -> asio::awaitable<void> {
        auto fetched = co_await fetch_catalogue(dialler_.config(), server->local_endpoint(),
                                                server_peer_.identity.peer_id(), 5s);
        EXPECT_TRUE(fetched);
        if (fetched) {
          EXPECT_TRUE(fetched.value().empty());
        }
      },
      30s);
}

TEST_F(CatalogueServerTest, aServerProvingAnotherPeerIdIsRefused) {
  auto server = serve(server_peer_);
  server->set_catalogue([] { return entries(3); });
  test::run_coroutine(
      io_,
      [&]() -> asio::awaitable<void> {
        auto fetched = co_await fetch_catalogue(dialler_.config(), server->local_endpoint(),
                                                dialler_.identity.peer_id(), 5s);
        EXPECT_FALSE(fetched);
        if (!fetched) {
          EXPECT_EQ(fetched.error(), make_error_code(Errc::peer_id_mismatch));
        }
      },
      30s);
}

} // namespace
} // namespace swarmshare::transfer
