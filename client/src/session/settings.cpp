// The settings: their names and checks, how they are kept in the state database, and how a
// change reaches the running engine.

#include "session/session_impl.hpp"

#include "swarmshare/client/error.hpp"
#include "swarmshare/client/settings.hpp"

#include <limits>

namespace swarmshare::client {
namespace {

// The keys in the state's settings table. Changing one loses the users' saved value.
constexpr std::string_view kUploadLimit = "upload_limit";
constexpr std::string_view kDownloadLimit = "download_limit";
constexpr std::string_view kUploadLimitPerPeer = "upload_limit_per_peer";
constexpr std::string_view kMaxActiveDownloads = "max_active_downloads";
constexpr std::string_view kServeWhileDownloading = "serve_while_downloading";
constexpr std::string_view kAfterDownload = "after_download";
constexpr std::string_view kDownloadFolder = "download_folder";

[[nodiscard]] core::Result<std::uint64_t> read_count(StateStore& state, std::string_view key,
                                                     std::uint64_t default_value,
                                                     std::uint64_t max) {
  const auto fallback = static_cast<std::int64_t>(
      std::min<std::uint64_t>(default_value, std::numeric_limits<std::int64_t>::max()));
  auto value = state.get_int(key, fallback);
  if (!value) {
    return value.error();
  }
  if (value.value() < 0 || static_cast<std::uint64_t>(value.value()) > max) {
    return StateErrc::unreadable_row;
  }
  return static_cast<std::uint64_t>(value.value());
}

} // namespace

std::string_view to_string(AfterDownload value) noexcept {
  switch (value) {
  case AfterDownload::ask: return "ask";
  case AfterDownload::always_share: return "always_share";
  case AfterDownload::never_share: return "never_share";
  }
  return "ask";
}

std::optional<AfterDownload> parse_after_download(std::string_view text) noexcept {
  for (const auto value :
       {AfterDownload::ask, AfterDownload::always_share, AfterDownload::never_share}) {
    if (text == to_string(value)) {
      return value;
    }
  }
  return std::nullopt;
}

core::Status validate(const Settings& settings) {
  if (settings.max_active_downloads > Settings::kMaxActiveDownloadsCap) {
    return Errc::invalid_setting;
  }
  if (settings.download_folder &&
      (settings.download_folder->empty() || !settings.download_folder->is_absolute())) {
    return Errc::invalid_setting;
  }
  // The state database keeps integers as signed 64-bit.
  constexpr auto kMaxRate = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (settings.upload_limit > kMaxRate || settings.download_limit > kMaxRate ||
      settings.upload_limit_per_peer > kMaxRate) {
    return Errc::invalid_setting;
  }
  return boost::outcome_v2::success();
}

core::Result<Settings> load_settings(StateStore& state) {
  const Settings defaults;
  Settings settings;
  auto upload = read_count(state, kUploadLimit, defaults.upload_limit,
                           std::numeric_limits<std::int64_t>::max());
  auto download = read_count(state, kDownloadLimit, defaults.download_limit,
                             std::numeric_limits<std::int64_t>::max());
  auto per_peer = read_count(state, kUploadLimitPerPeer, defaults.upload_limit_per_peer,
                             std::numeric_limits<std::int64_t>::max());
  auto active = read_count(state, kMaxActiveDownloads, defaults.max_active_downloads,
                           Settings::kMaxActiveDownloadsCap);
  auto serve = state.get_bool(kServeWhileDownloading, defaults.serve_while_downloading);
  auto after = state.get_string(kAfterDownload, to_string(defaults.after_download));
  auto folder = state.setting(kDownloadFolder);
  if (!upload || !download || !per_peer || !active || !serve || !after || !folder) {
    for (const std::error_code error :
         {upload ? std::error_code{} : upload.error(),
          download ? std::error_code{} : download.error(),
          per_peer ? std::error_code{} : per_peer.error(),
          active ? std::error_code{} : active.error(), serve ? std::error_code{} : serve.error(),
          after ? std::error_code{} : after.error(), folder ? std::error_code{} : folder.error()}) {
      if (error) {
        return error;
      }
    }
  }
  const auto after_download = parse_after_download(after.value());
  if (!after_download) {
    return StateErrc::unreadable_row;
  }
  settings.upload_limit = upload.value();
  settings.download_limit = download.value();
  settings.upload_limit_per_peer = per_peer.value();
  settings.max_active_downloads = static_cast<std::uint32_t>(active.value());
  settings.serve_while_downloading = serve.value();
  settings.after_download = *after_download;
  if (folder.value()) {
    settings.download_folder = std::filesystem::path{*folder.value()};
  }
  if (auto valid = validate(settings); !valid) {
    return StateErrc::unreadable_row; // written by hand, or by a build with other limits
  }
  return settings;
}

core::Status save_settings(StateStore& state, const Settings& settings) {
  const std::vector<StateStore::SettingValue> values{
      {std::string{kUploadLimit}, std::to_string(settings.upload_limit)},
      {std::string{kDownloadLimit}, std::to_string(settings.download_limit)},
      {std::string{kUploadLimitPerPeer}, std::to_string(settings.upload_limit_per_peer)},
      {std::string{kMaxActiveDownloads}, std::to_string(settings.max_active_downloads)},
      {std::string{kServeWhileDownloading}, settings.serve_while_downloading ? "true" : "false"},
      {std::string{kAfterDownload}, std::string{to_string(settings.after_download)}},
      {std::string{kDownloadFolder}, settings.download_folder
                                         ? std::optional{settings.download_folder->string()}
                                         : std::nullopt}};
  return state.set_settings(values);
}

} // namespace swarmshare::client

