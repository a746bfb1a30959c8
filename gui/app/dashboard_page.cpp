#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "dashboard_page.hpp"

#include "charts.hpp"
#include "health_colour.hpp"
#include "swarmshare/gui/registry_health.hpp"
#include "swarmshare/gui/text.hpp"

#include <wx/sizer.h>
#include <wx/stattext.h>

namespace swarmshare::gui {

DashboardPage::DashboardPage(wxWindow* parent, const client::SessionOptions& options)
    : wxPanel(parent), dht_enabled_(options.dht.has_value()),
      lan_enabled_(options.lan.has_value()) {
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  const auto add_heading = [&](const wxString& text) {
    auto* heading = new wxStaticText(this, wxID_ANY, text);
    heading->SetFont(heading->GetFont().Bold().Larger());
    sizer->Add(heading, 0, wxLEFT | wxRIGHT | wxTOP, 12);
  };
  const auto add_line = [&]() {
    auto* line = new wxStaticText(this, wxID_ANY, "");
    sizer->Add(line, 0, wxLEFT | wxRIGHT | wxTOP, 6);
    return line;
  };
  add_heading("Transfers");
  graph_ = new SpeedGraph(this);
  sizer->Add(graph_, 1, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, 6);
  speeds_ = add_line();
  totals_ = add_line();
  transfers_ = add_line();
  add_heading("Registries");
  tracker_ = add_line();
  dht_ = add_line();
  lan_ = add_line();
  SetSizer(sizer);

  on_tick({}); // the first point of the graph: nothing moves yet
  client::RegistryHealthChanged unknown;
  unknown.tracker_configured = options.tracker.has_value();
  on_registry_health(unknown);
}

std::size_t DashboardPage::graph_samples() const { return graph_->history().samples().size(); }

void DashboardPage::on_tick(const client::StatisticsTick& tick) {
  graph_->add({tick.download_rate, tick.upload_rate});
  speeds_->SetLabel(wxString::FromUTF8("Download " + format_rate(tick.download_rate) +
                                       "    Upload " + format_rate(tick.upload_rate)));
  totals_->SetLabel(
      wxString::FromUTF8("Downloaded " + core::format_bytes_column(tick.bytes_downloaded) +
                         "    Uploaded " + core::format_bytes_column(tick.bytes_uploaded) +
                         "    Ratio " + format_ratio(tick.bytes_uploaded, tick.bytes_downloaded)));
  transfers_->SetLabel(wxString::FromUTF8(count_text(tick.downloads, "download", "downloads") +
                                          " running    " +
                                          count_text(tick.shares, "file", "files") + " shared    " +
                                          count_text(tick.peers, "peer", "peers") + " connected"));
  show_health(dht_, dht_health_line(dht_enabled_, tick.dht_nodes));
  show_health(lan_, lan_health_line(lan_enabled_, tick.lan_peers));
  Layout();
}

void DashboardPage::on_registry_health(const client::RegistryHealthChanged& changed) {
  show_health(tracker_, tracker_health_line(changed.tracker_configured, changed.tracker));
  Layout();
}

} // namespace swarmshare::gui
