#include "swarmshare/core/share_link.hpp"

#include "swarmshare/core/digits.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/core/manifest.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace swarmshare::core {
namespace {

constexpr std::string_view kBase32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::size_t kPeerKeyTextLength = 52;
constexpr std::string_view kQueryStart = "?";

class ShareLinkCategory final : public std::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "swarmshare.core.share_link"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<ShareLinkErrc>(value)) {
    case ShareLinkErrc::not_a_share_link: return "not a share link (swarmshare:?id=...)";
    case ShareLinkErrc::too_long: return "the share link is too long";
    case ShareLinkErrc::malformed: return "the share link is malformed";
    case ShareLinkErrc::missing_file_id: return "the share link has no File ID";
    case ShareLinkErrc::invalid_file_id: return "the share link's File ID is not 64 hex digits";
    case ShareLinkErrc::invalid_name: return "the share link's file name is not valid";
    case ShareLinkErrc::invalid_size: return "the share link's size is not a number of bytes";
    case ShareLinkErrc::invalid_tracker: return "the share link's tracker is not valid";
    case ShareLinkErrc::invalid_peer: return "the share link's peer is not PEERID@IP:PORT";
    case ShareLinkErrc::too_many_peers: return "the share link has too many peers";
    case ShareLinkErrc::duplicate_parameter: return "the share link gives the same parameter twice";
    }
    return "unknown share link error";
  }
};

[[nodiscard]] bool is_unreserved(char c) noexcept {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

// What a URI query may hold unescaped (RFC 3986: pchar / "/" / "?"), less the separators.
[[nodiscard]] bool is_query_char(char c) noexcept {
  static constexpr std::string_view kAllowed = "!$'()*+,;:@/?";
  return is_unreserved(c) || kAllowed.find(c) != std::string_view::npos;
}

[[nodiscard]] Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (text.size() - i < 3) {
        return ShareLinkErrc::malformed;
      }
      const int high = hex_digit_value(text[i + 1]);
      const int low = hex_digit_value(text[i + 2]);
      if (high < 0 || low < 0) {
        return ShareLinkErrc::malformed;
      }
      out.push_back(static_cast<char>((high << 4) | low));
      i += 2;
    } else if (is_query_char(c)) {
      out.push_back(c); // '+' stays '+': this is a URI, not a submitted form
    } else {
      return ShareLinkErrc::malformed;
    }
  }
  return out;
}

// Escapes all but the unreserved characters and the two a reader expects to see in a peer
// (':' and '@'); brackets of IPv6 addresses are escaped, as a query may not hold them.
void append_encoded(std::string& out, std::string_view value) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  for (const char c : value) {
    if (is_unreserved(c) || c == ':' || c == '@') {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4U]);
      out.push_back(kHex[byte & 0x0FU]);
    }
  }
}

[[nodiscard]] Result<std::uint64_t> parse_size(std::string_view text) {
  // Plain decimal, no sign, no leading zeros: one spelling per number.
  if (text.empty() || (text.size() > 1 && text.front() == '0') ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return ShareLinkErrc::invalid_size;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return ShareLinkErrc::invalid_size;
  }
  return value;
}

[[nodiscard]] bool is_plausible_tracker(std::string_view text) noexcept {
  // The real check is tracker::TrackerAddress::parse; this keeps control characters,
  // spaces and oversized text out of everything that handles the link before it.
  if (text.empty() || text.size() > kMaxShareLinkTrackerBytes) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' ||
           c == ':' || c == '@' || c == '[' || c == ']';
  });
}

[[nodiscard]] Result<ShareLinkPeer> parse_peer(std::string_view text) {
  const auto at = text.find('@');
  if (at == std::string_view::npos) {
    return ShareLinkErrc::invalid_peer;
  }
  auto key = peer_key_from_text(text.substr(0, at));
  if (!key) {
    return key.error();
  }
  auto endpoint = Endpoint::parse(text.substr(at + 1));
  if (!endpoint) {
    return ShareLinkErrc::invalid_peer;
  }
  return ShareLinkPeer{key.value(), endpoint.value()};
}

// Stores one known parameter's value into `link`; unknown names are skipped.
[[nodiscard]] Status apply_parameter(ShareLink& link, bool& has_id, std::string_view name,
                                     std::string value) {
  if (name == "id") {
    if (has_id) {
      return ShareLinkErrc::duplicate_parameter;
    }
    auto id = FileId::parse(value);
    if (!id) {
      return ShareLinkErrc::invalid_file_id;
    }
    link.file_id = id.value();
    has_id = true;
  } else if (name == "name") {
    if (link.name) {
      return ShareLinkErrc::duplicate_parameter;
    }
    if (value.empty() || value.size() > kMaxManifestNameBytes || !is_valid_utf8(value)) {
      return ShareLinkErrc::invalid_name;
    }
    link.name = std::move(value);
  } else if (name == "size") {
    if (link.size) {
      return ShareLinkErrc::duplicate_parameter;
    }
    auto size = parse_size(value);
    if (!size) {
      return size.error();
    }
    link.size = size.value();
  } else if (name == "tracker") {
    if (link.tracker) {
      return ShareLinkErrc::duplicate_parameter;
    }
    if (!is_plausible_tracker(value)) {
      return ShareLinkErrc::invalid_tracker;
    }
    link.tracker = std::move(value);
  } else if (name == "peer") {
    if (link.peers.size() >= kMaxShareLinkPeers) {
      return ShareLinkErrc::too_many_peers;
    }
    auto peer = parse_peer(value);
    if (!peer) {
      return peer.error();
    }
    link.peers.push_back(peer.value());
  }
  return boost::outcome_v2::success();
}

} // namespace

