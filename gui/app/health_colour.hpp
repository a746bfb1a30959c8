#pragma once
// A health line shown in its colour (the words say it too).
#include "swarmshare/gui/registry_health.hpp"

#include <wx/colour.h>
#include <wx/settings.h>
#include <wx/stattext.h>

namespace swarmshare::gui {

inline wxColour health_colour(Health health) {
  switch (health) {
  case Health::good: return {0x1b, 0x7f, 0x2a};
  case Health::waiting: return {0xb3, 0x6b, 0x00};
  case Health::bad: return {0xc0, 0x1c, 0x28};
  case Health::off: break;
  }
  return wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT);
}

inline void show_health(wxStaticText* label, const HealthLine& line) {
  label->SetLabel(wxString::FromUTF8(line.text));
  label->SetForegroundColour(health_colour(line.health));
}

} // namespace swarmshare::gui
