#pragma once
// What the desktop client keeps for itself, apart from the engine's state database: the
// network settings the engine takes at start (network_settings.hpp), and the window's size,
// position, log height and column widths. One small INI file in the home directory,
// written whole to a temporary file and renamed, so a crash leaves the old file or the new.
#include "swarmshare/gui/network_settings.hpp"

#include <wx/gdicmn.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class wxFileConfig;

namespace swarmshare::gui {

struct WindowPlacement {
  wxRect frame;
  bool maximized = false;
  int log_height = 0; ///< the status log pane's height; 0: the default
};

class GuiConfig {
public:
  /// Reads HOME/gui.ini (an absent file reads as a fresh home).
  explicit GuiConfig(const std::filesystem::path& home);
  GuiConfig(const GuiConfig&) = delete;
  GuiConfig& operator=(const GuiConfig&) = delete;
  GuiConfig(GuiConfig&&) = delete;
  GuiConfig& operator=(GuiConfig&&) = delete;
  ~GuiConfig();

  [[nodiscard]] static std::filesystem::path file_in(const std::filesystem::path& home);
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

  /// The saved network settings; defaults for a fresh home.
  [[nodiscard]] NetworkSettings network() const;
  /// Saves them. Returns false when the file could not be written.
  [[nodiscard]] bool save_network(const NetworkSettings& settings);

  [[nodiscard]] std::optional<WindowPlacement> placement() const;
  void set_placement(const WindowPlacement& placement);

  /// Column widths of the list called `list`, in column order; empty when none were saved.
  [[nodiscard]] std::vector<int> column_widths(const std::string& list) const;
  void set_column_widths(const std::string& list, const std::vector<int>& widths);

  /// Writes what set_* changed. Returns false when the file could not be written.
  [[nodiscard]] bool flush();

private:
  std::filesystem::path path_;
  std::unique_ptr<wxFileConfig> file_;
};

} // namespace swarmshare::gui
