#include "swarmshare/gui/text.hpp"

#include "swarmshare/core/platform/local_time.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace swarmshare::gui {
namespace {

std::tm local_time(std::chrono::system_clock::time_point at) {
  return core::platform::local_time(std::chrono::system_clock::to_time_t(at));
}

std::string printf_string(const char* format, auto... values) {
  std::array<char, 64> buffer{};
  const int written = std::snprintf(buffer.data(), buffer.size(), format, values...);
  return written < 0 ? std::string() : std::string(buffer.data());
}

} // namespace

std::string format_rate(std::uint64_t bytes_per_second) {
  return core::format_bytes_column(bytes_per_second) + "/s";
}

std::string count_text(std::uint64_t count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

std::string format_eta(std::uint64_t bytes_left, std::uint64_t bytes_per_second) {
  if (bytes_left == 0) {
    return "0 s";
  }
  if (bytes_per_second == 0) {
    return "∞";
  }
  return format_duration((bytes_left + bytes_per_second - 1) / bytes_per_second);
}

std::string format_duration(std::uint64_t seconds) {
  constexpr std::uint64_t kMinute = 60;
  constexpr std::uint64_t kHour = 60 * kMinute;
  constexpr std::uint64_t kDay = 24 * kHour;
  const auto as_long = [](std::uint64_t value) { return static_cast<unsigned long long>(value); };
  if (seconds < kMinute) {
    return printf_string("%llu s", as_long(seconds));
  }
  if (seconds < kHour) {
    return printf_string("%llu min %02llu s", as_long(seconds / kMinute),
                         as_long(seconds % kMinute));
  }
  if (seconds < kDay) {
    return printf_string("%llu h %02llu min", as_long(seconds / kHour),
                         as_long(seconds % kHour / kMinute));
  }
  return printf_string("%llu d %02llu h", as_long(seconds / kDay), as_long(seconds % kDay / kHour));
}

std::string format_ratio(std::uint64_t uploaded, std::uint64_t downloaded) {
  if (downloaded == 0) {
    return uploaded == 0 ? "0.00" : "∞";
  }
  return printf_string("%.2f", static_cast<double>(uploaded) / static_cast<double>(downloaded));
}

std::string clock_text(std::chrono::system_clock::time_point at) {
  const std::tm local = local_time(at);
  return printf_string("%02d:%02d:%02d", local.tm_hour, local.tm_min, local.tm_sec);
}

std::string date_text(std::chrono::system_clock::time_point at) {
  const std::tm local = local_time(at);
  return printf_string("%04d-%02d-%02d %02d:%02d", local.tm_year + 1900, local.tm_mon + 1,
                       local.tm_mday, local.tm_hour, local.tm_min);
}

std::string status_log_text(const client::LogLine& line) {
  std::string text = "[" + clock_text(line.at) + "] ";
  switch (line.level) {
  case client::LogLevel::info: break;
  case client::LogLevel::warning: text += "Warning: "; break;
  case client::LogLevel::error: text += "Error: "; break;
  }
  return text + line.text;
}

} // namespace swarmshare::gui
