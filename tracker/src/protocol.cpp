#include "swarmshare/tracker/protocol.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/msgpack_io.hpp"
#include "swarmshare/tracker/error.hpp"

#include <algorithm>
#include <limits>
#include <new>
#include <span>
#include <type_traits>
#include <utility>

namespace swarmshare::tracker::protocol {
namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;
using Object = msgpack::object;

// Decoding and validation throw this inside this file only: it keeps each decoder a straight
// list of fields. decode_request/decode_reply/encode_* catch it and return the code.
struct Failure {
  Errc code;
};

// ---- Decoding ----

class Reader {
public:
  // `lenient`: the message comes from a newer protocol version, which may append fields to
  // bodies and records; we read the ones we know and ignore the rest.
  Reader(Errc malformed, bool lenient) : malformed_(malformed), lenient_(lenient) {}

  [[noreturn]] void fail() const { throw Failure{malformed_}; }
  [[noreturn]] static void over_limit() { throw Failure{Errc::limit_exceeded}; }

  // The first `count` elements of an array that must have exactly that many (or, from a
  // newer peer, at least that many).
  [[nodiscard]] std::span<const Object> fields(const Object& object, std::size_t count) const {
    if (object.type != msgpack::type::ARRAY) {
      fail();
    }
    const std::size_t size = object.via.array.size;
    if (size < count || (size > count && !lenient_)) {
      fail();
    }
    return {object.via.array.ptr, count};
  }

  [[nodiscard]] std::uint64_t uint(const Object& object, std::uint64_t max) const {
    if (object.type != msgpack::type::POSITIVE_INTEGER || object.via.u64 > max) {
      fail();
    }
    return object.via.u64;
  }

  [[nodiscard]] std::uint32_t uint32(const Object& object) const {
    return static_cast<std::uint32_t>(uint(object, std::numeric_limits<std::uint32_t>::max()));
  }

  [[nodiscard]] std::uint64_t uint64(const Object& object) const {
    return uint(object, std::numeric_limits<std::uint64_t>::max());
  }

  [[nodiscard]] RequestId request_id(const Object& object) const {
    const std::uint32_t id = uint32(object);
    if (id == 0) {
      fail();
    }
    return id;
  }

  // A requested count: 0 is meaningless, more than `max` is a refusal the client can act on.
  [[nodiscard]] std::uint32_t limit(const Object& object, std::uint32_t max) const {
    const std::uint64_t value = uint64(object);
    if (value == 0) {
      fail();
    }
    if (value > max) {
      over_limit();
    }
    return static_cast<std::uint32_t>(value);
  }

  [[nodiscard]] std::uint16_t port(const Object& object) const {
    const auto value = uint(object, std::numeric_limits<std::uint16_t>::max());
    if (value == 0) {
      fail();
    }
    return static_cast<std::uint16_t>(value);
  }

  [[nodiscard]] bool boolean(const Object& object) const {
    if (object.type != msgpack::type::BOOLEAN) {
      fail();
    }
    return object.via.boolean;
  }

  [[nodiscard]] std::span<const std::uint8_t> bin(const Object& object, std::size_t max) const {
    if (object.type != msgpack::type::BIN) {
      fail();
    }
    if (object.via.bin.size > max) {
      over_limit();
    }
    return {reinterpret_cast<const std::uint8_t*>(object.via.bin.ptr), object.via.bin.size};
  }

  [[nodiscard]] Bytes bytes(const Object& object, std::size_t max) const {
    const auto view = bin(object, max);
    if (view.empty()) {
      fail();
    }
    return {view.begin(), view.end()};
  }

  [[nodiscard]] core::FileId file_id(const Object& object) const {
    const auto view = bin(object, std::numeric_limits<std::size_t>::max());
    core::Hash256 digest{};
    if (view.size() != digest.size()) {
      fail();
    }
    std::copy(view.begin(), view.end(), digest.begin());
    return core::FileId{digest};
  }

  [[nodiscard]] crypto::PeerId peer_id(const Object& object) const {
    const auto view = bin(object, std::numeric_limits<std::size_t>::max());
    std::array<std::uint8_t, crypto::kPeerIdBytes> key{};
    if (view.size() != key.size()) {
      fail();
    }
    std::copy(view.begin(), view.end(), key.begin());
    return crypto::PeerId{key};
  }

