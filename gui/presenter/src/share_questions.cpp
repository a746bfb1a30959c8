#include "swarmshare/gui/share_questions.hpp"

#include "swarmshare/gui/text.hpp"

#include <cassert>
#include <utility>

namespace swarmshare::gui {

CompletionAction ShareQuestions::on_completed(const client::DownloadCompleted& completed,
                                              client::AfterDownload setting) {
  switch (setting) {
  case client::AfterDownload::always_share: return CompletionAction::share_at_once;
  case client::AfterDownload::never_share: return CompletionAction::keep_at_once;
  case client::AfterDownload::ask: break;
  }
  waiting_.push_back(
      ShareQuestion{completed.file_id, completed.name, completed.path, completed.size});
  return CompletionAction::ask;
}

std::optional<ShareQuestion> ShareQuestions::next_to_show() {
  if (open_ || waiting_.empty()) {
    return std::nullopt;
  }
  open_ = std::move(waiting_.front());
  waiting_.pop_front();
  return open_;
}

ShareQuestion ShareQuestions::answer() {
  assert(open_.has_value());
  ShareQuestion answered = std::move(*open_);
  open_.reset();
  return answered;
}

std::string share_question_title() { return "Share Downloaded File?"; }

std::string share_question_text(const ShareQuestion& question) {
  return "Would you like to share this file?\n\n" + question.name + " (" +
         core::format_bytes_column(question.size) + ")\nFile ID: " + question.file_id.to_hex();
}

std::string shared_result_title() { return "File Shared"; }

std::string shared_result_text(const ShareQuestion& question) {
  return "File downloaded and shared successfully!\n\nSaved to: " + question.path.string() +
         "\nFile ID: " + question.file_id.to_hex();
}

std::string kept_result_title() { return "Download Complete"; }

std::string kept_result_text(const ShareQuestion& question) {
  return "File downloaded successfully!\n\nSaved to: " + question.path.string() +
         "\nYou can share it later from the History tab.";
}

std::string redownload_title() { return "Already Downloaded"; }

std::string redownload_text(const client::HistoryEntry& last, bool still_there) {
  return "You downloaded " + (last.name.empty() ? last.file_id.to_short_hex() : last.name) +
         " on " + date_text(last.at) + (still_there ? "; it is still at " : ", to ") +
         last.path.string() + ".\nDownload it again?";
}

} // namespace swarmshare::gui
