#include "swarmshare/tracker/tracker_address.hpp"

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/tracker/error.hpp"

#include <algorithm>
#include <charconv>

namespace swarmshare::tracker {
namespace {

bool is_host_name(std::string_view host) noexcept {
  if (host.empty() || host.size() > kMaxTrackerHostLength) {
    return false;
  }
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// Digits only: from_chars would also take a sign, and "07070" is as clear as "7070".
std::optional<std::uint16_t> parse_port(std::string_view text) noexcept {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

} // namespace

core::Result<TrackerAddress> TrackerAddress::parse(std::string_view text) {
  TrackerAddress address;
  if (const auto at = text.find('@'); at != std::string_view::npos) {
    auto peer = crypto::PeerId::parse(text.substr(0, at));
    if (!peer) {
      return peer.error();
    }
    address.peer_id = peer.value();
    text.remove_prefix(at + 1);
  }
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Errc::invalid_tracker_address;
  }
  const auto port = parse_port(text.substr(colon + 1));
  if (!port) {
    return Errc::invalid_tracker_address;
  }
  address.port = *port;
  const std::string_view host = text.substr(0, colon);
  if (host.starts_with('[')) {
    // Endpoint::parse knows IPv6 literals; it sees the same text with the same port.
    auto endpoint = core::Endpoint::parse(text);
    if (!endpoint || endpoint.value().is_v4() || !host.ends_with(']')) {
      return Errc::invalid_tracker_address;
    }
    address.host = std::string{host.substr(1, host.size() - 2)};
  } else if (is_host_name(host)) {
    address.host = std::string{host};
  } else {
    return Errc::invalid_tracker_address;
  }
  return address;
}

std::string TrackerAddress::host_port() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string TrackerAddress::to_string() const {
  return peer_id ? peer_id->to_string() + "@" + host_port() : host_port();
}

} // namespace swarmshare::tracker
