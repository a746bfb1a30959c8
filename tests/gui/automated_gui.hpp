#pragma once
// The desktop client under test automation: started with HOME in a test's folder (so its
// Downloads folder is there), SWARMSHARE_GUI_AUTOMATION naming a FIFO this class writes
// commands to, and the sanitizer build's leak suppressions. Its stdout carries the
// automation's answers (BackgroundCli reads them line by line).
#include "background_cli.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace swarmshare::test {

/// The GUI suites run under xvfb-run (ctest's emulator for them), which sets DISPLAY.
[[nodiscard]] inline bool has_test_display() {
  const char* display = std::getenv("DISPLAY");
  return display != nullptr && *display != '\0';
}
inline constexpr const char* kNoDisplayMessage = "run this suite under xvfb-run (ctest does)";

class AutomatedGui {
public:
  /// Starts `program` with `args`; `home_folder` becomes HOME, `name` names the FIFO and
  /// the stderr file in it. Waits for "automation ready" (check ready()).
  AutomatedGui(const std::filesystem::path& program, const std::filesystem::path& home_folder,
               const std::string& name, const std::vector<std::string>& args)
      : commands_path_(home_folder / (name + "-commands")) {
    std::filesystem::remove(commands_path_);
    EXPECT_EQ(mkfifo(commands_path_.c_str(), 0600), 0);
    const std::string saved_home = std::getenv("HOME") != nullptr ? std::getenv("HOME") : "";
    setenv("HOME", home_folder.c_str(), 1);
    setenv("XDG_CONFIG_HOME", (home_folder / "config").c_str(), 1);
    setenv("SWARMSHARE_GUI_AUTOMATION", commands_path_.c_str(), 1);
    setenv("LSAN_OPTIONS", "suppressions=" SWARMSHARE_GUI_LSAN_SUPPRESSIONS, 1);
    process_ = std::make_unique<BackgroundCli>(program, args, home_folder / (name + ".err"));
    setenv("HOME", saved_home.c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("SWARMSHARE_GUI_AUTOMATION");
    unsetenv("LSAN_OPTIONS");
    commands_.open(commands_path_); // blocks until the client opened its end
    ready_ = process_->wait_for_prefix("automation ready").has_value();
  }

  [[nodiscard]] bool ready() const noexcept { return ready_; }
  [[nodiscard]] BackgroundCli& process() noexcept { return *process_; }
  [[nodiscard]] std::string err() const { return process_->err(); }
  [[nodiscard]] const std::vector<std::string>& lines() const noexcept { return process_->lines(); }
  std::optional<std::string> wait_for_prefix(const std::string& prefix) {
    return process_->wait_for_prefix(prefix);
  }
  int stop(int signal) { return process_->stop(signal); }

  void command(const std::string& line) { commands_ << line << std::endl; }

  /// Sends `line` and returns the first answer line after it that starts with `prefix`.
  std::optional<std::string> ask(const std::string& line, const std::string& prefix) {
    const std::size_t before = process_->lines().size();
    command(line);
    return process_->wait_for_line_after(
        before, [&prefix](const std::string& answer) { return answer.starts_with(prefix); });
  }

private:
  std::filesystem::path commands_path_;
  std::unique_ptr<BackgroundCli> process_;
  std::ofstream commands_;
  bool ready_ = false;
};

} // namespace swarmshare::test
