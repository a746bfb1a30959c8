#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "statistics_page.hpp"

#include "swarmshare/gui/text.hpp"
#include "virtual_table.hpp"

#include <wx/dcbuffer.h>
#include <wx/listctrl.h>
#include <wx/settings.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

namespace swarmshare::gui {

// Horizontal bars: the files uploaded most, each against the most uploaded one.
class UploadChart : public wxPanel {
public:
  static constexpr std::size_t kBars = 8;

  explicit UploadChart(wxWindow* parent)
      : wxPanel(parent, wxID_ANY, wxDefaultPosition, wxSize(-1, 8 * 22 + 8)) {
    SetBackgroundStyle(wxBG_STYLE_PAINT);
    Bind(wxEVT_PAINT, [this](wxPaintEvent&) { on_paint(); });
    Bind(wxEVT_SIZE, [this](wxSizeEvent& event) {
      Refresh();
      event.Skip();
    });
  }

  void show(std::vector<UploadBar> bars) {
    bars_ = std::move(bars);
    Refresh();
  }

private:
  void on_paint() {
    wxAutoBufferedPaintDC dc(this);
    dc.SetBackground(wxBrush(wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOW)));
    dc.Clear();
    dc.SetTextForeground(wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT));
    if (bars_.empty()) {
      dc.DrawText("Nothing uploaded yet: the files others download from you appear here.", 6, 6);
      return;
    }
    constexpr int kRow = 22;
    const int width = GetClientSize().GetWidth() - 12;
    dc.SetPen(*wxTRANSPARENT_PEN);
    dc.SetBrush(wxBrush(wxColour(44, 160, 44)));
    for (std::size_t i = 0; i < bars_.size(); ++i) {
      const int top = 4 + static_cast<int>(i) * kRow;
      const int length = std::max(2, static_cast<int>(bars_[i].fraction * width));
      dc.SetBrush(wxBrush(wxColour(190, 225, 190)));
      dc.DrawRectangle(6, top, length, kRow - 4);
      dc.DrawText(wxString::FromUTF8(bars_[i].label), 10, top + 1);
    }
  }

  std::vector<UploadBar> bars_;
};

StatisticsPage::StatisticsPage(wxWindow* parent, client::Session& session, FutureWatcher& futures)
    : wxPanel(parent), session_(session), futures_(futures) {
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  totals_text_ = new wxStaticText(this, wxID_ANY, "");
  sizer->Add(totals_text_, 0, wxALL, 12);
  auto* heading = new wxStaticText(this, wxID_ANY, "Uploaded most");
  heading->SetFont(heading->GetFont().Bold());
  sizer->Add(heading, 0, wxLEFT | wxRIGHT, 12);
  chart_ = new UploadChart(this);
  sizer->Add(chart_, 0, wxEXPAND | wxALL, 6);
  // Every shared file's figures; virtual, as the library may hold 100,000 files.
  list_ = new FileStatisticsView(this, files_, "file-statistics",
                                 {{300}, {100, true}, {110, true}, {100, true}, {120, true}});
  sizer->Add(list_, 1, wxEXPAND | wxALL, 6);
  SetSizer(sizer);
  refresh();
}

void StatisticsPage::refresh(std::function<void(const FileStatisticsTable&)> then) {
  futures_.when_ready<core::Result<client::Totals>>(session_.totals(),
                                                    [this](core::Result<client::Totals> totals) {
                                                      if (totals) {
                                                        totals_ = totals.value();
                                                        show_totals();
                                                      }
                                                    });
  futures_.when_ready<core::Result<std::vector<client::LibraryEntry>>>(
      session_.library(),
      [this, then = std::move(then)](core::Result<std::vector<client::LibraryEntry>> library) {
        if (library) {
          files_.set_library(library.value());
          list_->SetItemCount(static_cast<long>(files_.row_count()));
          list_->Refresh();
          chart_->show(files_.top_uploads(UploadChart::kBars));
          show_totals();
        }
        if (then) {
          then(files_);
        }
      });
}

void StatisticsPage::show_totals() {
  totals_text_->SetLabel(wxString::FromUTF8(
      "Uploaded " + core::format_bytes_column(totals_.bytes_uploaded) + "    Downloaded " +
      core::format_bytes_column(totals_.bytes_downloaded) + "    Ratio " +
      format_ratio(totals_.bytes_uploaded, totals_.bytes_downloaded) + "    " +
      count_text(totals_.peers_served, "peer", "peers") + " served    Seeding " +
      format_duration(files_.total_seconds_seeded()) + " in all"));
  Layout();
}

} // namespace swarmshare::gui
