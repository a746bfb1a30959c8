#pragma once
// Links the desktop opens the client with: a share link (`swarmshare:?id=...`, the scheme
// the installers register) or a bare File ID, given on the command line, by the desktop when
// a link is clicked, or typed into Download Files.
//
// Clicking a link while the client already runs starts a second copy on the same home,
// which cannot open the engine (one process per home). It hands the link to the running
// copy through LinkInbox, a folder in the home, and exits; the running copy looks there
// twice a second.
#include "swarmshare/core/error.hpp"
#include "swarmshare/core/file_id.hpp"
#include "swarmshare/core/registry.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarmshare::gui {

/// What a link asks the client to download.
struct LinkTarget {
  core::FileId file_id;
  std::optional<std::string> name;       ///< from a share link; sanitized by the engine later
  std::optional<std::uint64_t> size;     ///< bytes, from a share link
  std::vector<core::PeerSource> sources; ///< the share link's peers
};

/// A share link or a File ID (64 hex digits, surrounding spaces ignored); anything else is
/// refused with the share link parser's reason, or core::Errc::invalid_argument when it is
/// neither link nor File ID.
[[nodiscard]] core::Result<LinkTarget> parse_link_target(std::string_view text);

/// The name a row shows for a link: its name, else "File " and the short File ID.
[[nodiscard]] std::string link_display_name(const LinkTarget& target);

/// `<home>/incoming-links`: one file per link handed over.
class LinkInbox {
public:
  /// A link older than this when the running copy finds it is dropped: it was handed over
  /// while no copy was running to take it, and opening it days later would surprise.
  static constexpr std::chrono::minutes kMaxAge{10};
  /// At most this many links are taken per look, so a flood cannot stall the window.
  static constexpr std::size_t kMaxTakenAtOnce = 16;

  explicit LinkInbox(const std::filesystem::path& home);

  /// Leaves `link` for the running copy: written to a temporary name, then renamed, so the
  /// running copy never reads half of it. Links over the share link size cap are refused.
  [[nodiscard]] core::Status deliver(std::string_view link) const;

  /// The links handed over since the last look, oldest first; each file is removed once
  /// read. Files that are too big or too old (written over kMaxAge before `now`) are
  /// removed unread.
  [[nodiscard]] std::vector<std::string>
  take(std::filesystem::file_time_type now = std::filesystem::file_time_type::clock::now()) const;

  [[nodiscard]] const std::filesystem::path& folder() const noexcept { return folder_; }

private:
  std::filesystem::path folder_;
};

} // namespace swarmshare::gui
