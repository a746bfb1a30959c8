#include "swarmshare/crypto/secure_records.hpp"

#include "swarmshare/crypto/noise.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace swarmshare::crypto {
namespace {

using swarmshare::core::ManualClock;
using namespace std::chrono_literals;

Bytes ascii(std::string_view text) { return {text.begin(), text.end()}; }

Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (const ByteView part : parts) {
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

Bytes pattern(std::size_t size) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) {
    bytes[i] = static_cast<std::uint8_t>(i * 31 + 7);
  }
  return bytes;
}

Key32 random_key() {
  Key32 key{};
  randombytes_buf(key.data(), key.size());
  return key;
}

Hash64 random_hash() {
  Hash64 hash{};
  randombytes_buf(hash.data(), hash.size());
  return hash;
}

// A receiver that keeps every plaintext it delivers.
struct Sink {
  RecordReceiver receiver;
  std::vector<Bytes> records;

  Sink(const Key32& key, const Hash64& hash, std::uint32_t cap = kDefaultMaxRecordBytes)
      : receiver(key, hash, cap) {}

  core::Status feed(ByteView bytes) {
    return receiver.feed(bytes, [this](ByteView plaintext) {
      EXPECT_TRUE(receiver.is_confirmed()); // nothing may be delivered before confirmation
      records.emplace_back(plaintext.begin(), plaintext.end());
    });
  }

  // Feeds one byte at a time, checking the one-record buffering bound after each.
  core::Status feed_bytewise(ByteView bytes, std::size_t cap) {
    for (const std::uint8_t byte : bytes) {
      auto status = feed(ByteView(&byte, 1));
      EXPECT_LE(receiver.buffered_bytes(),
                std::max(kRecordStreamHeaderBytes, kRecordOverheadBytes + cap));
      if (!status) {
        return status;
      }
    }
    return boost::outcome_v2::success();
  }
};

// One direction with a random key and handshake hash, for tests that do not need a handshake.
struct Direction {
  Key32 key = random_key();
  Hash64 hash = random_hash();
  RecordSender sender;
  Sink sink;

  explicit Direction(RecordSenderOptions options = {},
                     const core::Clock& clock = core::real_clock(),
                     std::uint32_t receiver_cap = kDefaultMaxRecordBytes)
      : sender(key, hash, options, clock), sink(key, hash, receiver_cap) {}

  Bytes start() { return sender.start().value(); }
  Bytes seal(std::string_view text) { return sender.seal(ascii(text)).value(); }
};

// A short complete stream: header, confirmation, two data records, FINAL.
struct ShortStream {
  Direction direction;
  Bytes prelude = direction.start();
  Bytes first = direction.seal("first record");
  Bytes second = direction.seal("second");
  Bytes final = direction.sender.close().value();

  [[nodiscard]] Bytes all() const { return concat({prelude, first, second, final}); }
};

// An XX handshake between fresh random static keys, ended with split_keys on both sides.
struct Handshake {
  TransportKeys initiator_keys;
  TransportKeys responder_keys;
  Hash64 initiator_hash{};
  Hash64 responder_hash{};

  Handshake() {
    HandshakeState initiator{Role::initiator, KeyPair::generate(), ascii("records test")};
    HandshakeState responder{Role::responder, KeyPair::generate(), ascii("records test")};
    EXPECT_TRUE(responder.read_message(initiator.write_message({}).value()));
    EXPECT_TRUE(initiator.read_message(responder.write_message({}).value()));
    EXPECT_TRUE(responder.read_message(initiator.write_message({}).value()));
    initiator_keys = initiator.split_keys().value();
    responder_keys = responder.split_keys().value();
    initiator_hash = initiator.handshake_hash().value();
    responder_hash = responder.handshake_hash().value();
  }
};

// ----- HandshakeState::split_keys ------------------------------------------------------------

// Two runs of the same handshake (fixed static and ephemeral keys) reach the same state, so
// one can be split() and the other split_keys() and their keys compared through encryption.
struct FixedHandshake {
  HandshakeState initiator;
  HandshakeState responder;

