// Name search over the DHT: keyword records put on the nodes closest to each word, and
// searches by the longest word of a query, filtered locally, on a small simulated network.

#include "swarmshare/dht/keyword_index.hpp"
#include "swarmshare/dht/node.hpp"

#include "dht_test_values.hpp"
#include "simulated_dht.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;
using test_values::file_with_byte;
using test_values::identity_from;

constexpr std::size_t kNodes = 30;

SimOptions lossless() {
  SimOptions options;
  options.loss = 0.0; // these tests are about what is stored and found, not about loss
  return options;
}

KeywordEntry entry(std::uint8_t file_byte, std::string name, std::uint64_t size = 1000) {
  return KeywordEntry{file_with_byte(file_byte), size, std::move(name)};
}

class KeywordIndexTest : public ::testing::Test {
protected:
  void SetUp() override { dht_.join_all(100ms, 5s); }

  Node& node(std::size_t index) { return *dht_.members().at(index)->node; }

  std::size_t publish(std::size_t from, const crypto::Identity& identity,
                      const KeywordEntry& published, std::uint64_t seq = 1000) {
    std::optional<std::size_t> words_stored;
    publish_keywords(node(from), identity, published, seq,
                     [&words_stored](std::size_t count) { words_stored = count; });
    dht_.network().run_for(10s);
    EXPECT_TRUE(words_stored.has_value());
    return words_stored.value_or(0);
  }

  std::optional<core::Result<std::vector<KeywordHit>>>
  search(std::size_t from, std::string_view text, std::size_t limit = 50) {
    std::optional<core::Result<std::vector<KeywordHit>>> found;
    search_keywords(node(from), text, limit, [&found](core::Result<std::vector<KeywordHit>> hits) {
      found.emplace(std::move(hits));
    });
    dht_.network().run_for(10s);
    return found;
  }

  static std::vector<std::string> names_of(const std::vector<KeywordHit>& hits) {
    std::vector<std::string> names;
    for (const auto& hit : hits) {
      names.push_back(hit.entry.name);
    }
    return names;
  }

  sim::SimulatedDht dht_{kNodes, 11, lossless()};
  crypto::Identity alice_ = identity_from(1);
  crypto::Identity bob_ = identity_from(2);
  crypto::Identity carol_ = identity_from(3);
};

TEST_F(KeywordIndexTest, putStoresRecordOnClosestNodes) {
  const NodeId target = test_values::id_with_byte(0x3c);
  auto record = make_signed_record(alice_, node(5).network(), target, {0x01}, 7, {0xaa, 0xbb});
  ASSERT_TRUE(record);
  std::optional<std::size_t> stored;
  node(5).put(record.value(), [&stored](std::size_t count) { stored = count; });
  dht_.network().run_for(10s);
  ASSERT_TRUE(stored.has_value());
  EXPECT_GE(*stored, 1U);

  // The nodes other than the putter, closest to the target first: the record must be on
  // the closest of them, and on none beyond the lookup's k.
  std::vector<Node*> others;
  for (std::size_t i = 0; i < kNodes; ++i) {
    if (i != 5) {
      others.push_back(&node(i));
    }
  }
  std::sort(others.begin(), others.end(),
            [&target](Node* a, Node* b) { return closer(target, a->id(), b->id()); });
  const auto now = dht_.network().clock().system_now();
  std::size_t holders = 0;
  for (std::size_t i = 0; i < others.size(); ++i) {
    const auto held = others[i]->storage().records_for(target, 8, now);
    const bool holds = held.size() == 1 && held.front() == record.value();
    if (i == 0) {
      EXPECT_TRUE(holds) << "the closest node does not hold the record";
    }
    if (i >= LookupOptions{}.k) {
      EXPECT_FALSE(holds) << "node " << i << " from the target holds the record";
    }
    holders += holds ? 1 : 0;
  }
  EXPECT_EQ(holders, *stored);
}

TEST_F(KeywordIndexTest, publishStoresEveryWordOfTheName) {
  EXPECT_EQ(publish(3, alice_, entry(0x10, "Holiday-Video 2026.bin")), 4U);
}

TEST_F(KeywordIndexTest, publishOfANameWithoutWordsStoresNothing) {
  std::optional<std::size_t> words_stored;
  publish_keywords(node(3), alice_, entry(0x10, "--- ..."), 1000,
                   [&words_stored](std::size_t count) { words_stored = count; });
  EXPECT_FALSE(words_stored.has_value()) << "called back inside the call";
  dht_.network().run_for(1s);
  EXPECT_EQ(words_stored, std::optional<std::size_t>{0});
}

