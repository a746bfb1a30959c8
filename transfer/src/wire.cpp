#include "swarmshare/transfer/wire.hpp"

#include "swarmshare/core/msgpack_io.hpp"

#include <algorithm>
#include <limits>
#include <new>
#include <type_traits>
#include <utility>

namespace swarmshare::transfer {

core::Status validate_block(const core::Manifest& manifest, const BlockRef& block) {
  const auto chunk_length = manifest.chunk_length(block.chunk);
  if (!chunk_length) {
    return Errc::block_out_of_range;
  }
  // In 64 bits: offset + length must not wrap around.
  const std::uint64_t end = std::uint64_t{block.offset} + block.length;
  if (block.length == 0 || block.length > kMaxBlockBytes || end > chunk_length.value()) {
    return Errc::block_out_of_range;
  }
  return boost::outcome_v2::success();
}

namespace wire {
namespace {

using Object = msgpack::object;

// Decoding and encoding throw this inside this file only: it keeps each message a straight
// list of fields. decode/encode catch it and return the code.
struct Failure {
  Errc code;
};

[[noreturn]] void fail(Errc code) { throw Failure{code}; }

// ---- Decoding ----

// Every message, known or not, must fit these: the longest known one has 5 elements and
// no nesting, and the slack lets a newer peer append fields to hello and send types we do
// not know. Binaries may fill the record so that a field's own cap reports limit_exceeded.
core::UnpackLimits unpack_limits() noexcept {
  core::UnpackLimits limits;
  limits.max_array_elements = 64;
  limits.max_map_entries = 16;
  limits.max_string_bytes = 1024;
  limits.max_binary_bytes = kMaxMessageBytes;
  limits.max_depth = 4;
  return limits;
}

std::uint64_t read_uint(const Object& object, std::uint64_t max) {
  std::uint64_t value = 0;
  if (!core::read_uint(object, value)) {
    fail(Errc::message_malformed);
  }
  if (value > max) {
    fail(Errc::limit_exceeded);
  }
  return value;
}

std::uint64_t read_positive(const Object& object, std::uint64_t max) {
  const std::uint64_t value = read_uint(object, max);
  if (value == 0) {
    fail(Errc::message_malformed);
  }
  return value;
}

core::ChunkIndex read_chunk(const Object& object) {
  return core::ChunkIndex{static_cast<std::uint32_t>(read_uint(object, core::kMaxChunks - 1U))};
}

// A bin field of min .. max bytes, checked before anything is copied.
std::span<const std::uint8_t> read_bin(const Object& object, std::size_t min, std::size_t max) {
  if (object.type != msgpack::type::BIN) {
    fail(Errc::message_malformed);
  }
  const std::size_t size = object.via.bin.size;
  if (size < min) {
    fail(Errc::message_malformed);
  }
  if (size > max) {
    fail(Errc::limit_exceeded);
  }
  return {reinterpret_cast<const std::uint8_t*>(object.via.bin.ptr), size};
}

// The offset of a block in its chunk, and that the block ends within the largest chunk
// there can be: all a decoder knows without the manifest.
std::uint32_t read_offset(const Object& object, std::uint64_t length) {
  const std::uint64_t offset = read_uint(object, core::ChunkSize::kMaxBytes);
  if (offset + length > core::ChunkSize::kMaxBytes) {
    fail(Errc::limit_exceeded);
  }
  return static_cast<std::uint32_t>(offset);
}

BlockRef read_block(std::span<const Object> fields) {
  BlockRef block;
  block.chunk = read_chunk(fields[0]);
  block.length = static_cast<std::uint32_t>(read_positive(fields[2], kMaxBlockBytes));
  block.offset = read_offset(fields[1], block.length);
  return block;
}

template <class Reason>
Reason read_reason(const Object& object) {
  // Any nonzero value: a newer peer may add reasons.
  return static_cast<Reason>(read_positive(object, std::numeric_limits<std::uint16_t>::max()));
}

// The fields after the type, which must number exactly `count`.
std::span<const Object> fields(std::span<const Object> after_type, std::size_t count) {
  if (after_type.size() != count) {
    fail(Errc::message_malformed);
  }
  return after_type;
}

Hello read_hello(std::span<const Object> after_type) {
  if (after_type.size() < 2) {
    fail(Errc::message_malformed);
  }
  Hello hello;
  hello.version = static_cast<std::uint32_t>(
      read_positive(after_type[0], std::numeric_limits<std::uint32_t>::max()));
  // Hello is sent before either side knows the other's version, so a newer peer's hello may
  // carry fields we do not know; every later message uses the lower of the two versions.
  if (hello.version <= kVersion && after_type.size() != 2) {
    fail(Errc::message_malformed);
  }
  const auto id = read_bin(after_type[1], core::kHashSize, core::kHashSize);
  core::Hash256 digest{};
  std::copy(id.begin(), id.end(), digest.begin());
  hello.file_id = core::FileId{digest};
  return hello;
}

std::optional<Message> read_message(MessageType type, std::span<const Object> after_type) {
  switch (type) {
  case MessageType::hello: return read_hello(after_type);
  case MessageType::have_map: {
    const auto f = fields(after_type, 2);
    const auto chunk_count = static_cast<std::uint32_t>(read_uint(f[0], core::kMaxChunks));
    auto chunks =
        Bitfield::from_bytes(chunk_count, read_bin(f[1], 0, Bitfield::bytes_for(core::kMaxChunks)));
    if (!chunks) {
      fail(Errc::invalid_bitfield);
    }
    return HaveMap{std::move(chunks).value()};
  }
  case MessageType::have: return Have{read_chunk(fields(after_type, 1)[0])};
  case MessageType::budget:
    return Budget{static_cast<std::uint32_t>(read_uint(fields(after_type, 1)[0], kMaxBudget))};
  case MessageType::request: return Request{read_block(fields(after_type, 3))};
  case MessageType::data: {
    const auto f = fields(after_type, 3);
    Data data;
    data.chunk = read_chunk(f[0]);
    const auto bytes = read_bin(f[2], 1, kMaxBlockBytes);
    data.offset = read_offset(f[1], bytes.size());
    data.bytes.assign(bytes.begin(), bytes.end());
    return data;
  }
  case MessageType::cancel: return Cancel{read_block(fields(after_type, 3))};
  case MessageType::reject: {
    const auto f = fields(after_type, 4);
    return Reject{read_block(f.first(3)), read_reason<RejectReason>(f[3])};
  }
  case MessageType::manifest_request: (void)fields(after_type, 0); return ManifestRequest{};
  case MessageType::manifest: {
    const auto bytes = read_bin(fields(after_type, 1)[0], 1, kMaxManifestBytes);
    return ManifestReply{Bytes(bytes.begin(), bytes.end())};
  }
  case MessageType::goodbye: return Goodbye{read_reason<GoodbyeReason>(fields(after_type, 1)[0])};
  }
  return std::nullopt;
}

// ---- Encoding ----

// Packs straight into the result, so a 128 KiB block is copied once.
using ByteWriter = core::ByteVectorSink;
using Packer = msgpack::packer<ByteWriter>;

void require(bool condition) {
  if (!condition) {
    fail(Errc::invalid_message);
  }
}

using core::pack_bin;

void pack_chunk(Packer& packer, core::ChunkIndex chunk) {
  require(core::index_value(chunk) < core::kMaxChunks);
  packer.pack_uint32(core::index_value(chunk));
}

void pack_offset(Packer& packer, std::uint32_t offset, std::uint64_t length) {
  require(std::uint64_t{offset} + length <= core::ChunkSize::kMaxBytes);
  packer.pack_uint32(offset);
}

void pack_block(Packer& packer, const BlockRef& block) {
  require(block.length != 0 && block.length <= kMaxBlockBytes);
  pack_chunk(packer, block.chunk);
  pack_offset(packer, block.offset, block.length);
  packer.pack_uint32(block.length);
}

void pack_type(Packer& packer, MessageType type, std::uint32_t field_count) {
  packer.pack_array(field_count + 1);
  packer.pack_uint16(static_cast<std::uint16_t>(type));
}

template <class Reason>
void pack_reason(Packer& packer, Reason reason) {
  require(reason != Reason{});
  packer.pack_uint16(static_cast<std::uint16_t>(reason));
}

void pack_message(Packer& packer, const Hello& hello) {
  require(hello.version != 0);
  pack_type(packer, MessageType::hello, 2);
  packer.pack_uint32(hello.version);
  pack_bin(packer, hello.file_id.bytes());
}

void pack_message(Packer& packer, const HaveMap& have_map) {
  pack_type(packer, MessageType::have_map, 2);
  packer.pack_uint32(have_map.chunks.chunk_count());
  pack_bin(packer, have_map.chunks.bytes());
}

void pack_message(Packer& packer, const Have& have) {
  pack_type(packer, MessageType::have, 1);
  pack_chunk(packer, have.chunk);
}

void pack_message(Packer& packer, const Budget& budget) {
  require(budget.blocks <= kMaxBudget);
  pack_type(packer, MessageType::budget, 1);
  packer.pack_uint32(budget.blocks);
}

void pack_message(Packer& packer, const Request& request) {
  pack_type(packer, MessageType::request, 3);
  pack_block(packer, request.block);
}

void pack_data(Packer& packer, core::ChunkIndex chunk, std::uint32_t offset,
               std::span<const std::uint8_t> bytes) {
  require(!bytes.empty() && bytes.size() <= kMaxBlockBytes);
  pack_type(packer, MessageType::data, 3);
  pack_chunk(packer, chunk);
  pack_offset(packer, offset, bytes.size());
  pack_bin(packer, bytes);
}

void pack_message(Packer& packer, const Data& data) {
  pack_data(packer, data.chunk, data.offset, data.bytes);
}

void pack_message(Packer& packer, const Cancel& cancel) {
  pack_type(packer, MessageType::cancel, 3);
  pack_block(packer, cancel.block);
}

void pack_message(Packer& packer, const Reject& reject) {
  pack_type(packer, MessageType::reject, 4);
  pack_block(packer, reject.block);
  pack_reason(packer, reject.reason);
}

void pack_message(Packer& packer, const ManifestRequest& /*request*/) {
  pack_type(packer, MessageType::manifest_request, 0);
}

void pack_message(Packer& packer, const ManifestReply& reply) {
  require(!reply.manifest.empty() && reply.manifest.size() <= kMaxManifestBytes);
  pack_type(packer, MessageType::manifest, 1);
  pack_bin(packer, reply.manifest);
}

void pack_message(Packer& packer, const Goodbye& goodbye) {
  pack_type(packer, MessageType::goodbye, 1);
  pack_reason(packer, goodbye.reason);
}

// Room for the type and the other fields around a binary payload.
constexpr std::size_t kHeaderReserve = 32;

template <class Pack>
core::Result<Bytes> encode_with(std::size_t payload_bytes, Pack pack) {
  try {
    Bytes out;
    out.reserve(payload_bytes + kHeaderReserve);
    ByteWriter writer(out);
    Packer packer(writer);
    pack(packer);
    return out;
  } catch (const Failure& failure) {
    return failure.code;
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

} // namespace

core::Result<Bytes> encode(const Message& message) {
  const std::size_t payload = std::visit(
      [](const auto& m) -> std::size_t {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Data>) {
          return m.bytes.size();
        } else if constexpr (std::is_same_v<T, ManifestReply>) {
          return m.manifest.size();
        } else if constexpr (std::is_same_v<T, HaveMap>) {
          return m.chunks.bytes().size();
        } else {
          return 0;
        }
      },
      message);
  return encode_with(payload, [&message](Packer& packer) {
    std::visit([&packer](const auto& m) { pack_message(packer, m); }, message);
  });
}

core::Result<Bytes> encode_data(core::ChunkIndex chunk, std::uint32_t offset,
                                std::span<const std::uint8_t> bytes) {
  return encode_with(bytes.size(),
                     [&](Packer& packer) { pack_data(packer, chunk, offset, bytes); });
}

core::Result<std::optional<Message>> decode(std::span<const std::uint8_t> bytes) {
  if (bytes.size() > kMaxMessageBytes) {
    return Errc::limit_exceeded;
  }
  auto handle = core::unpack_exactly(bytes, unpack_limits(), core::Errc::frame_malformed);
  if (!handle) {
    return Errc::message_malformed;
  }
  const Object& root = handle.value().get();
  if (root.type != msgpack::type::ARRAY || root.via.array.size == 0) {
    return Errc::message_malformed;
  }
  const std::span<const Object> elements(root.via.array.ptr, root.via.array.size);
  try {
    const auto type = static_cast<MessageType>(
        read_positive(elements[0], std::numeric_limits<std::uint16_t>::max()));
    return read_message(type, elements.subspan(1));
  } catch (const Failure& failure) {
    return failure.code;
  } catch (const std::bad_alloc&) {
    // Every size is capped, so this is the process running out of memory, not the input.
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

core::Result<core::Manifest> decode_manifest(const ManifestReply& reply,
                                             const core::FileId& expected) {
  auto manifest = core::Manifest::decode(reply.manifest);
  if (!manifest) {
    return manifest.error();
  }
  if (manifest.value().file_id() != expected) {
    return Errc::manifest_mismatch;
  }
  return manifest;
}

MessageType message_type(const Message& message) noexcept {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kType; }, message);
}

std::string_view message_name(MessageType type) noexcept {
  switch (type) {
  case MessageType::hello: return "hello";
  case MessageType::have_map: return "have_map";
  case MessageType::have: return "have";
  case MessageType::budget: return "budget";
  case MessageType::request: return "request";
  case MessageType::data: return "data";
  case MessageType::cancel: return "cancel";
  case MessageType::reject: return "reject";
  case MessageType::manifest_request: return "manifest_request";
  case MessageType::manifest: return "manifest";
  case MessageType::goodbye: return "goodbye";
  }
  return "unknown";
}

std::string_view reason_text(GoodbyeReason reason) noexcept {
  switch (reason) {
  case GoodbyeReason::done: return "done";
  case GoodbyeReason::not_sharing: return "not sharing this file";
  case GoodbyeReason::shutting_down: return "shutting down";
  case GoodbyeReason::banned: return "banned";
  case GoodbyeReason::protocol_error: return "protocol error";
  case GoodbyeReason::too_many_peers: return "too many peers";
  case GoodbyeReason::file_changed: return "file changed";
  case GoodbyeReason::unsupported_version: return "unsupported protocol version";
  }
  return "unknown reason";
}

std::string_view reason_text(RejectReason reason) noexcept {
  switch (reason) {
  case RejectReason::not_have: return "chunk not available";
  case RejectReason::over_budget: return "over budget";
  case RejectReason::not_serving: return "not serving";
  }
  return "unknown reason";
}

} // namespace wire
} // namespace swarmshare::transfer