  FixedHandshake()
      : initiator(Role::initiator, KeyPair::from_secret_key(filled(1)).value(), {},
                  KeyPair::from_secret_key(filled(2)).value()),
        responder(Role::responder, KeyPair::from_secret_key(filled(3)).value(), {},
                  KeyPair::from_secret_key(filled(4)).value()) {
    EXPECT_TRUE(responder.read_message(initiator.write_message({}).value()));
    EXPECT_TRUE(initiator.read_message(responder.write_message({}).value()));
    EXPECT_TRUE(responder.read_message(initiator.write_message({}).value()));
  }

  static Key32 filled(std::uint8_t value) {
    Key32 key{};
    key.fill(value);
    return key;
  }
};

Bytes encrypt_probe(CipherState& cipher) {
  return cipher.encrypt_with_ad(ascii("ad"), ascii("probe")).value();
}

TEST(HandshakeStateSplitKeys, givesExactlyTheKeysOfSplit) {
  FixedHandshake by_ciphers;
  FixedHandshake by_keys;
  auto initiator_ciphers = by_ciphers.initiator.split().value();
  auto responder_ciphers = by_ciphers.responder.split().value();
  const TransportKeys initiator_keys = by_keys.initiator.split_keys().value();
  const TransportKeys responder_keys = by_keys.responder.split_keys().value();

  CipherState initiator_send(initiator_keys.send);
  CipherState initiator_receive(initiator_keys.receive);
  CipherState responder_send(responder_keys.send);
  CipherState responder_receive(responder_keys.receive);
  EXPECT_EQ(encrypt_probe(initiator_send), encrypt_probe(initiator_ciphers.send));
  EXPECT_EQ(encrypt_probe(initiator_receive), encrypt_probe(initiator_ciphers.receive));
  EXPECT_EQ(encrypt_probe(responder_send), encrypt_probe(responder_ciphers.send));
  EXPECT_EQ(encrypt_probe(responder_receive), encrypt_probe(responder_ciphers.receive));
}

TEST(HandshakeStateSplitKeys, orientsKeysByRole) {
  const Handshake handshake;
  EXPECT_EQ(handshake.initiator_keys.send, handshake.responder_keys.receive);
  EXPECT_EQ(handshake.initiator_keys.receive, handshake.responder_keys.send);
  EXPECT_NE(handshake.initiator_keys.send, handshake.initiator_keys.receive);
}

TEST(HandshakeStateSplitKeys, isAllowedOnceAndOnlyAfterCompletion) {
  HandshakeState initiator{Role::initiator, KeyPair::generate()};
  HandshakeState responder{Role::responder, KeyPair::generate()};
  EXPECT_EQ(initiator.split_keys().error(), Errc::out_of_order);
  ASSERT_TRUE(responder.read_message(initiator.write_message({}).value()));
  ASSERT_TRUE(initiator.read_message(responder.write_message({}).value()));
  ASSERT_TRUE(responder.read_message(initiator.write_message({}).value()));

  EXPECT_TRUE(initiator.split_keys());
  EXPECT_EQ(initiator.split_keys().error(), Errc::out_of_order);
  EXPECT_EQ(initiator.split().error(), Errc::out_of_order);
  EXPECT_TRUE(responder.split());
  EXPECT_EQ(responder.split_keys().error(), Errc::out_of_order);
}

// ----- Records after a real handshake ----------------------------------------------------------

