#include "swarmshare/gui/registry_health.hpp"

#include <gtest/gtest.h>

namespace swarmshare::gui {
namespace {

TEST(RegistryHealth, trackerReachableShowsItsRoundTrip) {
  tracker::TrackerHealth health;
  health.state = tracker::TrackerState::reachable;
  health.last_round_trip = std::chrono::milliseconds{12};
  const auto line = tracker_health_line(true, health);
  EXPECT_EQ(line.text, "Tracker: reachable (12 ms)");
  EXPECT_EQ(line.health, Health::good);
}

TEST(RegistryHealth, trackerUnreachableSaysWhy) {
  tracker::TrackerHealth health;
  health.state = tracker::TrackerState::unreachable;
  health.last_error_text = "connect 127.0.0.1:7070: Connection refused";
  const auto line = tracker_health_line(true, health);
  EXPECT_EQ(line.text, "Tracker: unreachable: connect 127.0.0.1:7070: Connection refused");
  EXPECT_EQ(line.health, Health::bad);
}

TEST(RegistryHealth, noTrackerConfiguredIsNotAnError) {
  EXPECT_EQ(tracker_health_line(false, {}).health, Health::off);
}

TEST(RegistryHealth, dhtAndLanCountWhatTheyKnow) {
  EXPECT_EQ(dht_health_line(true, 0).health, Health::waiting);
  EXPECT_EQ(dht_health_line(true, 1).text, "DHT: 1 node known");
  EXPECT_EQ(dht_health_line(true, 37).text, "DHT: 37 nodes known");
  EXPECT_EQ(dht_health_line(false, 37).text, "DHT: off");
  EXPECT_EQ(lan_health_line(true, 2).text, "LAN: 2 peers seen");
  EXPECT_EQ(lan_health_line(true, 2).health, Health::good);
  EXPECT_EQ(lan_health_line(false, 0).health, Health::off);
}

} // namespace
} // namespace swarmshare::gui
