#include "global_options.hpp"

#include "swarmshare/core/platform/paths.hpp"

#include <cctype>
#include <cstdlib>
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
  network->add_flag("--no-dht", no_dht, "Do not use the DHT (no DHT yet: no effect)");
  network->add_flag("--no-lan", no_lan,
                    "Do not look for peers on the local network (also: SWARMSHARE_NO_LAN=1)");
  app.add_option("--lan-interface", lan_interfaces, "Interface for LAN discovery (repeatable)")
      ->type_name("NAME")
      ->allow_extra_args(false)
      ->group("");
  network->add_option("--dht-port", dht_port, "UDP port of the DHT node")->type_name("PORT");
  // One value per occurrence: a vector option would otherwise swallow the command name.
  network->add_option("--bootstrap", bootstrap, "DHT bootstrap node (repeatable)")
      ->type_name("HOST:PORT")
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
bool lan_off_by_environment() {
  const char* value = std::getenv("SWARMSHARE_NO_LAN");
  return value != nullptr && std::string_view{value} != "" && std::string_view{value} != "0";
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
  return options;
}

} // namespace swarmshare::cli
