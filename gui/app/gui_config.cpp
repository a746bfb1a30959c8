#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "gui_config.hpp"

#include <wx/fileconf.h>
#include <wx/tokenzr.h>

#include <limits>

namespace swarmshare::gui {
namespace {

std::uint16_t read_port(const wxFileConfig& file, const wxString& key, std::uint16_t fallback) {
  const long value = file.ReadLong(key, fallback);
  return value >= 0 && value <= std::numeric_limits<std::uint16_t>::max()
             ? static_cast<std::uint16_t>(value)
             : fallback;
}

} // namespace

std::filesystem::path GuiConfig::file_in(const std::filesystem::path& home) {
  return home / "gui.ini";
}

GuiConfig::GuiConfig(const std::filesystem::path& home)
    : path_(file_in(home)),
      file_(std::make_unique<wxFileConfig>("Swarmshare", wxEmptyString,
                                           wxString::FromUTF8(path_.string()), wxEmptyString,
                                           wxCONFIG_USE_LOCAL_FILE)) {
  file_->SetUmask(0077); // it may name private trackers
}

GuiConfig::~GuiConfig() = default;

NetworkSettings GuiConfig::network() const {
  NetworkSettings settings;
  settings.tracker = file_->Read("/network/tracker", wxString()).utf8_string();
  settings.run_tracker = file_->ReadBool("/network/run_tracker", settings.run_tracker);
  settings.tracker_port = read_port(*file_, "/network/tracker_port", settings.tracker_port);
  settings.dht = file_->ReadBool("/network/dht", settings.dht);
  settings.bootstrap = file_->Read("/network/bootstrap", wxString()).utf8_string();
  settings.lan = file_->ReadBool("/network/lan", settings.lan);
  settings.peer_port = read_port(*file_, "/network/peer_port", settings.peer_port);
  settings.dht_port = read_port(*file_, "/network/dht_port", settings.dht_port);
  return settings;
}

bool GuiConfig::save_network(const NetworkSettings& settings) {
  file_->Write("/network/tracker", wxString::FromUTF8(settings.tracker));
  file_->Write("/network/run_tracker", settings.run_tracker);
  file_->Write("/network/tracker_port", static_cast<long>(settings.tracker_port));
  file_->Write("/network/dht", settings.dht);
  file_->Write("/network/bootstrap", wxString::FromUTF8(settings.bootstrap));
  file_->Write("/network/lan", settings.lan);
  file_->Write("/network/peer_port", static_cast<long>(settings.peer_port));
  file_->Write("/network/dht_port", static_cast<long>(settings.dht_port));
  return flush();
}

std::optional<WindowPlacement> GuiConfig::placement() const {
  if (!file_->HasEntry("/window/width")) {
    return std::nullopt;
  }
  WindowPlacement placement;
  placement.frame = wxRect(static_cast<int>(file_->ReadLong("/window/x", 0)),
                           static_cast<int>(file_->ReadLong("/window/y", 0)),
                           static_cast<int>(file_->ReadLong("/window/width", 1000)),
                           static_cast<int>(file_->ReadLong("/window/height", 720)));
  placement.maximized = file_->ReadBool("/window/maximized", false);
  placement.log_height = static_cast<int>(file_->ReadLong("/window/log_height", 0));
  return placement;
}

void GuiConfig::set_placement(const WindowPlacement& placement) {
  file_->Write("/window/x", static_cast<long>(placement.frame.x));
  file_->Write("/window/y", static_cast<long>(placement.frame.y));
  file_->Write("/window/width", static_cast<long>(placement.frame.width));
  file_->Write("/window/height", static_cast<long>(placement.frame.height));
  file_->Write("/window/maximized", placement.maximized);
  file_->Write("/window/log_height", static_cast<long>(placement.log_height));
}

std::vector<int> GuiConfig::column_widths(const std::string& list) const {
  std::vector<int> widths;
  const wxString saved = file_->Read("/columns/" + wxString::FromUTF8(list), wxString());
  wxStringTokenizer tokens(saved, ",");
  while (tokens.HasMoreTokens()) {
    long width = 0;
    if (!tokens.GetNextToken().ToLong(&width) || width < 0 || width > 10'000) {
      return {}; // a damaged entry: the defaults
    }
    widths.push_back(static_cast<int>(width));
  }
  return widths;
}

void GuiConfig::set_column_widths(const std::string& list, const std::vector<int>& widths) {
  wxString text;
  for (const int width : widths) {
    if (!text.empty()) {
      text += ",";
    }
    text << width;
  }
  file_->Write("/columns/" + wxString::FromUTF8(list), text);
}

bool GuiConfig::flush() { return file_->Flush(); }

} // namespace swarmshare::gui
