#include "swarmshare/gui/registry_health.hpp"

namespace swarmshare::gui {

HealthLine tracker_health_line(bool configured, const tracker::TrackerHealth& health) {
  if (!configured) {
    return {"Tracker: none configured (DHT and LAN only)", Health::off};
  }
  switch (health.state) {
  case tracker::TrackerState::unknown: return {"Tracker: not contacted yet", Health::waiting};
  case tracker::TrackerState::connecting: return {"Tracker: connecting…", Health::waiting};
  case tracker::TrackerState::reachable: {
    std::string text = "Tracker: reachable";
    if (health.last_round_trip) {
      text += " (" + std::to_string(health.last_round_trip->count()) + " ms)";
    }
    return {text, Health::good};
  }
  case tracker::TrackerState::unreachable: {
    std::string text = "Tracker: unreachable";
    if (!health.last_error_text.empty()) {
      text += ": " + health.last_error_text;
    }
    return {text, Health::bad};
  }
  }
  return {"Tracker: unknown", Health::waiting};
}

HealthLine dht_health_line(bool enabled, std::uint32_t nodes) {
  if (!enabled) {
    return {"DHT: off", Health::off};
  }
  if (nodes == 0) {
    return {"DHT: no nodes known yet", Health::waiting};
  }
  return {"DHT: " + std::to_string(nodes) + (nodes == 1 ? " node known" : " nodes known"),
          Health::good};
}

HealthLine lan_health_line(bool enabled, std::uint32_t peers) {
  if (!enabled) {
    return {"LAN: off", Health::off};
  }
  if (peers == 0) {
    return {"LAN: no peers seen", Health::waiting};
  }
  return {"LAN: " + std::to_string(peers) + (peers == 1 ? " peer seen" : " peers seen"),
          Health::good};
}

} // namespace swarmshare::gui
