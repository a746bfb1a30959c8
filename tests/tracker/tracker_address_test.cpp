#include "swarmshare/crypto/error.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/tracker/error.hpp"
#include "swarmshare/tracker/tracker_address.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace swarmshare::tracker {
namespace {

const crypto::PeerId& some_peer() {
  static const crypto::Identity identity = crypto::Identity::from_seed(crypto::Key32{7});
  return identity.peer_id();
}

TEST(TrackerAddress, parsesHostNameAndPort) {
  const auto address = TrackerAddress::parse("tracker.example.org:7070");
  ASSERT_TRUE(address) << address.error().message();
  EXPECT_EQ(address.value().host, "tracker.example.org");
  EXPECT_EQ(address.value().port, 7070);
  EXPECT_FALSE(address.value().peer_id);
  EXPECT_EQ(address.value().to_string(), "tracker.example.org:7070");
}

TEST(TrackerAddress, parsesIpv4AndBracketedIpv6) {
  const auto v4 = TrackerAddress::parse("192.0.2.7:1");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4.value().host, "192.0.2.7");
  EXPECT_EQ(v4.value().port, 1);

  const auto v6 = TrackerAddress::parse("[2001:db8::1]:65535");
  ASSERT_TRUE(v6) << v6.error().message();
  EXPECT_EQ(v6.value().host, "2001:db8::1");
  EXPECT_EQ(v6.value().port, 65535);
  EXPECT_EQ(v6.value().to_string(), "[2001:db8::1]:65535");
  EXPECT_EQ(v6.value().host_port(), "[2001:db8::1]:65535");
}

TEST(TrackerAddress, peerIdBeforeTheAtSignPinsTheTracker) {
  const std::string text = some_peer().to_string() + "@[::1]:7070";
  const auto address = TrackerAddress::parse(text);
  ASSERT_TRUE(address) << address.error().message();
  ASSERT_TRUE(address.value().peer_id);
  EXPECT_EQ(*address.value().peer_id, some_peer());
  EXPECT_EQ(address.value().host, "::1");
  EXPECT_EQ(address.value().host_port(), "[::1]:7070");
  EXPECT_EQ(address.value().to_string(), text);
}

TEST(TrackerAddress, peerIdIsAcceptedInUppercase) {
  std::string id = some_peer().to_string();
  for (char& c : id) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const auto address = TrackerAddress::parse(id + "@localhost:7070");
  ASSERT_TRUE(address);
  EXPECT_EQ(*address.value().peer_id, some_peer());
}

TEST(TrackerAddress, toStringRoundTrips) {
  for (const std::string& text :
       std::vector<std::string>{"a:1", "localhost:7070", "10.0.0.1:80", "[fe80::1]:9",
                                some_peer().to_string() + "@h:2"}) {
    const auto address = TrackerAddress::parse(text);
    ASSERT_TRUE(address) << text;
    EXPECT_EQ(address.value().to_string(), text);
    EXPECT_EQ(TrackerAddress::parse(address.value().to_string()).value(), address.value());
  }
}

TEST(TrackerAddress, badPeerIdIsReportedAsSuch) {
  EXPECT_EQ(TrackerAddress::parse("abc@localhost:7070").error(), crypto::Errc::invalid_peer_id);
  EXPECT_EQ(TrackerAddress::parse("@localhost:7070").error(), crypto::Errc::invalid_peer_id);
}

TEST(TrackerAddress, refusesMalformedAddresses) {
  for (const char* text :
       {"", "localhost", "localhost:", ":7070", "localhost:0", "localhost:65536", "localhost:+80",
        "localhost:-1", "localhost:80x", "localhost:123456", "2001:db8::1:7070", "[2001:db8::1]",
        "[2001:db8::1:7070", "[192.0.2.1]:80", "[nonsense]:80", "bad host:80", "host/x:80",
        "exa_mple.org :80"}) {
    const auto address = TrackerAddress::parse(text);
    ASSERT_FALSE(address) << text;
    EXPECT_EQ(address.error(), Errc::invalid_tracker_address) << text;
  }
}

TEST(TrackerAddress, refusesOverlongHostNames) {
  EXPECT_TRUE(TrackerAddress::parse(std::string(kMaxTrackerHostLength, 'a') + ":1"));
  EXPECT_EQ(TrackerAddress::parse(std::string(kMaxTrackerHostLength + 1, 'a') + ":1").error(),
            Errc::invalid_tracker_address);
}

TEST(TrackerAddress, errorMessageSaysWhatIsExpected) {
  const std::string message = make_error_code(Errc::invalid_tracker_address).message();
  EXPECT_NE(message.find("HOST:PORT"), std::string::npos) << message;
  EXPECT_NE(message.find("PEERID@"), std::string::npos) << message;
}

} // namespace
} // namespace swarmshare::tracker
