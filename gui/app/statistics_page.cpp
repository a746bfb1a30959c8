#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "statistics_page.hpp"

#include "swarmshare/gui/text.hpp"

#include <wx/sizer.h>
#include <wx/stattext.h>

namespace swarmshare::gui {

StatisticsPage::StatisticsPage(wxWindow* parent, client::Session& session, FutureWatcher& futures)
    : wxPanel(parent), session_(session), futures_(futures) {
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  totals_ = new wxStaticText(this, wxID_ANY, "");
  sizer->Add(totals_, 0, wxALL, 12);
  SetSizer(sizer);
  refresh();
}

void StatisticsPage::refresh() {
  futures_.when_ready<core::Result<client::Totals>>(
      session_.totals(), [this](core::Result<client::Totals> totals) {
        if (!totals) {
          return;
        }
        const auto& value = totals.value();
        totals_->SetLabel(wxString::FromUTF8(
            "Uploaded: " + core::format_bytes_column(value.bytes_uploaded) +
            "\nDownloaded: " + core::format_bytes_column(value.bytes_downloaded) +
            "\nRatio: " + format_ratio(value.bytes_uploaded, value.bytes_downloaded) +
            "\nPeers served: " + std::to_string(value.peers_served)));
        Layout();
      });
}

} // namespace swarmshare::gui
