#pragma once
// The LAN catalogue: a peer lists the listed files it shares to whoever asks over the
// secure channel (never in a multicast packet), so a group with no tracker and no internet
// can browse and search each other's files. Unlisted shares never appear: they are found by
// File ID only, as on the tracker.
//
// On the wire (docs/PROTOCOL.md 5.3): the dialler's first message is catalogue_request
// [0x000C, offset, limit] instead of a hello; the answer is catalogue
// [0x000D, [[file_id, size, name], ...], more] and a goodbye. One page per connection.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "swarmshare/core/endpoint.hpp"
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/crypto/secure_channel.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace swarmshare::transfer {

/// Entries in one catalogue message at most: with names of at most kMaxCatalogueNameBytes
/// a page stays far below the channel's record cap.
inline constexpr std::uint32_t kMaxCataloguePage = 200;
/// Names are cut to this many bytes (on a UTF-8 boundary) in a catalogue: sanitized file
/// names are no longer.
inline constexpr std::size_t kMaxCatalogueNameBytes = 255;
/// Entries fetched from one peer at most (pages), whatever it claims to have.
inline constexpr std::size_t kMaxCatalogueEntries = 2'000;

struct CatalogueEntry {
  core::FileId file_id;
  std::uint64_t size = 0;
  std::string name; ///< UTF-8; sanitize before using it as a file name
  friend bool operator==(const CatalogueEntry&, const CatalogueEntry&) = default;
};

struct CatalogueRequest {
  std::uint32_t offset = 0;
  std::uint32_t limit = kMaxCataloguePage; ///< 1 .. kMaxCataloguePage
  friend bool operator==(const CatalogueRequest&, const CatalogueRequest&) = default;
};

struct CataloguePage {
  std::vector<CatalogueEntry> entries; ///< at most kMaxCataloguePage
  bool more = false;                   ///< entries follow beyond this page
  friend bool operator==(const CataloguePage&, const CataloguePage&) = default;
};

/// Errors: invalid_message for a limit of 0 or over kMaxCataloguePage.
[[nodiscard]] core::Result<std::vector<std::uint8_t>> encode(const CatalogueRequest& request);
/// Names are cut to kMaxCatalogueNameBytes. Errors: invalid_message for more than
/// kMaxCataloguePage entries or a name that is not UTF-8.
[[nodiscard]] core::Result<std::vector<std::uint8_t>> encode(const CataloguePage& page);
/// Empty for anything that is not a well-formed catalogue_request (the server then reads
/// the record as a peer wire message).
[[nodiscard]] std::optional<CatalogueRequest>
decode_catalogue_request(std::span<const std::uint8_t> record);
/// Errors: message_malformed, limit_exceeded.
[[nodiscard]] core::Result<CataloguePage>
decode_catalogue_page(std::span<const std::uint8_t> record);

/// What a server lists: the listed files it shares, now. Called on the server's executor.
using CatalogueSource = std::function<std::vector<CatalogueEntry>()>;

/// The page `request` asks of `entries`.
[[nodiscard]] CataloguePage page_of(const std::vector<CatalogueEntry>& entries,
                                    const CatalogueRequest& request);

/// Connects to the peer at `endpoint`, which must prove `expected`, and fetches its whole
/// catalogue (page by page, at most kMaxCatalogueEntries). `timeout` bounds each page.
/// Errors: connect_peer's; message_malformed; peer_not_sharing when it answered with a
/// goodbye (an older peer that knows no catalogue).
[[nodiscard]] boost::asio::awaitable<core::Result<std::vector<CatalogueEntry>>>
fetch_catalogue(crypto::ChannelConfig config, core::Endpoint endpoint, crypto::PeerId expected,
                std::chrono::milliseconds timeout = std::chrono::seconds{5});

} // namespace swarmshare::transfer