const std::error_category& share_link_category() noexcept {
  static const ShareLinkCategory category;
  return category;
}

bool looks_like_share_link(std::string_view text) noexcept {
  if (text.size() < kShareLinkScheme.size()) {
    return false;
  }
  return std::equal(kShareLinkScheme.begin(), kShareLinkScheme.end(), text.begin(),
                    [](char expected, char c) {
                      return expected == std::tolower(static_cast<unsigned char>(c));
                    });
}

std::string peer_key_to_text(const PeerKey& key) {
  std::string text;
  text.reserve(kPeerKeyTextLength);
  std::uint32_t buffer = 0;
  unsigned bits = 0;
  for (const std::uint8_t byte : key.bytes) {
    buffer = (buffer << 8U) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text.push_back(kBase32Alphabet[(buffer >> bits) & 0x1FU]);
    }
    buffer &= (1U << bits) - 1U;
  }
  if (bits > 0) {
    text.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1FU]);
  }
  return text;
}

Result<PeerKey> peer_key_from_text(std::string_view text) {
  if (text.size() != kPeerKeyTextLength) {
    return ShareLinkErrc::invalid_peer;
  }
  PeerKey key;
  std::size_t out = 0;
  std::uint32_t buffer = 0;
  unsigned bits = 0;
  for (const char c : text) {
    const int value = base32_digit_value(c);
    if (value < 0) {
      return ShareLinkErrc::invalid_peer;
    }
    buffer = (buffer << 5U) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      key.bytes[out++] = static_cast<std::uint8_t>(buffer >> bits);
      buffer &= (1U << bits) - 1U;
    }
  }
  if (buffer != 0) {
    return ShareLinkErrc::invalid_peer; // spare bits set: a second spelling of some key
  }
  return key;
}

std::string ShareLink::to_string() const {
  std::string text{kShareLinkScheme};
  text += kQueryStart;
  text += "id=" + file_id.to_hex();
  if (name) {
    text += "&name=";
    append_encoded(text, *name);
  }
  if (size) {
    text += "&size=" + std::to_string(*size);
  }
  if (tracker) {
    text += "&tracker=";
    append_encoded(text, *tracker);
  }
  const std::size_t peer_count = std::min(peers.size(), kMaxShareLinkPeers);
  for (std::size_t i = 0; i < peer_count; ++i) {
    text += "&peer=";
    append_encoded(text, peer_key_to_text(peers[i].peer) + "@" + peers[i].endpoint.to_string());
  }
  return text;
}

Result<ShareLink> ShareLink::parse(std::string_view text) {
  if (text.size() > kMaxShareLinkBytes) {
    return ShareLinkErrc::too_long;
  }
  if (!looks_like_share_link(text) ||
      text.substr(kShareLinkScheme.size(), kQueryStart.size()) != kQueryStart) {
    return ShareLinkErrc::not_a_share_link;
  }
  std::string_view query = text.substr(kShareLinkScheme.size() + kQueryStart.size());
  ShareLink link;
  bool has_id = false;
  std::size_t parameters = 0;
  // "swarmshare:?" alone has no parameter; otherwise each '&' must be followed by one.
  bool more = !query.empty();
  while (more) {
    const auto end = query.find('&');
    const std::string_view parameter = query.substr(0, end);
    more = end != std::string_view::npos;
    query = more ? query.substr(end + 1) : std::string_view{};
    if (parameter.empty()) {
      return ShareLinkErrc::malformed; // "&&", or a trailing '&'
    }
    if (++parameters > kMaxShareLinkParameters) {
      return ShareLinkErrc::too_long;
    }
    const auto equals = parameter.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      return ShareLinkErrc::malformed;
    }
    auto name = percent_decode(parameter.substr(0, equals));
    auto value = percent_decode(parameter.substr(equals + 1));
    if (!name || !value) {
      return ShareLinkErrc::malformed;
    }
    if (auto applied = apply_parameter(link, has_id, name.value(), std::move(value).value());
        !applied) {
      return applied.error();
    }
  }
  if (!has_id) {
    return ShareLinkErrc::missing_file_id;
  }
  return link;
}

std::vector<PeerSource> ShareLink::sources() const {
  std::vector<PeerSource> sources;
  for (const auto& peer : peers) {
    // One source per peer, with every endpoint the link gave for it.
    auto same = std::find_if(sources.begin(), sources.end(),
                             [&](const PeerSource& source) { return source.peer == peer.peer; });
    if (same == sources.end()) {
      PeerSource source;
      source.peer = peer.peer;
      source.origin = SourceOrigin::share_link;
      sources.push_back(std::move(source));
      same = std::prev(sources.end());
    }
    if (std::find(same->endpoints.begin(), same->endpoints.end(), peer.endpoint) ==
        same->endpoints.end()) {
      same->endpoints.push_back(peer.endpoint);
    }
  }
  return sources;
}

} // namespace swarmshare::core
