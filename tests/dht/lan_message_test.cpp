#include "swarmshare/dht/lan_message.hpp"

#include <msgpack.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace swarmshare::dht {
namespace {

crypto::PeerId peer(std::uint8_t fill) {
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  key.fill(fill);
  return crypto::PeerId{key};
}

LanMessage sample() {
  LanMessage message;
  message.network = "test-net";
  message.kind = LanKind::hello;
  message.peer_id = peer(7);
  message.peer_port = 7070;
  message.dht_port = 7071;
  return message;
}

using Bytes = std::vector<std::uint8_t>;

// An array of the given fields, for hand-made (and malformed) messages.
template <class... Fields>
Bytes pack_fields(const Fields&... fields) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(sizeof...(fields));
  (packer.pack(fields), ...);
  const auto* data = reinterpret_cast<const std::uint8_t*>(buffer.data());
  return Bytes(data, data + buffer.size());
}

std::string id_bytes(std::uint8_t fill) { return std::string(crypto::kPeerIdBytes, char(fill)); }

// msgpack-c packs std::string as str; the Peer ID is bin, so tests wrap it.
struct Bin {
  std::string bytes;
};

} // namespace
} // namespace swarmshare::dht

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
  namespace adaptor {
  template <>
  struct pack<swarmshare::dht::Bin> {
    template <class Stream>
    packer<Stream>& operator()(packer<Stream>& o, const swarmshare::dht::Bin& v) const {
      o.pack_bin(static_cast<std::uint32_t>(v.bytes.size()));
      o.pack_bin_body(v.bytes.data(), static_cast<std::uint32_t>(v.bytes.size()));
      return o;
    }
  };
  } // namespace adaptor
}
} // namespace msgpack

namespace swarmshare::dht {
namespace {

TEST(LanMessage, roundTripKeepsEveryField) {
  for (const auto kind : {LanKind::hello, LanKind::announce, LanKind::reply}) {
    auto message = sample();
    message.kind = kind;
    const auto encoded = encode_lan_message(message);
    ASSERT_TRUE(encoded);
    EXPECT_LE(encoded.value().size(), kMaxLanMessageBytes);
    const auto decoded = decode_lan_message(encoded.value());
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(decoded.value(), message);
  }
}

TEST(LanMessage, handMadeMessageOfDocumentedShapeDecodes) {
  const auto bytes = pack_fields(std::string("SWSH-LAN"), 1U, std::string("main"), 2U,
                                 Bin{id_bytes(9)}, 4000U, 0U);
  const auto decoded = decode_lan_message(bytes);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded.value().kind, LanKind::announce);
  EXPECT_EQ(decoded.value().peer_id, peer(9));
  EXPECT_EQ(decoded.value().peer_port, 4000);
  EXPECT_EQ(decoded.value().dht_port, 0);
}

TEST(LanMessage, oversizeDatagramIsRefusedBeforeParsing) {
  Bytes big(kMaxLanMessageBytes + 1, 0xc1); // 0xc1 is never valid msgpack
  const auto decoded = decode_lan_message(big);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), core::Errc::frame_too_large);
}

TEST(LanMessage, malformedShapesAreRefused) {
  const std::string magic = "SWSH-LAN";
  const std::vector<Bytes> cases = {
      {},
      {0xc1},
      pack_fields(std::string("SWSH-LAX"), 1U, std::string("main"), 1U, Bin{id_bytes(1)}, 1U, 0U),
      // wrong types
      pack_fields(magic, std::string("1"), std::string("main"), 1U, Bin{id_bytes(1)}, 1U, 0U),
      pack_fields(magic, 1U, 5U, 1U, Bin{id_bytes(1)}, 1U, 0U),
      pack_fields(magic, 1U, std::string("main"), 1U, id_bytes(1), 1U, 0U), // str, not bin
      // out of range
      pack_fields(magic, 1U, std::string(""), 1U, Bin{id_bytes(1)}, 1U, 0U),
      pack_fields(magic, 1U, std::string("a b"), 1U, Bin{id_bytes(1)}, 1U, 0U),
      pack_fields(magic, 1U, std::string(33, 'x'), 1U, Bin{id_bytes(1)}, 1U, 0U),
      pack_fields(magic, 1U, std::string("main"), 0U, Bin{id_bytes(1)}, 1U, 0U),
      pack_fields(magic, 1U, std::string("main"), 4U, Bin{id_bytes(1)}, 1U, 0U),
      pack_fields(magic, 1U, std::string("main"), 1U, Bin{std::string(31, 'a')}, 1U, 0U),
      pack_fields(magic, 1U, std::string("main"), 1U, Bin{std::string(33, 'a')}, 1U, 0U),
      pack_fields(magic, 1U, std::string("main"), 1U, Bin{id_bytes(1)}, 0U, 0U),
      pack_fields(magic, 1U, std::string("main"), 1U, Bin{id_bytes(1)}, 65536U, 0U),
      pack_fields(magic, 1U, std::string("main"), 1U, Bin{id_bytes(1)}, 1U, -1),
      // count: version 1 is exactly seven fields
      pack_fields(magic, 1U, std::string("main"), 1U, Bin{id_bytes(1)}, 1U),
      pack_fields(magic, 1U, std::string("main"), 1U, Bin{id_bytes(1)}, 1U, 0U, 0U),
      // nesting
      pack_fields(magic, 1U, std::string("main"), 1U, Bin{id_bytes(1)}, 1U, std::vector<int>{1}),
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto decoded = decode_lan_message(cases[i]);
    EXPECT_FALSE(decoded) << "case " << i;
    if (!decoded) {
      EXPECT_EQ(decoded.error(), core::Errc::frame_malformed) << "case " << i;
    }
  }
}

TEST(LanMessage, trailingByteIsRefused) {
  auto bytes = encode_lan_message(sample()).value();
  bytes.push_back(0);
  EXPECT_FALSE(decode_lan_message(bytes));
}

TEST(LanMessage, versionZeroIsUnsupported) {
  const auto bytes =
      pack_fields(std::string("SWSH-LAN"), 0U, std::string("main"), 1U, Bin{id_bytes(1)}, 1U, 0U);
  const auto decoded = decode_lan_message(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), core::Errc::unsupported_version);
}

TEST(LanMessage, newerVersionMayAppendFlatFields) {
  const auto bytes = pack_fields(std::string("SWSH-LAN"), 2U, std::string("main"), 3U,
                                 Bin{id_bytes(4)}, 9U, 10U, std::string("extra"));
  const auto decoded = decode_lan_message(bytes);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded.value().kind, LanKind::reply);
  EXPECT_EQ(decoded.value().dht_port, 10);
}

TEST(LanMessage, encodingRefusesWhatMustNotGoOnTheWire) {
  auto message = sample();
  message.peer_port = 0;
  EXPECT_FALSE(encode_lan_message(message));
  message = sample();
  message.network = std::string(kMaxLanNetworkBytes + 1, 'n');
  EXPECT_FALSE(encode_lan_message(message));
  message.network = "";
  EXPECT_FALSE(encode_lan_message(message));
}

} // namespace
} // namespace swarmshare::dht
