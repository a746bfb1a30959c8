// Decoding DHT datagrams: bounded before parsing, strict in shape (docs/PROTOCOL.md, "DHT").

#include "swarmshare/core/msgpack_io.hpp"
#include "swarmshare/dht/message.hpp"

#include "wire/codec.hpp"

#include <algorithm>
#include <limits>
#include <new>

namespace swarmshare::dht {
namespace {

using wire::Object;
using wire::Reader;

// Tight limits: the largest array of a conforming message is the envelope (8 fields) or a
// list of 8 contacts or records; the slack is for fields a newer version appends. Strings
// are error texts only (names travel inside keyword values, which are bins). Nesting:
// envelope, body, records, record, endpoints, endpoint. No maps appear anywhere.
[[nodiscard]] core::UnpackLimits datagram_limits() noexcept {
  core::UnpackLimits limits;
  limits.max_array_elements = 16;
  limits.max_map_entries = 0;
  limits.max_string_bytes = 256;
  limits.max_binary_bytes = kMaxReceivedDatagramBytes;
  limits.max_depth = 8;
  return limits;
}

std::optional<Token> read_token(const Reader& r, const Object& object) {
  if (object.type == msgpack::type::NIL) {
    return std::nullopt;
  }
  Token token;
  r.bin_exact(object, token.bytes);
  return token;
}

std::vector<NodeContact> read_contacts(const Reader& r, const Object& object) {
  const auto items = r.list(object, kMaxContactsPerReply);
  std::vector<NodeContact> contacts;
  contacts.reserve(items.size());
  for (const auto& item : items) {
    contacts.push_back(r.contact(item));
  }
  return contacts;
}

template <class Record, class Read>
std::vector<Record> read_records(const Reader& r, const Object& object, Read read) {
  const auto items = r.list(object, kMaxRecordsPerReply);
  std::vector<Record> records;
  records.reserve(items.size());
  for (const auto& item : items) {
    records.push_back(read(item));
  }
  return records;
}

RequestBody read_request_body(const Reader& r, std::uint64_t type, const Object& body) {
  switch (type) {
  case PingRequest::kType: (void)r.fields(body, 0); return PingRequest{};
  case FindNodeRequest::kType: return FindNodeRequest{r.node_id(r.fields(body, 1)[0])};
  case GetPeersRequest::kType: return GetPeersRequest{r.file_id(r.fields(body, 1)[0])};
  case AnnouncePeerRequest::kType: return AnnouncePeerRequest{r.peer_record(r.fields(body, 1)[0])};
  case GetRequest::kType: return GetRequest{r.node_id(r.fields(body, 1)[0])};
  case PutRequest::kType: return PutRequest{r.signed_record(r.fields(body, 1)[0])};
  default: wire::fail(Errc::unknown_message_type);
  }
}

ReplyBody read_reply_body(const Reader& r, std::uint64_t type, const Object& body) {
  switch (type) {
  case ErrorReply::kType: {
    const auto f = r.fields(body, 2);
    ErrorReply e;
    const auto code = r.uint(f[0], std::numeric_limits<std::uint16_t>::max());
    if (code == 0) {
      r.malformed();
    }
    e.code = static_cast<ErrorCode>(code);
    e.text = r.text(f[1], kMaxErrorTextBytes);
    return e;
  }
  case PongReply::kType: (void)r.fields(body, 0); return PongReply{};
  case NodesReply::kType: return NodesReply{read_contacts(r, r.fields(body, 1)[0])};
  case PeersReply::kType: {
    const auto f = r.fields(body, 2);
    PeersReply p;
    p.records =
        read_records<PeerRecord>(r, f[0], [&r](const Object& o) { return r.peer_record(o); });
    p.contacts = read_contacts(r, f[1]);
    return p;
  }
  case StoredReply::kType: (void)r.fields(body, 0); return StoredReply{};
  case ValuesReply::kType: {
    const auto f = r.fields(body, 2);
    ValuesReply v;
    v.records =
        read_records<SignedRecord>(r, f[0], [&r](const Object& o) { return r.signed_record(o); });
    v.contacts = read_contacts(r, f[1]);
    return v;
  }
  default: wire::fail(Errc::unknown_message_type);
  }
}

Message read_message(const Object& top, const crypto::NetworkId& network) {
  // The version comes first, so a message of another shape from a future version is
  // recognised as such before its shape is judged.
  if (top.type != msgpack::type::ARRAY || top.via.array.size == 0) {
    wire::fail(Errc::malformed_message);
  }
  const Reader strict(Errc::malformed_message, false);
  const std::uint64_t version =
      strict.uint(top.via.array.ptr[0], std::numeric_limits<std::uint64_t>::max());
  if (version == 0) {
    wire::fail(Errc::unsupported_version);
  }
  const Reader r(Errc::malformed_message, version > kDhtVersion);
  const auto f = r.fields(top, 8);
  core::Hash256 their_network{};
  r.bin_exact(f[1], their_network);
  if (their_network != network.bytes()) {
    wire::fail(Errc::wrong_network);
  }
  const std::uint64_t type = r.uint(f[2], std::numeric_limits<std::uint16_t>::max());
  if (!is_request_type(type) && !is_reply_type(type)) {
    wire::fail(Errc::unknown_message_type);
  }
  const auto transaction = r.uint(f[3], std::numeric_limits<std::uint32_t>::max());
  if (transaction == 0) {
    r.malformed();
  }
  const crypto::PeerId sender = r.peer_id(f[4]);
  if (is_request_type(type)) {
    Request request;
    request.transaction = TransactionId{static_cast<std::uint32_t>(transaction)};
    request.sender = sender;
    request.token = read_token(r, f[5]);
    request.body = read_request_body(r, type, f[6]);
    if (f[7].type != msgpack::type::NIL) {
      // Only its length matters; the bytes are not looked at.
      request.padding = r.bin(f[7], kMaxReceivedDatagramBytes).size();
    }
    return request;
  }
  Reply reply;
  reply.transaction = TransactionId{static_cast<std::uint32_t>(transaction)};
  reply.sender = sender;
  reply.you_are = r.endpoint(f[5]);
  reply.token = read_token(r, f[6]);
  reply.body = read_reply_body(r, type, f[7]);
  return reply;
}

} // namespace

core::Result<Message> decode_message(std::span<const std::uint8_t> datagram,
                                     const crypto::NetworkId& network) {
  // Checked before parsing: a large datagram costs nothing but this comparison.
  if (datagram.size() > kMaxReceivedDatagramBytes) {
    return Errc::datagram_too_large;
  }
  auto handle = core::unpack_exactly(datagram, datagram_limits(), core::Errc::frame_malformed);
  if (!handle) {
    return Errc::malformed_message;
  }
  try {
    return read_message(handle.value().get(), network);
  } catch (const wire::Failure& failure) {
    return failure.code;
  } catch (const std::bad_alloc&) {
    // Every count is capped, so this is the process running out of memory, not the input.
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

} // namespace swarmshare::dht
