#pragma once
// Two drawn controls: the Dashboard's speed graph (the last five minutes of download and
// upload rates) and Download Files' chunk bar (which chunks of the selected download are
// verified). What to draw comes from the presenter (speed_history.hpp, chunk_bar.hpp); these
// only paint it.
#include "swarmshare/gui/speed_history.hpp"

#include <wx/panel.h>

#include <cstdint>
#include <vector>

namespace swarmshare::gui {

class SpeedGraph : public wxPanel {
public:
  explicit SpeedGraph(wxWindow* parent);
  void add(SpeedSample sample);
  [[nodiscard]] const SpeedHistory& history() const noexcept { return history_; }

private:
  void on_paint();
  SpeedHistory history_;
};

/// Two rows: above, each chunk's state; below, how many connected peers have it.
class ChunkBar : public wxPanel {
public:
  explicit ChunkBar(wxWindow* parent);
  /// One byte per chunk each, as transfer::DownloadProgress's chunk_states and
  /// chunk_availability; empty: nothing selected (or, for availability, no swarm running).
  void show(std::vector<std::uint8_t> chunk_states, std::vector<std::uint8_t> availability);

private:
  void on_paint();
  std::vector<std::uint8_t> chunk_states_;
  std::vector<std::uint8_t> availability_;
};

} // namespace swarmshare::gui
