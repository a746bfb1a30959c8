#include "swarmshare/gui/share_questions.hpp"

#include "gui_test_files.hpp"

#include <gtest/gtest.h>

namespace swarmshare::gui {
namespace {

client::DownloadCompleted completed(const std::string& name) {
  const auto manifest = testing::make_manifest(name);
  client::DownloadCompleted event;
  event.file_id = manifest.file_id();
  event.name = name;
  event.path = "/home/user/Downloads/" + name;
  event.size = manifest.file_size();
  return event;
}

TEST(ShareQuestions, askSettingQueuesAQuestionAndShowsIt) {
  ShareQuestions questions;
  const auto event = completed("holiday.mp4");
  EXPECT_EQ(questions.on_completed(event, client::AfterDownload::ask), CompletionAction::ask);
  const auto shown = questions.next_to_show();
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ(shown->file_id, event.file_id);
  EXPECT_EQ(shown->path, event.path);
  EXPECT_TRUE(questions.question_open());
}

TEST(ShareQuestions, alwaysAndNeverShareAnswerWithoutADialog) {
  ShareQuestions questions;
  EXPECT_EQ(questions.on_completed(completed("a"), client::AfterDownload::always_share),
            CompletionAction::share_at_once);
  EXPECT_EQ(questions.on_completed(completed("b"), client::AfterDownload::never_share),
            CompletionAction::keep_at_once);
  EXPECT_FALSE(questions.next_to_show().has_value());
  EXPECT_EQ(questions.waiting(), 0U);
}

TEST(ShareQuestions, completionsWhileADialogIsOpenWaitTheirTurnInOrder) {
  ShareQuestions questions;
  (void)questions.on_completed(completed("first"), client::AfterDownload::ask);
  ASSERT_EQ(questions.next_to_show()->name, "first");
  (void)questions.on_completed(completed("second"), client::AfterDownload::ask);
  (void)questions.on_completed(completed("third"), client::AfterDownload::ask);

  EXPECT_FALSE(questions.next_to_show().has_value()) << "one dialog at a time";
  EXPECT_EQ(questions.waiting(), 2U);

  EXPECT_EQ(questions.answer().name, "first");
  EXPECT_EQ(questions.next_to_show()->name, "second");
  EXPECT_EQ(questions.answer().name, "second");
  EXPECT_EQ(questions.next_to_show()->name, "third");
  EXPECT_EQ(questions.answer().name, "third");
  EXPECT_FALSE(questions.next_to_show().has_value());
  EXPECT_FALSE(questions.question_open());
}

TEST(ShareQuestions, theDialogNamesTheFileAndItsFullFileId) {
  ShareQuestions questions;
  const auto event = completed("ubuntu-24.04.iso");
  (void)questions.on_completed(event, client::AfterDownload::ask);
  const auto shown = questions.next_to_show().value();
  EXPECT_EQ(share_question_title(), "Share Downloaded File?");
  const std::string text = share_question_text(shown);
  EXPECT_NE(text.find("Would you like to share this file?"), std::string::npos);
  EXPECT_NE(text.find("ubuntu-24.04.iso"), std::string::npos);
  EXPECT_NE(text.find(event.file_id.to_hex()), std::string::npos);
}

TEST(ShareQuestions, yesAndNoTellWhereTheFileIs) {
  ShareQuestions questions;
  const auto event = completed("notes.txt");
  (void)questions.on_completed(event, client::AfterDownload::ask);
  const auto shown = questions.next_to_show().value();

  const std::string shared = shared_result_text(shown);
  EXPECT_EQ(shared.rfind("File downloaded and shared successfully!", 0), 0U);
  EXPECT_NE(shared.find(event.path.string()), std::string::npos);
  EXPECT_NE(shared.find(event.file_id.to_hex()), std::string::npos);

  const std::string kept = kept_result_text(shown);
  EXPECT_EQ(kept.rfind("File downloaded successfully!", 0), 0U);
  EXPECT_NE(kept.find(event.path.string()), std::string::npos);
}

TEST(ShareQuestions, redownloadWarningSaysWhenAndWhereTheFileWent) {
  client::HistoryEntry last;
  last.file_id = testing::make_manifest("holiday.bin").file_id();
  last.name = "holiday.bin";
  last.path = "/home/ann/Downloads/holiday.bin";
  last.at = std::chrono::sys_days{std::chrono::November / 24 / 2026};
  const std::string moved = redownload_text(last, false);
  EXPECT_NE(moved.find("You downloaded holiday.bin on 2026-11-2"), std::string::npos) << moved;
  EXPECT_NE(moved.find(", to /home/ann/Downloads/holiday.bin."), std::string::npos) << moved;
  EXPECT_TRUE(moved.ends_with("Download it again?"));
  EXPECT_NE(redownload_text(last, true).find("it is still at /home/ann/Downloads/holiday.bin"),
            std::string::npos);
  last.name.clear(); // a download that never learned its name
  EXPECT_NE(redownload_text(last, false).find(last.file_id.to_short_hex()), std::string::npos);
  EXPECT_EQ(redownload_title(), "Already Downloaded");
}

} // namespace
} // namespace swarmshare::gui
