#include "swarmshare/transfer/wire.hpp"

#include "swarmshare/transfer/bitfield.hpp"
#include "swarmshare/transfer/error.hpp"

#include <gtest/gtest.h>
#include <msgpack.hpp>

#include <functional>
#include <string>
#include <vector>

namespace swarmshare::transfer {
namespace {

using wire::Bytes;
using Packer = msgpack::packer<msgpack::sbuffer>;

core::FileId file_id_of(std::uint8_t fill) {
  core::Hash256 digest{};
  digest.fill(fill);
  return core::FileId{digest};
}

Bitfield bitfield_of(std::uint32_t chunk_count, std::initializer_list<std::uint32_t> set) {
  auto bitfield = Bitfield::create(chunk_count).value();
  for (const std::uint32_t index : set) {
    EXPECT_TRUE(bitfield.set(core::ChunkIndex{index}));
  }
  return bitfield;
}

// Bytes packed by hand, to build what the encoder never makes.
Bytes raw(const std::function<void(Packer&)>& pack) {
  msgpack::sbuffer buffer;
  Packer packer(buffer);
  pack(packer);
  const auto* data = reinterpret_cast<const std::uint8_t*>(buffer.data());
  return {data, data + buffer.size()};
}

void pack_bin(Packer& packer, std::size_t size, std::uint8_t fill = 0xAB) {
  const std::string bytes(size, static_cast<char>(fill));
  packer.pack_bin(static_cast<std::uint32_t>(size));
  packer.pack_bin_body(bytes.data(), static_cast<std::uint32_t>(size));
}

// [type, fields...] with the fields packed by hand.
Bytes typed(std::uint16_t type, std::uint32_t field_count,
            const std::function<void(Packer&)>& pack_fields) {
  return raw([&](Packer& p) {
    p.pack_array(field_count + 1);
    p.pack_uint16(type);
    pack_fields(p);
  });
}

// [type, uint fields...]: the shape of have, budget, request, cancel, reject and goodbye.
Bytes uints(std::uint16_t type, std::initializer_list<std::uint64_t> fields) {
  return raw([&](Packer& p) {
    p.pack_array(static_cast<std::uint32_t>(fields.size() + 1));
    p.pack_uint16(type);
    for (const std::uint64_t field : fields) {
      p.pack_uint64(field);
    }
  });
}

std::error_code decode_error(const Bytes& bytes) {
  auto decoded = wire::decode(bytes);
  if (decoded) {
    ADD_FAILURE() << "decoded bytes that should be refused";
    return {};
  }
  return decoded.error();
}

std::vector<wire::Message> one_of_each() {
  return {
      wire::Hello{wire::kVersion, file_id_of(0x44)},
      wire::HaveMap{bitfield_of(10, {0, 9})},
      wire::Have{core::ChunkIndex{31'999}},
      wire::Budget{wire::kMaxBudget},
      wire::Request{{core::ChunkIndex{3}, 65'536, kDefaultBlockBytes}},
      wire::Data{core::ChunkIndex{7}, 16'384, Bytes(kMaxBlockBytes, 0x5A)},
      wire::Cancel{{core::ChunkIndex{0}, 0, 1}},
      wire::Reject{{core::ChunkIndex{2}, 131'072, kMaxBlockBytes}, wire::RejectReason::over_budget},
      wire::ManifestRequest{},
      wire::ManifestReply{Bytes(300, 0x11)},
      wire::Goodbye{wire::GoodbyeReason::file_changed},
  };
}

TEST(PeerWire, everyMessageRoundTrips) {
  const auto messages = one_of_each();
  ASSERT_EQ(messages.size(), std::variant_size_v<wire::Message>);
  for (const auto& message : messages) {
    auto bytes = wire::encode(message);
    ASSERT_TRUE(bytes) << bytes.error().message();
    auto decoded = wire::decode(bytes.value());
    ASSERT_TRUE(decoded) << decoded.error().message();
    ASSERT_TRUE(decoded.value().has_value());
    EXPECT_EQ(*decoded.value(), message) << wire::message_name(wire::message_type(message));
  }
}

TEST(PeerWire, encodesRequestAsDocumented) {
  const auto bytes = wire::encode(wire::Request{{core::ChunkIndex{3}, 65'536, 65'536}});
  ASSERT_TRUE(bytes);
  const Bytes expected{0x94, 0x05, 0x03, 0xce, 0x00, 0x01, 0x00,
                       0x00, 0xce, 0x00, 0x01, 0x00, 0x00};
  EXPECT_EQ(bytes.value(), expected);
}

TEST(PeerWire, encodesHelloAsDocumented) {
  const auto bytes = wire::encode(wire::Hello{1, file_id_of(0x44)});
  ASSERT_TRUE(bytes);
  Bytes expected{0x93, 0x01, 0x01, 0xc4, 0x20};
  expected.insert(expected.end(), 32, 0x44);
  EXPECT_EQ(bytes.value(), expected);
}

TEST(PeerWire, encodesHaveMapMostSignificantBitFirst) {
  const auto bytes = wire::encode(wire::HaveMap{bitfield_of(10, {0, 9})});
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes.value(), (Bytes{0x93, 0x02, 0x0a, 0xc4, 0x02, 0x80, 0x40}));
}

TEST(PeerWire, encodeDataMatchesEncodingADataMessage) {
  const Bytes block(1000, 0x33);
  const auto direct = wire::encode_data(core::ChunkIndex{5}, 4096, block);
  const auto via_message = wire::encode(wire::Data{core::ChunkIndex{5}, 4096, block});
  ASSERT_TRUE(direct);
  ASSERT_TRUE(via_message);
  EXPECT_EQ(direct.value(), via_message.value());
}

TEST(PeerWire, ignoresUnknownMessageTypes) {
  for (const std::uint16_t type : std::vector<std::uint16_t>{0x000C, 0x0FFF, 0x1001, 0xFFFF}) {
    const auto bytes = raw([type](Packer& p) {
      p.pack_array(3);
      p.pack_uint16(type);
      p.pack("some text");
      pack_bin(p, 10);
    });
    auto decoded = wire::decode(bytes);
    ASSERT_TRUE(decoded) << type << ": " << decoded.error().message();
    EXPECT_FALSE(decoded.value().has_value()) << type;
  }
}

TEST(PeerWire, refusesEveryTruncation) {
  for (const auto& message : one_of_each()) {
    const Bytes bytes = wire::encode(message).value();
    for (std::size_t size = 0; size < bytes.size(); size += (size < 64 ? 1 : 997)) {
      const Bytes prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
      EXPECT_EQ(decode_error(prefix), Errc::message_malformed)
          << wire::message_name(wire::message_type(message)) << " cut to " << size;
    }
  }
}

TEST(PeerWire, refusesATrailingByte) {
  for (const auto& message : one_of_each()) {
    Bytes bytes = wire::encode(message).value();
    bytes.push_back(0x00);
    EXPECT_EQ(decode_error(bytes), Errc::message_malformed)
        << wire::message_name(wire::message_type(message));
  }
}

TEST(PeerWire, refusesARecordOverOneMebibyte) {
  Bytes bytes = wire::encode(wire::ManifestReply{Bytes(1000, 1)}).value();
  bytes.resize(wire::kMaxMessageBytes + 1, 0);
  EXPECT_EQ(decode_error(bytes), Errc::limit_exceeded);
}

TEST(PeerWire, refusesAnEnvelopeThatIsNotATypedArray) {
  EXPECT_EQ(decode_error(raw([](Packer& p) { p.pack_uint8(5); })), Errc::message_malformed);
  EXPECT_EQ(decode_error(raw([](Packer& p) { p.pack_array(0); })), Errc::message_malformed);
  EXPECT_EQ(decode_error(uints(0, {})), Errc::message_malformed);
  const auto type_of = [](const std::function<void(Packer&)>& pack_type) {
    return raw([&](Packer& p) {
      p.pack_array(2);
      pack_type(p);
      p.pack_uint8(1);
    });
  };
  EXPECT_EQ(decode_error(type_of([](Packer& p) { p.pack("have"); })), Errc::message_malformed);
  EXPECT_EQ(decode_error(type_of([](Packer& p) { p.pack_int8(-3); })), Errc::message_malformed);
  EXPECT_EQ(decode_error(type_of([](Packer& p) { p.pack_uint32(0x10003); })), Errc::limit_exceeded);
  // A map where the fields belong.
  EXPECT_EQ(decode_error(raw([](Packer& p) {
              p.pack_map(1);
              p.pack_uint8(3);
              p.pack_uint8(1);
            })),
            Errc::message_malformed);
}

TEST(PeerWire, refusesAMissingOrExtraField) {
  for (const auto& message : one_of_each()) {
    const Bytes bytes = wire::encode(message).value();
    const auto count = static_cast<std::uint8_t>(bytes[0] & 0x0FU);
    ASSERT_EQ(bytes[0] & 0xF0U, 0x90U); // a fixarray
    Bytes extra = bytes;
    extra[0] = static_cast<std::uint8_t>(0x90U | (count + 1U));
    extra.push_back(0x00);
    EXPECT_EQ(decode_error(extra), Errc::message_malformed)
        << wire::message_name(wire::message_type(message)) << " with an extra field";
  }
  EXPECT_EQ(decode_error(uints(0x03, {})), Errc::message_malformed);
  EXPECT_EQ(decode_error(uints(0x05, {1, 0})), Errc::message_malformed);
  EXPECT_EQ(decode_error(uints(0x08, {1, 0, 100})), Errc::message_malformed);
  EXPECT_EQ(decode_error(uints(0x0B, {})), Errc::message_malformed);
  EXPECT_EQ(decode_error(uints(0x01, {1})), Errc::message_malformed);
}

TEST(PeerWire, refusesWrongFieldTypes) {
  // A string for a chunk index, a bin for a budget, a bool for a length.
  EXPECT_EQ(decode_error(typed(0x03, 1, [](Packer& p) { p.pack("7"); })), Errc::message_malformed);
  EXPECT_EQ(decode_error(typed(0x04, 1, [](Packer& p) { pack_bin(p, 1); })),
            Errc::message_malformed);
  EXPECT_EQ(decode_error(typed(0x05, 3, [](Packer& p) { p.pack(0).pack(0).pack(true); })),
            Errc::message_malformed);
  // Data bytes as a string, a manifest as an array, a File ID as a string.
  EXPECT_EQ(decode_error(typed(0x06, 3, [](Packer& p) { p.pack(0).pack(0).pack("abc"); })),
            Errc::message_malformed);
  EXPECT_EQ(decode_error(typed(0x0A, 1, [](Packer& p) { p.pack_array(1).pack(1); })),
            Errc::message_malformed);
  EXPECT_EQ(decode_error(typed(0x01, 2, [](Packer& p) { p.pack(1).pack(std::string(32, 'D')); })),
            Errc::message_malformed);
}

TEST(PeerWire, refusesNegativeIntegers) {
  const auto with_negative = [](std::uint8_t type, std::size_t fields, std::size_t negative_at) {
    return raw([=](Packer& p) {
      p.pack_array(static_cast<std::uint32_t>(fields + 1));
      p.pack_uint8(type);
      for (std::size_t i = 0; i < fields; ++i) {
        if (i == negative_at) {
          p.pack_int8(-1);
        } else {
          p.pack_uint8(1);
        }
      }
    });
  };
  EXPECT_EQ(decode_error(with_negative(0x03, 1, 0)), Errc::message_malformed);
  EXPECT_EQ(decode_error(with_negative(0x04, 1, 0)), Errc::message_malformed);
  for (std::size_t field = 0; field < 3; ++field) {
    EXPECT_EQ(decode_error(with_negative(0x05, 3, field)), Errc::message_malformed) << field;
    EXPECT_EQ(decode_error(with_negative(0x07, 3, field)), Errc::message_malformed) << field;
  }
  EXPECT_EQ(decode_error(with_negative(0x08, 4, 3)), Errc::message_malformed);
  EXPECT_EQ(decode_error(with_negative(0x0B, 1, 0)), Errc::message_malformed);
}

TEST(PeerWire, refusesBlockLengthOfZero) {
  EXPECT_EQ(decode_error(uints(0x05, {0, 0, 0})), Errc::message_malformed);
  EXPECT_EQ(decode_error(uints(0x07, {0, 0, 0})), Errc::message_malformed);
  EXPECT_EQ(decode_error(uints(0x08, {0, 0, 0, 1})), Errc::message_malformed);
}

TEST(PeerWire, refusesBlockLengthOverTheMaximum) {
  EXPECT_EQ(decode_error(uints(0x05, {0, 0, kMaxBlockBytes + 1})), Errc::limit_exceeded);
  EXPECT_EQ(decode_error(uints(0x07, {0, 0, kMaxBlockBytes + 1})), Errc::limit_exceeded);
  EXPECT_EQ(decode_error(uints(0x08, {0, 0, kMaxBlockBytes + 1, 1})), Errc::limit_exceeded);
  EXPECT_TRUE(wire::decode(uints(0x05, {0, 0, kMaxBlockBytes})));
}

TEST(PeerWire, refusesBlocksPastTheLargestChunk) {
  const std::uint64_t max_chunk = core::ChunkSize::kMaxBytes;
  EXPECT_EQ(decode_error(uints(0x05, {0, max_chunk - 10, 11})), Errc::limit_exceeded);
  EXPECT_EQ(decode_error(uints(0x05, {0, std::uint64_t{1} << 40, 1})), Errc::limit_exceeded);
  EXPECT_TRUE(wire::decode(uints(0x05, {0, max_chunk - 10, 10})));
  const auto data_at = [](std::uint64_t offset) {
    return typed(0x06, 3, [offset](Packer& p) { pack_bin(p.pack(0).pack(offset), 100); });
  };
  EXPECT_EQ(decode_error(data_at(max_chunk - 99)), Errc::limit_exceeded);
  EXPECT_TRUE(wire::decode(data_at(max_chunk - 100)));
}

TEST(PeerWire, refusesChunkIndicesPastTheManifestLimit) {
  EXPECT_EQ(decode_error(uints(0x03, {core::kMaxChunks})), Errc::limit_exceeded);
  EXPECT_EQ(decode_error(uints(0x05, {core::kMaxChunks, 0, 1})), Errc::limit_exceeded);
  EXPECT_EQ(decode_error(uints(0x03, {std::uint64_t{1} << 33})), Errc::limit_exceeded);
}

TEST(PeerWire, refusesBudgetOverTheMaximum) {
  EXPECT_EQ(decode_error(uints(0x04, {wire::kMaxBudget + 1})), Errc::limit_exceeded);
  EXPECT_TRUE(wire::decode(uints(0x04, {0})));
}

TEST(PeerWire, refusesDataOfNoBytesOrTooMany) {
  const auto data_of = [](std::size_t size) {
    return typed(0x06, 3, [size](Packer& p) { pack_bin(p.pack(1).pack(0), size); });
  };
  EXPECT_EQ(decode_error(data_of(0)), Errc::message_malformed);
  EXPECT_EQ(decode_error(data_of(kMaxBlockBytes + 1)), Errc::limit_exceeded);
}

TEST(PeerWire, refusesManifestOfNoBytesOrTooMany) {
  const auto manifest_of = [](std::size_t size) {
    return typed(0x0A, 1, [size](Packer& p) { pack_bin(p, size); });
  };
  EXPECT_EQ(decode_error(manifest_of(0)), Errc::message_malformed);
  EXPECT_EQ(decode_error(manifest_of(wire::kMaxManifestBytes + 1)), Errc::limit_exceeded);
  EXPECT_TRUE(wire::decode(manifest_of(wire::kMaxManifestBytes)));
}

Bytes have_map_of(std::uint64_t chunk_count, const Bytes& bits) {
  return typed(0x02, 2, [&](Packer& p) {
    p.pack(chunk_count).pack_bin(static_cast<std::uint32_t>(bits.size()));
    p.pack_bin_body(reinterpret_cast<const char*>(bits.data()),
                    static_cast<std::uint32_t>(bits.size()));
  });
}

TEST(PeerWire, refusesHaveMapWithSetSpareBits) {
  EXPECT_EQ(decode_error(have_map_of(10, {0xFF, 0xE0})), Errc::invalid_bitfield);
  EXPECT_EQ(decode_error(have_map_of(10, {0xFF, 0x01})), Errc::invalid_bitfield);
  EXPECT_TRUE(wire::decode(have_map_of(10, {0xFF, 0xC0})));
}

TEST(PeerWire, refusesHaveMapWhoseBytesDoNotMatchItsChunkCount) {
  EXPECT_EQ(decode_error(have_map_of(10, {0xFF})), Errc::invalid_bitfield);
  EXPECT_EQ(decode_error(have_map_of(10, {0xFF, 0xC0, 0x00})), Errc::invalid_bitfield);
  EXPECT_EQ(decode_error(have_map_of(0, {0x00})), Errc::invalid_bitfield);
  EXPECT_TRUE(wire::decode(have_map_of(0, {})));
}

TEST(PeerWire, refusesHaveMapOverTheChunkLimit) {
  const Bytes bits(Bitfield::bytes_for(core::kMaxChunks) + 1, 0);
  EXPECT_EQ(decode_error(have_map_of(core::kMaxChunks + 1, bits)), Errc::limit_exceeded);
  EXPECT_EQ(decode_error(have_map_of(8, bits)), Errc::limit_exceeded);
}

TEST(PeerWire, refusesHelloOfVersionZeroOrWithAFileIdOfAnotherLength) {
  const auto hello = [](std::uint64_t version, std::size_t id_bytes) {
    return typed(0x01, 2, [=](Packer& p) { pack_bin(p.pack(version), id_bytes); });
  };
  EXPECT_EQ(decode_error(hello(0, 32)), Errc::message_malformed);
  EXPECT_EQ(decode_error(hello(1, 31)), Errc::message_malformed);
  EXPECT_EQ(decode_error(hello(1, 33)), Errc::limit_exceeded);
  EXPECT_EQ(decode_error(hello(std::uint64_t{1} << 32, 32)), Errc::limit_exceeded);
}

TEST(PeerWire, readsHelloOfANewerVersionWithExtraFields) {
  const auto bytes = typed(0x01, 3, [](Packer& p) {
    pack_bin(p.pack(wire::kVersion + 1), 32, 0x44);
    p.pack("a field from the future");
  });
  auto decoded = wire::decode(bytes);
  ASSERT_TRUE(decoded) << decoded.error().message();
  ASSERT_TRUE(decoded.value().has_value());
  EXPECT_EQ(*decoded.value(), wire::Message(wire::Hello{wire::kVersion + 1, file_id_of(0x44)}));
}

TEST(PeerWire, acceptsReasonsANewerPeerMayAdd) {
  auto goodbye = wire::decode(uints(0x0B, {200}));
  ASSERT_TRUE(goodbye);
  EXPECT_EQ(std::get<wire::Goodbye>(*goodbye.value()).reason, wire::GoodbyeReason{200});
  EXPECT_EQ(wire::reason_text(wire::GoodbyeReason{200}), "unknown reason");
  auto reject = wire::decode(uints(0x08, {1, 0, 10, 77}));
  ASSERT_TRUE(reject);
  EXPECT_EQ(std::get<wire::Reject>(*reject.value()).reason, wire::RejectReason{77});
}

TEST(PeerWire, refusesReasonZeroOrOverSixteenBits) {
  EXPECT_EQ(decode_error(uints(0x0B, {0})), Errc::message_malformed);
  EXPECT_EQ(decode_error(uints(0x0B, {0x10000})), Errc::limit_exceeded);
  EXPECT_EQ(decode_error(uints(0x08, {1, 0, 10, 0})), Errc::message_malformed);
}

TEST(PeerWire, encoderRefusesWhatAReceiverMustRefuse) {
  const std::vector<wire::Message> invalid{
      wire::Hello{0, file_id_of(1)},
      wire::Have{core::ChunkIndex{core::kMaxChunks}},
      wire::Budget{wire::kMaxBudget + 1},
      wire::Request{{core::ChunkIndex{0}, 0, 0}},
      wire::Request{{core::ChunkIndex{0}, 0, kMaxBlockBytes + 1}},
      wire::Cancel{{core::ChunkIndex{0}, core::ChunkSize::kMaxBytes, 1}},
      wire::Reject{{core::ChunkIndex{0}, 0, 1}, wire::RejectReason{0}},
      wire::Data{core::ChunkIndex{0}, 0, {}},
      wire::Data{core::ChunkIndex{0}, 0, Bytes(kMaxBlockBytes + 1, 0)},
      wire::ManifestReply{},
      wire::Goodbye{wire::GoodbyeReason{0}},
  };
  for (const auto& message : invalid) {
    auto bytes = wire::encode(message);
    ASSERT_FALSE(bytes) << wire::message_name(wire::message_type(message));
    EXPECT_EQ(bytes.error(), Errc::invalid_message);
  }
}

core::Manifest two_chunk_manifest(std::string name) {
  // Two chunks of the smallest size, the last one 1,000 bytes long.
  const auto chunk_size = core::ChunkSize::from_bytes(core::ChunkSize::kMinBytes).value();
  std::vector<core::Hash256> hashes(2);
  hashes[1].fill(0x22);
  return core::Manifest::create(std::move(name), core::ChunkSize::kMinBytes + 1000, chunk_size,
                                hashes)
      .value();
}

TEST(PeerWireManifest, acceptsTheManifestOfTheExpectedFile) {
  const auto manifest = two_chunk_manifest("a.bin");
  auto decoded = wire::decode_manifest({manifest.encoded()}, manifest.file_id());
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded.value(), manifest);
}

TEST(PeerWireManifest, refusesTheManifestOfAnotherFile) {
  const auto manifest = two_chunk_manifest("a.bin");
  const auto other = two_chunk_manifest("b.bin");
  auto decoded = wire::decode_manifest({manifest.encoded()}, other.file_id());
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), Errc::manifest_mismatch);
}

TEST(PeerWireManifest, passesOnCoreErrorsForBytesThatAreNoManifest) {
  auto decoded = wire::decode_manifest({Bytes{0x91, 0x01}}, file_id_of(1));
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().category(), core::core_category());
}

TEST(ValidateBlock, acceptsBlocksWithinAChunk) {
  const auto manifest = two_chunk_manifest("a.bin");
  EXPECT_TRUE(validate_block(manifest, {core::ChunkIndex{0}, 0, core::ChunkSize::kMinBytes}));
  EXPECT_TRUE(validate_block(manifest, {core::ChunkIndex{1}, 999, 1}));
}

TEST(ValidateBlock, refusesBlocksOutsideTheFile) {
  const auto manifest = two_chunk_manifest("a.bin");
  const std::vector<BlockRef> outside{
      {core::ChunkIndex{0}, 1, core::ChunkSize::kMinBytes}, // past the end of a full chunk
      {core::ChunkIndex{1}, 999, 2},                        // past the short last chunk
      {core::ChunkIndex{2}, 0, 1},                          // no such chunk
      {core::ChunkIndex{0}, 0, 0},                          // empty
      {core::ChunkIndex{0}, 0xFFFF'FFFFU, 2},               // wraps around in 32 bits
  };
  for (const auto& block : outside) {
    EXPECT_EQ(validate_block(manifest, block).error(), Errc::block_out_of_range)
        << core::index_value(block.chunk) << " " << block.offset << " " << block.length;
  }
}

TEST(ChunkBitfield, setsBitsMostSignificantFirst) {
  auto bitfield = Bitfield::create(10).value();
  ASSERT_TRUE(bitfield.set(core::ChunkIndex{0}));
  ASSERT_TRUE(bitfield.set(core::ChunkIndex{9}));
  EXPECT_EQ(Bytes(bitfield.bytes().begin(), bitfield.bytes().end()), (Bytes{0x80, 0x40}));
  EXPECT_TRUE(bitfield.test(core::ChunkIndex{9}));
  EXPECT_FALSE(bitfield.test(core::ChunkIndex{8}));
}

TEST(ChunkBitfield, countsAChunkSetTwiceOnce) {
  auto bitfield = Bitfield::create(3).value();
  ASSERT_TRUE(bitfield.set(core::ChunkIndex{1}));
  ASSERT_TRUE(bitfield.set(core::ChunkIndex{1}));
  EXPECT_EQ(bitfield.count(), 1U);
  EXPECT_FALSE(bitfield.all());
  EXPECT_FALSE(bitfield.none());
}

TEST(ChunkBitfield, isCompleteWhenEveryChunkIsSet) {
  auto bitfield = Bitfield::create(9).value();
  EXPECT_TRUE(bitfield.none());
  for (std::uint32_t i = 0; i < 9; ++i) {
    EXPECT_FALSE(bitfield.all());
    ASSERT_TRUE(bitfield.set(core::ChunkIndex{i}));
  }
  EXPECT_TRUE(bitfield.all());
  EXPECT_TRUE(Bitfield{}.all()); // an empty file has nothing to fetch
}

TEST(ChunkBitfield, refusesChunksPastTheLast) {
  auto bitfield = Bitfield::create(10).value();
  EXPECT_EQ(bitfield.set(core::ChunkIndex{10}).error(), core::Errc::chunk_index_out_of_range);
  EXPECT_FALSE(bitfield.test(core::ChunkIndex{10}));
  EXPECT_FALSE(bitfield.test(core::ChunkIndex{0xFFFF'FFFFU}));
  EXPECT_EQ(bitfield.count(), 0U);
}

TEST(ChunkBitfield, refusesMoreChunksThanAManifestMayHold) {
  EXPECT_EQ(Bitfield::create(core::kMaxChunks + 1).error(), Errc::limit_exceeded);
  EXPECT_EQ(Bitfield::from_bytes(0xFFFF'FFFFU, Bytes(4, 0)).error(), Errc::limit_exceeded);
  EXPECT_TRUE(Bitfield::create(core::kMaxChunks));
}

TEST(ChunkBitfield, readsItsOwnBytesBack) {
  const auto original = bitfield_of(20, {0, 7, 8, 19});
  auto parsed = Bitfield::from_bytes(20, original.bytes());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.value(), original);
  EXPECT_EQ(parsed.value().count(), 4U);
  EXPECT_TRUE(parsed.value().test(core::ChunkIndex{19}));
}

TEST(ChunkBitfield, fromBytesRefusesSpareBitsAndWrongLengths) {
  EXPECT_EQ(Bitfield::from_bytes(20, Bytes{0, 0, 0x08}).error(), Errc::invalid_bitfield);
  EXPECT_EQ(Bitfield::from_bytes(20, Bytes{0, 0}).error(), Errc::invalid_bitfield);
  EXPECT_EQ(Bitfield::from_bytes(16, Bytes{0, 0, 0}).error(), Errc::invalid_bitfield);
  EXPECT_TRUE(Bitfield::from_bytes(16, Bytes{0xFF, 0xFF}));
}

TEST(TransferErrors, haveTheirOwnCategoryAndAMessageForEveryCode) {
  const std::error_code code = Errc::message_malformed;
  EXPECT_STREQ(code.category().name(), "swarmshare.transfer");
  for (int value = 1; value <= static_cast<int>(Errc::no_sources); ++value) {
    const std::string text = make_error_code(static_cast<Errc>(value)).message();
    EXPECT_EQ(text.find("unknown"), std::string::npos) << value;
  }
}

} // namespace
} // namespace swarmshare::transfer
