#pragma once
// How the Dashboard and the status bar tell the health of each registry: in words, and
// in a colour (the words alone must carry it, for people who cannot tell the colours).
#include "swarmshare/tracker/client.hpp"

#include <cstdint>
#include <string>

namespace swarmshare::gui {

enum class Health { good, waiting, bad, off };

struct HealthLine {
  std::string text;
  Health health = Health::off;
};

[[nodiscard]] HealthLine tracker_health_line(bool configured, const tracker::TrackerHealth& health);
/// `enabled`: the DHT node runs; `nodes`: in its routing table.
[[nodiscard]] HealthLine dht_health_line(bool enabled, std::uint32_t nodes);
[[nodiscard]] HealthLine lan_health_line(bool enabled, std::uint32_t peers);

} // namespace swarmshare::gui
