#include "swarmshare/core/share_link.hpp"

#include <gtest/gtest.h>

#include <string>

namespace swarmshare::core {
namespace {

const std::string kId = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

PeerKey key_filled(std::uint8_t byte) {
  PeerKey key;
  key.bytes.fill(byte);
  return key;
}

ShareLink full_link() {
  ShareLink link;
  link.file_id = FileId::parse(kId).value();
  link.name = "Holiday photos & notes (2024) 100%.tar";
  link.size = 12345678;
  link.tracker = "tracker.example.org:7070";
  link.peers.push_back({key_filled(0), Endpoint::parse("192.0.2.7:7070").value()});
  link.peers.push_back({key_filled(0xff), Endpoint::parse("[2001:db8::1]:7071").value()});
  return link;
}

TEST(PeerKeyText, MatchesCryptoSpelling) {
  // 256 bits in 52 base32 characters: the last one carries 1 bit and 4 zero bits.
  EXPECT_EQ(peer_key_to_text(key_filled(0)), std::string(52, 'a'));
  EXPECT_EQ(peer_key_to_text(key_filled(0xff)), std::string(51, '7') + "q");
  EXPECT_EQ(peer_key_from_text(std::string(51, '7') + "q").value(), key_filled(0xff));
  EXPECT_EQ(peer_key_from_text(std::string(51, '7') + "Q").value(), key_filled(0xff));
}

TEST(PeerKeyText, RefusesOtherSpellings) {
  EXPECT_EQ(peer_key_from_text(std::string(51, '7') + "r").error(), ShareLinkErrc::invalid_peer);
  EXPECT_EQ(peer_key_from_text(std::string(51, 'a')).error(), ShareLinkErrc::invalid_peer);
  EXPECT_EQ(peer_key_from_text(std::string(51, 'a') + "1").error(), ShareLinkErrc::invalid_peer);
}

TEST(ShareLink, MinimalLinkIsTheFileIdAlone) {
  ShareLink link;
  link.file_id = FileId::parse(kId).value();
  EXPECT_EQ(link.to_string(), "swarmshare:?id=" + kId);
  EXPECT_EQ(ShareLink::parse(link.to_string()).value(), link);
}

TEST(ShareLink, RoundTripsEveryField) {
  const ShareLink link = full_link();
  const std::string text = link.to_string();
  EXPECT_EQ(text.find(' '), std::string::npos);
  EXPECT_NE(text.find("name=Holiday%20photos%20%26%20notes%20%282024%29%20100%25.tar"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("&peer=" + std::string(52, 'a') + "@192.0.2.7:7070"), std::string::npos);
  EXPECT_NE(text.find("%5B2001:db8::1%5D:7071"), std::string::npos) << text;
  EXPECT_EQ(ShareLink::parse(text).value(), link);
}

TEST(ShareLink, ParsesAHandWrittenLink) {
  const auto link =
      ShareLink::parse("SwarmShare:?size=0&id=" + kId + "&name=caf%C3%A9+menu&future=x&tracker=" +
                       std::string(52, 'b') + "@10.0.0.1:7070");
  ASSERT_TRUE(link) << link.error().message();
  EXPECT_EQ(link.value().file_id.to_hex(), kId);
  EXPECT_EQ(link.value().name, std::string{"caf\xC3\xA9+menu"}); // '+' is not a space
  EXPECT_EQ(link.value().size, 0U);
  EXPECT_EQ(link.value().tracker, std::string(52, 'b') + "@10.0.0.1:7070");
  EXPECT_TRUE(link.value().peers.empty());
}

TEST(ShareLink, SourcesGroupEndpointsByPeer) {
  ShareLink link = full_link();
  link.peers.push_back({key_filled(0), Endpoint::parse("192.0.2.8:7070").value()});
  const auto sources = link.sources();
  ASSERT_EQ(sources.size(), 2U);
  EXPECT_EQ(sources[0].origin, SourceOrigin::share_link);
  EXPECT_EQ(sources[0].endpoints.size(), 2U);
  EXPECT_EQ(sources[1].peer, key_filled(0xff));
}

TEST(ShareLink, TellsLinksFromFileIds) {
  EXPECT_TRUE(looks_like_share_link("swarmshare:?id=" + kId));
  EXPECT_TRUE(looks_like_share_link("SWARMSHARE:"));
  EXPECT_FALSE(looks_like_share_link(kId));
  EXPECT_FALSE(looks_like_share_link("swarm"));
}

struct BadLink {
  std::string text;
  ShareLinkErrc error;
};

class ShareLinkRefuses : public ::testing::TestWithParam<BadLink> {};

TEST_P(ShareLinkRefuses, WithTheRightError) {
  const auto parsed = ShareLink::parse(GetParam().text);
  ASSERT_FALSE(parsed) << GetParam().text;
  EXPECT_EQ(parsed.error(), GetParam().error) << GetParam().text;
}

std::string peer_param(int n) {
  return "&peer=" + std::string(52, 'a') + "@10.0.0." + std::to_string(n) + ":7070";
}

std::string many_peers(int count) {
  std::string text = "swarmshare:?id=" + kId;
  for (int i = 1; i <= count; ++i) {
    text += peer_param(i);
  }
  return text;
}

INSTANTIATE_TEST_SUITE_P(
    Links, ShareLinkRefuses,
    ::testing::Values(
        BadLink{"http://example.org/?id=" + kId, ShareLinkErrc::not_a_share_link},
        BadLink{"swarmshare:id=" + kId, ShareLinkErrc::not_a_share_link},
        BadLink{"swarmshare:?name=x", ShareLinkErrc::missing_file_id},
        BadLink{"swarmshare:?", ShareLinkErrc::missing_file_id},
        BadLink{"swarmshare:?id=" + kId.substr(1), ShareLinkErrc::invalid_file_id},
        BadLink{"swarmshare:?id=" + kId + "&id=" + kId, ShareLinkErrc::duplicate_parameter},
        BadLink{"swarmshare:?id=" + kId + "&name=a&name=b", ShareLinkErrc::duplicate_parameter},
        BadLink{"swarmshare:?id=" + kId + "&name=", ShareLinkErrc::invalid_name},
        BadLink{"swarmshare:?id=" + kId + "&name=%FF", ShareLinkErrc::invalid_name},
        BadLink{"swarmshare:?id=" + kId + "&name=%4", ShareLinkErrc::malformed},
        BadLink{"swarmshare:?id=" + kId + "&name=%zz", ShareLinkErrc::malformed},
        BadLink{"swarmshare:?id=" + kId + "&name=a b", ShareLinkErrc::malformed},
        BadLink{"swarmshare:?id=" + kId + "&name=a\nb", ShareLinkErrc::malformed},
        BadLink{"swarmshare:?id=" + kId + "&&name=a", ShareLinkErrc::malformed},
        BadLink{"swarmshare:?id=" + kId + "&", ShareLinkErrc::malformed},
        BadLink{"swarmshare:?id=" + kId + "&name", ShareLinkErrc::malformed},
        BadLink{"swarmshare:?id=" + kId + "&size=-1", ShareLinkErrc::invalid_size},
        BadLink{"swarmshare:?id=" + kId + "&size=01", ShareLinkErrc::invalid_size},
        BadLink{"swarmshare:?id=" + kId + "&size=18446744073709551616",
                ShareLinkErrc::invalid_size},
        BadLink{"swarmshare:?id=" + kId + "&tracker=a%20b:1", ShareLinkErrc::invalid_tracker},
        BadLink{"swarmshare:?id=" + kId + "&tracker=" + std::string(400, 'a'),
                ShareLinkErrc::invalid_tracker},
        BadLink{"swarmshare:?id=" + kId + "&peer=10.0.0.1:7070", ShareLinkErrc::invalid_peer},
        BadLink{"swarmshare:?id=" + kId + "&peer=" + std::string(52, 'a') + "@host.example:1",
                ShareLinkErrc::invalid_peer},
        BadLink{"swarmshare:?id=" + kId + "&peer=" + std::string(52, 'a') + "@10.0.0.1:0",
                ShareLinkErrc::invalid_peer},
        BadLink{many_peers(9), ShareLinkErrc::too_many_peers},
        BadLink{"swarmshare:?id=" + kId + "&x=" + std::string(4096, 'a'), ShareLinkErrc::too_long},
        BadLink{"swarmshare:?id=" + kId + std::string(40 * 3, '\0'), ShareLinkErrc::malformed}));

TEST(ShareLink, AcceptsTheMostPeers) {
  const auto parsed = ShareLink::parse(many_peers(static_cast<int>(kMaxShareLinkPeers)));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.value().peers.size(), kMaxShareLinkPeers);
}

TEST(ShareLink, CapsTheParameterCount) {
  std::string text = "swarmshare:?id=" + kId;
  for (std::size_t i = 0; i < kMaxShareLinkParameters; ++i) {
    text += "&x=1";
  }
  EXPECT_EQ(ShareLink::parse(text).error(), ShareLinkErrc::too_long);
}

TEST(ShareLink, EncoderLeavesOutPeersPastTheCap) {
  ShareLink link = full_link();
  link.peers.assign(kMaxShareLinkPeers + 3, link.peers.front());
  const auto parsed = ShareLink::parse(link.to_string());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.value().peers.size(), kMaxShareLinkPeers);
}

} // namespace
} // namespace swarmshare::core
