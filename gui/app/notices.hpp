#pragma once
// How the window and its pages tell the user something or ask a Yes/No question: a message
// box normally; under test automation a printed line instead (a modal box would stop the
// automation), and questions wait for a `confirm yes|no` command.
// No wx header here: wx's _() macro must not meet Boost headers that pages include after it.
#include <functional>
#include <optional>
#include <string>
#include <utility>

class wxWindow;

namespace swarmshare::gui {

class Notices {
public:
  explicit Notices(wxWindow& parent) : parent_(parent) {}

  /// `icon`: wxICON_INFORMATION, wxICON_ERROR, ...
  void tell(const std::string& title, const std::string& text, long icon);

  /// `then(true)` for Yes. With a dialog, `then` runs before ask() returns.
  void ask(const std::string& title, const std::string& text, std::function<void(bool)> then);

  /// From now on, lines through `print` instead of dialogs.
  void automate(std::function<void(const std::string&)> print) { print_ = std::move(print); }
  [[nodiscard]] bool automated() const noexcept { return static_cast<bool>(print_); }

  /// Automation: answers the open question. False when none is open.
  bool confirm(bool yes) {
    if (!pending_) {
      return false;
    }
    auto then = std::exchange(pending_, {});
    then(yes);
    return true;
  }

private:
  wxWindow& parent_;
  std::function<void(const std::string&)> print_;
  std::function<void(bool)> pending_;
};

} // namespace swarmshare::gui
