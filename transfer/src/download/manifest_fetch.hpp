#pragma once
// Asking a peer for the manifest: a download that knows only a File ID (a share link, a DHT
// hit) and found the manifest in no registry asks the peers it can dial.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/manifest.hpp"
#include "swarmshare/crypto/secure_channel.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>

namespace swarmshare::transfer::detail {

/// Sends manifest_request on a channel whose hellos were exchanged (dial_peer) and waits
/// for the manifest message, checked against `file_id` (wire::decode_manifest); the other
/// messages a peer sends first (have_map, budget, have) are skipped. The channel is closed
/// with goodbye(done) afterwards: the swarm needs a peer's have_map, which was read here,
/// so the peer is dialled again for the swarm. The channel is taken by reference, not by
/// value, because g++ 12 may destroy a by-value argument of a co_await twice; it is moved
/// from at once.
[[nodiscard]] boost::asio::awaitable<core::Result<core::Manifest>>
ask_for_manifest(crypto::SecureChannel& channel, core::FileId file_id,
                 std::chrono::milliseconds timeout);

} // namespace swarmshare::transfer::detail
