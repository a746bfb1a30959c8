#include "swarmshare/gui/opened_links.hpp"

#include "swarmshare/core/share_link.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <thread>

namespace swarmshare::gui {
namespace {

namespace fs = std::filesystem;

const std::string kId = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const std::string kPeer = "x3w2ugxs2vyea5ufm6drwx7373fiw4mtg5xj26yi5kn7o3l5dnbq";

TEST(OpenedLinks, aShareLinkGivesItsFileNameSizeAndPeers) {
  const auto target =
      parse_link_target("swarmshare:?id=" + kId +
                        "&name=holiday%20video.bin&size=1234&peer=" + kPeer + "@127.0.0.1:7070\n");
  ASSERT_TRUE(target) << target.error().message();
  EXPECT_EQ(target.value().file_id.to_hex(), kId);
  EXPECT_EQ(target.value().name, "holiday video.bin");
  EXPECT_EQ(target.value().size, 1234U);
  ASSERT_EQ(target.value().sources.size(), 1U);
  EXPECT_EQ(target.value().sources[0].endpoints.at(0).to_string(), "127.0.0.1:7070");
  EXPECT_EQ(link_display_name(target.value()), "holiday video.bin");
}

TEST(OpenedLinks, aBareFileIdIsALinkWithNothingElse) {
  const auto target = parse_link_target("  " + kId + " ");
  ASSERT_TRUE(target);
  EXPECT_EQ(target.value().file_id.to_hex(), kId);
  EXPECT_FALSE(target.value().name);
  EXPECT_TRUE(target.value().sources.empty());
  EXPECT_EQ(link_display_name(target.value()), "File " + target.value().file_id.to_short_hex());
}

TEST(OpenedLinks, anythingElseIsRefusedWithTheReason) {
  EXPECT_EQ(parse_link_target("holiday").error(), core::Errc::invalid_file_id);
  EXPECT_EQ(parse_link_target(kId.substr(0, 63)).error(), core::Errc::invalid_file_id);
  EXPECT_EQ(parse_link_target("swarmshare:?name=x").error(), core::ShareLinkErrc::missing_file_id);
  EXPECT_EQ(parse_link_target("swarmshare:?id=" + kId + "&peer=nobody").error(),
            core::ShareLinkErrc::invalid_peer);
}

TEST(LinkInbox, linksHandedOverAreTakenOnceOldestFirst) {
  test::TempDir home;
  const LinkInbox second_copy(home.path());
  ASSERT_TRUE(second_copy.deliver("swarmshare:?id=" + kId));
  ASSERT_TRUE(second_copy.deliver(kId + "\n"));

  const LinkInbox running_copy(home.path());
  const auto links = running_copy.take();
  ASSERT_EQ(links.size(), 2U);
  EXPECT_EQ(links[0], "swarmshare:?id=" + kId);
  EXPECT_EQ(links[1], kId);
  EXPECT_TRUE(running_copy.take().empty());
  EXPECT_TRUE(fs::is_empty(running_copy.folder()));
}

TEST(LinkInbox, aLinkLeftWhileNoCopyRanExpires) {
  test::TempDir home;
  const LinkInbox inbox(home.path());
  ASSERT_TRUE(inbox.deliver(kId));
  const auto later =
      fs::file_time_type::clock::now() + LinkInbox::kMaxAge + std::chrono::minutes{1};
  EXPECT_TRUE(inbox.take(later).empty());
  EXPECT_TRUE(fs::is_empty(inbox.folder())) << "an expired link is removed, not kept";
}

TEST(LinkInbox, oversizedAndHalfWrittenFilesAreNeverOpened) {
  test::TempDir home;
  const LinkInbox inbox(home.path());
  EXPECT_EQ(inbox.deliver(std::string(core::kMaxShareLinkBytes + 1, 'a')).error(),
            core::ShareLinkErrc::too_long);
  EXPECT_EQ(inbox.deliver(" \n").error(), core::ShareLinkErrc::not_a_share_link);
  fs::create_directories(inbox.folder());
  std::ofstream(inbox.folder() / "1-1.link") << std::string(core::kMaxShareLinkBytes + 1, 'a');
  std::ofstream(inbox.folder() / "2-2.part") << kId; // still being written by another copy
  EXPECT_TRUE(inbox.take().empty());
  EXPECT_FALSE(fs::exists(inbox.folder() / "1-1.link"));
  EXPECT_TRUE(fs::exists(inbox.folder() / "2-2.part"));
  // One its writer never finished is cleared once it is old.
  const auto later =
      fs::file_time_type::clock::now() + LinkInbox::kMaxAge + std::chrono::minutes{1};
  EXPECT_TRUE(inbox.take(later).empty());
  EXPECT_FALSE(fs::exists(inbox.folder() / "2-2.part"));
}

TEST(LinkInbox, aFloodIsTakenAFewAtATime) {
  test::TempDir home;
  const LinkInbox inbox(home.path());
  for (std::size_t i = 0; i < LinkInbox::kMaxTakenAtOnce + 3; ++i) {
    ASSERT_TRUE(inbox.deliver(kId));
  }
  EXPECT_EQ(inbox.take().size(), LinkInbox::kMaxTakenAtOnce);
  EXPECT_EQ(inbox.take().size(), 3U);
}

} // namespace
} // namespace swarmshare::gui
