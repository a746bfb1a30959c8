#include "swarmshare/core/endpoint.hpp"

#include <gtest/gtest.h>

namespace swarmshare::core {
namespace {

TEST(Endpoint, parsesAndPrintsIpv4) {
  auto endpoint = Endpoint::parse("192.0.2.7:7070");
  ASSERT_TRUE(endpoint);
  EXPECT_TRUE(endpoint.value().is_v4());
  EXPECT_EQ(endpoint.value().port(), 7070);
  EXPECT_EQ(endpoint.value().to_string(), "192.0.2.7:7070");
  const std::vector<std::uint8_t> wire(endpoint.value().address_bytes().begin(),
                                       endpoint.value().address_bytes().end());
  EXPECT_EQ(wire, (std::vector<std::uint8_t>{192, 0, 2, 7}));
}

TEST(Endpoint, parsesAndPrintsBracketedIpv6InCanonicalForm) {
  auto endpoint = Endpoint::parse("[2001:0db8:0:0:0:0:0:0001]:443");
  ASSERT_TRUE(endpoint);
  EXPECT_FALSE(endpoint.value().is_v4());
  EXPECT_EQ(endpoint.value().address_bytes().size(), 16U);
  EXPECT_EQ(endpoint.value().to_string(), "[2001:db8::1]:443");
}

TEST(Endpoint, rejectsMalformedText) {
  for (const char* text :
       {"", "1.2.3.4", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:7x", "2001:db8::1:80",
        "[1.2.3.4]:80", "host.example:80", "[::1:80", "999.1.1.1:80"}) {
    auto endpoint = Endpoint::parse(text);
    ASSERT_FALSE(endpoint) << text;
    EXPECT_EQ(endpoint.error(), Errc::invalid_endpoint) << text;
  }
}

TEST(Endpoint, roundTripsThroughWireBytesForBothFamilies) {
  for (const char* text : {"10.1.2.3:1", "[::1]:65535", "[fe80::1:2]:9"}) {
    const Endpoint original = Endpoint::parse(text).value();
    auto decoded = Endpoint::from_bytes(original.address_bytes(), original.port());
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(decoded.value(), original) << text;
  }
}

TEST(Endpoint, rejectsWireAddressesOfOtherLengthsAndPortZero) {
  const std::vector<std::uint8_t> five(5, 1);
  EXPECT_EQ(Endpoint::from_bytes(five, 80).error(), Errc::invalid_endpoint);
  const std::vector<std::uint8_t> four(4, 1);
  EXPECT_EQ(Endpoint::from_bytes(four, 0).error(), Errc::invalid_endpoint);
}

TEST(Endpoint, withPortKeepsTheAddressAndItsFamily) {
  const auto v4 = Endpoint::parse("192.0.2.7:7070").value().with_port(9000);
  EXPECT_TRUE(v4.is_v4());
  EXPECT_EQ(v4.to_string(), "192.0.2.7:9000");
  const auto v6 = Endpoint::parse("[2001:db8::1]:7070").value().with_port(9000);
  EXPECT_FALSE(v6.is_v4());
  EXPECT_EQ(v6.to_string(), "[2001:db8::1]:9000");
}

} // namespace
} // namespace swarmshare::core
