#pragma once
// A fixture for desktop-client tests with peers around it, under Xvfb: a swarmshare-tracker
// process on 127.0.0.1 and the arguments that keep a client or swarmshare-cli peer on
// 127.0.0.1 with that tracker, a home of its own and no LAN or DHT.
#include "automated_gui.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"
#include "tracker_process.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace swarmshare::test {

class GuiSwarmTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(has_test_display()) << kNoDisplayMessage;
    tracker_ = TrackerProcess::start(SWARMSHARE_TRACKER, temp_.path() / "tracker.db");
  }

  /// The global options of a peer whose home is `<temp>/<home>`.
  [[nodiscard]] std::vector<std::string> peer(const std::string& home) const {
    return {"--home",           (temp_.path() / home).string(),
            "--tracker",        tracker_.address(),
            "--listen-address", "127.0.0.1",
            "--listen",         "0",
            "--no-lan",         "--no-dht"};
  }

  TempDir temp_;
  TrackerProcess tracker_;
};

} // namespace swarmshare::test
