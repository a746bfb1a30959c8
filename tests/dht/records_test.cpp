// Peer records, signed records and keyword records: signing, verifying, refusing.

#include "swarmshare/dht/error.hpp"

#include "dht_test_values.hpp"
#include "swarmshare/dht/records.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace swarmshare::dht {
namespace {

using test_values::file_with_byte;
using test_values::identity_from;

using namespace std::chrono_literals;

core::Endpoint v4(std::uint8_t last, std::uint16_t port) {
  return core::Endpoint::ipv4({192, 0, 2, last}, port);
}

core::Endpoint v6(std::uint16_t port) {
  core::Endpoint::Bytes16 address{0x20, 0x01, 0x0d, 0xb8};
  address[15] = 1;
  return core::Endpoint::ipv6(address, port);
}

class PeerRecords : public ::testing::Test {
protected:
  core::ManualClock clock{std::chrono::system_clock::time_point{1'800'000'000s}};
  crypto::NetworkId network = crypto::NetworkId::public_network();
  crypto::Identity alice = identity_from(1);
  crypto::Identity bob = identity_from(2);

  PeerRecord alice_record() {
    return make_peer_record(alice, network, file_with_byte(0x44), {v4(7, 7070), v6(7071)}, clock)
        .value();
  }
};

TEST_F(PeerRecords, signedRecordVerifiesAndNamesItsSigner) {
  const PeerRecord record = alice_record();
  EXPECT_EQ(record.peer, alice.peer_id());
  EXPECT_EQ(record.issued, 1'800'000'000U);
  EXPECT_TRUE(verify_peer_record(record, network, clock));
}

TEST_F(PeerRecords, refusesPeerRecordSignedByAnotherPeer) {
  PeerRecord record = alice_record();
  record.peer = bob.peer_id(); // Alice's signature, Bob's name
  EXPECT_EQ(verify_peer_record(record, network, clock).error(), Errc::bad_signature);
}

TEST_F(PeerRecords, refusesPeerRecordWithAnyFieldChanged) {
  const PeerRecord original = alice_record();
  auto expect_refused = [&](PeerRecord changed, const char* what) {
    EXPECT_EQ(verify_peer_record(changed, network, clock).error(), Errc::bad_signature) << what;
  };
  PeerRecord r = original;
  r.signature[10] ^= 1U;
  expect_refused(r, "signature");
  r = original;
  core::Hash256 digest = r.file_id.bytes();
  digest[31] ^= 1U;
  r.file_id = core::FileId{digest};
  expect_refused(r, "file id");
  r = original;
  r.endpoints[0] = v4(8, 7070);
  expect_refused(r, "address");
  r = original;
  r.endpoints[1] = v6(7072);
  expect_refused(r, "port");
  r = original;
  r.endpoints.pop_back();
  expect_refused(r, "endpoint removed");
  r = original;
  r.issued += 1;
  expect_refused(r, "issue time");
}

TEST_F(PeerRecords, refusesPeerRecordSignedForAnotherNetwork) {
  const PeerRecord record = alice_record();
  EXPECT_EQ(verify_peer_record(record, crypto::NetworkId::from_name("private"), clock).error(),
            Errc::bad_signature);
}

TEST_F(PeerRecords, peerRecordExpiresTwoHoursAfterItsIssueTime) {
  const PeerRecord record = alice_record();
  clock.advance(2h - 1s);
  EXPECT_TRUE(verify_peer_record(record, network, clock));
  clock.advance(1s);
  EXPECT_EQ(verify_peer_record(record, network, clock).error(), Errc::record_expired);
}

TEST_F(PeerRecords, refusesPeerRecordIssuedBeyondTheClockSkew) {
  core::ManualClock future{clock.system_now() + kMaxClockSkew + 1s};
  const PeerRecord record =
      make_peer_record(alice, network, file_with_byte(1), {v4(1, 1)}, future).value();
  EXPECT_EQ(verify_peer_record(record, network, clock).error(), Errc::record_from_future);
  clock.advance(1s); // now exactly at the skew limit
  EXPECT_TRUE(verify_peer_record(record, network, clock));
}

TEST_F(PeerRecords, refusesToSignNoEndpointsTooManyOrPortZero) {
  const auto file = file_with_byte(1);
  EXPECT_EQ(make_peer_record(alice, network, file, {}, clock).error(), Errc::invalid_message);
  EXPECT_EQ(make_peer_record(alice, network, file,
                             {v4(1, 1), v4(2, 1), v4(3, 1), v4(4, 1), v4(5, 1)}, clock)
                .error(),
            Errc::invalid_message);
  EXPECT_TRUE(make_peer_record(alice, network, file, {v4(1, 1), v4(2, 1), v4(3, 1), v6(1)}, clock));
  EXPECT_EQ(make_peer_record(alice, network, file, {v4(1, 0)}, clock).error(),
            Errc::invalid_message);
}

TEST_F(PeerRecords, signedMessageStartsWithItsDomainLabelAndTheNetwork) {
  const PeerRecord record = alice_record();
  const Bytes message = peer_record_signed_message(record, network);
  const std::string label = "swarmshare dht peer record v1";
  ASSERT_GT(message.size(), label.size() + 32);
  EXPECT_EQ(std::string(message.begin(), message.begin() + static_cast<long>(label.size())), label);
  EXPECT_TRUE(std::equal(network.bytes().begin(), network.bytes().end(),
                         message.begin() + static_cast<long>(label.size())));
  // The record's signature is over exactly these bytes.
  EXPECT_TRUE(crypto::verify_signature(alice.peer_id(), message, record.signature));
}

// ---- Generic signed records ----

class SignedRecords : public PeerRecords {
protected:
  SignedRecord alice_signed() {
    return make_signed_record(alice, network, NodeId::of_word("holiday"), Bytes{1, 2, 3}, 5,
                              Bytes(1000, 0x5A))
        .value();
  }
};

TEST_F(SignedRecords, signedRecordOfTheLargestValueVerifies) {
  const SignedRecord record = alice_signed();
  EXPECT_EQ(record.signer, alice.peer_id());
  EXPECT_TRUE(verify_signed_record(record, network));
}

TEST_F(SignedRecords, refusesSignedRecordClaimedByAnotherSigner) {
  SignedRecord record = alice_signed();
  record.signer = bob.peer_id();
  EXPECT_EQ(verify_signed_record(record, network).error(), Errc::bad_signature);
}

TEST_F(SignedRecords, refusesSignedRecordWithAnyFieldChanged) {
  const SignedRecord original = alice_signed();
  SignedRecord r = original;
  r.value[999] ^= 1U;
  EXPECT_EQ(verify_signed_record(r, network).error(), Errc::bad_signature);
  r = original;
  r.seq = 6;
  EXPECT_EQ(verify_signed_record(r, network).error(), Errc::bad_signature);
  r = original;
  r.salt.push_back(4);
  EXPECT_EQ(verify_signed_record(r, network).error(), Errc::bad_signature);
  r = original;
  r.target = NodeId::of_word("video");
  EXPECT_EQ(verify_signed_record(r, network).error(), Errc::bad_signature);
  r = original;
  r.signature[63] ^= 0x80U;
  EXPECT_EQ(verify_signed_record(r, network).error(), Errc::bad_signature);
}

TEST_F(SignedRecords, refusesValuesAndSaltsOverTheirLimits) {
  const auto target = NodeId::of_word("x");
  EXPECT_EQ(make_signed_record(alice, network, target, {}, 1, Bytes(1001, 0)).error(),
            Errc::invalid_message);
  EXPECT_EQ(make_signed_record(alice, network, target, Bytes(65, 0), 1, {}).error(),
            Errc::invalid_message);
  SignedRecord record = make_signed_record(alice, network, target, Bytes(64, 0), 1, {}).value();
  EXPECT_TRUE(verify_signed_record(record, network));
  record.value.resize(1001);
  EXPECT_EQ(verify_signed_record(record, network).error(), Errc::invalid_message);
}

// ---- Keywords ----

TEST(KeywordWords, splitsLikeTheTrackerAtEveryNonAlphanumericByte) {
  EXPECT_EQ(split_words("Holiday-Video 2026.bin"),
            (std::vector<std::string>{"holiday", "video", "2026", "bin"}));
  EXPECT_EQ(split_words("a_b..A"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(split_words(" -- ").empty());
  // Bytes of multi-byte UTF-8 characters count as letters: "Größe" stays one word.
  EXPECT_EQ(split_words("Gr\xC3\xB6\xC3\x9F"
                        "e!"),
            (std::vector<std::string>{"gr\xC3\xB6\xC3\x9F"
                                      "e"}));
}

TEST(KeywordWords, cutsLongWordsAndCapsTheWordCount) {
  const auto words = split_words(std::string(100, 'A'));
  ASSERT_EQ(words.size(), 1U);
  EXPECT_EQ(words[0], std::string(kMaxWordBytes, 'a'));
  std::string many;
  for (int i = 0; i < 100; ++i) {
    many += "w" + std::to_string(i) + " ";
  }
  EXPECT_EQ(split_words(many).size(), kMaxWordsPerName);
}

TEST(KeywordWords, normalizedWordsAreExactlyWhatSplitGives) {
  EXPECT_TRUE(is_normalized_word("holiday"));
  EXPECT_TRUE(is_normalized_word("2026"));
  EXPECT_FALSE(is_normalized_word(""));
  EXPECT_FALSE(is_normalized_word("Holiday"));
  EXPECT_FALSE(is_normalized_word("two words"));
  EXPECT_FALSE(is_normalized_word(std::string(kMaxWordBytes + 1, 'a')));
}

class KeywordRecords : public PeerRecords {
protected:
  KeywordEntry entry{file_with_byte(0x33), 734'003'200, "Holiday video.mkv"};
};

TEST_F(KeywordRecords, keywordRecordLivesUnderTheWordSaltedWithTheFileId) {
  const SignedRecord record = make_keyword_record(alice, network, "holiday", entry, 9).value();
  EXPECT_EQ(record.target, NodeId::of_word("holiday"));
  EXPECT_EQ(record.salt, Bytes(entry.file_id.bytes().begin(), entry.file_id.bytes().end()));
  EXPECT_EQ(record.seq, 9U);
  EXPECT_TRUE(verify_signed_record(record, network));
  EXPECT_EQ(read_keyword_record(record).value(), entry);
}

TEST_F(KeywordRecords, refusesAWordThatIsNotNormalized) {
  EXPECT_EQ(make_keyword_record(alice, network, "Holiday", entry, 1).error(), Errc::invalid_word);
  EXPECT_EQ(make_keyword_record(alice, network, "", entry, 1).error(), Errc::invalid_word);
}

TEST_F(KeywordRecords, refusesAKeywordRecordWhoseSaltIsAnotherFile) {
  SignedRecord record = make_keyword_record(alice, network, "holiday", entry, 1).value();
  record.salt[0] ^= 1U;
  EXPECT_EQ(read_keyword_record(record).error(), Errc::invalid_keyword_value);
}

TEST_F(KeywordRecords, refusesValuesThatAreNotKeywordValues) {
  const Bytes value = encode_keyword_value(entry).value();
  EXPECT_EQ(decode_keyword_value(value).value(), entry);
  Bytes trailing = value;
  trailing.push_back(0);
  EXPECT_EQ(decode_keyword_value(trailing).error(), Errc::invalid_keyword_value);
  const Bytes truncated(value.begin(), value.end() - 1);
  EXPECT_EQ(decode_keyword_value(truncated).error(), Errc::invalid_keyword_value);
  EXPECT_EQ(decode_keyword_value(Bytes{0x90}).error(), Errc::invalid_keyword_value);
  EXPECT_EQ(decode_keyword_value(Bytes{}).error(), Errc::invalid_keyword_value);
}

TEST_F(KeywordRecords, cutsLongNamesOnACharacterBoundary) {
  KeywordEntry long_name = entry;
  long_name.name = std::string(254, 'a') + "\xC3\xA9" + "tail"; // é straddles byte 255
  const auto decoded = decode_keyword_value(encode_keyword_value(long_name).value()).value();
  EXPECT_EQ(decoded.name, std::string(254, 'a'));
  long_name.name = "\xFF";
  EXPECT_EQ(encode_keyword_value(long_name).error(), Errc::invalid_message);
}

} // namespace
} // namespace swarmshare::dht
