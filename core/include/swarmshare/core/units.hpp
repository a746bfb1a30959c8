#pragma once
// Byte counts for people, in binary units: format_bytes for lines of text ("1.5 GiB",
// "256 KiB", "12 B"), format_bytes_column for columns of sizes ("1.50 GiB", "256 KiB").

#include <cstdint>
#include <string>

namespace swarmshare::core {

/// One decimal, none for whole units.
[[nodiscard]] std::string format_bytes(std::uint64_t bytes);

/// Three significant digits ("0 B", "1023 B", "1.50 KiB", "15.3 MiB", "153 MiB"), so a
/// column of sizes keeps its width; a size just under the next unit reads as 1.00 of it.
[[nodiscard]] std::string format_bytes_column(std::uint64_t bytes);

} // namespace swarmshare::core
