#pragma once
// "Share Downloaded File?": which completed download is asked about, in what order, and
// what the user is told afterwards. The window shows one question at a time; completions
// that arrive while one is open wait their turn, and the engine keeps running meanwhile.
// The "after a download" setting skips the question altogether.
#include "swarmshare/client/events.hpp"
#include "swarmshare/client/settings.hpp"
#include "swarmshare/client/state_store.hpp"
#include "swarmshare/core/file_id.hpp"

#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>

namespace swarmshare::gui {

struct ShareQuestion {
  core::FileId file_id;
  std::string name;
  std::filesystem::path path;
  std::uint64_t size = 0;
};

/// What the window does about a completed download.
enum class CompletionAction {
  ask,           ///< a question is waiting: show it when no other dialog is open
  share_at_once, ///< "always share": call accept_share, no dialog
  keep_at_once,  ///< "never share": call decline_share, no dialog
};

class ShareQuestions {
public:
  /// Records a completion and says what to do with it under `setting`.
  [[nodiscard]] CompletionAction on_completed(const client::DownloadCompleted& completed,
                                              client::AfterDownload setting);

  /// The question to show now: the oldest waiting one, when none is open. It counts as
  /// open until answer().
  [[nodiscard]] std::optional<ShareQuestion> next_to_show();

  /// The open question was answered; returns it. Call only while one is open.
  [[nodiscard]] ShareQuestion answer();

  [[nodiscard]] bool question_open() const noexcept { return open_.has_value(); }
  [[nodiscard]] std::size_t waiting() const noexcept { return waiting_.size(); }

private:
  std::deque<ShareQuestion> waiting_;
  std::optional<ShareQuestion> open_;
};

/// The dialog's title and text.
[[nodiscard]] std::string share_question_title();
[[nodiscard]] std::string share_question_text(const ShareQuestion& question);

/// What the user is told after answering Yes (and the share was announced) or No.
[[nodiscard]] std::string shared_result_title();
[[nodiscard]] std::string shared_result_text(const ShareQuestion& question);
[[nodiscard]] std::string kept_result_title();
[[nodiscard]] std::string kept_result_text(const ShareQuestion& question);

/// The warning before downloading a File ID that was downloaded before: "Already
/// Downloaded", naming the file, when, and where it went; `still_there`: the file is still at
/// that path.
[[nodiscard]] std::string redownload_title();
[[nodiscard]] std::string redownload_text(const client::HistoryEntry& last, bool still_there);

} // namespace swarmshare::gui
