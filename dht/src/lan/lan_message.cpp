#include "swarmshare/dht/lan_message.hpp"

#include "swarmshare/core/msgpack_io.hpp"

#include <algorithm>
#include <limits>
#include <new>

namespace swarmshare::dht {
namespace {

using Object = msgpack::object;

constexpr std::size_t kFieldCount = 7;

// Tight caps: one flat array of scalars. Strings: the magic (8 bytes) and the network (up to
// 32); the only bin is the 32-byte Peer ID. Depth 1 admits the top-level array and nothing
// nested in it (a newer version's extra fields must be scalars too).
core::UnpackLimits lan_unpack_limits() noexcept {
  core::UnpackLimits limits;
  limits.max_array_elements = kMaxLanMessageElements;
  limits.max_map_entries = 0;
  limits.max_string_bytes = kMaxLanNetworkBytes;
  limits.max_binary_bytes = crypto::kPeerIdBytes;
  limits.max_depth = 1;
  return limits;
}

bool read_string(const Object& object, std::string_view& out) noexcept {
  if (object.type != msgpack::type::STR) {
    return false;
  }
  out = std::string_view(object.via.str.ptr, object.via.str.size);
  return true;
}

bool read_port(const Object& object, bool zero_allowed, std::uint16_t& out) noexcept {
  std::uint64_t value = 0;
  if (!core::read_uint(object, value) || value > std::numeric_limits<std::uint16_t>::max() ||
      (value == 0 && !zero_allowed)) {
    return false;
  }
  out = static_cast<std::uint16_t>(value);
  return true;
}

core::Result<LanMessage> read_message(const Object& root) {
  if (root.type != msgpack::type::ARRAY || root.via.array.size < 2) {
    return core::Errc::frame_malformed;
  }
  const Object* f = root.via.array.ptr;
  std::string_view magic;
  if (!read_string(f[0], magic) || magic != kLanMagic) {
    return core::Errc::frame_malformed;
  }
  std::uint64_t version = 0;
  if (!core::read_uint(f[1], version)) {
    return core::Errc::frame_malformed;
  }
  if (version == 0) {
    return core::Errc::unsupported_version;
  }
  const std::size_t size = root.via.array.size;
  if (size < kFieldCount || (version == kLanVersion && size != kFieldCount)) {
    return core::Errc::frame_malformed;
  }
  // Whatever a newer version appends must stay flat (the depth limit already ensures it).
  LanMessage message;
  std::string_view network;
  if (!read_string(f[2], network) || !is_valid_lan_network(network)) {
    return core::Errc::frame_malformed;
  }
  message.network = std::string(network);
  std::uint64_t kind = 0;
  if (!core::read_uint(f[3], kind) || kind < 1 || kind > 3) {
    return core::Errc::frame_malformed;
  }
  message.kind = static_cast<LanKind>(kind);
  if (f[4].type != msgpack::type::BIN || f[4].via.bin.size != crypto::kPeerIdBytes) {
    return core::Errc::frame_malformed;
  }
  std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
  std::copy_n(reinterpret_cast<const std::uint8_t*>(f[4].via.bin.ptr), key.size(), key.begin());
  message.peer_id = crypto::PeerId{key};
  if (!read_port(f[5], false, message.peer_port) || !read_port(f[6], true, message.dht_port)) {
    return core::Errc::frame_malformed;
  }
  return message;
}

void pack_string(msgpack::packer<msgpack::sbuffer>& packer, std::string_view text) {
  packer.pack_str(static_cast<std::uint32_t>(text.size()));
  packer.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
}

} // namespace

bool is_valid_lan_network(std::string_view network) noexcept {
  return !network.empty() && network.size() <= kMaxLanNetworkBytes &&
         std::all_of(network.begin(), network.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

core::Result<std::vector<std::uint8_t>> encode_lan_message(const LanMessage& message) {
  if (!is_valid_lan_network(message.network) || message.peer_port == 0) {
    return core::Errc::frame_malformed;
  }
  try {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> packer(buffer);
    packer.pack_array(kFieldCount);
    pack_string(packer, kLanMagic);
    packer.pack_uint32(kLanVersion);
    pack_string(packer, message.network);
    packer.pack_uint8(static_cast<std::uint8_t>(message.kind));
    const auto& key = message.peer_id.bytes();
    packer.pack_bin(static_cast<std::uint32_t>(key.size()));
    packer.pack_bin_body(reinterpret_cast<const char*>(key.data()),
                         static_cast<std::uint32_t>(key.size()));
    packer.pack_uint16(message.peer_port);
    packer.pack_uint16(message.dht_port);
    const auto* data = reinterpret_cast<const std::uint8_t*>(buffer.data());
    return std::vector<std::uint8_t>(data, data + buffer.size());
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

core::Result<LanMessage> decode_lan_message(std::span<const std::uint8_t> datagram) {
  // Checked first: an oversize datagram costs us nothing but this comparison.
  if (datagram.size() > kMaxLanMessageBytes) {
    return core::Errc::frame_too_large;
  }
  auto handle = core::unpack_exactly(datagram, lan_unpack_limits(), core::Errc::frame_malformed);
  if (!handle) {
    return handle.error();
  }
  try {
    return read_message(handle.value().get());
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

} // namespace swarmshare::dht
