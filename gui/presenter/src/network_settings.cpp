#include "swarmshare/gui/network_settings.hpp"

#include "swarmshare/tracker/tracker_address.hpp"

namespace swarmshare::gui {

std::vector<std::string> split_bootstrap(std::string_view text) {
  std::vector<std::string> entries;
  std::string entry;
  for (const char c : text) {
    if (c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      if (!entry.empty()) {
        entries.push_back(std::move(entry));
        entry.clear();
      }
    } else {
      entry.push_back(c);
    }
  }
  if (!entry.empty()) {
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string validation_error(const NetworkSettings& settings) {
  if (!settings.tracker.empty()) {
    if (auto parsed = tracker::TrackerAddress::parse(settings.tracker); !parsed) {
      return "Tracker address \"" + settings.tracker + "\": " + parsed.error().message() +
             " (HOST:PORT or PEERID@HOST:PORT)";
    }
  }
  if (settings.run_tracker && settings.tracker_port == 0) {
    return "Tracker port: a port from 1 to 65535";
  }
  for (const auto& node : split_bootstrap(settings.bootstrap)) {
    if (!cli::split_host_port(node)) {
      return "Bootstrap node \"" + node + "\": not HOST:PORT";
    }
  }
  return {};
}

EmbeddedTrackerPlan apply_network_settings(const NetworkSettings& saved,
                                           cli::GlobalOptions& options) {
  EmbeddedTrackerPlan plan;
  if (!options.tracker) {
    if (!saved.tracker.empty()) {
      options.tracker = saved.tracker;
    } else if (saved.run_tracker) {
      plan.run = true;
      plan.port = saved.tracker_port;
    }
  }
  options.no_dht = options.no_dht || !saved.dht;
  options.no_lan = options.no_lan || !saved.lan;
  // The default DHT port is left to the command line's own default (and its environment
  // variable); only a port the user chose is passed on.
  if (!options.dht_port && saved.dht_port != dht::kDefaultDhtPort) {
    options.dht_port = saved.dht_port;
  }
  if (options.bootstrap.empty()) {
    options.bootstrap = split_bootstrap(saved.bootstrap);
  }
  if (!options.listen_port && saved.peer_port != 0) {
    options.listen_port = saved.peer_port;
  }
  return plan;
}

void use_local_tracker(cli::GlobalOptions& options, std::uint16_t port,
                       std::string_view tracker_peer_id) {
  options.tracker = (tracker_peer_id.empty() ? std::string{} : std::string(tracker_peer_id) + "@") +
                    "127.0.0.1:" + std::to_string(port);
}

} // namespace swarmshare::gui
