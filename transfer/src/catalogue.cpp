#include "swarmshare/transfer/catalogue.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/msgpack_io.hpp"
#include "swarmshare/transfer/error.hpp"
#include "swarmshare/transfer/peer_server.hpp"

#include <msgpack.hpp>

#include <algorithm>

namespace swarmshare::transfer {
namespace {

constexpr std::uint64_t kCatalogueRequestType = 0x000C;
constexpr std::uint64_t kCatalogueType = 0x000D;

using Bytes = std::vector<std::uint8_t>;

// A request is three small integers; a page is kMaxCataloguePage entries of three fields.
core::UnpackLimits catalogue_limits() noexcept {
  core::UnpackLimits limits;
  limits.max_array_elements = kMaxCataloguePage * 4 + 8;
  limits.max_map_entries = 0;
  limits.max_string_bytes = kMaxCatalogueNameBytes;
  limits.max_binary_bytes = core::kHashSize;
  limits.max_depth = 3;
  return limits;
}

// The longest prefix of `name` of at most `max` bytes that ends on a character boundary.
std::string_view cut_utf8(std::string_view name, std::size_t max) {
  if (name.size() <= max) {
    return name;
  }
  std::size_t end = max;
  while (end > 0 && (static_cast<std::uint8_t>(name[end]) & 0xC0U) == 0x80U) {
    --end;
  }
  return name.substr(0, end);
}

[[nodiscard]] bool read_small_uint(const msgpack::object& object, std::uint64_t max,
                                   std::uint64_t& out) {
  return core::read_uint(object, out) && out <= max;
}

} // namespace

core::Result<Bytes> encode(const CatalogueRequest& request) {
  if (request.limit == 0 || request.limit > kMaxCataloguePage) {
    return make_error_code(Errc::invalid_message);
  }
  Bytes out;
  core::ByteVectorSink sink{out};
  msgpack::packer packer(sink);
  packer.pack_array(3);
  packer.pack(kCatalogueRequestType);
  packer.pack(request.offset);
  packer.pack(request.limit);
  return out;
}

core::Result<Bytes> encode(const CataloguePage& page) {
  if (page.entries.size() > kMaxCataloguePage) {
    return make_error_code(Errc::invalid_message);
  }
  Bytes out;
  core::ByteVectorSink sink{out};
  msgpack::packer packer(sink);
  packer.pack_array(3);
  packer.pack(kCatalogueType);
  packer.pack_array(static_cast<std::uint32_t>(page.entries.size()));
  for (const auto& entry : page.entries) {
    if (!core::is_valid_utf8(entry.name)) {
      return make_error_code(Errc::invalid_message);
    }
    const auto name = cut_utf8(entry.name, kMaxCatalogueNameBytes);
    packer.pack_array(3);
    core::pack_bin(packer, entry.file_id.bytes());
    packer.pack(entry.size);
    core::pack_str(packer, name);
  }
  packer.pack(page.more);
  return out;
}

std::optional<CatalogueRequest> decode_catalogue_request(std::span<const std::uint8_t> record) {
  if (record.size() > 32) { // three integers: anything longer is something else
    return std::nullopt;
  }
  auto handle = core::unpack_exactly(record, catalogue_limits(), core::Errc::frame_malformed);
  if (!handle) {
    return std::nullopt;
  }
  const auto& root = handle.value().get();
  if (root.type != msgpack::type::ARRAY || root.via.array.size != 3) {
    return std::nullopt;
  }
  const auto* fields = root.via.array.ptr;
  std::uint64_t type = 0;
  std::uint64_t offset = 0;
  std::uint64_t limit = 0;
  if (!core::read_uint(fields[0], type) || type != kCatalogueRequestType ||
      !read_small_uint(fields[1], kMaxCatalogueEntries, offset) ||
      !read_small_uint(fields[2], kMaxCataloguePage, limit) || limit == 0) {
    return std::nullopt;
  }
  return CatalogueRequest{static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(limit)};
}

core::Result<CataloguePage> decode_catalogue_page(std::span<const std::uint8_t> record) {
  auto handle = core::unpack_exactly(record, catalogue_limits(), core::Errc::frame_malformed);
  if (!handle) {
    return make_error_code(Errc::message_malformed);
  }
  const auto& root = handle.value().get();
  std::uint64_t type = 0;
  if (root.type != msgpack::type::ARRAY || root.via.array.size != 3 ||
      !core::read_uint(root.via.array.ptr[0], type) || type != kCatalogueType) {
    return make_error_code(Errc::message_malformed);
  }
  const auto& list = root.via.array.ptr[1];
  const auto& more = root.via.array.ptr[2];
  if (list.type != msgpack::type::ARRAY || more.type != msgpack::type::BOOLEAN) {
    return make_error_code(Errc::message_malformed);
  }
  if (list.via.array.size > kMaxCataloguePage) {
    return make_error_code(Errc::limit_exceeded);
  }
  CataloguePage page;
  page.more = more.via.boolean;
  page.entries.reserve(list.via.array.size);
  for (std::uint32_t i = 0; i < list.via.array.size; ++i) {
    const auto& item = list.via.array.ptr[i];
    if (item.type != msgpack::type::ARRAY || item.via.array.size != 3) {
      return make_error_code(Errc::message_malformed);
    }
    const auto& id = item.via.array.ptr[0];
    const auto& name = item.via.array.ptr[2];
    CatalogueEntry entry;
    if (id.type != msgpack::type::BIN || id.via.bin.size != core::kHashSize ||
        !core::read_uint(item.via.array.ptr[1], entry.size) || name.type != msgpack::type::STR) {
      return make_error_code(Errc::message_malformed);
    }
    core::Hash256 digest{};
    std::copy_n(reinterpret_cast<const std::uint8_t*>(id.via.bin.ptr), core::kHashSize,
                digest.begin());
    entry.file_id = core::FileId{digest};
    entry.name.assign(name.via.str.ptr, name.via.str.size);
    if (!core::is_valid_utf8(entry.name)) {
      return make_error_code(Errc::message_malformed);
    }
    page.entries.push_back(std::move(entry));
  }
  return page;
}

CataloguePage page_of(const std::vector<CatalogueEntry>& entries, const CatalogueRequest& request) {
  CataloguePage page;
  const std::size_t first = std::min<std::size_t>(request.offset, entries.size());
  const std::size_t last = std::min<std::size_t>(first + request.limit, entries.size());
  page.entries.assign(entries.begin() + static_cast<std::ptrdiff_t>(first),
                      entries.begin() + static_cast<std::ptrdiff_t>(last));
  page.more = last < entries.size();
  return page;
}

boost::asio::awaitable<core::Result<std::vector<CatalogueEntry>>>
fetch_catalogue(crypto::ChannelConfig config, core::Endpoint endpoint, crypto::PeerId expected,
                std::chrono::milliseconds timeout) {
  std::vector<CatalogueEntry> all;
  for (;;) {
    auto channel = co_await connect_peer(config, endpoint, expected, timeout);
    if (!channel) {
      co_return channel.error();
    }
    const CatalogueRequest request{static_cast<std::uint32_t>(all.size()), kMaxCataloguePage};
    auto asked = encode(request);
    if (!asked) {
      co_return asked.error();
    }
    if (auto sent = co_await channel.value().write_message(asked.value()); !sent) {
      co_return sent.error();
    }
    auto answer = co_await channel.value().read_message();
    if (!answer) {
      co_return answer.error();
    }
    auto page = decode_catalogue_page(answer.value());
    (void)co_await channel.value().close();
    if (!page) {
      // A goodbye instead: a peer that knows no catalogue (or refuses us).
      co_return make_error_code(Errc::peer_not_sharing);
    }
    const std::size_t room = kMaxCatalogueEntries - all.size();
    auto& entries = page.value().entries;
    if (entries.size() > room) {
      entries.resize(room);
    }
    all.insert(all.end(), entries.begin(), entries.end());
    if (!page.value().more || entries.empty() || all.size() >= kMaxCatalogueEntries) {
      co_return all;
    }
  }
}

} // namespace swarmshare::transfer
