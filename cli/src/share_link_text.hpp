#pragma once
// The share link a front end hands the user for a file it shares (core/share_link.hpp has
// the format): shared by the command line's `share` and the desktop client's "Copy Share
// Link".
#include "swarmshare/client/session.hpp"
#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/file_id.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace swarmshare::cli {

/// The address other machines would reach `listening` at: itself when it names an address;
/// when it listens on every address, the source address of the route to the outside. Empty
/// when there is none (no network, or only loopback).
[[nodiscard]] std::optional<core::Endpoint> routable_endpoint(const core::Endpoint& listening);

/// The link: File ID, name, size, `tracker` when given ([PEERID@]HOST:PORT), and our own peer
/// endpoint when `serving` is given and others can reach it.
[[nodiscard]] std::string share_link_text(const core::FileId& file_id, const std::string& name,
                                          std::uint64_t size,
                                          const std::optional<std::string>& tracker,
                                          const client::Session* serving);

} // namespace swarmshare::cli
