#include "swarmshare/tracker/protocol.hpp"

#include "swarmshare/tracker/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>

namespace swarmshare::tracker::protocol {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;
using PackBody = std::function<void(Packer&)>;

core::FileId file_id_of(std::uint8_t fill) {
  core::Hash256 digest{};
  digest.fill(fill);
  return core::FileId{digest};
}

crypto::PeerId peer_id_of(std::uint8_t fill) {
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  key.fill(fill);
  return crypto::PeerId{key};
}

core::Endpoint v4(std::uint8_t last, std::uint16_t port) {
  return core::Endpoint::ipv4({192, 0, 2, last}, port);
}

core::Endpoint v6(std::uint8_t last, std::uint16_t port) {
  core::Endpoint::Bytes16 address{0x20, 0x01, 0x0d, 0xb8};
  address[15] = last;
  return core::Endpoint::ipv6(address, port);
}

// A message as the receiving FrameDecoder yields it, from a whole frame.
core::Message message_of(const Bytes& frame,
                         const core::UnpackLimits& limits = core::UnpackLimits{}) {
  auto message = core::decode_message(std::span(frame).subspan(core::kFrameHeaderBytes), limits);
  EXPECT_TRUE(message) << message.error().message();
  return std::move(message).value();
}

// A message with any version, type and hand-packed body, to build what encoders never make.
core::Message raw_message(std::uint16_t type, const PackBody& pack_body,
                          std::uint32_t version = core::kWireVersion) {
  msgpack::sbuffer buffer;
  Packer packer(buffer);
  packer.pack_array(3);
  packer.pack_uint32(version);
  packer.pack_uint16(type);
  pack_body(packer);
  auto message =
      core::decode_message({reinterpret_cast<const std::uint8_t*>(buffer.data()), buffer.size()});
  EXPECT_TRUE(message) << message.error().message();
  return std::move(message).value();
}

void pack_bin(Packer& packer, std::size_t size, std::uint8_t fill = 0xAB) {
  const std::string bytes(size, static_cast<char>(fill));
  packer.pack_bin(static_cast<std::uint32_t>(size));
  packer.pack_bin_body(bytes.data(), static_cast<std::uint32_t>(size));
}

void pack_endpoint(Packer& packer, std::size_t address_bytes, std::uint64_t port) {
  packer.pack_array(2);
  pack_bin(packer, address_bytes, 7);
  packer.pack_uint64(port);
}

// An announce body with each field replaceable, so each test breaks exactly one of them.
struct AnnounceShape {
  std::uint64_t request_id = 1;
  std::size_t file_id_bytes = 32;
  std::uint64_t port = 7070;
  std::size_t endpoint_count = 1;
  std::size_t endpoint_address_bytes = 4;
  std::uint64_t endpoint_port = 7070;
  bool unlisted_as_integer = false;
  std::uint64_t dht_port = 6881;
  bool dht_port_as_bool = false; // the field's shape before it carried the port
  std::size_t extra_fields = 0;
};

PackBody announce_body(const AnnounceShape& shape) {
  return [shape](Packer& packer) {
    packer.pack_array(static_cast<std::uint32_t>(7 + shape.extra_fields));
    packer.pack_uint64(shape.request_id);
    pack_bin(packer, shape.file_id_bytes);
    packer.pack_nil();
    packer.pack_uint64(shape.port);
    packer.pack_array(static_cast<std::uint32_t>(shape.endpoint_count));
    for (std::size_t i = 0; i < shape.endpoint_count; ++i) {
      pack_endpoint(packer, shape.endpoint_address_bytes, shape.endpoint_port);
    }
    if (shape.unlisted_as_integer) {
      packer.pack_uint8(0);
    } else {
      packer.pack_false();
    }
    if (shape.dht_port_as_bool) {
      packer.pack_true();
    } else {
      packer.pack_uint64(shape.dht_port);
    }
    for (std::size_t i = 0; i < shape.extra_fields; ++i) {
      packer.pack(std::string("from the future"));
    }
  };
}

core::Message announce_message(const AnnounceShape& shape,
                               std::uint32_t version = core::kWireVersion) {
  return raw_message(type_value(Announce::kType), announce_body(shape), version);
}

std::error_code request_error(const core::Message& message) {
  auto decoded = decode_request(message);
  return decoded ? std::error_code{} : decoded.error();
}

std::error_code reply_error(const core::Message& message) {
  auto decoded = decode_reply(message);
  return decoded ? std::error_code{} : decoded.error();
}

std::vector<Request> sample_requests() {
  Announce announce;
  announce.request_id = 1;
  announce.file_id = file_id_of(0x11);
  announce.manifest = Bytes{0x95, 0x01, 0xA1, 0x61, 0x00, 0xCE, 0x00, 0x04, 0x00, 0x00, 0xC4, 0x00};
  announce.port = 7070;
  announce.endpoints = {v4(7, 7070), v6(1, 7071)};
  announce.unlisted = true;
  announce.dht_port = 6881;
  Announce again;
  again.request_id = 2;
  again.file_id = file_id_of(0x11);
  again.port = 65535;
  return {announce,
          again,
          Refresh{3, file_id_of(0x22)},
          Unannounce{4, file_id_of(0x33)},
          GetPeers{5, file_id_of(0x44), kMaxPeersPerReply},
          GetManifest{6, file_id_of(0x55)},
          Search{7, "holiday video", kMaxSearchResultsPerPage, kMaxSearchOffset},
          Search{8, "0123abcd", 1, 0},
          GetStats{9},
          GetDhtPeers{10, kMaxDhtPeersPerReply},
          AdminDeleteFile{11, file_id_of(0x66)},
          AdminBanPeer{0xFFFF'FFFF, peer_id_of(0x77)}};
}

std::vector<Reply> sample_replies() {
  const PeerEntry first{peer_id_of(1), {v4(1, 1000)}, 1'700'000'000};
  const PeerEntry second{peer_id_of(2), {v6(2, 2000), v4(2, 2001)}, 1'700'000'001};
  const SearchHit hit{"holiday-video-2026.bin", 123'456'789, file_id_of(0x42), 3, 1'699'999'999};
  const SearchHit dead{"", 0, file_id_of(0x43), 0, 0};
  return {ErrorReply{1, ErrorCode::unknown_file, "unknown file"},
          ErrorReply{0, ErrorCode::malformed_request, ""},
          OkReply{2},
          AnnounceOkReply{3, 1800, v6(9, 54321)},
          PeersReply{4, {first, second}},
          PeersReply{5, {}},
          ManifestReply{6, Bytes(1000, 0x5A)},
          SearchReply{7, 250, {hit, dead}},
          StatsReply{8, 10, 20, 5, 3600},
          DhtPeersReply{9, {second}}};
}

TEST(TrackerProtocol, everyRequestRoundTrips) {
  for (const Request& request : sample_requests()) {
    auto frame = encode_request(request);
    ASSERT_TRUE(frame) << frame.error().message();
    const auto message = message_of(frame.value());
    EXPECT_EQ(message.type, message_type(request));
    auto decoded = decode_request(message);
    ASSERT_TRUE(decoded) << decoded.error().message();
    ASSERT_TRUE(decoded.value().has_value());
    EXPECT_EQ(*decoded.value(), request) << "type " << type_value(message_type(request));
  }
}

TEST(TrackerProtocol, everyReplyRoundTrips) {
  for (const Reply& reply : sample_replies()) {
    auto frame = encode_reply(reply);
    ASSERT_TRUE(frame) << frame.error().message();
    const auto message = message_of(frame.value());
    EXPECT_EQ(message.type, message_type(reply));
    auto decoded = decode_reply(message);
    ASSERT_TRUE(decoded) << decoded.error().message();
    ASSERT_TRUE(decoded.value().has_value());
    EXPECT_EQ(*decoded.value(), reply) << "type " << type_value(message_type(reply));
  }
}

TEST(TrackerProtocol, everyTypeIsInTheTrackerRangeAndUsedOnce) {
  std::vector<std::uint16_t> types;
  for (const auto& request : sample_requests()) {
    EXPECT_TRUE(is_request_type(message_type(request)));
    EXPECT_FALSE(is_reply_type(message_type(request)));
    types.push_back(type_value(message_type(request)));
  }
  for (const auto& reply : sample_replies()) {
    EXPECT_TRUE(is_reply_type(message_type(reply)));
    EXPECT_FALSE(is_request_type(message_type(reply)));
    types.push_back(type_value(message_type(reply)));
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  EXPECT_EQ(types.size(), std::variant_size_v<Request> + std::variant_size_v<Reply>);
  for (const auto type : types) {
    EXPECT_GE(type, 0x1000);
    EXPECT_LE(type, 0x1FFF);
  }
}

TEST(TrackerProtocol, getPeersEncodesTheDocumentedBytes) {
  auto frame = encode_request(GetPeers{5, file_id_of(0x44), 50});
  ASSERT_TRUE(frame);
  Bytes expected = {0, 0, 0, 42, 0x93, 0x01, 0xCD, 0x10, 0x04, 0x93, 0x05, 0xC4, 0x20};
  expected.insert(expected.end(), 32, 0x44);
  expected.push_back(0x32);
  EXPECT_EQ(frame.value(), expected);
}

TEST(TrackerProtocol, ipv6EndpointSurvivesAnnounce) {
  Announce announce;
  announce.request_id = 1;
  announce.file_id = file_id_of(1);
  announce.port = 7070;
  announce.endpoints = {v6(0x42, 443)};
  const auto message = message_of(encode_request(announce).value());
  const auto decoded = decode_request(message).value();
  const auto& endpoints = std::get<Announce>(*decoded).endpoints;
  ASSERT_EQ(endpoints.size(), 1U);
  EXPECT_FALSE(endpoints[0].is_v4());
  EXPECT_EQ(endpoints[0].to_string(), "[2001:db8::42]:443");
}

TEST(TrackerProtocol, ipv4EndpointTravelsAsFourBytes) {
  const AnnounceOkReply ok{1, 60, v4(7, 7070)};
  const auto frame = encode_reply(ok).value();
  const Bytes address_and_port = {0x92, 0xC4, 0x04, 192, 0, 2, 7, 0xCD, 0x1B, 0x9E};
  EXPECT_TRUE(std::search(frame.begin(), frame.end(), address_and_port.begin(),
                          address_and_port.end()) != frame.end());
}

TEST(TrackerProtocol, replyEchoesTheRequestIdItAnswers) {
  for (const Request& request : sample_requests()) {
    const Reply reply = OkReply{request_id(request)};
    const auto decoded = decode_reply(message_of(encode_reply(reply).value())).value();
    EXPECT_EQ(request_id(*decoded), request_id(request));
  }
}

TEST(TrackerProtocol, announceWithoutManifestDecodesAsAbsent) {
  const auto decoded = decode_request(announce_message({})).value();
  EXPECT_FALSE(std::get<Announce>(*decoded).manifest.has_value());
}

TEST(TrackerProtocol, unknownMessageTypesAreIgnoredNotErrors) {
  const auto pack_nil = [](Packer& packer) { packer.pack_nil(); };
  for (const std::uint16_t type :
       std::initializer_list<std::uint16_t>{0x0001, 0x100B, 0x17FF, 0x1FFF, 0x2000}) {
    auto request = decode_request(raw_message(type, pack_nil));
    ASSERT_TRUE(request);
    EXPECT_FALSE(request.value().has_value());
    auto reply = decode_reply(raw_message(type, pack_nil));
    ASSERT_TRUE(reply);
    EXPECT_FALSE(reply.value().has_value());
  }
}

TEST(TrackerProtocol, replyTypesAreNotRequestsAndRequestTypesAreNotReplies) {
  const auto ok = message_of(encode_reply(OkReply{1}).value());
  EXPECT_FALSE(decode_request(ok).value().has_value());
  const auto stats = message_of(encode_request(GetStats{1}).value());
  EXPECT_FALSE(decode_reply(stats).value().has_value());
}

TEST(TrackerProtocol, refusesMissingAndExtraFields) {
  const auto id_only = [](Packer& packer) {
    packer.pack_array(1);
    packer.pack_uint8(1);
  };
  EXPECT_EQ(request_error(raw_message(type_value(Refresh::kType), id_only)),
            Errc::malformed_request);
  EXPECT_EQ(request_error(announce_message({.extra_fields = 1})), Errc::malformed_request);
  const auto stats_with_extra = [](Packer& packer) {
    packer.pack_array(2);
    packer.pack_uint8(1);
    packer.pack_uint8(2);
  };
  EXPECT_EQ(request_error(raw_message(type_value(GetStats::kType), stats_with_extra)),
            Errc::malformed_request);
}

TEST(TrackerProtocol, acceptsAppendedFieldsFromANewerVersion) {
  auto decoded = decode_request(announce_message({.extra_fields = 2}, core::kWireVersion + 1));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(std::get<Announce>(*decoded.value()).port, 7070);
}

TEST(TrackerProtocol, newerVersionStillNeedsTheKnownFields) {
  const auto id_only = [](Packer& packer) {
    packer.pack_array(1);
    packer.pack_uint8(1);
  };
  EXPECT_EQ(request_error(raw_message(type_value(Refresh::kType), id_only, 2)),
            Errc::malformed_request);
}

TEST(TrackerProtocol, refusesABodyThatIsNotAnArray) {
  const auto map_body = [](Packer& packer) {
    packer.pack_map(1);
    packer.pack_uint8(1);
    packer.pack_uint8(1);
  };
  EXPECT_EQ(request_error(raw_message(type_value(GetStats::kType), map_body)),
            Errc::malformed_request);
  EXPECT_EQ(reply_error(raw_message(type_value(OkReply::kType), map_body)), Errc::malformed_reply);
}

TEST(TrackerProtocol, refusesWrongFieldTypes) {
  EXPECT_EQ(request_error(announce_message({.unlisted_as_integer = true})),
            Errc::malformed_request);
  // File ID as a string of 32 characters instead of bin 32.
  const auto file_id_as_text = [](Packer& packer) {
    packer.pack_array(2);
    packer.pack_uint8(1);
    packer.pack(std::string(32, 'a'));
  };
  EXPECT_EQ(request_error(raw_message(type_value(Refresh::kType), file_id_as_text)),
            Errc::malformed_request);
  // Limit as a string, then as a negative integer.
  const auto limit_as_text = [](Packer& packer) {
    packer.pack_array(2);
    packer.pack_uint8(1);
    packer.pack(std::string("10"));
  };
  EXPECT_EQ(request_error(raw_message(type_value(GetDhtPeers::kType), limit_as_text)),
            Errc::malformed_request);
  const auto negative_limit = [](Packer& packer) {
    packer.pack_array(2);
    packer.pack_uint8(1);
    packer.pack_int8(-1);
  };
  EXPECT_EQ(request_error(raw_message(type_value(GetDhtPeers::kType), negative_limit)),
            Errc::malformed_request);
  // Search text as bin instead of str.
  const auto text_as_bin = [](Packer& packer) {
    packer.pack_array(4);
    packer.pack_uint8(1);
    pack_bin(packer, 5);
    packer.pack_uint8(10);
    packer.pack_uint8(0);
  };
  EXPECT_EQ(request_error(raw_message(type_value(Search::kType), text_as_bin)),
            Errc::malformed_request);
  // Manifest as a string.
  const auto manifest_as_text = [](Packer& packer) {
    packer.pack_array(7);
    packer.pack_uint8(1);
    pack_bin(packer, 32);
    packer.pack(std::string("manifest"));
    packer.pack_uint16(7070);
    packer.pack_array(0);
    packer.pack_false();
    packer.pack_uint8(0);
  };
  EXPECT_EQ(request_error(raw_message(type_value(Announce::kType), manifest_as_text)),
            Errc::malformed_request);
}

TEST(TrackerProtocol, refusesZeroRequestId) {
  EXPECT_EQ(request_error(announce_message({.request_id = 0})), Errc::malformed_request);
}

TEST(TrackerProtocol, refusesRequestIdWiderThan32Bits) {
  EXPECT_EQ(request_error(announce_message({.request_id = 0x1'0000'0000})),
            Errc::malformed_request);
}

TEST(TrackerProtocol, refusesBadFileIdLength) {
  EXPECT_EQ(request_error(announce_message({.file_id_bytes = 31})), Errc::malformed_request);
  EXPECT_EQ(request_error(announce_message({.file_id_bytes = 33})), Errc::malformed_request);
  EXPECT_EQ(request_error(announce_message({.file_id_bytes = 0})), Errc::malformed_request);
}

TEST(TrackerProtocol, refusesBadPeerIdLength) {
  for (const std::size_t size : {0U, 31U, 33U, 64U}) {
    const auto ban = [size](Packer& packer) {
      packer.pack_array(2);
      packer.pack_uint8(1);
      pack_bin(packer, size);
    };
    EXPECT_EQ(request_error(raw_message(type_value(AdminBanPeer::kType), ban)),
              Errc::malformed_request)
        << size;
  }
}

TEST(TrackerProtocol, refusesTooManyEndpoints) {
  EXPECT_TRUE(request_error(announce_message({.endpoint_count = kMaxEndpointsPerPeer})) ==
              std::error_code{});
  EXPECT_EQ(request_error(announce_message({.endpoint_count = kMaxEndpointsPerPeer + 1})),
            Errc::limit_exceeded);
}

TEST(TrackerProtocol, refusesBadEndpointBytes) {
  for (const std::size_t size : {0U, 3U, 5U, 6U, 15U, 17U}) {
    EXPECT_EQ(request_error(announce_message({.endpoint_address_bytes = size})),
              Errc::malformed_request)
        << size;
  }
  EXPECT_EQ(request_error(announce_message({.endpoint_port = 0})), Errc::malformed_request);
  EXPECT_EQ(request_error(announce_message({.endpoint_port = 65536})), Errc::malformed_request);
  const auto three_field_endpoint = [](Packer& packer) {
    packer.pack_array(3);
    packer.pack_uint8(1);
    packer.pack_uint32(60);
    packer.pack_array(3);
    pack_bin(packer, 4);
    packer.pack_uint16(7070);
    packer.pack_uint8(0);
  };
  EXPECT_EQ(reply_error(raw_message(type_value(AnnounceOkReply::kType), three_field_endpoint)),
            Errc::malformed_reply);
}

TEST(TrackerProtocol, refusesAnnouncedPortZeroOrOver65535) {
  EXPECT_EQ(request_error(announce_message({.port = 0})), Errc::malformed_request);
  EXPECT_EQ(request_error(announce_message({.port = 65536})), Errc::malformed_request);
}

TEST(TrackerProtocol, announceDhtPortRoundTripsOverItsWholeRange) {
  for (const std::uint16_t dht_port : std::array<std::uint16_t, 4>{0, 1, 6881, 65535}) {
    Announce announce;
    announce.request_id = 1;
    announce.file_id = file_id_of(1);
    announce.port = 7070;
    announce.dht_port = dht_port;
    const auto decoded = decode_request(message_of(encode_request(announce).value())).value();
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(std::get<Announce>(*decoded), announce) << dht_port;
  }
}

TEST(TrackerProtocol, announceDhtPortIsTheSeventhField) {
  const auto decoded = decode_request(announce_message({.dht_port = 4242})).value();
  EXPECT_EQ(std::get<Announce>(*decoded).dht_port, 4242);
  const auto without = decode_request(announce_message({.dht_port = 0})).value();
  EXPECT_EQ(std::get<Announce>(*without).dht_port, 0);
}

TEST(TrackerProtocol, refusesDhtPortAsBoolOrOver65535) {
  EXPECT_EQ(request_error(announce_message({.dht_port_as_bool = true})), Errc::malformed_request);
  EXPECT_EQ(request_error(announce_message({.dht_port = 65536})), Errc::malformed_request);
}

TEST(TrackerProtocol, refusesOversizedSearchText) {
  const auto search_with = [](const std::string& text) {
    return raw_message(type_value(Search::kType), [text](Packer& packer) {
      packer.pack_array(4);
      packer.pack_uint8(1);
      packer.pack(text);
      packer.pack_uint8(10);
      packer.pack_uint8(0);
    });
  };
  EXPECT_TRUE(request_error(search_with(std::string(kMaxSearchTextBytes, 'x'))) ==
              std::error_code{});
  EXPECT_EQ(request_error(search_with(std::string(kMaxSearchTextBytes + 1, 'x'))),
            Errc::limit_exceeded);
  EXPECT_EQ(request_error(search_with("")), Errc::malformed_request);
  EXPECT_EQ(request_error(search_with("bad \xC3\x28 utf8")), Errc::malformed_request);
}

TEST(TrackerProtocol, refusesLimitOverMaximum) {
  const auto limited = [](core::MessageType type, bool with_file, std::uint64_t limit) {
    return raw_message(type_value(type), [=](Packer& packer) {
      packer.pack_array(with_file ? 3 : 2);
      packer.pack_uint8(1);
      if (with_file) {
        pack_bin(packer, 32);
      }
      packer.pack_uint64(limit);
    });
  };
  EXPECT_EQ(request_error(limited(GetPeers::kType, true, kMaxPeersPerReply + 1)),
            Errc::limit_exceeded);
  EXPECT_EQ(request_error(limited(GetPeers::kType, true, ~std::uint64_t{0})), Errc::limit_exceeded);
  EXPECT_EQ(request_error(limited(GetDhtPeers::kType, false, kMaxDhtPeersPerReply + 1)),
            Errc::limit_exceeded);
  EXPECT_EQ(request_error(limited(GetPeers::kType, true, 0)), Errc::malformed_request);
  const auto search = [](std::uint64_t limit, std::uint64_t offset) {
    return raw_message(type_value(Search::kType), [=](Packer& packer) {
      packer.pack_array(4);
      packer.pack_uint8(1);
      packer.pack(std::string("video"));
      packer.pack_uint64(limit);
      packer.pack_uint64(offset);
    });
  };
  EXPECT_EQ(request_error(search(kMaxSearchResultsPerPage + 1, 0)), Errc::limit_exceeded);
  EXPECT_EQ(request_error(search(10, kMaxSearchOffset + 1)), Errc::limit_exceeded);
  EXPECT_TRUE(request_error(search(kMaxSearchResultsPerPage, kMaxSearchOffset)) ==
              std::error_code{});
}

TEST(TrackerProtocol, refusesEmptyOrOversizedManifest) {
  const auto announce_with_manifest = [](std::size_t size) {
    return raw_message(type_value(Announce::kType), [size](Packer& packer) {
      packer.pack_array(7);
      packer.pack_uint8(1);
      pack_bin(packer, 32);
      pack_bin(packer, size);
      packer.pack_uint16(7070);
      packer.pack_array(0);
      packer.pack_false();
      packer.pack_uint8(0);
    });
  };
  EXPECT_EQ(request_error(announce_with_manifest(0)), Errc::malformed_request);
  EXPECT_EQ(request_error(announce_with_manifest(kMaxManifestBytes + 1)), Errc::limit_exceeded);
  EXPECT_TRUE(request_error(announce_with_manifest(kMaxManifestBytes)) == std::error_code{});
}

TEST(TrackerProtocol, clientRefusesPeersReplyOverTheCap) {
  const auto peers_reply = [](std::size_t count) {
    return raw_message(type_value(PeersReply::kType), [count](Packer& packer) {
      packer.pack_array(2);
      packer.pack_uint8(1);
      packer.pack_array(static_cast<std::uint32_t>(count));
      for (std::size_t i = 0; i < count; ++i) {
        packer.pack_array(3);
        pack_bin(packer, 32, static_cast<std::uint8_t>(i));
        packer.pack_array(1);
        pack_endpoint(packer, 4, 7070);
        packer.pack_uint32(1'700'000'000);
      }
    });
  };
  EXPECT_TRUE(reply_error(peers_reply(kMaxPeersPerReply)) == std::error_code{});
  EXPECT_EQ(reply_error(peers_reply(kMaxPeersPerReply + 1)), Errc::limit_exceeded);
}

TEST(TrackerProtocol, clientRefusesSearchReplyOverTheCap) {
  const auto search_reply = [](std::size_t count) {
    return raw_message(type_value(SearchReply::kType), [count](Packer& packer) {
      packer.pack_array(3);
      packer.pack_uint8(1);
      packer.pack_uint32(1000);
      packer.pack_array(static_cast<std::uint32_t>(count));
      for (std::size_t i = 0; i < count; ++i) {
        packer.pack_array(5);
        packer.pack(std::string("name"));
        packer.pack_uint8(1);
        pack_bin(packer, 32);
        packer.pack_uint8(1);
        packer.pack_uint8(1);
      }
    });
  };
  EXPECT_TRUE(reply_error(search_reply(kMaxSearchResultsPerPage)) == std::error_code{});
  EXPECT_EQ(reply_error(search_reply(kMaxSearchResultsPerPage + 1)), Errc::limit_exceeded);
}

TEST(TrackerProtocol, clientRefusesPeerWithoutEndpoints) {
  const auto message = raw_message(type_value(PeersReply::kType), [](Packer& packer) {
    packer.pack_array(2);
    packer.pack_uint8(1);
    packer.pack_array(1);
    packer.pack_array(3);
    pack_bin(packer, 32);
    packer.pack_array(0);
    packer.pack_uint8(0);
  });
  EXPECT_EQ(reply_error(message), Errc::malformed_reply);
}

TEST(TrackerProtocol, clientRefusesMoreHitsThanTheTotal) {
  const auto message = raw_message(type_value(SearchReply::kType), [](Packer& packer) {
    packer.pack_array(3);
    packer.pack_uint8(1);
    packer.pack_uint8(0);
    packer.pack_array(1);
    packer.pack_array(5);
    packer.pack(std::string("name"));
    packer.pack_uint8(1);
    pack_bin(packer, 32);
    packer.pack_uint8(1);
    packer.pack_uint8(1);
  });
  EXPECT_EQ(reply_error(message), Errc::malformed_reply);
}

TEST(TrackerProtocol, clientAcceptsErrorCodesItDoesNotKnow) {
  const auto error_with = [](std::uint64_t code) {
    return raw_message(type_value(ErrorReply::kType), [code](Packer& packer) {
      packer.pack_array(3);
      packer.pack_uint8(9);
      packer.pack_uint64(code);
      packer.pack(std::string("something new"));
    });
  };
  const auto decoded = decode_reply(error_with(999)).value();
  EXPECT_EQ(static_cast<std::uint16_t>(std::get<ErrorReply>(*decoded).code), 999);
  EXPECT_EQ(reply_error(error_with(0)), Errc::malformed_reply);
  EXPECT_EQ(reply_error(error_with(65536)), Errc::malformed_reply);
}

TEST(TrackerProtocol, encoderRefusesWhatTheDecoderWouldRefuse) {
  Announce too_many;
  too_many.request_id = 1;
  too_many.port = 1;
  too_many.endpoints.assign(kMaxEndpointsPerPeer + 1, v4(1, 1));
  Announce unset_endpoint = too_many;
  unset_endpoint.endpoints = {core::Endpoint{}};
  Announce empty_manifest = too_many;
  empty_manifest.endpoints.clear();
  empty_manifest.manifest = Bytes{};
  const std::vector<Request> refused = {too_many,
                                        unset_endpoint,
                                        empty_manifest,
                                        GetStats{0},
                                        GetPeers{1, file_id_of(1), 0},
                                        GetPeers{1, file_id_of(1), kMaxPeersPerReply + 1},
                                        Search{1, std::string(kMaxSearchTextBytes + 1, 'x'), 10, 0},
                                        Search{1, "", 10, 0},
                                        Search{1, "\xFF", 10, 0},
                                        Search{1, "x", 10, kMaxSearchOffset + 1},
                                        GetDhtPeers{1, kMaxDhtPeersPerReply + 1}};
  for (const auto& request : refused) {
    auto frame = encode_request(request);
    ASSERT_FALSE(frame) << "type " << type_value(message_type(request));
    EXPECT_EQ(frame.error(), Errc::invalid_message);
  }
  const std::vector<Reply> refused_replies = {
      ErrorReply{1, ErrorCode{}, ""},
      ErrorReply{1, ErrorCode::busy, std::string(kMaxErrorTextBytes + 1, 'x')},
      PeersReply{1, std::vector<PeerEntry>(kMaxPeersPerReply + 1,
                                           PeerEntry{peer_id_of(1), {v4(1, 1)}, 0})},
      PeersReply{1, {PeerEntry{peer_id_of(1), {}, 0}}},
      ManifestReply{1, {}},
      SearchReply{1, 0, {SearchHit{"a", 1, file_id_of(1), 1, 1}}},
      AnnounceOkReply{1, 60, core::Endpoint{}}};
  for (const auto& reply : refused_replies) {
    auto frame = encode_reply(reply);
    ASSERT_FALSE(frame) << "type " << type_value(message_type(reply));
    EXPECT_EQ(frame.error(), Errc::invalid_message);
  }
}

TEST(TrackerProtocol, peekRequestIdReadsTheIdOfAMalformedRequest) {
  const auto message = announce_message({.request_id = 42, .file_id_bytes = 3});
  EXPECT_FALSE(decode_request(message));
  EXPECT_EQ(peek_request_id(message), 42U);
  const auto map_body =
      raw_message(type_value(GetStats::kType), [](Packer& packer) { packer.pack_map(0); });
  EXPECT_EQ(peek_request_id(map_body), 0U);
}

TEST(TrackerProtocol, decodeErrorsMapToWireErrorCodes) {
  EXPECT_EQ(wire_error_for(Errc::limit_exceeded), ErrorCode::limit_exceeded);
  EXPECT_EQ(wire_error_for(Errc::malformed_request), ErrorCode::malformed_request);
  EXPECT_EQ(wire_error_for(tracker::Errc::not_owner), ErrorCode::not_owner);
  EXPECT_EQ(wire_error_for(tracker::Errc::peer_banned), ErrorCode::banned);
  EXPECT_EQ(wire_error_for(core::Errc::manifest_not_canonical), ErrorCode::manifest_mismatch);
  EXPECT_EQ(wire_error_for(std::make_error_code(std::errc::io_error)), ErrorCode::internal_error);
  EXPECT_FALSE(default_error_text(ErrorCode::not_owner).empty());
  EXPECT_EQ(make_error_code(Errc::limit_exceeded).category().name(),
            std::string("swarmshare.tracker.protocol"));
}

// Feeds a whole frame through a FrameDecoder with the given limits.
std::vector<core::Message> through_decoder(const Bytes& frame, const core::FrameLimits& limits) {
  core::FrameDecoder decoder(limits);
  std::vector<core::Message> messages;
  const auto status =
      decoder.feed(frame, [&](core::Message&& message) { messages.push_back(std::move(message)); });
  EXPECT_TRUE(status) << status.error().message();
  return messages;
}

TEST(TrackerProtocol, largestAnnounceFitsTheServerFrameLimits) {
  Announce announce;
  announce.request_id = 0xFFFF'FFFF;
  announce.file_id = file_id_of(1);
  announce.manifest = Bytes(kMaxManifestBytes, 0xEE);
  announce.port = 65535;
  announce.endpoints.assign(kMaxEndpointsPerPeer, v6(1, 65535));
  const auto messages = through_decoder(encode_request(announce).value(), server_frame_limits());
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(*decode_request(messages[0]).value(), Request{announce});
}

TEST(TrackerProtocol, largestRepliesFitTheClientFrameLimits) {
  const PeerEntry peer{peer_id_of(1), std::vector<core::Endpoint>(kMaxEndpointsPerPeer, v6(1, 1)),
                       ~std::uint64_t{0}};
  const SearchHit hit{std::string(kMaxResultNameBytes, 'n'), ~std::uint64_t{0}, file_id_of(1),
                      ~std::uint32_t{0}, ~std::uint64_t{0}};
  const std::vector<Reply> replies = {
      PeersReply{1, std::vector<PeerEntry>(kMaxPeersPerReply, peer)},
      SearchReply{1, ~std::uint64_t{0}, std::vector<SearchHit>(kMaxSearchResultsPerPage, hit)},
      ManifestReply{1, Bytes(kMaxManifestBytes, 1)},
      DhtPeersReply{1, std::vector<PeerEntry>(kMaxDhtPeersPerReply, peer)}};
  for (const auto& reply : replies) {
    const auto messages = through_decoder(encode_reply(reply).value(), client_frame_limits());
    ASSERT_EQ(messages.size(), 1U);
    EXPECT_EQ(*decode_reply(messages[0]).value(), reply);
  }
}

TEST(TrackerProtocol, serverFrameLimitsRefuseAnOversizedManifestBeforeDecoding) {
  msgpack::sbuffer buffer;
  Packer packer(buffer);
  packer.pack_array(3);
  packer.pack_uint8(1);
  packer.pack_uint16(type_value(Announce::kType));
  pack_bin(packer, kMaxManifestBytes + 1);
  Bytes frame = {0, 0, 0, 0};
  frame.insert(frame.end(), buffer.data(), buffer.data() + buffer.size());
  const auto size = static_cast<std::uint32_t>(buffer.size());
  frame[0] = static_cast<std::uint8_t>(size >> 24U);
  frame[1] = static_cast<std::uint8_t>(size >> 16U);
  frame[2] = static_cast<std::uint8_t>(size >> 8U);
  frame[3] = static_cast<std::uint8_t>(size);
  core::FrameDecoder decoder(server_frame_limits());
  const auto status = decoder.feed(frame, [](core::Message&&) { FAIL(); });
  EXPECT_EQ(status.error(), core::Errc::frame_malformed);
}

// Decodes `body` as every known type in both directions; whatever is accepted must survive a
// re-encode and decode unchanged. Counts the accepted decodes into `accepted`.
void decode_as_every_type(std::span<const std::uint8_t> envelope_body, int& accepted) {
  auto message = core::decode_message(envelope_body, server_frame_limits().unpack);
  if (!message) {
    return;
  }
  for (std::uint16_t type = 0x1000; type <= 0x100B; ++type) {
    message.value().type = core::MessageType{type};
    auto request = decode_request(message.value());
    if (request && request.value()) {
      ++accepted;
      auto again = decode_request(message_of(encode_request(*request.value()).value()));
      ASSERT_TRUE(again && again.value());
      ASSERT_EQ(*again.value(), *request.value());
    }
  }
  for (std::uint16_t type = 0x1800; type <= 0x1808; ++type) {
    message.value().type = core::MessageType{type};
    auto reply = decode_reply(message.value());
    if (reply && reply.value()) {
      ++accepted;
      auto again = decode_reply(message_of(encode_reply(*reply.value()).value()));
      ASSERT_TRUE(again && again.value());
      ASSERT_EQ(*again.value(), *reply.value());
    }
  }
}

TEST(TrackerProtocol, randomGarbageBodiesNeverCrash) {
  std::mt19937 random(20'240'404); // seeded: a failure reproduces
  std::vector<Bytes> valid;
  for (const auto& request : sample_requests()) {
    valid.push_back(encode_request(request).value());
  }
  for (const auto& reply : sample_replies()) {
    valid.push_back(encode_reply(reply).value());
  }
  int accepted = 0;
  for (int round = 0; round < 4000; ++round) {
    Bytes body;
    if (round % 2 == 0) {
      // A valid envelope with a few bytes changed, inserted or cut.
      const Bytes& source = valid[random() % valid.size()];
      body.assign(source.begin() + core::kFrameHeaderBytes, source.end());
      const int edits = 1 + static_cast<int>(random() % 4);
      for (int e = 0; e < edits && !body.empty(); ++e) {
        const std::size_t at = random() % body.size();
        switch (random() % 3) {
        case 0: body[at] = static_cast<std::uint8_t>(random()); break;
        case 1:
          body.insert(body.begin() + static_cast<std::ptrdiff_t>(at),
                      static_cast<std::uint8_t>(random()));
          break;
        default: body.resize(at); break;
        }
      }
    } else {
      // Random bytes behind a plausible envelope prefix [1, type, ...].
      body = {0x93, 0x01, 0xCD, 0x10, static_cast<std::uint8_t>(random() % 12)};
      const std::size_t length = random() % 64;
      for (std::size_t i = 0; i < length; ++i) {
        body.push_back(static_cast<std::uint8_t>(random()));
      }
    }
    decode_as_every_type(body, accepted);
  }
  // Some mutations keep a valid shape (a changed id or count): the re-encode check ran.
  EXPECT_GT(accepted, 0);
}

// The fuzz seeds in fuzz/seeds/tracker/ are one valid request frame per sample request; they
// must stay what the encoder produces, or the fuzzer starts from stale input. With
// SWARMSHARE_WRITE_TRACKER_SEEDS naming a directory they are (re)written there instead. From
// the source root: SWARMSHARE_WRITE_TRACKER_SEEDS=fuzz/seeds/tracker
//   <build>/bin/tracker_protocol_tests --gtest_filter='TrackerProtocolFuzzSeeds.*'
TEST(TrackerProtocolFuzzSeeds, committedSeedsAreTheEncoderOutputForTheSampleRequests) {
  const char* directory = std::getenv("SWARMSHARE_WRITE_TRACKER_SEEDS");
  if (directory == nullptr) {
    int index = 0;
    for (const auto& request : sample_requests()) {
      char name[32];
      std::snprintf(name, sizeof name, "request_%02d_%04x.bin", index++,
                    static_cast<unsigned>(type_value(message_type(request))));
      std::ifstream in(std::filesystem::path(SWARMSHARE_FUZZ_SEEDS_DIR) / "tracker" / name,
                       std::ios::binary);
      ASSERT_TRUE(in.good()) << name;
      const Bytes committed{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      EXPECT_EQ(committed, encode_request(request).value()) << name;
    }
    return;
  }
  std::filesystem::create_directories(directory);
  int index = 0;
  for (const auto& request : sample_requests()) {
    const auto frame = encode_request(request).value();
    char name[32];
    std::snprintf(name, sizeof name, "request_%02d_%04x.bin", index++,
                  static_cast<unsigned>(type_value(message_type(request))));
    std::ofstream out(std::filesystem::path(directory) / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(frame.data()),
              static_cast<std::streamsize>(frame.size()));
    ASSERT_TRUE(out.good());
  }
}

} // namespace
} // namespace swarmshare::tracker::protocol