TEST(SecureRecords, carryDataBothWaysAfterHandshake) {
  const Handshake handshake;
  RecordSender initiator_sender(handshake.initiator_keys.send, handshake.initiator_hash);
  RecordSender responder_sender(handshake.responder_keys.send, handshake.responder_hash);
  Sink at_responder(handshake.responder_keys.receive, handshake.responder_hash);
  Sink at_initiator(handshake.initiator_keys.receive, handshake.initiator_hash);

  ASSERT_TRUE(at_responder.feed(initiator_sender.start().value()));
  ASSERT_TRUE(at_initiator.feed(responder_sender.start().value()));
  EXPECT_TRUE(at_responder.receiver.is_confirmed());
  EXPECT_TRUE(at_initiator.receiver.is_confirmed());

  ASSERT_TRUE(at_responder.feed(initiator_sender.seal(ascii("hello responder")).value()));
  ASSERT_TRUE(at_initiator.feed(responder_sender.seal(ascii("hello initiator")).value()));
  ASSERT_TRUE(at_responder.feed(initiator_sender.seal(pattern(100'000)).value()));
  ASSERT_TRUE(at_responder.feed(initiator_sender.close().value()));
  ASSERT_TRUE(at_initiator.feed(responder_sender.close().value()));

  ASSERT_EQ(at_responder.records.size(), 2U);
  EXPECT_EQ(at_responder.records[0], ascii("hello responder"));
  EXPECT_EQ(at_responder.records[1], pattern(100'000));
  ASSERT_EQ(at_initiator.records.size(), 1U);
  EXPECT_EQ(at_initiator.records[0], ascii("hello initiator"));
  EXPECT_TRUE(at_responder.receiver.finish());
  EXPECT_TRUE(at_initiator.receiver.finish());
}

TEST(SecureRecords, addExactlyTheDocumentedOverhead) {
  Direction direction;
  const Bytes prelude = direction.start();
  EXPECT_EQ(prelude.size(),
            kRecordStreamHeaderBytes + kRecordOverheadBytes + kKeyConfirmationBytes);
  const Bytes record = direction.seal("12345");
  ASSERT_EQ(record.size(), kRecordOverheadBytes + 5);
  EXPECT_EQ(record[0], 0);
  EXPECT_EQ(record[3], 5 + kRecordCipherOverheadBytes); // big-endian ciphertext length
}

// ----- Fragmentation and caps ------------------------------------------------------------------

TEST(RecordReceiver, acceptsOneByteFragments) {
  ShortStream stream;
  Sink& sink = stream.direction.sink;
  ASSERT_TRUE(sink.feed_bytewise(stream.all(), kDefaultMaxRecordBytes));
  ASSERT_EQ(sink.records.size(), 2U);
  EXPECT_EQ(sink.records[0], ascii("first record"));
  EXPECT_EQ(sink.records[1], ascii("second"));
  EXPECT_TRUE(sink.receiver.finish());
  EXPECT_EQ(sink.receiver.buffered_bytes(), 0U);
}

TEST(RecordReceiver, acceptsRecordOfExactlyTheDefaultCap) {
  Direction direction;
  const Bytes big = pattern(kDefaultMaxRecordBytes);
  ASSERT_TRUE(direction.sink.feed(direction.start()));
  auto sealed = direction.sender.seal(big);
  ASSERT_TRUE(sealed);
  ASSERT_TRUE(direction.sink.feed_bytewise(sealed.value(), kDefaultMaxRecordBytes));
  ASSERT_EQ(direction.sink.records.size(), 1U);
  EXPECT_EQ(direction.sink.records[0], big);
}

TEST(RecordSender, sealsTheCapAndRefusesOneByteMore) {
  RecordSenderOptions options;
  options.max_record_bytes = 1000;
  Direction direction(options, core::real_clock(), 1000);
  ASSERT_TRUE(direction.sink.feed(direction.start()));
  EXPECT_EQ(direction.sender.seal(pattern(1001)).error(), Errc::record_too_large);
  auto sealed = direction.sender.seal(pattern(1000)); // the refusal left the sender usable
  ASSERT_TRUE(sealed);
  ASSERT_TRUE(direction.sink.feed(sealed.value()));
  ASSERT_EQ(direction.sink.records.size(), 1U);
  EXPECT_EQ(direction.sink.records[0], pattern(1000));
}

TEST(RecordSender, refusesOneByteOverTheDefaultCap) {
  Direction direction;
  (void)direction.start();
  EXPECT_EQ(direction.sender.seal(pattern(kDefaultMaxRecordBytes + 1)).error(),
            Errc::record_too_large);
}

TEST(RecordSender, lowersCapsThatDoNotFitTheLengthPrefix) {
  RecordSenderOptions options;
  options.max_record_bytes = std::numeric_limits<std::uint32_t>::max();
  const RecordSender sender(random_key(), random_hash(), options);
  EXPECT_EQ(sender.max_record_bytes(), kMaxRecordBytesLimit);
}

TEST(RecordReceiver, refusesOneByteOverTheCapFromTheLengthPrefixAlone) {
  RecordSenderOptions options;
  options.max_record_bytes = 1001; // a sender that allows more than its peer's receiver
  Direction direction(options, core::real_clock(), 1000);
  ASSERT_TRUE(direction.sink.feed(direction.start()));
  const Bytes record = direction.sender.seal(pattern(1001)).value();
  // Only the 4 length bytes: the receiver must refuse before it buffers any of the body.
  const auto status = direction.sink.feed(ByteView(record).first(kRecordLengthBytes));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), Errc::record_too_large);
  EXPECT_LE(direction.sink.receiver.buffered_bytes(), kRecordLengthBytes);
  EXPECT_EQ(direction.sink.feed(record).error(), Errc::record_too_large); // stays failed
}

TEST(RecordReceiver, refusesAnnouncedGiantRecordWithoutBuffering) {
  Direction direction;
  ASSERT_TRUE(direction.sink.feed(direction.start()));
  const Bytes length = {0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(direction.sink.feed(concat({length, pattern(1000)})).error(), Errc::record_too_large);
  EXPECT_LE(direction.sink.receiver.buffered_bytes(), kRecordLengthBytes);
}

TEST(RecordReceiver, refusesLengthTooShortForATag) {
  Direction direction;
  ASSERT_TRUE(direction.sink.feed(direction.start()));
  const Bytes length = {0, 0, 0, kRecordCipherOverheadBytes - 1};
  EXPECT_EQ(direction.sink.feed(length).error(), Errc::record_auth_failed);
}

// ----- Tampering -------------------------------------------------------------------------------

// Feeds `wire` and then ends the input; true when the receiver accepted it as a clean stream.
bool ends_cleanly(Sink& sink, ByteView wire) { return sink.feed(wire) && sink.receiver.finish(); }

TEST(RecordReceiver, rejectsAnyFlippedBitInTheHeader) {
  ShortStream stream;
  const Bytes wire = stream.all();
  for (std::size_t bit = 0; bit < kRecordStreamHeaderBytes * 8; ++bit) {
    Bytes tampered = wire;
    tampered[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    Sink sink(stream.direction.key, stream.direction.hash);
    const auto status = sink.feed(tampered);
    ASSERT_FALSE(status) << "bit " << bit;
    EXPECT_EQ(status.error(), Errc::record_auth_failed);
    EXPECT_TRUE(sink.records.empty());
  }
}

TEST(RecordReceiver, rejectsAnyFlippedBitInALengthPrefix) {
  ShortStream stream;
  const std::size_t offset = stream.prelude.size(); // the first data record's length
  for (std::size_t bit = 0; bit < kRecordLengthBytes * 8; ++bit) {
    Bytes tampered = stream.all();
    tampered[offset + bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    Sink sink(stream.direction.key, stream.direction.hash);
    EXPECT_FALSE(ends_cleanly(sink, tampered)) << "bit " << bit;
    EXPECT_TRUE(sink.records.empty()) << "bit " << bit;
  }
}

TEST(RecordReceiver, rejectsAnyFlippedBitInACiphertext) {
  ShortStream stream;
  const std::size_t offset = stream.prelude.size() + kRecordLengthBytes;
  const std::size_t cipher_bytes = stream.first.size() - kRecordLengthBytes;
  for (std::size_t bit = 0; bit < cipher_bytes * 8; ++bit) {
    Bytes tampered = stream.all();
    tampered[offset + bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    Sink sink(stream.direction.key, stream.direction.hash);
    const auto status = sink.feed(tampered);
    ASSERT_FALSE(status) << "bit " << bit;
    EXPECT_EQ(status.error(), Errc::record_auth_failed);
    EXPECT_TRUE(sink.records.empty());
  }
}

TEST(RecordReceiver, rejectsReorderedRecords) {
  ShortStream stream;
  Sink& sink = stream.direction.sink;
  ASSERT_TRUE(sink.feed(stream.prelude));
  EXPECT_EQ(sink.feed(stream.second).error(), Errc::record_auth_failed);
  EXPECT_TRUE(sink.records.empty());
}

TEST(RecordReceiver, rejectsReplayedRecord) {
  ShortStream stream;
  Sink& sink = stream.direction.sink;
  ASSERT_TRUE(sink.feed(concat({stream.prelude, stream.first})));
  EXPECT_EQ(sink.feed(stream.first).error(), Errc::record_auth_failed);
  EXPECT_EQ(sink.records.size(), 1U);
}

TEST(RecordReceiver, rejectsDroppedRecord) {
  ShortStream stream;
  Sink& sink = stream.direction.sink;
  EXPECT_EQ(sink.feed(concat({stream.prelude, stream.first, stream.final})).error(),
            Errc::record_auth_failed);
  EXPECT_FALSE(sink.receiver.finish());
}

TEST(RecordReceiver, rejectsStreamFromAnotherSession) {
  ShortStream ours;
  ShortStream theirs;
  Sink sink(ours.direction.key, ours.direction.hash);
  EXPECT_EQ(sink.feed(theirs.all()).error(), Errc::record_auth_failed);
  EXPECT_TRUE(sink.records.empty());
}

TEST(RecordReceiver, rejectsRecordSplicedFromAnotherSession) {
  ShortStream ours;
  ShortStream theirs;
  Sink& sink = ours.direction.sink;
  ASSERT_TRUE(sink.feed(ours.prelude));
  EXPECT_EQ(sink.feed(theirs.first).error(), Errc::record_auth_failed);
  EXPECT_TRUE(sink.records.empty());
}

TEST(RecordReceiver, failsKeyConfirmationForAnotherHandshakeHash) {
  ShortStream stream;
  Sink sink(stream.direction.key, random_hash());
  EXPECT_EQ(sink.feed(stream.all()).error(), Errc::key_confirmation_failed);
  EXPECT_FALSE(sink.receiver.is_confirmed());
  EXPECT_TRUE(sink.records.empty());
}

TEST(RecordReceiver, failsKeyConfirmationForHashDifferingInLastByte) {
  ShortStream stream;
  Hash64 almost = stream.direction.hash;
  almost.back() ^= 1;
  Sink sink(stream.direction.key, almost);
  EXPECT_EQ(sink.feed(stream.all()).error(), Errc::key_confirmation_failed);
  EXPECT_TRUE(sink.records.empty());
}

TEST(RecordReceiver, staysFailedAfterFirstError) {
  ShortStream stream;
  Sink sink(stream.direction.key, stream.direction.hash);
  const Bytes junk = {0xff, 0xff, 0xff, 0xff};
  ASSERT_TRUE(sink.feed(stream.prelude));
  EXPECT_EQ(sink.feed(junk).error(), Errc::record_too_large);
  EXPECT_EQ(sink.feed(stream.first).error(), Errc::record_too_large);
  EXPECT_EQ(sink.receiver.finish().error(), Errc::record_too_large);
  EXPECT_TRUE(sink.records.empty());
}

// ----- Rekeying --------------------------------------------------------------------------------

TEST(RecordSender, rekeysAfterByteThreshold) {
  RecordSenderOptions options;
  options.rekey_after_bytes = 100;
  Direction direction(options);
  ASSERT_TRUE(direction.sink.feed(direction.start()));
  for (int i = 0; i < 10; ++i) {
    // 30 bytes each: the 4th and the 8th record reach 100 bytes under their key.
    ASSERT_TRUE(direction.sink.feed(direction.sender.seal(pattern(30)).value())) << i;
  }
  EXPECT_EQ(direction.sender.rekeys(), 2U);
  EXPECT_EQ(direction.sink.receiver.rekeys(), 2U);
  ASSERT_EQ(direction.sink.records.size(), 10U);
  EXPECT_EQ(direction.sink.records.back(), pattern(30));
  ASSERT_TRUE(direction.sink.feed(direction.sender.close().value()));
  EXPECT_TRUE(direction.sink.receiver.finish());
}

TEST(RecordSender, rekeysAfterTimeThreshold) {
  ManualClock clock;
  RecordSenderOptions options;
  options.rekey_after_time = 10min;
  Direction direction(options, clock);
  ASSERT_TRUE(direction.sink.feed(direction.start()));
  const auto send = [&](std::string_view text) {
    ASSERT_TRUE(direction.sink.feed(direction.seal(text)));
  };

  send("at start");
  clock.advance(9min);
  send("after 9 minutes");
  EXPECT_EQ(direction.sender.rekeys(), 0U);
  clock.advance(1min);
  send("after 10 minutes");
  EXPECT_EQ(direction.sender.rekeys(), 1U);
  send("right after the rekey");
  EXPECT_EQ(direction.sender.rekeys(), 1U);
  clock.advance(10min);
  send("10 minutes after the rekey");

  EXPECT_EQ(direction.sender.rekeys(), 2U);
  EXPECT_EQ(direction.sink.receiver.rekeys(), 2U);
  ASSERT_EQ(direction.sink.records.size(), 5U);
  EXPECT_EQ(direction.sink.records.back(), ascii("10 minutes after the rekey"));
}

TEST(RecordSender, defaultThresholdsDoNotRekeyShortStreams) {
  ManualClock clock;
  Direction direction({}, clock);
  ASSERT_TRUE(direction.sink.feed(direction.start()));
  ASSERT_TRUE(direction.sink.feed(direction.sender.seal(pattern(kDefaultMaxRecordBytes)).value()));
  clock.advance(kDefaultRekeyInterval - 1s);
  ASSERT_TRUE(direction.sink.feed(direction.seal("still the first key")));
  EXPECT_EQ(direction.sender.rekeys(), 0U);
  EXPECT_EQ(direction.sink.receiver.rekeys(), 0U);
}

// ----- Start, close and truncation -------------------------------------------------------------

TEST(RecordSender, refusesToSealBeforeStart) {
  Direction direction;
  EXPECT_EQ(direction.sender.seal(ascii("early")).error(), Errc::out_of_order);
  EXPECT_EQ(direction.sender.close().error(), Errc::out_of_order);
  EXPECT_TRUE(direction.sender.start());
  EXPECT_EQ(direction.sender.start().error(), Errc::out_of_order);
}

TEST(RecordSender, sealsNothingAfterClose) {
  Direction direction;
  (void)direction.start();
  ASSERT_TRUE(direction.sender.close());
  EXPECT_TRUE(direction.sender.is_closed());
  EXPECT_EQ(direction.sender.seal(ascii("late")).error(), Errc::out_of_order);
  EXPECT_EQ(direction.sender.close().error(), Errc::out_of_order);
}

TEST(RecordReceiver, reportsCleanEndAfterFinal) {
  ShortStream stream;
  Sink& sink = stream.direction.sink;
  ASSERT_TRUE(sink.feed(stream.all()));
  EXPECT_TRUE(sink.receiver.received_final());
  EXPECT_TRUE(sink.receiver.finish());
  EXPECT_TRUE(sink.feed({})); // no bytes after FINAL is still fine
}

TEST(RecordReceiver, reportsEndWithoutFinalAsTruncated) {
  ShortStream stream;
  Sink& sink = stream.direction.sink;
  ASSERT_TRUE(sink.feed(concat({stream.prelude, stream.first, stream.second})));
  EXPECT_EQ(sink.records.size(), 2U);
  EXPECT_EQ(sink.receiver.finish().error(), Errc::stream_truncated);
}

TEST(RecordReceiver, neverReportsCleanEndForAnyTruncation) {
  ShortStream stream;
  const Bytes wire = stream.all();
  for (std::size_t cut = 0; cut < wire.size(); ++cut) {
    Sink sink(stream.direction.key, stream.direction.hash);
    const auto fed = sink.feed(ByteView(wire).first(cut));
    const auto end = sink.receiver.finish();
    ASSERT_FALSE(end) << "cut at " << cut;
    if (fed) {
      EXPECT_EQ(end.error(), Errc::stream_truncated) << "cut at " << cut;
    }
  }
}

TEST(RecordReceiver, rejectsDataAfterFinal) {
  ShortStream stream;
  {
    Sink& sink = stream.direction.sink;
    ASSERT_TRUE(sink.feed(stream.all()));
    const Bytes extra = {0};
    EXPECT_EQ(sink.feed(extra).error(), Errc::data_after_final);
    EXPECT_EQ(sink.receiver.finish().error(), Errc::data_after_final);
  }
  {
    Sink sink(stream.direction.key, stream.direction.hash);
    EXPECT_EQ(sink.feed(concat({stream.all(), stream.second})).error(), Errc::data_after_final);
  }
}

TEST(RecordReceiver, deliversNoEmptyRecords) {
  Direction direction;
  ASSERT_TRUE(direction.sink.feed(direction.start()));
  ASSERT_TRUE(direction.sink.feed(direction.seal("")));
  ASSERT_TRUE(direction.sink.feed(direction.sender.close().value()));
  EXPECT_TRUE(direction.sink.records.empty());
  EXPECT_TRUE(direction.sink.receiver.finish());
}

// ----- Fuzz seeds ------------------------------------------------------------------------------

// The seeds of fuzz/fuzz_record_decode.cpp: streams made with the fuzzer's fixed key and hash
// (the same constants as there) must decode, so the fuzzer starts from valid input. With
// SWARMSHARE_WRITE_RECORD_SEEDS naming a directory the seeds are also written there, each as
// one fragmentation byte then the stream. Regenerate with:
//   SWARMSHARE_WRITE_RECORD_SEEDS=fuzz/seeds/record <build>/bin/crypto_record_tests
//     --gtest_filter='RecordFuzzSeeds.*'   (from the source root, one command line)
TEST(RecordFuzzSeeds, fixedKeyStreamsDecodeAndAreWrittenWhenAsked) {
  // Tests run single-threaded here, so nothing can change the environment while we read it.
  const char* dir = std::getenv("SWARMSHARE_WRITE_RECORD_SEEDS"); // NOLINT(concurrency-mt-unsafe)
  Key32 key{};
  Hash64 hash{};
  for (std::size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<std::uint8_t>(i);
  }
  for (std::size_t i = 0; i < hash.size(); ++i) {
    hash[i] = static_cast<std::uint8_t>(0x40 + i);
  }
  const auto write = [&](const std::string& name, std::uint8_t fragment, ByteView stream) {
    Sink check(key, hash, 4096);
    ASSERT_TRUE(check.feed(stream)) << name;
    EXPECT_FALSE(check.records.empty()) << name;
    if (dir == nullptr) {
      return;
    }
    std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary);
    out.put(static_cast<char>(fragment));
    out.write(reinterpret_cast<const char*>(stream.data()),
              static_cast<std::streamsize>(stream.size()));
    ASSERT_TRUE(out.good());
  };

  RecordSender clean(key, hash);
  const Bytes prelude = clean.start().value();
  write("clean.bin", 63,
        concat({prelude, clean.seal(ascii("hello records")).value(), clean.close().value()}));

  RecordSenderOptions every_record;
  every_record.rekey_after_bytes = 0;
  RecordSender rekeying(key, hash, every_record);
  const Bytes rekey_prelude = rekeying.start().value();
  write("rekey.bin", 6,
        concat({rekey_prelude, rekeying.seal(ascii("a")).value(),
                rekeying.seal(ascii("bc")).value(), rekeying.close().value()}));

  RecordSender open_ended(key, hash);
  const Bytes open_prelude = open_ended.start().value();
  write("no_final.bin", 0, concat({open_prelude, open_ended.seal(ascii("no final")).value()}));
}

} // namespace
} // namespace swarmshare::crypto
