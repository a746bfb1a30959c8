// DHT datagrams: every message round-trips; anything off-shape is refused.

#include "swarmshare/dht/message.hpp"

#include "dht_test_values.hpp"

#include <gtest/gtest.h>
#include <msgpack.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

namespace swarmshare::dht {
namespace {

using test_values::file_with_byte;
using test_values::id_with_byte;
using test_values::identity_from;

using namespace std::chrono_literals;
using Packer = msgpack::packer<msgpack::sbuffer>;

core::Endpoint v4(std::uint8_t last, std::uint16_t port) {
  return core::Endpoint::ipv4({203, 0, 113, last}, port);
}

core::Endpoint v6(std::uint8_t last, std::uint16_t port) {
  core::Endpoint::Bytes16 address{0x20, 0x01, 0x0d, 0xb8};
  address[15] = last;
  return core::Endpoint::ipv6(address, port);
}

Token token_with_byte(std::uint8_t value) {
  Token token;
  token.bytes.fill(value);
  return token;
}

std::vector<NodeContact> contacts(std::size_t count) {
  std::vector<NodeContact> list;
  for (std::size_t i = 0; i < count; ++i) {
    std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
    key.fill(static_cast<std::uint8_t>(i + 1));
    const auto n = static_cast<std::uint8_t>(i + 1);
    list.push_back(NodeContact::of(crypto::PeerId{key}, i % 2 == 0 ? v4(n, 6881) : v6(n, 6881)));
  }
  return list;
}

const crypto::NetworkId kNetwork = crypto::NetworkId::public_network();

// Samples shared by the round-trip tests and the fuzz seeds: one of every message.
struct Samples {
  core::ManualClock clock{std::chrono::system_clock::time_point{1'800'000'000s}};
  crypto::Identity alice = identity_from(1);
  PeerRecord peer_record =
      make_peer_record(alice, kNetwork, file_with_byte(0x44), {v4(9, 7070), v6(9, 7070)}, clock)
          .value();
  SignedRecord keyword =
      make_keyword_record(alice, kNetwork, "holiday",
                          KeywordEntry{file_with_byte(0x44), 1234, "Holiday video.mkv"}, 3)
          .value();

  Request request(RequestBody body, std::optional<Token> token = std::nullopt,
                  std::size_t padding = 0) const {
    return Request{TransactionId{0xA1B2C3D4}, alice.peer_id(), token, std::move(body), padding};
  }
  Reply reply(ReplyBody body, std::optional<Token> token = std::nullopt) const {
    return Reply{TransactionId{7}, alice.peer_id(), v6(5, 40000), token, std::move(body)};
  }

  std::vector<Request> requests() const {
    return {request(PingRequest{}),
            request(FindNodeRequest{id_with_byte(0x12)}, std::nullopt, 300),
            request(GetPeersRequest{file_with_byte(0x44)}, token_with_byte(3)),
            request(AnnouncePeerRequest{peer_record}, token_with_byte(4)),
            request(GetRequest{NodeId::of_word("holiday")}),
            request(PutRequest{keyword}, token_with_byte(5))};
  }
  std::vector<Reply> replies() const {
    return {reply(ErrorReply{ErrorCode::prove_address, "echo the token"}, token_with_byte(6)),
            reply(PongReply{}),
            reply(NodesReply{contacts(8)}),
            reply(PeersReply{{peer_record, peer_record}, contacts(2)}, token_with_byte(7)),
            reply(StoredReply{}),
            reply(ValuesReply{{keyword}, contacts(3)}, token_with_byte(8))};
  }
};

template <class T>
T decoded_as(const Bytes& datagram) {
  auto message = decode_message(datagram, kNetwork);
  EXPECT_TRUE(message) << message.error().message();
  EXPECT_TRUE(std::holds_alternative<T>(message.value()));
  return std::get<T>(message.value());
}

TEST(DhtMessages, everyRequestRoundTrips) {
  const Samples samples;
  for (const auto& request : samples.requests()) {
    const auto datagram = encode_request(request, kNetwork);
    ASSERT_TRUE(datagram) << datagram.error().message();
    EXPECT_LE(datagram.value().size(), kMaxDatagramBytes);
    EXPECT_EQ(decoded_as<Request>(datagram.value()), request) << message_type(request.body);
  }
}

TEST(DhtMessages, everyReplyRoundTrips) {
  const Samples samples;
  for (const auto& reply : samples.replies()) {
    const auto datagram = encode_reply(reply, kNetwork);
    ASSERT_TRUE(datagram) << datagram.error().message();
    EXPECT_LE(datagram.value().size(), kMaxDatagramBytes);
    EXPECT_EQ(decoded_as<Reply>(datagram.value()), reply) << message_type(reply.body);
  }
}

TEST(DhtMessages, decodedContactsCarryTheNodeIdOfTheirPeer) {
  const Samples samples;
  const Reply reply =
      decoded_as<Reply>(encode_reply(samples.reply(NodesReply{contacts(2)}), kNetwork).value());
  const auto& list = std::get<NodesReply>(reply.body).contacts;
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[1].id, NodeId::of_peer(list[1].peer));
}

TEST(DhtMessages, recordsStillVerifyAfterTheTrip) {
  const Samples samples;
  const auto requests = samples.requests();
  const Request announce = decoded_as<Request>(encode_request(requests[3], kNetwork).value());
  EXPECT_TRUE(verify_peer_record(std::get<AnnouncePeerRequest>(announce.body).record, kNetwork,
                                 samples.clock));
  const Request put = decoded_as<Request>(encode_request(requests[5], kNetwork).value());
  EXPECT_TRUE(verify_signed_record(std::get<PutRequest>(put.body).record, kNetwork));
}

TEST(DhtMessages, repliesAnswerTheirOwnRequestOrAnError) {
  EXPECT_TRUE(answers(PingRequest{}, PongReply{}));
  EXPECT_TRUE(answers(FindNodeRequest{}, NodesReply{}));
  EXPECT_TRUE(answers(GetPeersRequest{}, ErrorReply{}));
  EXPECT_TRUE(answers(PutRequest{}, StoredReply{}));
  EXPECT_FALSE(answers(GetRequest{}, PeersReply{}));
  EXPECT_FALSE(answers(PingRequest{}, StoredReply{}));
}

// ---- Refusals ----

class DhtMalformed : public ::testing::Test {
protected:
  Samples samples;
  Bytes find_node =
      encode_request(samples.request(FindNodeRequest{id_with_byte(1)}), kNetwork).value();