  [[nodiscard]] std::string text(const Object& object, std::size_t min, std::size_t max) const {
    if (object.type != msgpack::type::STR) {
      fail();
    }
    if (object.via.str.size > max) {
      over_limit();
    }
    std::string value(object.via.str.ptr, object.via.str.size);
    if (value.size() < min || !core::is_valid_utf8(value)) {
      fail();
    }
    return value;
  }

  // core::Endpoint's wire form [bin 4|16, port]. It is not versioned with tracker bodies, so
  // it is read strictly whatever the message version.
  [[nodiscard]] core::Endpoint endpoint(const Object& object) const {
    if (object.type != msgpack::type::ARRAY || object.via.array.size != 2) {
      fail();
    }
    const auto address = bin(object.via.array.ptr[0], std::numeric_limits<std::size_t>::max());
    const std::uint16_t port_value = port(object.via.array.ptr[1]);
    auto endpoint = core::Endpoint::from_bytes(address, port_value);
    if (!endpoint) {
      fail();
    }
    return endpoint.value();
  }

  [[nodiscard]] std::vector<core::Endpoint> endpoints(const Object& object, std::size_t min) const {
    if (object.type != msgpack::type::ARRAY) {
      fail();
    }
    const std::size_t count = object.via.array.size;
    if (count > kMaxEndpointsPerPeer) {
      over_limit();
    }
    if (count < min) {
      fail();
    }
    std::vector<core::Endpoint> result;
    result.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      result.push_back(endpoint(object.via.array.ptr[i]));
    }
    return result;
  }

  // An array of records, its count checked against `max` before anything is allocated.
  template <class Record, class ReadRecord>
  [[nodiscard]] std::vector<Record> records(const Object& object, std::size_t max,
                                            ReadRecord read_record) const {
    if (object.type != msgpack::type::ARRAY) {
      fail();
    }
    const std::size_t count = object.via.array.size;
    if (count > max) {
      over_limit();
    }
    std::vector<Record> result;
    result.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      result.push_back(read_record(object.via.array.ptr[i]));
    }
    return result;
  }

  [[nodiscard]] PeerEntry peer_entry(const Object& object) const {
    const auto f = fields(object, 3);
    PeerEntry entry;
    entry.peer_id = peer_id(f[0]);
    entry.endpoints = endpoints(f[1], 1);
    entry.last_seen = uint64(f[2]);
    return entry;
  }

  [[nodiscard]] SearchHit search_hit(const Object& object) const {
    const auto f = fields(object, 5);
    SearchHit hit;
    hit.name = text(f[0], 0, kMaxResultNameBytes);
    hit.size = uint64(f[1]);
    hit.file_id = file_id(f[2]);
    hit.live_seeders = uint32(f[3]);
    hit.first_seen = uint64(f[4]);
    return hit;
  }

private:
  Errc malformed_;
  bool lenient_;
};

// Requests whose body is [request id, File ID].
template <class T>
T file_request(const Reader& r, const Object& body) {
  const auto f = r.fields(body, 2);
  T request;
  request.request_id = r.request_id(f[0]);
  request.file_id = r.file_id(f[1]);
  return request;
}

