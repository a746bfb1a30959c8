#pragma once
// `search` without a tracker, or when the tracker cannot answer: the keyword records of the
// DHT. A one-shot session joins the DHT (through the saved table, --bootstrap and the LAN),
// looks the text up and prints the hits in the tracker search's format.

#include "global_options.hpp"

#include <cstdint>
#include <string>

namespace swarmshare::cli {

/// Prints the DHT's hits for `text` (after skipping `offset`); the exit code: 0 with hits,
/// 3 (not found) with none, 1 when the DHT is off or no node answered.
[[nodiscard]] int search_in_dht(const GlobalOptions& global, const std::string& text,
                                std::uint32_t limit, std::uint32_t offset);

} // namespace swarmshare::cli
