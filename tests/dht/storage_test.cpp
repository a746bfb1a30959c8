// What a node stores for others: verified records only, newest kept, bounded by quotas.

#include "swarmshare/dht/storage.hpp"

#include "dht_test_values.hpp"

#include "swarmshare/dht/error.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace swarmshare::dht {
namespace {

using test_values::file_with_byte;
using test_values::id_with_byte;
using test_values::identity_from;

using namespace std::chrono_literals;

const crypto::NetworkId kNetwork = crypto::NetworkId::public_network();

core::Endpoint v4(std::uint8_t last, std::uint16_t port = 7070) {
  return core::Endpoint::ipv4({203, 0, 113, last}, port);
}

core::Endpoint v6(std::uint8_t subnet, std::uint8_t last) {
  core::Endpoint::Bytes16 address{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, subnet};
  address[15] = last;
  return core::Endpoint::ipv6(address, 7070);
}

class StorageTest : public ::testing::Test {
protected:
  core::ManualClock clock{std::chrono::system_clock::time_point{1'800'000'000s}};
  crypto::Identity alice = identity_from(1);
  crypto::Identity bob = identity_from(2);
  core::FileId file = file_with_byte(0x44);

  PeerRecord peer_record(const crypto::Identity& who, const core::FileId& id) {
    return make_peer_record(who, kNetwork, id, {v4(9)}, clock).value();
  }
  SignedRecord signed_record(const crypto::Identity& who, std::uint64_t seq, std::uint8_t salt = 0,
                             const NodeId& target = id_with_byte(7)) {
    return make_signed_record(who, kNetwork, target, Bytes{salt}, seq, Bytes{1, 2, 3}).value();
  }
  [[nodiscard]] Storage::TimePoint now() const { return clock.system_now(); }
};

TEST_F(StorageTest, storesAVerifiedPeerRecordAndReturnsIt) {
  Storage storage{kNetwork};
  const auto record = peer_record(alice, file);
  EXPECT_EQ(storage.store_peer(record, v4(1), now()).outcome, StoreOutcome::stored);
  EXPECT_EQ(storage.peers_for(file, 8, now()), std::vector<PeerRecord>{record});
  EXPECT_TRUE(storage.peers_for(file_with_byte(0x45), 8, now()).empty());
  EXPECT_EQ(storage.stats().peer_records, 1U);
}

TEST_F(StorageTest, refusesAPeerRecordWhoseSignatureDoesNotVerify) {
  Storage storage{kNetwork};
  auto record = peer_record(alice, file);
  record.endpoints.front() = v4(10); // not what alice signed
  const auto result = storage.store_peer(record, v4(1), now());
  EXPECT_EQ(result.outcome, StoreOutcome::invalid_record);
  EXPECT_EQ(result.error, Errc::bad_signature);
  EXPECT_TRUE(storage.peers_for(file, 8, now()).empty());
  EXPECT_EQ(storage.stats().files, 0U); // a refusal leaves no empty list behind
}

TEST_F(StorageTest, newerIssueTimeReplacesAndOlderIsStale) {
  Storage storage{kNetwork};
  const auto first = peer_record(alice, file);
  clock.advance(60s);
  const auto second = peer_record(alice, file);
  ASSERT_TRUE(storage.store_peer(second, v4(1), now()).accepted());
  EXPECT_EQ(storage.store_peer(first, v4(1), now()).outcome, StoreOutcome::stale);
  EXPECT_EQ(storage.store_peer(second, v4(1), now()).outcome, StoreOutcome::unchanged);
  clock.advance(60s);
  EXPECT_EQ(storage.store_peer(peer_record(alice, file), v4(1), now()).outcome,
            StoreOutcome::replaced);
  EXPECT_EQ(storage.stats().peer_records, 1U);
}

TEST_F(StorageTest, expiredPeerRecordsAreNotReturned) {
  Storage storage{kNetwork};
  ASSERT_TRUE(storage.store_peer(peer_record(alice, file), v4(1), now()).accepted());
  clock.advance(kPeerRecordLifetime - 1s);
  EXPECT_EQ(storage.peers_for(file, 8, now()).size(), 1U);
  clock.advance(1s);
  EXPECT_TRUE(storage.peers_for(file, 8, now()).empty());
  EXPECT_EQ(storage.expire(now()), 1U);
  EXPECT_EQ(storage.stats().peer_records, 0U);
  EXPECT_EQ(storage.stats().files, 0U);
}

TEST_F(StorageTest, fullFileKeepsTheMostRecentRecords) {
  StorageOptions options;
  options.max_peer_records_per_file = 2;
  Storage storage{kNetwork, options};
  const auto carol = identity_from(3);
  const auto old_alice = peer_record(alice, file);
  clock.advance(10s);
  ASSERT_TRUE(storage.store_peer(peer_record(bob, file), v4(1), now()).accepted());
  clock.advance(10s);
  ASSERT_TRUE(storage.store_peer(peer_record(carol, file), v4(2), now()).accepted());
  // Older than everything stored: refused. Newer: evicts the oldest (bob's).
  EXPECT_EQ(storage.store_peer(old_alice, v4(3), now()).outcome, StoreOutcome::key_full);
  clock.advance(10s);
  const auto new_alice = peer_record(alice, file);
  EXPECT_EQ(storage.store_peer(new_alice, v4(3), now()).outcome, StoreOutcome::stored);
  const auto live = storage.peers_for(file, 8, now());
  ASSERT_EQ(live.size(), 2U);
  EXPECT_EQ(live[0], new_alice); // the most recently issued first
  EXPECT_EQ(live[1].peer, carol.peer_id());
}

TEST_F(StorageTest, quotaPerSourceAddressCapsStoredRecords) {
  StorageOptions options;
  options.max_peer_records_per_source = 2;
  Storage storage{kNetwork, options};
  ASSERT_TRUE(
      storage.store_peer(peer_record(alice, file_with_byte(1)), v4(1, 1000), now()).accepted());
  ASSERT_TRUE(
      storage.store_peer(peer_record(alice, file_with_byte(2)), v4(1, 2000), now()).accepted());
  // Another port of the same address counts against the same quota.
  EXPECT_EQ(storage.store_peer(peer_record(alice, file_with_byte(3)), v4(1, 3000), now()).outcome,
            StoreOutcome::source_full);
  EXPECT_TRUE(storage.store_peer(peer_record(alice, file_with_byte(3)), v4(2), now()).accepted());
  // IPv6 sources are counted per /64.
  ASSERT_TRUE(storage.store_peer(peer_record(bob, file_with_byte(1)), v6(1, 1), now()).accepted());
  ASSERT_TRUE(storage.store_peer(peer_record(bob, file_with_byte(2)), v6(1, 2), now()).accepted());
  EXPECT_EQ(storage.store_peer(peer_record(bob, file_with_byte(3)), v6(1, 3), now()).outcome,
            StoreOutcome::source_full);
  EXPECT_TRUE(storage.store_peer(peer_record(bob, file_with_byte(3)), v6(2, 3), now()).accepted());
  // Expiry gives the quota back.
  clock.advance(kPeerRecordLifetime);
  EXPECT_EQ(storage.expire(now()), 6U);
  EXPECT_TRUE(storage.store_peer(peer_record(alice, file_with_byte(4)), v4(1), now()).accepted());
}

TEST_F(StorageTest, nodeQuotaRefusesNewRecordsButNotUpdates) {
  StorageOptions options;
  options.max_peer_records = 1;
  Storage storage{kNetwork, options};
  ASSERT_TRUE(storage.store_peer(peer_record(alice, file), v4(1), now()).accepted());
  EXPECT_EQ(storage.store_peer(peer_record(bob, file), v4(2), now()).outcome,
            StoreOutcome::node_full);
  clock.advance(1s);
  EXPECT_EQ(storage.store_peer(peer_record(alice, file), v4(1), now()).outcome,
            StoreOutcome::replaced);
}

TEST_F(StorageTest, peersForReturnsAtMostOneReplyOfRecords) {
  Storage storage{kNetwork};
  for (std::uint8_t i = 10; i < 22; ++i) {
    ASSERT_TRUE(storage.store_peer(peer_record(identity_from(i), file), v4(i), now()).accepted());
  }
  EXPECT_EQ(storage.peers_for(file, 100, now()).size(), kMaxRecordsPerReply);
  EXPECT_EQ(storage.peers_for(file, 3, now()).size(), 3U);
}

TEST_F(StorageTest, storesAndReturnsASignedRecord) {
  Storage storage{kNetwork};
  const auto record = signed_record(alice, 1);
  EXPECT_EQ(storage.store_signed(record, v4(1), now()).outcome, StoreOutcome::stored);
  EXPECT_EQ(storage.records_for(record.target, 8, now()), std::vector<SignedRecord>{record});
  EXPECT_TRUE(storage.records_for(id_with_byte(8), 8, now()).empty());
}

TEST_F(StorageTest, forgedSignedRecordIsRefused) {
  Storage storage{kNetwork};
  auto record = signed_record(alice, 1);
  record.value.push_back(4);
  const auto result = storage.store_signed(record, v4(1), now());
  EXPECT_EQ(result.outcome, StoreOutcome::invalid_record);
  EXPECT_EQ(result.error, Errc::bad_signature);
  EXPECT_EQ(storage.stats().targets, 0U);
}

TEST_F(StorageTest, higherSequenceNumberReplaces) {
  Storage storage{kNetwork};
  ASSERT_TRUE(storage.store_signed(signed_record(alice, 1), v4(1), now()).accepted());
  const auto newer = signed_record(alice, 2);
  EXPECT_EQ(storage.store_signed(newer, v4(1), now()).outcome, StoreOutcome::replaced);
  EXPECT_EQ(storage.records_for(newer.target, 8, now()), std::vector<SignedRecord>{newer});
}

TEST_F(StorageTest, olderSequenceNumberDoesNotReplace) {
  Storage storage{kNetwork};
  const auto stored = signed_record(alice, 5);
  ASSERT_TRUE(storage.store_signed(stored, v4(1), now()).accepted());
  EXPECT_EQ(storage.store_signed(signed_record(alice, 4), v4(1), now()).outcome,
            StoreOutcome::stale);
  // The same seq with another value is stale too: a signer must count up.
  const auto same_seq =
      make_signed_record(alice, kNetwork, stored.target, stored.salt, 5, Bytes{9}).value();
  EXPECT_EQ(storage.store_signed(same_seq, v4(1), now()).outcome, StoreOutcome::stale);
  EXPECT_EQ(storage.records_for(stored.target, 8, now()), std::vector<SignedRecord>{stored});
}

TEST_F(StorageTest, differentSaltsAndSignersAreSeparateRecords) {
  Storage storage{kNetwork};
  ASSERT_TRUE(storage.store_signed(signed_record(alice, 1, 1), v4(1), now()).accepted());
  ASSERT_TRUE(storage.store_signed(signed_record(alice, 1, 2), v4(1), now()).accepted());
  ASSERT_TRUE(storage.store_signed(signed_record(bob, 1, 1), v4(1), now()).accepted());
  EXPECT_EQ(storage.records_for(id_with_byte(7), 8, now()).size(), 3U);
}

TEST_F(StorageTest, signedRecordsExpireAfterTheirLifetimeUnlessRepublished) {
  Storage storage{kNetwork};
  const auto kept = signed_record(alice, 1, 1);
  ASSERT_TRUE(storage.store_signed(kept, v4(1), now()).accepted());
  ASSERT_TRUE(storage.store_signed(signed_record(alice, 1, 2), v4(1), now()).accepted());
  clock.advance(1h);
  EXPECT_EQ(storage.store_signed(kept, v4(1), now()).outcome, StoreOutcome::unchanged);
  clock.advance(1h);
  EXPECT_EQ(storage.records_for(kept.target, 8, now()), std::vector<SignedRecord>{kept});
  EXPECT_EQ(storage.expire(now()), 1U);
  clock.advance(1h);
  EXPECT_EQ(storage.expire(now()), 1U);
  EXPECT_EQ(storage.stats().signed_records, 0U);
  EXPECT_EQ(storage.stats().targets, 0U);
}

TEST_F(StorageTest, signedQuotaPerSourceAddressCapsStoredRecords) {
  StorageOptions options;
  options.max_signed_records_per_source = 1;
  Storage storage{kNetwork, options};
  ASSERT_TRUE(storage.store_signed(signed_record(alice, 1, 1), v4(1), now()).accepted());
  EXPECT_EQ(storage.store_signed(signed_record(alice, 1, 2), v4(1), now()).outcome,
            StoreOutcome::source_full);
  // Updating the record it holds is still fine.
  EXPECT_TRUE(storage.store_signed(signed_record(alice, 2, 1), v4(1), now()).accepted());
}

TEST_F(StorageTest, fullTargetEvictsTheLeastRecentlyStored) {
  StorageOptions options;
  options.max_signed_records_per_target = 2;
  options.max_signed_records = 2;
  Storage storage{kNetwork, options};
  ASSERT_TRUE(storage.store_signed(signed_record(alice, 1, 1), v4(1), now()).accepted());
  clock.advance(1s);
  const auto second = signed_record(alice, 1, 2);
  ASSERT_TRUE(storage.store_signed(second, v4(1), now()).accepted());
  clock.advance(1s);
  const auto third = signed_record(alice, 1, 3);
  EXPECT_EQ(storage.store_signed(third, v4(1), now()).outcome, StoreOutcome::stored);
  EXPECT_EQ(storage.records_for(third.target, 8, now()),
            (std::vector<SignedRecord>{third, second}));
  // Another target finds the node quota used.
  EXPECT_EQ(storage.store_signed(signed_record(bob, 1, 1, id_with_byte(9)), v4(2), now()).outcome,
            StoreOutcome::node_full);
}

} // namespace
} // namespace swarmshare::dht
