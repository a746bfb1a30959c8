#include "global_options.hpp"

#include "swarmshare/core/asio_endpoint.hpp"
#include "swarmshare/core/platform/paths.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <string>
#include <string_view>

namespace swarmshare::cli {
namespace {

// Validators for CLI11: an empty string means "valid", anything else is the message.
std::string check_rate(const std::string& value) {
  return parse_rate(value) ? std::string{}
                           : "not a rate: use bytes per second, e.g. 500K, 2M, 1G or 0 for none";
}

std::string check_listen_address(const std::string& value) {
  return parse_listen_address(value) ? std::string{} : "not an IPv4 or IPv6 address";
}

std::string check_host_port(const std::string& value) {
  return split_host_port(value) ? std::string{} : "not HOST:PORT or [IPv6]:PORT (port 1-65535)";
}

} // namespace

std::optional<std::uint64_t> parse_rate(std::string_view text) {
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0; ++i) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      return std::nullopt;
    }
    value = value * 10 + digit;
  }
  if (i == 0) {
    return std::nullopt;
  }
  std::string suffix;
  for (; i < text.size(); ++i) {
    suffix.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
  }
  if (suffix.ends_with("/s")) {
    suffix.resize(suffix.size() - 2);
  }
  unsigned shift = 0;
  if (!suffix.empty() &&
      (suffix.front() == 'k' || suffix.front() == 'm' || suffix.front() == 'g')) {
    shift = suffix.front() == 'k' ? 10U : suffix.front() == 'm' ? 20U : 30U;
    suffix.erase(0, 1);
    if (suffix == "ib") {
      suffix.clear();
    }
  }
  if (!suffix.empty() && suffix != "b") {
    return std::nullopt;
  }
  if (value > (std::numeric_limits<std::uint64_t>::max() >> shift)) {
    return std::nullopt;
  }
  return value << shift;
}

core::Result<core::Endpoint> parse_listen_address(std::string_view text) {
  // Endpoint::parse reads ADDRESS:PORT and refuses port 0, so parse with a stand-in port.
  const bool ipv6 = text.find(':') != std::string_view::npos;
  std::string with_port = ipv6 ? "[" + std::string{text} + "]:1" : std::string{text} + ":1";
  auto endpoint = core::Endpoint::parse(with_port);
  if (!endpoint) {
    return endpoint.error();
  }
  return endpoint.value().with_port(0);
}

std::optional<HostPort> split_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return std::nullopt;
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return std::nullopt;
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt; // an IPv6 address needs its brackets
  }
  std::uint32_t port = 0;
  for (const char c : port_text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0 || port > 65535) {
      return std::nullopt;
    }
    port = port * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) {
    return std::nullopt;
  }
  return HostPort{std::string{host}, static_cast<std::uint16_t>(port)};
}

core::Result<std::vector<core::Endpoint>> resolve_host_port(std::string_view text) {
  const auto parts = split_host_port(text);
  if (!parts) {
    return make_error_code(core::Errc::invalid_endpoint);
  }
  boost::asio::io_context io;
  boost::asio::ip::udp::resolver resolver(io);
  boost::system::error_code error;
  const auto results = resolver.resolve(parts->host, std::to_string(parts->port),
                                        boost::asio::ip::udp::resolver::numeric_service, error);
  if (error) {
    return std::error_code{error.value(), std::system_category()};
  }
  std::vector<core::Endpoint> endpoints;
  for (const auto& entry : results) {
    const auto endpoint = core::from_asio(
        boost::asio::ip::tcp::endpoint(entry.endpoint().address(), entry.endpoint().port()));
    if (std::find(endpoints.begin(), endpoints.end(), endpoint) == endpoints.end()) {
      endpoints.push_back(endpoint);
    }
  }
  return endpoints;
}

void GlobalOptions::add_to(CLI::App& app) {
  app.add_option("--home", home,
                 "Data directory for the identity and databases (default: $SWARMSHARE_HOME, "
                 "else the per-user data directory)")
      ->type_name("DIR");
  app.add_option("--tracker", tracker,
                 "Tracker to use: HOST:PORT, [IPv6]:PORT, PEERID@HOST:PORT (pins its identity) "
                 "or none")
      ->type_name("ADDRESS")
      ->check(
          [](const std::string& value) -> std::string {
            if (value == kNoTracker) {
              return {};
            }
            const auto parsed = tracker::TrackerAddress::parse(value);
            return parsed ? std::string{} : parsed.error().message();
          },
          "ADDRESS");
  app.add_flag("--json", json, "Print one JSON object per line");

  auto* network = app.add_option_group("Network", "Used by the commands that share and download");
  network
      ->add_option("--listen", listen_port,
                   "TCP port for incoming peer connections (0: any free port)")
      ->type_name("PORT");
  // Hidden: for tests and multi-homed hosts; the default (every address) suits users.
  app.add_option("--listen-address", listen_address, "Address the peer server binds")
      ->type_name("ADDRESS")
      ->check(check_listen_address, "")
      ->group("");
  network
      ->add_option("--up-limit", up_limit,
                   "Upload rate limit in bytes per second (K, M, G: powers of 1024; 0: none)")
      ->type_name("RATE")
      ->check(check_rate, "");
  network
      ->add_option("--down-limit", down_limit,
                   "Download rate limit in bytes per second (K, M, G: powers of 1024; 0: none)")
      ->type_name("RATE")
      ->check(check_rate, "");
  network
      ->add_option("--peer-up-limit", peer_up_limit,
                   "Upload rate limit for each peer on its own, within --up-limit (as --up-limit)")
      ->type_name("RATE")
      ->check(check_rate, "");
  network->add_flag(
      "--no-dht", no_dht,
      "Do not run a DHT node (also: SWARMSHARE_NO_DHT=1): the tracker and the LAN alone");
  network->add_flag("--no-lan", no_lan,
                    "Do not look for peers on the local network (also: SWARMSHARE_NO_LAN=1)");
  app.add_option("--lan-interface", lan_interfaces, "Interface for LAN discovery (repeatable)")
      ->type_name("NAME")
      ->allow_extra_args(false)
      ->group("");
  network
      ->add_option("--dht-port", dht_port,
                   "UDP port of the DHT node (default 7071, or $SWARMSHARE_DHT_PORT; 0: any free "
                   "port; a taken port falls back to any free one)")
      ->type_name("PORT");
  // One value per occurrence: a vector option would otherwise swallow the command name.
  network->add_option("--bootstrap", bootstrap, "DHT node to join through (repeatable)")
      ->type_name("HOST:PORT")
      ->check(check_host_port, "")
      ->allow_extra_args(false);
}

