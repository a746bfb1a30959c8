// Saving the routing table between runs and restoring it.

#include "swarmshare/dht/routing_table.hpp"

#include <gtest/gtest.h>

#include <msgpack.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <string>

namespace swarmshare::dht {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;
using Packer = msgpack::packer<msgpack::sbuffer>;

NodeId own_id() {
  NodeId::Bytes bytes{};
  bytes.fill(0xC3);
  return NodeId{bytes};
}

crypto::PeerId peer(std::uint32_t n) {
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  key.fill(0x5A);
  for (std::size_t i = 0; i < 4; ++i) {
    key[i] = static_cast<std::uint8_t>(n >> (8 * i));
  }
  return crypto::PeerId{key};
}

/// Node `n` on its own public /24.
NodeContact node(std::uint32_t n) {
  return NodeContact::of(peer(n), core::Endpoint::ipv4({30, static_cast<std::uint8_t>(n >> 8U),
                                                        static_cast<std::uint8_t>(n & 0xFFU), 9},
                                                       6881));
}

Bytes pack(const std::function<void(Packer&)>& write) {
  msgpack::sbuffer buffer;
  Packer packer(buffer);
  write(packer);
  const auto* data = reinterpret_cast<const std::uint8_t*>(buffer.data());
  Bytes bytes(data, data + buffer.size());
  return bytes;
}

void pack_bin(Packer& packer, std::size_t size, std::uint8_t fill = 7) {
  const std::string body(size, static_cast<char>(fill));
  packer.pack_bin(static_cast<std::uint32_t>(size));
  packer.pack_bin_body(body.data(), static_cast<std::uint32_t>(size));
}

/// A saved table with one node whose fields the caller writes.
Bytes one_node(const std::function<void(Packer&)>& write_node) {
  return pack([&](Packer& packer) {
    packer.pack_array(2);
    packer.pack_uint64(kRoutingTableFormatVersion);
    packer.pack_array(1);
    write_node(packer);
  });
}

class SavedRoutingTableTest : public ::testing::Test {
protected:
  core::ManualClock clock_;
  core::SeededRandom random_{7};
  RoutingTable table_{own_id(), clock_, random_};

