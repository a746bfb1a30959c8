#include "swarmshare/core/units.hpp"

#include <array>
#include <cstdio>

namespace swarmshare::core {
namespace {

constexpr std::array<const char*, 7> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

std::string with_format(const char* format, double value, const char* unit) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), format, value, unit);
  return text.data();
}

} // namespace

std::string format_bytes(std::uint64_t bytes) {
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

std::string format_bytes_column(std::uint64_t bytes) {
  if (bytes < 1024) {
    return std::to_string(bytes) + " B";
  }
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  // Rounding can reach the next unit's threshold (1023.96 KiB prints as "1024 KiB"):
  // show it as 1.00 of the next unit instead.
  if (value >= 999.5 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  if (value < 9.995) {
    return with_format("%.2f %s", value, kUnits[unit]);
  }
  if (value < 99.95) {
    return with_format("%.1f %s", value, kUnits[unit]);
  }
  return with_format("%.0f %s", value, kUnits[unit]);
}

} // namespace swarmshare::core
