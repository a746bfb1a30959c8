// The routing table saved between runs, so a restart does not need the bootstrap nodes.

#include "swarmshare/core/msgpack_io.hpp"
#include "swarmshare/dht/routing_table.hpp"

#include <msgpack.hpp>

#include <algorithm>
#include <cstring>
#include <limits>

namespace swarmshare::dht {
namespace {

enum NodeField : std::uint32_t { kNodePeer, kNodeAddress, kNodePort, kNodeFieldCount };
enum RootField : std::uint32_t { kRootVersion, kRootNodes, kRootFieldCount };

// No dht error enum yet: the core codes that mean "too big" and "not the documented shape".
constexpr core::Errc kTooLarge = core::Errc::frame_too_large;
constexpr core::Errc kMalformed = core::Errc::frame_malformed;

[[nodiscard]] std::optional<NodeContact> read_node(const msgpack::object& node) {
  if (node.type != msgpack::type::ARRAY || node.via.array.size != kNodeFieldCount) {
    return std::nullopt;
  }
  const msgpack::object* fields = node.via.array.ptr;
  const msgpack::object& peer = fields[kNodePeer];
  const msgpack::object& address = fields[kNodeAddress];
  std::uint64_t port = 0;
  if (peer.type != msgpack::type::BIN || peer.via.bin.size != crypto::kPeerIdBytes ||
      address.type != msgpack::type::BIN || !core::read_uint(fields[kNodePort], port) ||
      port > std::numeric_limits<std::uint16_t>::max()) {
    return std::nullopt;
  }
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  std::memcpy(key.data(), peer.via.bin.ptr, key.size());
  // from_bytes refuses any length but 4 and 16, and port 0.
  auto endpoint = core::Endpoint::from_bytes(
      {reinterpret_cast<const std::uint8_t*>(address.via.bin.ptr), address.via.bin.size},
      static_cast<std::uint16_t>(port));
  if (!endpoint) {
    return std::nullopt;
  }
  // The ID is recomputed, never read: a file cannot place a node where it does not belong.
  return NodeContact::of(crypto::PeerId{key}, endpoint.value());
}

} // namespace

std::vector<std::uint8_t> encode_routing_table(const RoutingTable& table, std::size_t max_nodes) {
  std::vector<KnownNode> nodes = table.nodes();
  std::erase_if(nodes, [](const KnownNode& node) { return node.status == NodeStatus::bad; });
  // Good nodes first: when the cap cuts, it cuts the ones we are least sure of.
  std::stable_partition(nodes.begin(), nodes.end(),
                        [](const KnownNode& node) { return node.status == NodeStatus::good; });
  if (nodes.size() > max_nodes) {
    nodes.erase(nodes.begin() + static_cast<std::ptrdiff_t>(max_nodes), nodes.end());
  }

  std::vector<std::uint8_t> out;
  core::ByteVectorSink sink{out};
  msgpack::packer<core::ByteVectorSink> packer(sink);
  packer.pack_array(kRootFieldCount);
  packer.pack_uint64(kRoutingTableFormatVersion);
  packer.pack_array(static_cast<std::uint32_t>(nodes.size()));
  for (const KnownNode& node : nodes) {
    packer.pack_array(kNodeFieldCount);
    core::pack_bin(packer, node.contact.peer.bytes());
    core::pack_bin(packer, node.contact.endpoint.address_bytes());
    packer.pack_uint64(node.contact.endpoint.port());
  }
  return out;
}

core::Result<std::vector<NodeContact>> decode_routing_table(std::span<const std::uint8_t> bytes,
                                                            const SavedTableLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return kTooLarge;
  }
  core::UnpackLimits unpack_limits;
  unpack_limits.max_array_elements = std::max<std::size_t>(limits.max_nodes, kRootFieldCount);
  unpack_limits.max_map_entries = 0;
  unpack_limits.max_string_bytes = 0;
  unpack_limits.max_binary_bytes = crypto::kPeerIdBytes;
  unpack_limits.max_depth = 3; // root, the node list, one node
  auto handle = core::unpack_exactly(bytes, unpack_limits, kMalformed);
  if (!handle) {
    return handle.error();
  }
  const msgpack::object& root = handle.value().get();
  if (root.type != msgpack::type::ARRAY || root.via.array.size != kRootFieldCount) {
    return kMalformed;
  }
  std::uint64_t version = 0;
  if (!core::read_uint(root.via.array.ptr[kRootVersion], version)) {
    return kMalformed;
  }
  if (version != kRoutingTableFormatVersion) {
    return core::Errc::unsupported_version;
  }
  const msgpack::object& list = root.via.array.ptr[kRootNodes];
  if (list.type != msgpack::type::ARRAY) {
    return kMalformed;
  }
  if (list.via.array.size > limits.max_nodes) {
    return kTooLarge;
  }
  std::vector<NodeContact> contacts;
  contacts.reserve(list.via.array.size); // already parsed, so bounded by the input's size
  for (std::uint32_t i = 0; i < list.via.array.size; ++i) {
    auto contact = read_node(list.via.array.ptr[i]);
    if (!contact) {
      return kMalformed;
    }
    contacts.push_back(*contact);
  }
  return contacts;
}

} // namespace swarmshare::dht
