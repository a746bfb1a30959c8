#include "swarmshare/gui/text.hpp"

#include "environment.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace swarmshare::gui {
namespace {

TEST(GuiText, countsTakeTheSingularForOneOnly) {
  EXPECT_EQ(count_text(0, "peer", "peers"), "0 peers");
  EXPECT_EQ(count_text(1, "peer", "peers"), "1 peer");
  EXPECT_EQ(count_text(2, "file", "files"), "2 files");
}

TEST(GuiText, ratesAreBytesPerSecond) {
  EXPECT_EQ(format_rate(0), "0 B/s");
  EXPECT_EQ(format_rate(std::uint64_t{2} * 1024 * 1024 + 300 * 1024), "2.29 MiB/s");
}

TEST(GuiText, timeLeftReadsInTheTwoLargestUnits) {
  EXPECT_EQ(format_eta(0, 0), "0 s");
  EXPECT_EQ(format_eta(100, 0), "∞");
  EXPECT_EQ(format_eta(45, 1), "45 s");
  EXPECT_EQ(format_eta(1, 1000), "1 s"); // never "0 s" while something is left
  EXPECT_EQ(format_eta(185, 1), "3 min 05 s");
  EXPECT_EQ(format_eta(2 * 3600 + 7 * 60 + 59, 1), "2 h 07 min");
  EXPECT_EQ(format_eta(3 * 86400 + 4 * 3600, 1), "3 d 04 h");
}

TEST(GuiText, ratioIsUploadedOverDownloaded) {
  EXPECT_EQ(format_ratio(0, 0), "0.00");
  EXPECT_EQ(format_ratio(5, 0), "∞");
  EXPECT_EQ(format_ratio(5, 4), "1.25");
}

// The C library reads the time zone from TZ when told to look again.
void set_time_zone(const char* zone) {
  if (zone == nullptr) {
    test::unset_env("TZ");
  } else {
    test::set_env("TZ", zone);
  }
#ifdef _WIN32
  _tzset();
#else
  tzset();
#endif
}

class GuiTextInUtc : public ::testing::Test {
protected:
  void SetUp() override {
    if (const char* tz = std::getenv("TZ")) {
      saved_tz_ = tz;
    }
    set_time_zone("UTC");
  }
  void TearDown() override { set_time_zone(saved_tz_ ? saved_tz_->c_str() : nullptr); }

  // 2026-11-24 14:24:52 UTC
  const std::chrono::system_clock::time_point at_{std::chrono::seconds{1'795'530'292}};

private:
  std::optional<std::string> saved_tz_;
};

TEST_F(GuiTextInUtc, statusLogLinesStartWithTheTimeOfDay) {
  EXPECT_EQ(clock_text(at_), "14:24:52");
  EXPECT_EQ(date_text(at_), "2026-11-24 14:24");
  EXPECT_EQ(status_log_text({at_, client::LogLevel::info, "Download complete!"}),
            "[14:24:52] Download complete!");
}

TEST_F(GuiTextInUtc, warningsAndErrorsSaySoAfterTheTime) {
  EXPECT_EQ(status_log_text({at_, client::LogLevel::warning, "tracker unreachable"}),
            "[14:24:52] Warning: tracker unreachable");
  EXPECT_EQ(status_log_text({at_, client::LogLevel::error, "disk full"}),
            "[14:24:52] Error: disk full");
}

} // namespace
} // namespace swarmshare::gui
