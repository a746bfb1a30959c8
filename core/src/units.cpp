#include "swarmshare/core/units.hpp"

#include <array>
#include <cstdio>

namespace swarmshare::core {

std::string format_bytes(std::uint64_t bytes) {
  static constexpr std::array<const char*, 7> kUnits = {"B",   "KiB", "MiB", "GiB",
                                                        "TiB", "PiB", "EiB"};
  if (bytes < 1024) {
    return std::to_string(bytes) + " B";
  }
  std::size_t unit = 0;
  std::uint64_t whole = bytes;
  while (whole >= std::uint64_t{1024} * 1024 && unit + 2 < kUnits.size()) {
    whole /= 1024;
    ++unit;
  }
  // `whole` is now below 1 MiB of the current unit; show it in the next one.
  const double value = static_cast<double>(whole) / 1024.0;
  std::array<char, 32> text{};
  if (whole % 1024 == 0) {
    std::snprintf(text.data(), text.size(), "%.0f %s", value, kUnits[unit + 1]);
  } else {
    std::snprintf(text.data(), text.size(), "%.1f %s", value, kUnits[unit + 1]);
  }
  return text.data();
}

} // namespace swarmshare::core
