#pragma once
// Byte counts for people: "1.5 GiB", "256 KiB", "12 B". Binary units, one decimal.

#include <cstdint>
#include <string>

namespace swarmshare::core {

[[nodiscard]] std::string format_bytes(std::uint64_t bytes);

} // namespace swarmshare::core