std::optional<Request> read_request(const Reader& r, core::MessageType type, const Object& body) {
  switch (core::type_value(type)) {
  case core::type_value(Announce::kType): {
    const auto f = r.fields(body, 7);
    Announce a;
    a.request_id = r.request_id(f[0]);
    a.file_id = r.file_id(f[1]);
    if (f[2].type != msgpack::type::NIL) {
      a.manifest = r.bytes(f[2], kMaxManifestBytes);
    }
    a.port = r.port(f[3]);
    a.endpoints = r.endpoints(f[4], 0);
    a.unlisted = r.boolean(f[5]);
    a.dht_port =
        static_cast<std::uint16_t>(r.uint(f[6], std::numeric_limits<std::uint16_t>::max()));
    return a;
  }
  case core::type_value(Refresh::kType): return file_request<Refresh>(r, body);
  case core::type_value(Unannounce::kType): return file_request<Unannounce>(r, body);
  case core::type_value(GetPeers::kType): {
    const auto f = r.fields(body, 3);
    GetPeers g;
    g.request_id = r.request_id(f[0]);
    g.file_id = r.file_id(f[1]);
    g.limit = r.limit(f[2], kMaxPeersPerReply);
    return g;
  }
  case core::type_value(GetManifest::kType): return file_request<GetManifest>(r, body);
  case core::type_value(Search::kType): {
    const auto f = r.fields(body, 4);
    Search s;
    s.request_id = r.request_id(f[0]);
    s.text = r.text(f[1], 1, kMaxSearchTextBytes);
    s.limit = r.limit(f[2], kMaxSearchResultsPerPage);
    s.offset = r.uint32(f[3]);
    if (s.offset > kMaxSearchOffset) {
      Reader::over_limit();
    }
    return s;
  }
  case core::type_value(GetStats::kType): {
    const auto f = r.fields(body, 1);
    GetStats g;
    g.request_id = r.request_id(f[0]);
    return g;
  }
  case core::type_value(GetDhtPeers::kType): {
    const auto f = r.fields(body, 2);
    GetDhtPeers g;
    g.request_id = r.request_id(f[0]);
    g.limit = r.limit(f[1], kMaxDhtPeersPerReply);
    return g;
  }
  case core::type_value(AdminDeleteFile::kType): return file_request<AdminDeleteFile>(r, body);
  case core::type_value(AdminBanPeer::kType): {
    const auto f = r.fields(body, 2);
    AdminBanPeer a;
    a.request_id = r.request_id(f[0]);
    a.peer_id = r.peer_id(f[1]);
    return a;
  }
  default: return std::nullopt;
  }
}

std::optional<Reply> read_reply(const Reader& r, core::MessageType type, const Object& body) {
  switch (core::type_value(type)) {
  case core::type_value(ErrorReply::kType): {
    const auto f = r.fields(body, 3);
    ErrorReply e;
    // A client may see 0 here: the tracker could not read the request's id.
    e.request_id = r.uint32(f[0]);
    const auto code = r.uint(f[1], std::numeric_limits<std::uint16_t>::max());
    if (code == 0) {
      r.fail();
    }
    e.code = static_cast<ErrorCode>(code);
    e.text = r.text(f[2], 0, kMaxErrorTextBytes);
    return e;
  }
  case core::type_value(OkReply::kType): {
    const auto f = r.fields(body, 1);
    OkReply o;
    o.request_id = r.request_id(f[0]);
    return o;
  }
  case core::type_value(AnnounceOkReply::kType): {
    const auto f = r.fields(body, 3);
    AnnounceOkReply a;
    a.request_id = r.request_id(f[0]);
    a.ttl_seconds = r.uint32(f[1]);
    a.observed = r.endpoint(f[2]);
    return a;
  }
  case core::type_value(PeersReply::kType): {
    const auto f = r.fields(body, 2);
    PeersReply p;
    p.request_id = r.request_id(f[0]);
    p.peers = r.records<PeerEntry>(f[1], kMaxPeersPerReply,
                                   [&r](const Object& o) { return r.peer_entry(o); });
    return p;
  }
  case core::type_value(ManifestReply::kType): {
    const auto f = r.fields(body, 2);
    ManifestReply m;
    m.request_id = r.request_id(f[0]);
    m.manifest = r.bytes(f[1], kMaxManifestBytes);
    return m;
  }
  case core::type_value(SearchReply::kType): {
    const auto f = r.fields(body, 3);
    SearchReply s;
    s.request_id = r.request_id(f[0]);
    s.total = r.uint64(f[1]);
    s.hits = r.records<SearchHit>(f[2], kMaxSearchResultsPerPage,
                                  [&r](const Object& o) { return r.search_hit(o); });
    if (s.hits.size() > s.total) {
      r.fail();
    }
    return s;
  }
  case core::type_value(StatsReply::kType): {
    const auto f = r.fields(body, 5);
    StatsReply s;
    s.request_id = r.request_id(f[0]);
    s.files = r.uint64(f[1]);
    s.peer_entries = r.uint64(f[2]);
    s.peers = r.uint64(f[3]);
    s.uptime_seconds = r.uint64(f[4]);
    return s;
  }
  case core::type_value(DhtPeersReply::kType): {
    const auto f = r.fields(body, 2);
    DhtPeersReply d;
    d.request_id = r.request_id(f[0]);
    d.peers = r.records<PeerEntry>(f[1], kMaxDhtPeersPerReply,
                                   [&r](const Object& o) { return r.peer_entry(o); });
    return d;
  }
  default: return std::nullopt;
  }
}

// ---- Encoding ----

void require(bool condition) {
  if (!condition) {
    throw Failure{Errc::invalid_message};
  }
}

