#include "swarmshare/gui/network_settings.hpp"

#include <gtest/gtest.h>

namespace swarmshare::gui {
namespace {

TEST(NetworkSettings, freshHomeRunsTheEmbeddedTrackerAndUsesIt) {
  cli::GlobalOptions options;
  const auto plan = apply_network_settings(NetworkSettings{}, options);
  EXPECT_TRUE(plan.run);
  EXPECT_EQ(plan.port, kDefaultTrackerPort);
  EXPECT_FALSE(options.tracker.has_value()); // filled once the tracker listens
  use_local_tracker(options, 7070, "abcd");
  EXPECT_EQ(options.tracker, "abcd@127.0.0.1:7070");
}

TEST(NetworkSettings, anotherCopyHoldingThePortIsUsedUnpinned) {
  cli::GlobalOptions options;
  use_local_tracker(options, 7070, "");
  EXPECT_EQ(options.tracker, "127.0.0.1:7070");
}

TEST(NetworkSettings, trackerOnTheCommandLineMeansNoEmbeddedTracker) {
  cli::GlobalOptions options;
  options.tracker = "127.0.0.1:9000";
  NetworkSettings saved;
  saved.tracker = "tracker.example:7070";
  const auto plan = apply_network_settings(saved, options);
  EXPECT_FALSE(plan.run);
  EXPECT_EQ(options.tracker, "127.0.0.1:9000");
}

TEST(NetworkSettings, configuredTrackerIsUsedAndNoneIsRun) {
  cli::GlobalOptions options;
  NetworkSettings saved;
  saved.tracker = "tracker.example:7070";
  const auto plan = apply_network_settings(saved, options);
  EXPECT_FALSE(plan.run);
  EXPECT_EQ(options.tracker, "tracker.example:7070");
}

TEST(NetworkSettings, embeddedTrackerSwitchedOffLeavesNoTracker) {
  cli::GlobalOptions options;
  NetworkSettings saved;
  saved.run_tracker = false;
  EXPECT_FALSE(apply_network_settings(saved, options).run);
  EXPECT_FALSE(options.tracker.has_value());
}

TEST(NetworkSettings, savedSwitchesAndPortsFillWhatTheCommandLineLeftOut) {
  cli::GlobalOptions options;
  NetworkSettings saved;
  saved.dht = false;
  saved.lan = false;
  saved.dht_port = 7100;
  saved.peer_port = 7200;
  saved.bootstrap = "a.example:7071, b.example:7071\nc.example:1";
  (void)apply_network_settings(saved, options);
  EXPECT_TRUE(options.no_dht);
  EXPECT_TRUE(options.no_lan);
  EXPECT_EQ(options.dht_port, 7100);
  EXPECT_EQ(options.listen_port, 7200);
  EXPECT_EQ(options.bootstrap,
            (std::vector<std::string>{"a.example:7071", "b.example:7071", "c.example:1"}));
}

TEST(NetworkSettings, commandLineWinsOverSavedPortsAndBootstrap) {
  cli::GlobalOptions options;
  options.dht_port = 9001;
  options.listen_port = 9002;
  options.bootstrap = {"given.example:1"};
  NetworkSettings saved;
  saved.dht_port = 7100;
  saved.peer_port = 7200;
  saved.bootstrap = "saved.example:7071";
  (void)apply_network_settings(saved, options);
  EXPECT_EQ(options.dht_port, 9001);
  EXPECT_EQ(options.listen_port, 9002);
  EXPECT_EQ(options.bootstrap, std::vector<std::string>{"given.example:1"});
}

TEST(NetworkSettings, defaultDhtPortIsLeftToTheCommandLinesDefault) {
  cli::GlobalOptions options;
  (void)apply_network_settings(NetworkSettings{}, options);
  EXPECT_FALSE(options.dht_port.has_value());
  EXPECT_FALSE(options.listen_port.has_value());
}

TEST(NetworkSettings, validationNamesTheBadField) {
  NetworkSettings settings;
  EXPECT_EQ(validation_error(settings), "");
  settings.tracker = "no port here";
  EXPECT_NE(validation_error(settings).find("Tracker address \"no port here\""), std::string::npos);
  settings.tracker = "tracker.example:7070";
  EXPECT_EQ(validation_error(settings), "");
  settings.bootstrap = "good.example:1, bad";
  EXPECT_NE(validation_error(settings).find("Bootstrap node \"bad\""), std::string::npos);
  settings.bootstrap.clear();
  settings.tracker_port = 0;
  EXPECT_NE(validation_error(settings).find("Tracker port"), std::string::npos);
}

} // namespace
} // namespace swarmshare::gui
