#pragma once
// The user-facing settings of the engine: what a settings dialog (or `swarmshare-cli
// settings`) shows and changes. Session::settings() reads them, Session::apply_settings()
// checks, applies and saves them (in the state database's settings table, one key each).

#include "swarmshare/core/error.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace swarmshare::client {

/// What happens when a download completes: the front end asks "Share this file?", or
/// answers for the user.
enum class AfterDownload { ask, always_share, never_share };

[[nodiscard]] std::string_view to_string(AfterDownload value) noexcept;
/// "ask", "always_share" or "never_share"; anything else: empty.
[[nodiscard]] std::optional<AfterDownload> parse_after_download(std::string_view text) noexcept;

struct Settings {
  /// More than this many active downloads is surely a typing error (and would open
  /// thousands of connections).
  static constexpr std::uint32_t kMaxActiveDownloadsCap = 1000;

  /// Global limits in bytes per second; 0: none.
  std::uint64_t upload_limit = 0;
  std::uint64_t download_limit = 0;
  /// Upload limit for each peer on its own, bytes per second, on top of upload_limit (the
  /// stricter wins); 0: none. Keeps one fast downloader from taking all of upload_limit.
  std::uint64_t upload_limit_per_peer = 0;
  /// Downloads running at once; more wait in the queue. 0: no limit.
  std::uint32_t max_active_downloads = 3;
  /// Downloads serve their verified chunks to others.
  bool serve_while_downloading = true;
  AfterDownload after_download = AfterDownload::ask;
  /// Where downloads go when the command names no folder; absolute. None: the front end
  /// must name one.
  std::optional<std::filesystem::path> download_folder;

  [[nodiscard]] bool operator==(const Settings&) const = default;
};

/// client::Errc::invalid_setting when a value is out of range: max_active_downloads above
/// kMaxActiveDownloadsCap, a download folder that is empty or not absolute.
[[nodiscard]] core::Status validate(const Settings& settings);

} // namespace swarmshare::client