void require_text(const std::string& text, std::size_t min, std::size_t max) {
  require(text.size() >= min && text.size() <= max && core::is_valid_utf8(text));
}

using core::pack_bin;

void pack_text(Packer& packer, const std::string& text) { core::pack_str(packer, text); }

void pack_endpoint(Packer& packer, const core::Endpoint& endpoint) {
  require(endpoint.port() != 0);
  core::pack_endpoint(packer, endpoint);
}

void pack_endpoints(Packer& packer, const std::vector<core::Endpoint>& endpoints, std::size_t min) {
  require(endpoints.size() >= min && endpoints.size() <= kMaxEndpointsPerPeer);
  packer.pack_array(static_cast<std::uint32_t>(endpoints.size()));
  for (const auto& endpoint : endpoints) {
    pack_endpoint(packer, endpoint);
  }
}

void pack_request_id(Packer& packer, RequestId id) {
  require(id != 0);
  packer.pack_uint32(id);
}

void pack_limit(Packer& packer, std::uint32_t limit, std::uint32_t max) {
  require(limit != 0 && limit <= max);
  packer.pack_uint32(limit);
}

void pack_peers(Packer& packer, const std::vector<PeerEntry>& peers, std::size_t max) {
  require(peers.size() <= max);
  packer.pack_array(static_cast<std::uint32_t>(peers.size()));
  for (const auto& peer : peers) {
    packer.pack_array(3);
    pack_bin(packer, peer.peer_id.bytes());
    pack_endpoints(packer, peer.endpoints, 1);
    packer.pack_uint64(peer.last_seen);
  }
}

template <class T>
void pack_file_request(Packer& packer, const T& request) {
  packer.pack_array(2);
  pack_request_id(packer, request.request_id);
  pack_bin(packer, request.file_id.bytes());
}

void pack_body(Packer& packer, const Announce& a) {
  packer.pack_array(7);
  pack_request_id(packer, a.request_id);
  pack_bin(packer, a.file_id.bytes());
  if (a.manifest) {
    require(!a.manifest->empty() && a.manifest->size() <= kMaxManifestBytes);
    pack_bin(packer, *a.manifest);
  } else {
    packer.pack_nil();
  }
  require(a.port != 0);
  packer.pack_uint16(a.port);
  pack_endpoints(packer, a.endpoints, 0);
  packer.pack(a.unlisted);
  packer.pack_uint16(a.dht_port);
}

void pack_body(Packer& packer, const Refresh& r) { pack_file_request(packer, r); }
void pack_body(Packer& packer, const Unannounce& u) { pack_file_request(packer, u); }
void pack_body(Packer& packer, const GetManifest& g) { pack_file_request(packer, g); }
void pack_body(Packer& packer, const AdminDeleteFile& a) { pack_file_request(packer, a); }

void pack_body(Packer& packer, const GetPeers& g) {
  packer.pack_array(3);
  pack_request_id(packer, g.request_id);
  pack_bin(packer, g.file_id.bytes());
  pack_limit(packer, g.limit, kMaxPeersPerReply);
}

void pack_body(Packer& packer, const Search& s) {
  packer.pack_array(4);
  pack_request_id(packer, s.request_id);
  require_text(s.text, 1, kMaxSearchTextBytes);
  pack_text(packer, s.text);
  pack_limit(packer, s.limit, kMaxSearchResultsPerPage);
  require(s.offset <= kMaxSearchOffset);
  packer.pack_uint32(s.offset);
}

void pack_body(Packer& packer, const GetStats& g) {
  packer.pack_array(1);
  pack_request_id(packer, g.request_id);
}

void pack_body(Packer& packer, const GetDhtPeers& g) {
  packer.pack_array(2);
  pack_request_id(packer, g.request_id);
  pack_limit(packer, g.limit, kMaxDhtPeersPerReply);
}

void pack_body(Packer& packer, const AdminBanPeer& a) {
  packer.pack_array(2);
  pack_request_id(packer, a.request_id);
  pack_bin(packer, a.peer_id.bytes());
}

void pack_body(Packer& packer, const ErrorReply& e) {
  packer.pack_array(3);
  packer.pack_uint32(e.request_id); // 0 allowed: the request's id was unreadable
  require(e.code != ErrorCode{});
  packer.pack_uint16(static_cast<std::uint16_t>(e.code));
  require_text(e.text, 0, kMaxErrorTextBytes);
  pack_text(packer, e.text);
}

