#pragma once
// The Dashboard's speed graph: upload and download rates of the last five minutes, one
// sample a second (the engine's statistics tick), and how they map onto a drawing area.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace swarmshare::gui {

struct SpeedSample {
  std::uint64_t download = 0; ///< bytes per second
  std::uint64_t upload = 0;
};

/// A point of a line in a drawing area whose top-left corner is (0, 0).
struct GraphPoint {
  int x = 0;
  int y = 0;
};

class SpeedHistory {
public:
  /// Five minutes of one-second ticks.
  static constexpr std::size_t kSamples = 300;

  void add(SpeedSample sample);
  [[nodiscard]] const std::deque<SpeedSample>& samples() const noexcept { return samples_; }

  /// The top of the graph's scale: the highest rate shown, rounded up to a 1-2-5 step
  /// (1 KiB/s at least), so the scale changes seldom and reads easily.
  [[nodiscard]] std::uint64_t scale() const;

  /// The line of one direction across a width × height area: the newest sample at the right
  /// edge, one sample every width / (kSamples - 1) pixels; older samples than five minutes
  /// fall off the left. Empty with no samples.
  [[nodiscard]] std::vector<GraphPoint> line(bool download, int width, int height) const;

private:
  std::deque<SpeedSample> samples_;
};

} // namespace swarmshare::gui