  // An envelope of `fields` elements whose first five are valid for `type`, then `rest`.
  static Bytes raw(std::uint32_t fields, std::uint16_t type,
                   const std::function<void(Packer&)>& rest, std::uint64_t version = kDhtVersion) {
    msgpack::sbuffer buffer;
    Packer packer(buffer);
    packer.pack_array(fields);
    packer.pack_uint64(version);
    packer.pack_bin(32);
    packer.pack_bin_body(reinterpret_cast<const char*>(kNetwork.bytes().data()), 32);
    packer.pack_uint16(type);
    packer.pack_uint32(9);
    const std::array<char, 32> sender{1};
    packer.pack_bin(32);
    packer.pack_bin_body(sender.data(), 32);
    rest(packer);
    return {reinterpret_cast<const std::uint8_t*>(buffer.data()),
            reinterpret_cast<const std::uint8_t*>(buffer.data()) + buffer.size()};
  }

  static void pack_contact(Packer& packer, std::uint8_t n) {
    packer.pack_array(2);
    const std::array<char, 32> key{static_cast<char>(n)};
    packer.pack_bin(32);
    packer.pack_bin_body(key.data(), 32);
    packer.pack_array(2);
    const std::array<char, 4> address{10, 0, 0, static_cast<char>(n)};
    packer.pack_bin(4);
    packer.pack_bin_body(address.data(), 4);
    packer.pack_uint16(6881);
  }