void pack_body(Packer& packer, const OkReply& o) {
  packer.pack_array(1);
  pack_request_id(packer, o.request_id);
}

void pack_body(Packer& packer, const AnnounceOkReply& a) {
  packer.pack_array(3);
  pack_request_id(packer, a.request_id);
  packer.pack_uint32(a.ttl_seconds);
  pack_endpoint(packer, a.observed);
}

void pack_body(Packer& packer, const PeersReply& p) {
  packer.pack_array(2);
  pack_request_id(packer, p.request_id);
  pack_peers(packer, p.peers, kMaxPeersPerReply);
}

void pack_body(Packer& packer, const ManifestReply& m) {
  packer.pack_array(2);
  pack_request_id(packer, m.request_id);
  require(!m.manifest.empty() && m.manifest.size() <= kMaxManifestBytes);
  pack_bin(packer, m.manifest);
}

void pack_body(Packer& packer, const SearchReply& s) {
  packer.pack_array(3);
  pack_request_id(packer, s.request_id);
  require(s.hits.size() <= kMaxSearchResultsPerPage && s.hits.size() <= s.total);
  packer.pack_uint64(s.total);
  packer.pack_array(static_cast<std::uint32_t>(s.hits.size()));
  for (const auto& hit : s.hits) {
    packer.pack_array(5);
    require_text(hit.name, 0, kMaxResultNameBytes);
    pack_text(packer, hit.name);
    packer.pack_uint64(hit.size);
    pack_bin(packer, hit.file_id.bytes());
    packer.pack_uint32(hit.live_seeders);
    packer.pack_uint64(hit.first_seen);
  }
}

void pack_body(Packer& packer, const StatsReply& s) {
  packer.pack_array(5);
  pack_request_id(packer, s.request_id);
  packer.pack_uint64(s.files);
  packer.pack_uint64(s.peer_entries);
  packer.pack_uint64(s.peers);
  packer.pack_uint64(s.uptime_seconds);
}

void pack_body(Packer& packer, const DhtPeersReply& d) {
  packer.pack_array(2);
  pack_request_id(packer, d.request_id);
  pack_peers(packer, d.peers, kMaxDhtPeersPerReply);
}