namespace swarmshare::client {
namespace {

// "upload_limit 0 -> 1048576, max_active_downloads 3 -> 5": what a settings change changed.
[[nodiscard]] std::string describe_changes(const Settings& before, const Settings& after) {
  std::string text;
  const auto add = [&](std::string_view key, const std::string& from, const std::string& to) {
    if (from != to) {
      text += (text.empty() ? "" : ", ") + std::string{key} + " " + from + " -> " + to;
    }
  };
  const auto flag = [](bool value) { return std::string{value ? "true" : "false"}; };
  const auto folder = [](const std::optional<std::filesystem::path>& path) {
    return path ? path->string() : std::string{"(none)"};
  };
  add(kUploadLimit, std::to_string(before.upload_limit), std::to_string(after.upload_limit));
  add(kDownloadLimit, std::to_string(before.download_limit), std::to_string(after.download_limit));
  add(kUploadLimitPerPeer, std::to_string(before.upload_limit_per_peer),
      std::to_string(after.upload_limit_per_peer));
  add(kMaxActiveDownloads, std::to_string(before.max_active_downloads),
      std::to_string(after.max_active_downloads));
  add(kServeWhileDownloading, flag(before.serve_while_downloading),
      flag(after.serve_while_downloading));
  add(kAfterDownload, std::string{to_string(before.after_download)},
      std::string{to_string(after.after_download)});
  add(kDownloadFolder, folder(before.download_folder), folder(after.download_folder));
  return text;
}

} // namespace

core::Status Session::Impl::apply_settings_now(const Settings& next) {
  if (auto valid = validate(next); !valid) {
    return valid;
  }
  // Saved first: a setting in effect that the next run would not find is a surprise.
  if (auto saved = save_settings(state, next); !saved) {
    return saved;
  }
  const std::string changes = describe_changes(settings, next);
  settings = next;
  upload_limit.set_rate(settings.upload_limit);
  download_limit.set_rate(settings.download_limit);
  apply_upload_limit_per_peer();
  queue.set_limit(settings.max_active_downloads);
  if (!changes.empty()) {
    log(LogLevel::info, "Settings changed: " + changes);
  }
  start_queued(); // a higher limit starts waiting downloads now
  return boost::outcome_v2::success();
}

void Session::Impl::apply_upload_limit_per_peer() {
  for (auto& [file_id, share] : shares) {
    share->swarm->set_upload_rate_per_peer(settings.upload_limit_per_peer);
  }
  for (auto& [file_id, active] : downloads) {
    if (active->download) {
      active->download->set_upload_rate_per_peer(settings.upload_limit_per_peer);
    }
  }
}

} // namespace swarmshare::client