  void fill(std::uint32_t count) {
    for (std::uint32_t n = 0; n < count; ++n) {
      (void)table_.on_response(node(n));
    }
  }
};

TEST_F(SavedRoutingTableTest, restoresSavedNodesAsQuestionable) {
  fill(40);
  const auto saved = encode_routing_table(table_);
  const auto contacts = decode_routing_table(saved);
  ASSERT_TRUE(contacts) << contacts.error().message();
  EXPECT_EQ(contacts.value().size(), table_.size());

  RoutingTable restored{own_id(), clock_, random_};
  EXPECT_EQ(restored.restore(contacts.value()), table_.size());
  EXPECT_EQ(restored.size(), table_.size());
  for (const KnownNode& known : table_.nodes()) {
    EXPECT_EQ(restored.find(known.contact.id), known.contact);
    EXPECT_EQ(restored.status_of(known.contact.id), NodeStatus::questionable);
  }
  // Questionable, not dead: lookups may still use them.
  EXPECT_EQ(restored.closest(own_id(), 8).size(), 8U);
}

TEST_F(SavedRoutingTableTest, restoredNodeBecomesGoodWhenItAnswers) {
  const NodeContact contact = node(1);
  ASSERT_EQ(table_.restore(std::span{&contact, 1}), 1U);
  // A query alone does not vouch for it: it has not answered in this run.
  EXPECT_TRUE(table_.on_query_from(contact));
  EXPECT_EQ(table_.status_of(contact.id), NodeStatus::questionable);
  EXPECT_EQ(table_.on_response(contact).admission, Admission::refreshed);
  EXPECT_EQ(table_.status_of(contact.id), NodeStatus::good);
}

TEST_F(SavedRoutingTableTest, restoreNeverDisplacesNodesHeardInThisRun) {
  RoutingTableOptions options;
  options.bucket_size = 2;
  RoutingTable table{own_id(), clock_, random_, options};
  std::vector<NodeContact> far_nodes;
  std::vector<NodeContact> live_nodes;
  for (std::uint32_t n = 0; far_nodes.size() < 4; ++n) {
    if (common_prefix_bits(own_id(), node(n).id) == 0) {
      far_nodes.push_back(node(n));
    }
  }
  // Two far_nodes nodes answered; the bucket cannot split (only the near half holds our ID).
  ASSERT_EQ(table.on_response(far_nodes[0]).admission, Admission::inserted);
  ASSERT_EQ(table.on_response(far_nodes[1]).admission, Admission::inserted);
  EXPECT_EQ(table.restore(std::span{far_nodes}.subspan(2)), 0U);
  EXPECT_TRUE(table.find(far_nodes[0].id));
  EXPECT_TRUE(table.find(far_nodes[1].id));
  EXPECT_FALSE(table.find(far_nodes[2].id));
}

TEST_F(SavedRoutingTableTest, restoreSkipsOwnIdDuplicatesAndCrowdedSubnets) {
  const std::array<std::uint8_t, 4> crowded{40, 1, 1, 0};
  std::vector<NodeContact> contacts{node(1), node(1),
                                    NodeContact{peer(2), node(2).endpoint, own_id()}};
  std::vector<NodeContact> same_subnet;
  for (std::uint32_t n = 10; same_subnet.size() < 3; ++n) {
    auto address = crowded;
    address[3] = static_cast<std::uint8_t>(n);
    const auto contact = NodeContact::of(peer(n), core::Endpoint::ipv4(address, 6881));
    if (common_prefix_bits(own_id(), contact.id) == common_prefix_bits(own_id(), node(1).id)) {
      same_subnet.push_back(contact);
    }
  }
  contacts.insert(contacts.end(), same_subnet.begin(), same_subnet.end());
  EXPECT_EQ(table_.restore(contacts), 3U); // node 1 once, two of the crowded /24
  EXPECT_FALSE(table_.find(own_id()));
  EXPECT_FALSE(table_.find(same_subnet[2].id));
}

TEST_F(SavedRoutingTableTest, savesOnlyGoodAndQuestionableNodesGoodOnesFirst) {
  fill(3);
  clock_.advance(20min); // nodes 0-2 questionable
  (void)table_.on_response(node(3));
  (void)table_.on_response(node(4));
  (void)table_.on_timeout(node(0).id);
  (void)table_.on_timeout(node(0).id); // bad
  const auto all = decode_routing_table(encode_routing_table(table_));
  ASSERT_TRUE(all);
  ASSERT_EQ(all.value().size(), 4U);
  for (const NodeContact& contact : all.value()) {
    EXPECT_NE(contact.id, node(0).id);
  }
  const auto capped = decode_routing_table(encode_routing_table(table_, 2));
  ASSERT_TRUE(capped);
  ASSERT_EQ(capped.value().size(), 2U);
  for (const NodeContact& contact : capped.value()) {
    EXPECT_EQ(table_.status_of(contact.id), NodeStatus::good);
  }
}

TEST_F(SavedRoutingTableTest, keepsBothAddressFamilies) {
  const core::Endpoint::Bytes16 v6{0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const NodeContact six = NodeContact::of(peer(77), core::Endpoint::ipv6(v6, 443));
  const NodeContact four = node(78);
  (void)table_.on_response(six);
  (void)table_.on_response(four);
  const auto decoded = decode_routing_table(encode_routing_table(table_));
  ASSERT_TRUE(decoded);
  ASSERT_EQ(decoded.value().size(), 2U);
  EXPECT_TRUE(std::find(decoded.value().begin(), decoded.value().end(), six) !=
              decoded.value().end());
  EXPECT_TRUE(std::find(decoded.value().begin(), decoded.value().end(), four) !=
              decoded.value().end());
}

TEST_F(SavedRoutingTableTest, emptyTableRoundTrips) {
  const auto decoded = decode_routing_table(encode_routing_table(table_));
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded.value().empty());
}

TEST_F(SavedRoutingTableTest, refusesTruncatedSavedTable) {
  fill(5);
  const auto saved = encode_routing_table(table_);
  for (std::size_t length = 0; length < saved.size(); ++length) {
    const auto decoded = decode_routing_table(std::span{saved}.first(length));
    EXPECT_EQ(decoded.error(), core::Errc::frame_malformed) << length;
  }
}

TEST_F(SavedRoutingTableTest, refusesTrailingBytes) {
  fill(2);
  auto saved = encode_routing_table(table_);
  saved.push_back(0);
  EXPECT_EQ(decode_routing_table(saved).error(), core::Errc::frame_malformed);
}

TEST_F(SavedRoutingTableTest, refusesOversizedInputBeforeParsing) {
  // Not msgpack at all: only the size check can have refused it.
  const Bytes huge(SavedTableLimits{}.max_bytes + 1, 0xC1);
  EXPECT_EQ(decode_routing_table(huge).error(), core::Errc::frame_too_large);
  SavedTableLimits tight;
  tight.max_bytes = 10;
  fill(1);
  EXPECT_EQ(decode_routing_table(encode_routing_table(table_), tight).error(),
            core::Errc::frame_too_large);
}

TEST_F(SavedRoutingTableTest, refusesMoreNodesThanTheLimit) {
  fill(10);
  SavedTableLimits limits;
  limits.max_nodes = 9;
  const auto saved = encode_routing_table(table_);
  EXPECT_FALSE(decode_routing_table(saved, limits));
  limits.max_nodes = 10;
  EXPECT_TRUE(decode_routing_table(saved, limits));
}

TEST_F(SavedRoutingTableTest, refusesAnotherFormatVersion) {
  const Bytes future = pack([](Packer& packer) {
    packer.pack_array(2);
    packer.pack_uint64(kRoutingTableFormatVersion + 1);
    packer.pack_array(0);
  });
  EXPECT_EQ(decode_routing_table(future).error(), core::Errc::unsupported_version);
}

TEST_F(SavedRoutingTableTest, refusesNodesOfTheWrongShape) {
  const auto good_node = [](Packer& packer) {
    packer.pack_array(3);
    pack_bin(packer, 32);
    pack_bin(packer, 4, 40);
    packer.pack_uint64(6881);
  };
  ASSERT_TRUE(decode_routing_table(one_node(good_node)));

  const std::vector<std::function<void(Packer&)>> broken{
      [](Packer& p) { // a 31-byte Peer ID
        p.pack_array(3);
        pack_bin(p, 31);
        pack_bin(p, 4, 40);
        p.pack_uint64(6881);
      },
      [](Packer& p) { // a 5-byte address
        p.pack_array(3);
        pack_bin(p, 32);
        pack_bin(p, 5, 40);
        p.pack_uint64(6881);
      },
      [](Packer& p) { // port 0
        p.pack_array(3);
        pack_bin(p, 32);
        pack_bin(p, 4, 40);
        p.pack_uint64(0);
      },
      [](Packer& p) { // a port over 65535
        p.pack_array(3);
        pack_bin(p, 32);
        pack_bin(p, 4, 40);
        p.pack_uint64(70000);
      },
      [](Packer& p) { // a negative port
        p.pack_array(3);
        pack_bin(p, 32);
        pack_bin(p, 4, 40);
        p.pack_int64(-1);
      },
      [](Packer& p) { // a string where bytes belong
        p.pack_array(3);
        p.pack(std::string(32, 'x'));
        pack_bin(p, 4, 40);
        p.pack_uint64(6881);
      },
      [](Packer& p) { // a fourth field
        p.pack_array(4);
        pack_bin(p, 32);
        pack_bin(p, 4, 40);
        p.pack_uint64(6881);
        p.pack_uint64(1);
      },
      [](Packer& p) { p.pack_map(0); },
  };
  for (std::size_t i = 0; i < broken.size(); ++i) {
    EXPECT_EQ(decode_routing_table(one_node(broken[i])).error(), core::Errc::frame_malformed) << i;
  }
}

TEST_F(SavedRoutingTableTest, refusesARootOfTheWrongShape) {
  const std::vector<Bytes> roots{
      pack([](Packer& p) { p.pack_uint64(1); }),
      pack([](Packer& p) {
        p.pack_array(1);
        p.pack_uint64(kRoutingTableFormatVersion);
      }),
      pack([](Packer& p) {
        p.pack_array(2);
        p.pack_uint64(kRoutingTableFormatVersion);
        p.pack_uint64(0);
      }),
      pack([](Packer& p) {
        p.pack_array(2);
        p.pack(std::string("1"));
        p.pack_array(0);
      }),
  };
  for (std::size_t i = 0; i < roots.size(); ++i) {
    EXPECT_EQ(decode_routing_table(roots[i]).error(), core::Errc::frame_malformed) << i;
  }
}

} // namespace
} // namespace swarmshare::dht
