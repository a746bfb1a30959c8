#pragma once
// How numbers and times read in the desktop client. No wx here: the presenter tests run
// without a display.
#include "swarmshare/client/events.hpp"
#include "swarmshare/core/units.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarmshare::gui {

// Sizes: core::format_bytes_column (units.hpp), so that every column of sizes keeps its width.

/// "1 peer", "3 peers": a count with its noun, singular or plural.
[[nodiscard]] std::string count_text(std::uint64_t count, std::string_view one,
                                     std::string_view many);

/// core::format_bytes_column + "/s"; "0 B/s" when idle.
[[nodiscard]] std::string format_rate(std::uint64_t bytes_per_second);

/// Time left at the current rate: "45 s", "3 min 05 s", "2 h 07 min", "3 d 04 h"; "∞" when
/// nothing is arriving (rate 0) and something is left; "0 s" when nothing is left.
[[nodiscard]] std::string format_eta(std::uint64_t bytes_left, std::uint64_t bytes_per_second);

/// A span of time: "45 s", "3 min 05 s", "2 h 07 min", "3 d 04 h".
[[nodiscard]] std::string format_duration(std::uint64_t seconds);

/// Uploaded / downloaded, "1.25"; "∞" for uploads with nothing downloaded, "0.00" for neither.
[[nodiscard]] std::string format_ratio(std::uint64_t uploaded, std::uint64_t downloaded);

/// A time of day in the computer's time zone: "14:24:52".
[[nodiscard]] std::string clock_text(std::chrono::system_clock::time_point at);

/// A calendar date and time in the computer's time zone: "2026-11-24 14:24".
[[nodiscard]] std::string date_text(std::chrono::system_clock::time_point at);

/// The status log's line for an engine log line: "[14:24:52] Download complete! ...".
/// Warnings and errors say so after the time, so they stand out in a plain list.
[[nodiscard]] std::string status_log_text(const client::LogLine& line);

} // namespace swarmshare::gui