template <class Variant>
core::Result<Bytes> encode(const Variant& message) {
  try {
    return std::visit(
        [](const auto& m) {
          return core::encode_frame(
              std::decay_t<decltype(m)>::kType,
              [&m](msgpack::packer<msgpack::sbuffer>& packer) { pack_body(packer, m); });
        },
        message);
  } catch (const Failure& failure) {
    return failure.code;
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

template <class Variant, class ReadBody>
core::Result<std::optional<Variant>> decode(const core::Message& message, Errc malformed,
                                            ReadBody read_body) {
  try {
    const Reader reader(malformed, message.version > core::kWireVersion);
    return read_body(reader, message.type, message.body());
  } catch (const Failure& failure) {
    return failure.code;
  } catch (const std::bad_alloc&) {
    // Every count is capped, so this is the process running out of memory, not the input.
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

template <class Variant>
constexpr bool is_type_of(core::MessageType type) noexcept {
  return [type]<std::size_t... I>(std::index_sequence<I...>) {
    return ((std::variant_alternative_t<I, Variant>::kType == type) || ...);
  }
  (std::make_index_sequence<std::variant_size_v<Variant>>{});
}

} // namespace

core::Result<Bytes> encode_request(const Request& request) { return encode(request); }

core::Result<Bytes> encode_reply(const Reply& reply) { return encode(reply); }

core::Result<std::optional<Request>> decode_request(const core::Message& message) {
  return decode<Request>(message, Errc::malformed_request, read_request);
}

core::Result<std::optional<Reply>> decode_reply(const core::Message& message) {
  return decode<Reply>(message, Errc::malformed_reply, read_reply);
}

RequestId peek_request_id(const core::Message& message) noexcept {
  const Object& body = message.body();
  if (body.type != msgpack::type::ARRAY || body.via.array.size == 0) {
    return 0;
  }
  const Object& first = body.via.array.ptr[0];
  if (first.type != msgpack::type::POSITIVE_INTEGER ||
      first.via.u64 > std::numeric_limits<RequestId>::max()) {
    return 0;
  }
  return static_cast<RequestId>(first.via.u64);
}

ErrorCode wire_error_for(const std::error_code& error) noexcept {
  if (error.category() == protocol_category()) {
    return error == Errc::limit_exceeded ? ErrorCode::limit_exceeded : ErrorCode::malformed_request;
  }
  if (error.category() == tracker_category()) {
    switch (static_cast<tracker::Errc>(error.value())) {
    case tracker::Errc::manifest_mismatch: return ErrorCode::manifest_mismatch;
    case tracker::Errc::unknown_file: return ErrorCode::unknown_file;
    case tracker::Errc::file_deleted: return ErrorCode::file_deleted;
    case tracker::Errc::peer_banned: return ErrorCode::banned;
    case tracker::Errc::not_owner: return ErrorCode::not_owner;
    case tracker::Errc::no_entry: return ErrorCode::no_entry;
    case tracker::Errc::invalid_endpoints: return ErrorCode::malformed_request;
    case tracker::Errc::empty_query: return ErrorCode::empty_query;
    case tracker::Errc::store_closed: return ErrorCode::busy;
    default: return ErrorCode::internal_error;
    }
  }
  // A manifest that core refuses cannot be the one the File ID names.
  if (error == core::Errc::manifest_malformed || error == core::Errc::manifest_not_canonical ||
      error == core::Errc::manifest_too_large || error == core::Errc::manifest_inconsistent ||
      error == core::Errc::unsupported_version) {
    return ErrorCode::manifest_mismatch;
  }
  return ErrorCode::internal_error;
}

std::string_view default_error_text(ErrorCode code) noexcept {
  switch (code) {
  case ErrorCode::malformed_request: return "malformed request";
  case ErrorCode::limit_exceeded: return "limit exceeded";
  case ErrorCode::rate_limited: return "too many requests";
  case ErrorCode::unknown_file: return "unknown file";
  case ErrorCode::file_deleted: return "file deleted by the operator";
  case ErrorCode::not_owner: return "entry announced by another peer";
  case ErrorCode::no_entry: return "no live entry of yours for this file";
  case ErrorCode::manifest_required: return "manifest required on the first announce";
  case ErrorCode::manifest_mismatch: return "manifest invalid or not matching the File ID";
  case ErrorCode::banned: return "banned";
  case ErrorCode::not_admin: return "not an admin";
  case ErrorCode::empty_query: return "search text has no word";
  case ErrorCode::internal_error: return "internal tracker error";
  case ErrorCode::busy: return "tracker busy";
  }
  return "tracker error";
}

bool is_request_type(core::MessageType type) noexcept { return is_type_of<Request>(type); }

bool is_reply_type(core::MessageType type) noexcept { return is_type_of<Reply>(type); }

core::MessageType message_type(const Request& request) noexcept {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kType; }, request);
}

core::MessageType message_type(const Reply& reply) noexcept {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kType; }, reply);
}

RequestId request_id(const Request& request) noexcept {
  return std::visit([](const auto& m) { return m.request_id; }, request);
}

RequestId request_id(const Reply& reply) noexcept {
  return std::visit([](const auto& m) { return m.request_id; }, reply);
}

core::FrameLimits server_frame_limits() noexcept {
  core::FrameLimits limits;
  limits.max_frame_bytes = core::kDefaultMaxFrameBytes;
  // Requests hold at most 8 fields and 8 endpoints; the slack is for fields a newer client
  // appends. Nesting: envelope, body, endpoints, endpoint.
  limits.unpack.max_array_elements = 32;
  limits.unpack.max_map_entries = 16;
  limits.unpack.max_string_bytes = 1024;
  limits.unpack.max_binary_bytes = kMaxManifestBytes;
  limits.unpack.max_depth = 8;
  return limits;
}

core::FrameLimits client_frame_limits() noexcept {
  core::FrameLimits limits;
  limits.max_frame_bytes = core::kDefaultMaxFrameBytes;
  // 200 peers or 100 hits per reply, names up to 1,024 bytes. Nesting: envelope, body,
  // peers, peer, endpoints, endpoint.
  limits.unpack.max_array_elements = 256;
  limits.unpack.max_map_entries = 16;
  limits.unpack.max_string_bytes = 4096;
  limits.unpack.max_binary_bytes = kMaxManifestBytes;
  limits.unpack.max_depth = 10;
  return limits;
}

} // namespace swarmshare::tracker::protocol
