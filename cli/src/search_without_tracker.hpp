#pragma once
// `search` without a tracker, or when the tracker cannot answer: the DHT's keyword records
// and the LAN peers' catalogues. A one-shot session joins the DHT (through the saved table,
// --bootstrap and the LAN) and hears the LAN, then looks the text up and prints the hits in
// the tracker search's format, each with where it was found. `lan` lists what each LAN peer
// shares.

#include "global_options.hpp"

#include <cstdint>
#include <string>

namespace swarmshare::cli {

/// Prints the hits for `text` (after skipping `offset`); the exit code: 0 with hits, 3 (not
/// found) with none, 1 when neither the DHT nor LAN discovery is on, or nobody answered.
[[nodiscard]] int search_without_tracker(const GlobalOptions& global, const std::string& text,
                                         std::uint32_t limit, std::uint32_t offset);

/// `lan`: each LAN peer heard, then the listed files it shares. Exit code 0, or 3 when no
/// LAN peer was heard, 1 when LAN discovery is off.
[[nodiscard]] int list_lan(const GlobalOptions& global);

} // namespace swarmshare::cli
