#include "global_options.hpp"

#include "swarmshare/core/platform/paths.hpp"

namespace swarmshare::cli {

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
  network->add_option("--listen", listen_port, "TCP port for incoming peer connections")
      ->type_name("PORT");
  network->add_option("--up-limit", up_limit, "Upload rate limit")->type_name("RATE");
  network->add_option("--down-limit", down_limit, "Download rate limit")->type_name("RATE");
  network->add_flag("--no-dht", no_dht, "Do not use the DHT");
  network->add_flag("--no-lan", no_lan, "Do not look for peers on the local network");
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
