#include "swarmshare/gui/speed_history.hpp"

#include <algorithm>
#include <cmath>

namespace swarmshare::gui {

void SpeedHistory::add(SpeedSample sample) {
  samples_.push_back(sample);
  if (samples_.size() > kSamples) {
    samples_.pop_front();
  }
}

std::uint64_t SpeedHistory::scale() const {
  std::uint64_t highest = 0;
  for (const auto& sample : samples_) {
    highest = std::max({highest, sample.download, sample.upload});
  }
  std::uint64_t step = 1024;
  for (;;) {
    for (const std::uint64_t factor : {1, 2, 5}) {
      if (highest <= step * factor) {
        return step * factor;
      }
    }
    step *= 10;
  }
}

std::vector<GraphPoint> SpeedHistory::line(bool download, int width, int height) const {
  std::vector<GraphPoint> points;
  if (samples_.empty() || width <= 0 || height <= 0) {
    return points;
  }
  const auto top = static_cast<double>(scale());
  const double x_step = static_cast<double>(width - 1) / static_cast<double>(kSamples - 1);
  const std::size_t first_slot = kSamples - samples_.size();
  points.reserve(samples_.size());
  for (std::size_t i = 0; i < samples_.size(); ++i) {
    const auto rate = static_cast<double>(download ? samples_[i].download : samples_[i].upload);
    const auto x = static_cast<int>(std::lround(static_cast<double>(first_slot + i) * x_step));
    const int y = (height - 1) - static_cast<int>(std::lround(rate / top * (height - 1)));
    points.push_back({x, y});
  }
  return points;
}

} // namespace swarmshare::gui