TEST_F(KeywordIndexTest, searchFindsFileByOneWordOfItsName) {
  const auto published = entry(0x10, "Holiday-Video 2026.bin", 123'456);
  ASSERT_EQ(publish(3, alice_, published), 4U);

  const auto found = search(21, "VIDEO");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(*found) << found->error().message();
  ASSERT_EQ(found->value().size(), 1U);
  EXPECT_EQ(found->value().front().entry, published);
  EXPECT_EQ(found->value().front().publishers, 1U);
}

TEST_F(KeywordIndexTest, searchNeedsEveryWordOfTheQuery) {
  ASSERT_GT(publish(3, alice_, entry(0x10, "Holiday Video 2026.bin")), 0U);
  ASSERT_GT(publish(4, alice_, entry(0x11, "Holiday Photos.zip")), 0U);

  const auto both = search(21, "holiday");
  ASSERT_TRUE(both.has_value() && *both);
  EXPECT_EQ(names_of(both->value()),
            (std::vector<std::string>{"Holiday Photos.zip", "Holiday Video 2026.bin"}));

  const auto video = search(21, "video holiday");
  ASSERT_TRUE(video.has_value() && *video);
  EXPECT_EQ(names_of(video->value()), std::vector<std::string>{"Holiday Video 2026.bin"});

  const auto none = search(21, "holiday music");
  ASSERT_TRUE(none.has_value() && *none);
  EXPECT_TRUE(none->value().empty());
}

TEST_F(KeywordIndexTest, searchLooksUpOnlyOneWord) {
  ASSERT_GT(publish(3, alice_, entry(0x10, "Holiday Video 2026.bin")), 0U);
  const auto before = node(21).stats().lookups_started;
  const auto found = search(21, "holiday video 2026 bin");
  ASSERT_TRUE(found.has_value() && *found);
  EXPECT_EQ(found->value().size(), 1U);
  EXPECT_EQ(node(21).stats().lookups_started, before + 1);
}

TEST_F(KeywordIndexTest, searchCountsDistinctPublishers) {
  const auto popular = entry(0x20, "Concert Recording.flac");
  ASSERT_GT(publish(3, alice_, popular), 0U);
  ASSERT_GT(publish(7, bob_, popular), 0U);
  ASSERT_GT(publish(9, carol_, popular), 0U);
  ASSERT_GT(publish(9, carol_, popular, 2000), 0U); // a republish is not another publisher
  ASSERT_GT(publish(12, bob_, entry(0x21, "Another Concert.flac")), 0U);

  const auto found = search(25, "concert");
  ASSERT_TRUE(found.has_value() && *found);
  ASSERT_EQ(found->value().size(), 2U);
  EXPECT_EQ(found->value()[0].entry, popular);
  EXPECT_EQ(found->value()[0].publishers, 3U);
  EXPECT_EQ(found->value()[1].entry.name, "Another Concert.flac");
  EXPECT_EQ(found->value()[1].publishers, 1U);
}

TEST_F(KeywordIndexTest, searchReturnsAtMostLimitHitsBestFirst) {
  ASSERT_GT(publish(3, alice_, entry(0x30, "Lecture 1.mp4")), 0U);
  ASSERT_GT(publish(4, alice_, entry(0x31, "Lecture 2.mp4")), 0U);
  ASSERT_GT(publish(5, bob_, entry(0x31, "Lecture 2.mp4")), 0U);
  ASSERT_GT(publish(6, alice_, entry(0x32, "Lecture 3.mp4")), 0U);

  const auto found = search(25, "lecture", 2);
  ASSERT_TRUE(found.has_value() && *found);
  EXPECT_EQ(names_of(found->value()), (std::vector<std::string>{"Lecture 2.mp4", "Lecture 1.mp4"}));
}

TEST_F(KeywordIndexTest, republishWithHigherSeqReplaces) {
  ASSERT_GT(publish(3, alice_, entry(0x40, "Draft Report.pdf", 10), 1000), 0U);
  ASSERT_GT(publish(3, alice_, entry(0x40, "Final Report.pdf", 20), 2000), 0U);

  const auto found = search(22, "report");
  ASSERT_TRUE(found.has_value() && *found);
  ASSERT_EQ(found->value().size(), 1U);
  EXPECT_EQ(found->value().front().entry, entry(0x40, "Final Report.pdf", 20));
  EXPECT_EQ(found->value().front().publishers, 1U);
  // Replaced on the nodes, not just hidden by the lookup keeping the highest seq.
  const NodeId report = NodeId::of_word("report");
  const auto now = dht_.network().clock().system_now();
  std::size_t holders = 0;
  for (std::size_t i = 0; i < kNodes; ++i) {
    for (const auto& held : node(i).storage().records_for(report, 8, now)) {
      EXPECT_EQ(held.seq, 2000U) << "node " << i << " still holds the first publish";
      ++holders;
    }
  }
  EXPECT_GE(holders, 1U);
}

TEST_F(KeywordIndexTest, searchOfUnknownWordFindsNothing) {
  ASSERT_GT(publish(3, alice_, entry(0x10, "Holiday Video 2026.bin")), 0U);
  const auto found = search(21, "xylophone");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(*found) << found->error().message();
  EXPECT_TRUE(found->value().empty());
}

TEST_F(KeywordIndexTest, searchWithNoWordsFails) {
  std::optional<core::Result<std::vector<KeywordHit>>> found;
  search_keywords(node(21), " -- !? ", 10, [&found](core::Result<std::vector<KeywordHit>> hits) {
    found.emplace(std::move(hits));
  });
  EXPECT_FALSE(found.has_value()) << "called back inside the call";
  dht_.network().run_for(1s);
  ASSERT_TRUE(found.has_value());
  ASSERT_FALSE(*found);
  EXPECT_EQ(found->error(), make_error_code(Errc::empty_query));
}

TEST(KeywordIndexAloneTest, searchThatReachesNoNodeTimesOut) {
  sim::SimulatedDht dht{1, 5, lossless()}; // one node that never joined: nobody to ask
  std::optional<core::Result<std::vector<KeywordHit>>> found;
  search_keywords(
      *dht.members().front()->node, "holiday", 10,
      [&found](core::Result<std::vector<KeywordHit>> hits) { found.emplace(std::move(hits)); });
  dht.network().run_for(15s);
  ASSERT_TRUE(found.has_value());
  ASSERT_FALSE(*found);
  EXPECT_EQ(found->error(), make_error_code(Errc::timed_out));
}

} // namespace
} // namespace swarmshare::dht