core::Result<std::filesystem::path> GlobalOptions::data_dir() const {
  if (home) {
    return *home;
  }
  return core::platform::default_data_dir();
}

std::optional<tracker::TrackerAddress> GlobalOptions::tracker_address() const {
  if (!tracker || *tracker == kNoTracker) {
    return std::nullopt;
  }
  // Checked when parsed, so this cannot fail here.
  auto parsed = tracker::TrackerAddress::parse(*tracker);
  return parsed ? std::optional{parsed.value()} : std::nullopt;
}

} // namespace swarmshare::cli

namespace swarmshare::cli {

namespace {

// SWARMSHARE_NO_LAN set to anything but "" or "0" turns LAN discovery off, like --no-lan:
// for scripts and test suites that start many processes and must not send multicast on
// the machine's network.
[[nodiscard]] bool set_in_environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && std::string_view{value} != "" && std::string_view{value} != "0";
}

bool lan_off_by_environment() { return set_in_environment("SWARMSHARE_NO_LAN"); }

// SWARMSHARE_NO_DHT likewise for the DHT node; SWARMSHARE_DHT_PORT is --dht-port's default
// (test suites set 0, so each process binds a free port and none takes the well-known one).
bool dht_off_by_environment() { return set_in_environment("SWARMSHARE_NO_DHT"); }

std::optional<std::uint16_t> dht_port_from_environment() {
  const char* value = std::getenv("SWARMSHARE_DHT_PORT");
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  std::uint32_t port = 0;
  for (const char* c = value; *c != '\0'; ++c) {
    if (std::isdigit(static_cast<unsigned char>(*c)) == 0 || port > 65535) {
      return std::nullopt;
    }
    port = port * 10 + static_cast<std::uint32_t>(*c - '0');
  }
  return port <= 65535 ? std::optional{static_cast<std::uint16_t>(port)} : std::nullopt;
}

} // namespace

core::Result<client::SessionOptions> GlobalOptions::session_options() const {
  auto home_dir = data_dir();
  if (!home_dir) {
    return home_dir.error();
  }
  client::SessionOptions options;
  options.home = home_dir.value();
  options.program = "swarmshare-cli";
  options.tracker = tracker_address();
  core::Endpoint bind = core::Endpoint::ipv4({0, 0, 0, 0}, 0);
  if (listen_address) {
    // Checked when parsed, so this cannot fail here.
    if (auto parsed = parse_listen_address(*listen_address)) {
      bind = parsed.value();
    }
  }
  options.listen = bind.with_port(listen_port.value_or(0));
  // Only what was given: the rest comes from the saved settings (`swarmshare-cli settings`).
  if (up_limit) {
    options.upload_limit = parse_rate(*up_limit).value_or(0);
  }
  if (down_limit) {
    options.download_limit = parse_rate(*down_limit).value_or(0);
  }
  if (peer_up_limit) {
    options.upload_limit_per_peer = parse_rate(*peer_up_limit).value_or(0);
  }
  if (!no_lan && !lan_off_by_environment()) {
    dht::LanDiscoveryOptions lan;
    lan.interfaces = lan_interfaces;
    options.lan = lan;
  }
  if (dht_wanted()) {
    client::DhtSessionOptions dht;
    // The DHT binds where the peer server does: a test's 127.0.0.1 keeps both on loopback.
    dht.bind = bind.with_port(
        dht_port.value_or(dht_port_from_environment().value_or(dht::kDefaultDhtPort)));
    for (const auto& node : bootstrap) {
      auto resolved = resolve_host_port(node);
      if (!resolved) {
        // One unresolvable name must not keep the others, the tracker and the LAN from
        // working: said, and skipped.
        std::cerr << "swarmshare-cli: warning: bootstrap node " << node
                  << " skipped: " << resolved.error().message() << '\n';
        continue;
      }
      dht.bootstrap.insert(dht.bootstrap.end(), resolved.value().begin(), resolved.value().end());
    }
    options.dht = dht;
  }
  return options;
}

bool GlobalOptions::dht_wanted() const { return !no_dht && !dht_off_by_environment(); }

} // namespace swarmshare::cli
