// Encoding DHT datagrams (docs/PROTOCOL.md, "DHT").

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/dht/message.hpp"

#include "wire/codec.hpp"

#include <new>
#include <type_traits>

namespace swarmshare::dht {
namespace {

using wire::Packer;
using wire::require;

void pack_head(Packer& packer, const crypto::NetworkId& network, std::uint16_t type,
               TransactionId transaction, const crypto::PeerId& sender) {
  packer.pack_array(8);
  packer.pack_uint64(kDhtVersion);
  wire::pack_bin(packer, network.bytes());
  packer.pack_uint16(type);
  require(transaction.value != 0);
  packer.pack_uint32(transaction.value);
  wire::pack_bin(packer, sender.bytes());
}

void pack_token(Packer& packer, const std::optional<Token>& token) {
  if (token) {
    wire::pack_bin(packer, token->bytes);
  } else {
    packer.pack_nil();
  }
}

void pack_contacts(Packer& packer, const std::vector<NodeContact>& contacts) {
  require(contacts.size() <= kMaxContactsPerReply);
  packer.pack_array(static_cast<std::uint32_t>(contacts.size()));
  for (const auto& contact : contacts) {
    wire::pack_contact(packer, contact);
  }
}

// ---- Request bodies ----

void pack_body(Packer& packer, const PingRequest&) { packer.pack_array(0); }

void pack_body(Packer& packer, const FindNodeRequest& r) {
  packer.pack_array(1);
  wire::pack_bin(packer, r.target.bytes());
}

void pack_body(Packer& packer, const GetPeersRequest& r) {
  packer.pack_array(1);
  wire::pack_bin(packer, r.file_id.bytes());
}

void pack_body(Packer& packer, const AnnouncePeerRequest& r) {
  packer.pack_array(1);
  wire::pack_peer_record(packer, r.record);
}

void pack_body(Packer& packer, const GetRequest& r) {
  packer.pack_array(1);
  wire::pack_bin(packer, r.target.bytes());
}

void pack_body(Packer& packer, const PutRequest& r) {
  packer.pack_array(1);
  wire::pack_signed_record(packer, r.record);
}

// ---- Reply bodies ----

void pack_body(Packer& packer, const ErrorReply& r) {
  require(r.code != ErrorCode{});
  require(r.text.size() <= kMaxErrorTextBytes && core::is_valid_utf8(r.text));
  packer.pack_array(2);
  packer.pack_uint16(static_cast<std::uint16_t>(r.code));
  wire::pack_text(packer, r.text);
}

void pack_body(Packer& packer, const PongReply&) { packer.pack_array(0); }

void pack_body(Packer& packer, const NodesReply& r) {
  packer.pack_array(1);
  pack_contacts(packer, r.contacts);
}

void pack_body(Packer& packer, const PeersReply& r) {
  require(r.records.size() <= kMaxRecordsPerReply);
  packer.pack_array(2);
  packer.pack_array(static_cast<std::uint32_t>(r.records.size()));
  for (const auto& record : r.records) {
    wire::pack_peer_record(packer, record);
  }
  pack_contacts(packer, r.contacts);
}

void pack_body(Packer& packer, const StoredReply&) { packer.pack_array(0); }

void pack_body(Packer& packer, const ValuesReply& r) {
  require(r.records.size() <= kMaxRecordsPerReply);
  packer.pack_array(2);
  packer.pack_array(static_cast<std::uint32_t>(r.records.size()));
  for (const auto& record : r.records) {
    wire::pack_signed_record(packer, record);
  }
  pack_contacts(packer, r.contacts);
}

void pack_message(Packer& packer, const Request& request, const crypto::NetworkId& network) {
  pack_head(packer, network, message_type(request.body), request.transaction, request.sender);
  pack_token(packer, request.token);
  std::visit([&packer](const auto& body) { pack_body(packer, body); }, request.body);
  if (request.padding == 0) {
    packer.pack_nil();
    return;
  }
  require(request.padding <= kMaxDatagramBytes);
  packer.pack_bin(static_cast<std::uint32_t>(request.padding));
  static constexpr std::array<char, kMaxDatagramBytes> kZeros{};
  packer.pack_bin_body(kZeros.data(), static_cast<std::uint32_t>(request.padding));
}

void pack_message(Packer& packer, const Reply& reply, const crypto::NetworkId& network) {
  pack_head(packer, network, message_type(reply.body), reply.transaction, reply.sender);
  wire::pack_endpoint(packer, reply.you_are);
  pack_token(packer, reply.token);
  std::visit([&packer](const auto& body) { pack_body(packer, body); }, reply.body);
}

// Encodes without the send cap; the callers apply it.
template <class Message>
core::Result<Bytes> encode_uncapped(const Message& message, const crypto::NetworkId& network) {
  try {
    msgpack::sbuffer buffer;
    Packer packer(buffer);
    pack_message(packer, message, network);
    const auto bytes = wire::bytes_of(buffer);
    return Bytes{bytes.begin(), bytes.end()};
  } catch (const wire::Failure& failure) {
    return failure.code;
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

template <class Message>
core::Result<Bytes> encode_capped(const Message& message, const crypto::NetworkId& network) {
  auto bytes = encode_uncapped(message, network);
  if (bytes && bytes.value().size() > kMaxDatagramBytes) {
    return Errc::message_too_large;
  }
  return bytes;
}

} // namespace

core::Result<Bytes> encode_request(const Request& request, const crypto::NetworkId& network) {
  return encode_capped(request, network);
}

core::Result<Bytes> encode_reply(const Reply& reply, const crypto::NetworkId& network) {
  return encode_capped(reply, network);
}

core::Result<std::size_t> encoded_size(const Request& request, const crypto::NetworkId& network) {
  auto bytes = encode_capped(request, network);
  if (!bytes) {
    return bytes.error();
  }
  return bytes.value().size();
}

core::Result<std::size_t> encoded_size(const Reply& reply, const crypto::NetworkId& network) {
  auto bytes = encode_capped(reply, network);
  if (!bytes) {
    return bytes.error();
  }
  return bytes.value().size();
}

core::Status pad_request(Request& request, std::size_t total_bytes,
                         const crypto::NetworkId& network) {
  if (total_bytes > kMaxDatagramBytes) {
    return Errc::message_too_large;
  }
  Request unpadded = request;
  unpadded.padding = 0;
  auto base = encoded_size(unpadded, network);
  if (!base) {
    return base.error();
  }
  if (base.value() >= total_bytes) {
    request.padding = 0;
    return boost::outcome_v2::success();
  }
  // Without padding the field is nil (1 byte); with p bytes it is a bin with a 2-byte
  // (p < 256) or 3-byte header: the size grows by 1 + p or 2 + p. Some sizes cannot be hit
  // exactly (one byte more than the base, or the step at 256); then it is one byte over.
  const std::size_t missing = total_bytes - base.value();
  std::size_t padding = 0;
  if (missing == 1) {
    padding = 1;
  } else if (missing <= 256) {
    padding = missing - 1;
  } else if (missing == 257) {
    padding = 256;
  } else {
    padding = missing - 2;
  }
  Request padded = request;
  padded.padding = padding;
  auto size = encoded_size(padded, network); // message_too_large when one byte over the cap
  if (!size) {
    return size.error();
  }
  request.padding = padding;
  return boost::outcome_v2::success();
}

} // namespace swarmshare::dht