  static void pack_you_are(Packer& packer) { pack_contact_endpoint(packer); }
  static void pack_contact_endpoint(Packer& packer) {
    packer.pack_array(2);
    const std::array<char, 4> address{10, 0, 0, 1};
    packer.pack_bin(4);
    packer.pack_bin_body(address.data(), 4);
    packer.pack_uint16(6881);
  }

  static std::error_code error_of(const Bytes& datagram) {
    auto message = decode_message(datagram, kNetwork);
    return message ? std::error_code{} : message.error();
  }
};

TEST_F(DhtMalformed, theRawBuilderMakesValidMessages) {
  // Guards the tests below: their datagrams differ from a valid one in one thing only.
  EXPECT_FALSE(error_of(raw(8, FindNodeRequest::kType, [](Packer& p) {
    p.pack_nil();
    p.pack_array(1);
    p.pack_bin(32);
    p.pack_bin_body(std::array<char, 32>{}.data(), 32);
    p.pack_nil();
  })));
  EXPECT_FALSE(error_of(raw(8, NodesReply::kType, [](Packer& p) {
    pack_you_are(p);
    p.pack_nil();
    p.pack_array(1);
    p.pack_array(8);
    for (std::uint8_t i = 1; i <= 8; ++i) {
      pack_contact(p, i);
    }
  })));
}

TEST_F(DhtMalformed, refusesVersionZero) {
  Bytes datagram = find_node;
  ASSERT_EQ(datagram[1], 0x01); // fixarray, then the version
  datagram[1] = 0x00;
  EXPECT_EQ(error_of(datagram), Errc::unsupported_version);
}

TEST_F(DhtMalformed, refusesAnotherNetwork) {
  EXPECT_EQ(decode_message(find_node, crypto::NetworkId::from_name("private")).error(),
            Errc::wrong_network);
}

TEST_F(DhtMalformed, refusesEveryTruncation) {
  for (std::size_t size = 0; size < find_node.size(); ++size) {
    const Bytes cut(find_node.begin(), find_node.begin() + static_cast<long>(size));
    EXPECT_EQ(error_of(cut), Errc::malformed_message) << size;
  }
}

TEST_F(DhtMalformed, refusesTrailingBytes) {
  Bytes datagram = find_node;
  datagram.push_back(0xC0);
  EXPECT_EQ(error_of(datagram), Errc::malformed_message);
}

TEST_F(DhtMalformed, dropsAnOversizeDatagramBeforeParsing) {
  Bytes datagram(kMaxReceivedDatagramBytes + 1, 0xC1); // 0xC1 is never valid msgpack
  EXPECT_EQ(error_of(datagram), Errc::datagram_too_large);
  datagram.resize(kMaxReceivedDatagramBytes);
  EXPECT_EQ(error_of(datagram), Errc::malformed_message);
}

TEST_F(DhtMalformed, refusesFieldsOfTheWrongType) {
  // target as str instead of bin
  EXPECT_EQ(error_of(raw(8, FindNodeRequest::kType,
                         [](Packer& p) {
                           p.pack_nil();
                           p.pack_array(1);
                           p.pack_str(32);
                           p.pack_str_body(std::string(32, 'a').data(), 32);
                           p.pack_nil();
                         })),
            Errc::malformed_message);
  // target of 31 bytes
  EXPECT_EQ(error_of(raw(8, FindNodeRequest::kType,
                         [](Packer& p) {
                           p.pack_nil();
                           p.pack_array(1);
                           p.pack_bin(31);
                           p.pack_bin_body(std::array<char, 31>{}.data(), 31);
                           p.pack_nil();
                         })),
            Errc::malformed_message);
  // token of another length
  EXPECT_EQ(error_of(raw(8, PingRequest::kType,
                         [](Packer& p) {
                           p.pack_bin(8);
                           p.pack_bin_body(std::array<char, 8>{}.data(), 8);
                           p.pack_array(0);
                           p.pack_nil();
                         })),
            Errc::malformed_message);
  // a map for a body
  EXPECT_EQ(error_of(raw(8, PingRequest::kType,
                         [](Packer& p) {
                           p.pack_nil();
                           p.pack_map(0);
                           p.pack_nil();
                         })),
            Errc::malformed_message);
  // a negative integer for the error code
  EXPECT_EQ(error_of(raw(8, ErrorReply::kType,
                         [](Packer& p) {
                           pack_you_are(p);
                           p.pack_nil();
                           p.pack_array(2);
                           p.pack_int8(-1);
                           p.pack_str(0);
                         })),
            Errc::malformed_message);
}

TEST_F(DhtMalformed, refusesAnAddressOfAnotherLengthThanFourOrSixteen) {
  for (const std::uint32_t length : {0U, 5U, 17U}) {
    EXPECT_EQ(error_of(raw(8, PongReply::kType,
                           [length](Packer& p) {
                             p.pack_array(2);
                             p.pack_bin(length);
                             p.pack_bin_body(std::array<char, 17>{}.data(), length);
                             p.pack_uint16(6881);
                             p.pack_nil();
                             p.pack_array(0);
                           })),
              Errc::malformed_message)
        << length;
  }
}

TEST_F(DhtMalformed, refusesMissingAndExtraFieldsOfTheSameVersion) {
  const auto ping_with = [](std::uint32_t fields, std::uint64_t version) {
    return raw(
        fields, PingRequest::kType,
        [fields](Packer& p) {
          p.pack_nil();
          p.pack_array(0);
          if (fields >= 8) {
            p.pack_nil();
          }
          if (fields == 9) {
            p.pack_true();
          }
        },
        version);
  };
  EXPECT_FALSE(error_of(ping_with(8, kDhtVersion)));
  EXPECT_EQ(error_of(ping_with(7, kDhtVersion)), Errc::malformed_message);
  EXPECT_EQ(error_of(ping_with(9, kDhtVersion)), Errc::malformed_message);
  // A newer version may append fields; they are ignored.
  EXPECT_FALSE(error_of(ping_with(9, kDhtVersion + 1)));
  EXPECT_EQ(error_of(ping_with(7, kDhtVersion + 1)), Errc::malformed_message);
}

TEST_F(DhtMalformed, refusesMoreThanEightContacts) {
  EXPECT_EQ(error_of(raw(8, NodesReply::kType,
                         [](Packer& p) {
                           pack_you_are(p);
                           p.pack_nil();
                           p.pack_array(1);
                           p.pack_array(9);
                           for (std::uint8_t i = 1; i <= 9; ++i) {
                             pack_contact(p, i);
                           }
                         })),
            Errc::limit_exceeded);
  Reply reply = samples.reply(NodesReply{contacts(9)});
  EXPECT_EQ(encode_reply(reply, kNetwork).error(), Errc::invalid_message);
}

TEST_F(DhtMalformed, refusesTransactionZeroAndUnknownTypes) {
  Request request = samples.request(PingRequest{});
  request.transaction = TransactionId{0};
  EXPECT_EQ(encode_request(request, kNetwork).error(), Errc::invalid_message);
  EXPECT_EQ(error_of(raw(8, 0x2007,
                         [](Packer& p) {
                           p.pack_nil();
                           p.pack_array(0);
                           p.pack_nil();
                         })),
            Errc::unknown_message_type);
  EXPECT_EQ(error_of(raw(8, 0x1004,
                         [](Packer& p) {
                           p.pack_nil();
                           p.pack_array(0);
                           p.pack_nil();
                         })),
            Errc::unknown_message_type);
}

TEST_F(DhtMalformed, refusesAPeerRecordWithoutEndpointsOrAPortZero) {
  PeerRecord record = samples.peer_record;
  record.endpoints.clear();
  EXPECT_EQ(encode_request(samples.request(AnnouncePeerRequest{record}), kNetwork).error(),
            Errc::invalid_message);
  Reply reply = samples.reply(PongReply{});
  reply.you_are = reply.you_are.with_port(0);
  EXPECT_EQ(encode_reply(reply, kNetwork).error(), Errc::invalid_message);
}

// ---- Sizes and anti-amplification ----

TEST(DhtSizes, theEncoderRefusesADatagramOverTheCap) {
  const Samples samples;
  const SignedRecord big =
      make_signed_record(samples.alice, kNetwork, id_with_byte(1), {}, 1, Bytes(1000, 1)).value();
  // One record with the largest value fits in a put and in a values reply ...
  EXPECT_TRUE(encode_request(samples.request(PutRequest{big}, token_with_byte(1)), kNetwork));
  EXPECT_TRUE(encode_reply(samples.reply(ValuesReply{{big}, {}}, token_with_byte(1)), kNetwork));
  // ... two do not.
  EXPECT_EQ(encode_reply(samples.reply(ValuesReply{{big, big}, {}}), kNetwork).error(),
            Errc::message_too_large);
}

TEST(DhtSizes, eightContactsOrEightSmallestRecordsFitOneDatagram) {
  const Samples samples;
  std::vector<NodeContact> v6_contacts;
  for (const auto& c : contacts(8)) {
    v6_contacts.push_back(NodeContact::of(c.peer, v6(1, 6881)));
  }
  EXPECT_TRUE(encode_reply(samples.reply(NodesReply{v6_contacts}, token_with_byte(1)), kNetwork));
  const SignedRecord small =
      make_signed_record(samples.alice, kNetwork, id_with_byte(1), {}, 1, {}).value();
  EXPECT_TRUE(encode_reply(
      samples.reply(ValuesReply{std::vector<SignedRecord>(8, small), {}}, token_with_byte(1)),
      kNetwork));
}

TEST(DhtSizes, paddingMakesTheRequestAtLeastTheAskedSize) {
  const Samples samples;
  Request request = samples.request(PingRequest{});
  const std::size_t base = encoded_size(request, kNetwork).value();
  for (std::size_t target = 0; target <= kMaxDatagramBytes; ++target) {
    ASSERT_TRUE(pad_request(request, target, kNetwork)) << target;
    const std::size_t size = encode_request(request, kNetwork).value().size();
    EXPECT_GE(size, target);
    EXPECT_LE(size, std::max(base, target + 1)) << target; // never more than one byte over
  }
  EXPECT_EQ(pad_request(request, kMaxDatagramBytes + 1, kNetwork).error(), Errc::message_too_large);
}

TEST(DhtSizes, paddingTravelsAsItsLengthOnly) {
  const Samples samples;
  Request request = samples.request(GetPeersRequest{file_with_byte(2)});
  ASSERT_TRUE(pad_request(request, 1200, kNetwork));
  const Bytes datagram = encode_request(request, kNetwork).value();
  EXPECT_EQ(datagram.size(), 1200U);
  EXPECT_EQ(decoded_as<Request>(datagram).padding, request.padding);
}

TEST(DhtSizes, anUnprovenAddressGetsNoMoreThanItSent) {
  EXPECT_EQ(reply_budget(120, false), 120U);
  EXPECT_EQ(reply_budget(120, true), kMaxDatagramBytes);
  EXPECT_EQ(reply_budget(5000, false), kMaxDatagramBytes);
}

TEST(DhtSizes, fitReplyDropsRecordsThenContactsUntilItFits) {
  const Samples samples;
  Reply reply = samples.reply(PeersReply{{samples.peer_record, samples.peer_record}, contacts(8)},
                              token_with_byte(1));
  const std::size_t full = encoded_size(reply, kNetwork).value();
  Reply fitted = reply;
  ASSERT_TRUE(fit_reply(fitted, full, kNetwork));
  EXPECT_EQ(fitted, reply);
  ASSERT_TRUE(fit_reply(fitted, full - 1, kNetwork));
  const auto& body = std::get<PeersReply>(fitted.body);
  EXPECT_EQ(body.records.size(), 1U);
  EXPECT_EQ(body.contacts.size(), 8U);
  ASSERT_TRUE(fit_reply(fitted, 300, kNetwork));
  EXPECT_LE(encoded_size(fitted, kNetwork).value(), 300U);
  EXPECT_TRUE(std::get<PeersReply>(fitted.body).records.empty());
  Reply tiny = samples.reply(PongReply{});
  EXPECT_FALSE(fit_reply(tiny, 10, kNetwork));
  // More than fits in a datagram at all is trimmed to the cap.
  const SignedRecord big =
      make_signed_record(samples.alice, kNetwork, id_with_byte(1), {}, 1, Bytes(1000, 1)).value();
  Reply values = samples.reply(ValuesReply{{big, big, big}, {}});
  ASSERT_TRUE(fit_reply(values, kMaxDatagramBytes, kNetwork));
  EXPECT_EQ(std::get<ValuesReply>(values.body).records.size(), 1U);
}

TEST(DhtSizes, aProveAddressErrorFitsUnderAPaddedPing) {
  // What a node sends an unproven requester whose answer would not fit: a token.
  const Samples samples;
  Request ping = samples.request(PingRequest{});
  const Reply refusal = samples.reply(ErrorReply{ErrorCode::prove_address, ""}, token_with_byte(1));
  const std::size_t needed = encoded_size(refusal, kNetwork).value();
  ASSERT_TRUE(pad_request(ping, needed, kNetwork));
  EXPECT_LE(needed, reply_budget(encoded_size(ping, kNetwork).value(), false));
}

// ---- Fuzz seeds ----

// Checks that fuzz/seeds/dht_message/ holds the encoder's output for the samples, or with
// SWARMSHARE_WRITE_DHT_SEEDS naming a directory (re)writes them there. From the source root:
//   SWARMSHARE_WRITE_DHT_SEEDS=fuzz/seeds/dht_message <build>/bin/dht_wire_tests
//     --gtest_filter='DhtFuzzSeeds.*'
TEST(DhtFuzzSeeds, committedSeedsAreTheEncoderOutputForTheSamples) {
  const Samples samples;
  std::vector<std::pair<std::string, Bytes>> seeds;
  int index = 0;
  char name[48];
  for (const auto& request : samples.requests()) {
    std::snprintf(name, sizeof name, "message_%02d_%04x.bin", index++,
                  static_cast<unsigned>(message_type(request.body)));
    seeds.emplace_back(name, encode_request(request, kNetwork).value());
  }
  for (const auto& reply : samples.replies()) {
    std::snprintf(name, sizeof name, "message_%02d_%04x.bin", index++,
                  static_cast<unsigned>(message_type(reply.body)));
    seeds.emplace_back(name, encode_reply(reply, kNetwork).value());
  }
  if (const char* directory = std::getenv("SWARMSHARE_WRITE_DHT_SEEDS")) {
    std::filesystem::create_directories(directory);
    for (const auto& [file, bytes] : seeds) {
      std::ofstream out(std::filesystem::path(directory) / file, std::ios::binary);
      out.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
      ASSERT_TRUE(out.good()) << file;
    }
    return;
  }
  const auto committed = std::filesystem::path(SWARMSHARE_TEST_DATA_DIR) / ".." / ".." / "fuzz" /
                         "seeds" / "dht_message";
  if (!std::filesystem::is_directory(committed)) {
    GTEST_SKIP() << "no " << committed;
  }
  for (const auto& [file, bytes] : seeds) {
    std::ifstream in(committed / file, std::ios::binary);
    ASSERT_TRUE(in.good()) << file;
    const Bytes stored{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_EQ(stored, bytes) << file;
  }
}

} // namespace
} // namespace swarmshare::dht
