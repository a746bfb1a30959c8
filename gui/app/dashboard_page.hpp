#pragma once
// Dashboard: speeds, totals, active transfers, connected peers and the health of each
// registry, in words and colour.
#include "swarmshare/client/events.hpp"
#include "swarmshare/client/session.hpp"

#include <wx/panel.h>

class wxStaticText;

namespace swarmshare::gui {

class SpeedGraph;

class DashboardPage : public wxPanel {
public:
  DashboardPage(wxWindow* parent, const client::SessionOptions& options);

  void on_tick(const client::StatisticsTick& tick);
  void on_registry_health(const client::RegistryHealthChanged& changed);

  /// How many samples the speed graph holds (automation).
  [[nodiscard]] std::size_t graph_samples() const;

private:
  SpeedGraph* graph_ = nullptr;
  wxStaticText* speeds_ = nullptr;
  wxStaticText* totals_ = nullptr;
  wxStaticText* transfers_ = nullptr;
  wxStaticText* tracker_ = nullptr;
  wxStaticText* dht_ = nullptr;
  wxStaticText* lan_ = nullptr;
  bool dht_enabled_ = false;
  bool lan_enabled_ = false;
};

} // namespace swarmshare::gui
