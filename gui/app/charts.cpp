// Boost (through text.hpp) before any wx header: wx's _() macro breaks Boost.Outcome.
#include "swarmshare/gui/text.hpp"

#include "charts.hpp"
#include "swarmshare/gui/chunk_bar.hpp"

#include <wx/dcbuffer.h>
#include <wx/settings.h>

namespace swarmshare::gui {
namespace {

wxColour download_colour() { return {31, 119, 180}; } // blue
wxColour upload_colour() { return {44, 160, 44}; }    // green
constexpr int kMargin = 6;

wxColour shade_colour(ChunkShade shade) {
  switch (shade) {
  case ChunkShade::missing: return {224, 224, 224};
  case ChunkShade::in_progress: return {240, 190, 60};
  case ChunkShade::partial: return {150, 205, 150};
  case ChunkShade::verified: return {44, 160, 44};
  }
  return {224, 224, 224};
}

// Availability: none (no connected peer has the chunk) stands out; more peers, darker.
wxColour availability_colour(std::uint8_t peers) {
  switch (peers) {
  case 0: return {210, 70, 70};
  case 1: return {175, 205, 235};
  case 2: return {110, 160, 215};
  default: return {31, 119, 180};
  }
}

} // namespace

SpeedGraph::SpeedGraph(wxWindow* parent)
    : wxPanel(parent, wxID_ANY, wxDefaultPosition, wxSize(-1, 160)) {
  SetBackgroundStyle(wxBG_STYLE_PAINT); // painted whole in on_paint, without flicker
  Bind(wxEVT_PAINT, [this](wxPaintEvent&) { on_paint(); });
  Bind(wxEVT_SIZE, [this](wxSizeEvent& event) {
    Refresh();
    event.Skip();
  });
}

void SpeedGraph::add(SpeedSample sample) {
  history_.add(sample);
  Refresh(false);
}

void SpeedGraph::on_paint() {
  wxAutoBufferedPaintDC dc(this);
  dc.SetBackground(wxBrush(wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOW)));
  dc.Clear();
  dc.SetFont(GetFont().Smaller());
  dc.SetTextForeground(wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT));
  const wxString top = wxString::FromUTF8(format_rate(history_.scale()));
  const int label_height = dc.GetTextExtent(top).GetHeight();
  const wxRect area(kMargin, kMargin + label_height, GetClientSize().GetWidth() - 2 * kMargin,
                    GetClientSize().GetHeight() - 2 * (kMargin + label_height));
  if (area.width <= 0 || area.height <= 0) {
    return;
  }
  dc.SetPen(wxPen(wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT)));
  dc.SetBrush(*wxTRANSPARENT_BRUSH);
  dc.DrawRectangle(area);
  dc.DrawText(top, area.x, kMargin);
  dc.DrawText("5 minutes ago", area.x, area.GetBottom() + 2);
  const wxString now = "now";
  dc.DrawText(now, area.GetRight() - dc.GetTextExtent(now).GetWidth(), area.GetBottom() + 2);
  const auto draw = [&](bool download, const wxColour& colour, const wxString& legend, int at) {
    const auto line = history_.line(download, area.width, area.height);
    std::vector<wxPoint> points;
    points.reserve(line.size());
    for (const auto& point : line) {
      points.emplace_back(area.x + point.x, area.y + point.y);
    }
    dc.SetPen(wxPen(colour, 2));
    if (points.size() >= 2) {
      dc.DrawLines(static_cast<int>(points.size()), points.data());
    }
    dc.SetTextForeground(colour);
    dc.DrawText(legend, at, kMargin);
  };
  const int legend_x = area.GetRight() - 180;
  // Literals with non-ASCII characters go through FromUTF8: the C locale would drop them.
  draw(true, download_colour(), wxString::FromUTF8("— Download"), legend_x);
  draw(false, upload_colour(), wxString::FromUTF8("— Upload"), legend_x + 95);
}

ChunkBar::ChunkBar(wxWindow* parent)
    : wxPanel(parent, wxID_ANY, wxDefaultPosition, wxSize(-1, 24)) {
  SetBackgroundStyle(wxBG_STYLE_PAINT);
  SetToolTip(wxString::FromUTF8(
      "Above: green chunks are verified, light green partly, amber in progress, grey missing.\n"
      "Below: how many connected peers have each chunk: red none, then lighter to darker "
      "blue for one, two, three or more."));
  Bind(wxEVT_PAINT, [this](wxPaintEvent&) { on_paint(); });
  Bind(wxEVT_SIZE, [this](wxSizeEvent& event) {
    Refresh();
    event.Skip();
  });
}

void ChunkBar::show(std::vector<std::uint8_t> chunk_states,
                    std::vector<std::uint8_t> availability) {
  chunk_states_ = std::move(chunk_states);
  availability_ = std::move(availability);
  Refresh(false);
}

void ChunkBar::on_paint() {
  wxAutoBufferedPaintDC dc(this);
  dc.SetBackground(wxBrush(wxSystemSettings::GetColour(wxSYS_COLOUR_BTNFACE)));
  dc.Clear();
  const wxSize size = GetClientSize();
  dc.SetPen(*wxTRANSPARENT_PEN);
  const int states_height = size.GetHeight() * 2 / 3;
  for (const auto& span : chunk_bar(chunk_states_, size.GetWidth())) {
    dc.SetBrush(wxBrush(shade_colour(span.shade)));
    dc.DrawRectangle(span.begin, 0, span.end - span.begin, states_height);
  }
  for (const auto& span : availability_bar(availability_, size.GetWidth())) {
    dc.SetBrush(wxBrush(availability_colour(span.peers)));
    dc.DrawRectangle(span.begin, states_height, span.end - span.begin,
                     size.GetHeight() - states_height);
  }
  dc.SetPen(wxPen(wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT)));
  dc.SetBrush(*wxTRANSPARENT_BRUSH);
  dc.DrawRectangle(0, 0, size.GetWidth(), size.GetHeight());
}

} // namespace swarmshare::gui
