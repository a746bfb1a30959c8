// `swarmshare-cli settings`: shows and changes the settings the engine saves in the home
// (client::Settings). A limit given on a command line (--up-limit) is for that run only;
// this command is how a value becomes the default.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "commands.hpp"
#include "exit_codes.hpp"
#include "session_runner.hpp"

#include "swarmshare/client/error.hpp"
#include "swarmshare/client/settings.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <iostream>
#include <string_view>

namespace swarmshare::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 7> kKeys{
    "upload_limit",         "download_limit",          "peer_upload_limit",
    "max_active_downloads", "serve_while_downloading", "after_download",
    "download_folder"};

constexpr const char* kKeysHelp =
    "Keys:\n"
    "  upload_limit             global upload limit, bytes/s (K, M, G: powers of 1024; 0: none)\n"
    "  download_limit           global download limit, bytes/s (as upload_limit)\n"
    "  peer_upload_limit        upload limit for each peer on its own, within upload_limit,\n"
    "                           bytes/s (as upload_limit)\n"
    "  max_active_downloads     downloads running at once, more wait in a queue (0: no limit;\n"
    "                           at most 1000)\n"
    "  serve_while_downloading  serve verified chunks while downloading: true or false\n"
    "  after_download           when a download completes: ask, always_share or never_share\n"
    "  download_folder          default folder for downloads (made absolute), or none\n"
    "A value saved here is the default of every later run; --up-limit, --down-limit and\n"
    "--peer-up-limit override it for one run only.";

// "upload-limit" is accepted for "upload_limit": the options are spelt with dashes.
std::string normalized_key(std::string_view key) {
  std::string out{key};
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

// The value as printed (and as accepted back).
std::string value_text(const client::Settings& settings, std::string_view key) {
  if (key == "upload_limit") {
    return std::to_string(settings.upload_limit);
  }
  if (key == "download_limit") {
    return std::to_string(settings.download_limit);
  }
  if (key == "peer_upload_limit") {
    return std::to_string(settings.upload_limit_per_peer);
  }
  if (key == "max_active_downloads") {
    return std::to_string(settings.max_active_downloads);
  }
  if (key == "serve_while_downloading") {
    return settings.serve_while_downloading ? "true" : "false";
  }
  if (key == "after_download") {
    return std::string{client::to_string(settings.after_download)};
  }
  return settings.download_folder ? printable(settings.download_folder->string()) : "none";
}

nlohmann::json value_json(const client::Settings& settings, std::string_view key) {
  if (key == "upload_limit") {
    return settings.upload_limit;
  }
  if (key == "download_limit") {
    return settings.download_limit;
  }
  if (key == "peer_upload_limit") {
    return settings.upload_limit_per_peer;
  }
  if (key == "max_active_downloads") {
    return settings.max_active_downloads;
  }
  if (key == "serve_while_downloading") {
    return settings.serve_while_downloading;
  }
  if (key == "after_download") {
    return client::to_string(settings.after_download);
  }
  return settings.download_folder ? nlohmann::json(settings.download_folder->string())
                                  : nlohmann::json(nullptr);
}

std::optional<bool> parse_flag(std::string_view text) {
  if (text == "true" || text == "yes" || text == "on" || text == "1") {
    return true;
  }
  if (text == "false" || text == "no" || text == "off" || text == "0") {
    return false;
  }
  return std::nullopt;
}

// Sets `key` in `settings` from the user's text; the message for the user when it does not
// fit.
std::optional<std::string> set_value(client::Settings& settings, std::string_view key,
                                     const std::string& text) {
  if (key == "upload_limit" || key == "download_limit" || key == "peer_upload_limit") {
    const auto rate = parse_rate(text);
    if (!rate) {
      return "not a rate: use bytes per second, e.g. 500K, 2M, 1G or 0 for none";
    }
    (key == "upload_limit"     ? settings.upload_limit
     : key == "download_limit" ? settings.download_limit
                               : settings.upload_limit_per_peer) = *rate;
  } else if (key == "max_active_downloads") {
    std::uint32_t count = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (error != std::errc{} || end != text.data() + text.size() || text.empty() ||
        count > client::Settings::kMaxActiveDownloadsCap) {
      return "not a number from 0 (no limit) to " +
             std::to_string(client::Settings::kMaxActiveDownloadsCap);
    }
    settings.max_active_downloads = count;
  } else if (key == "serve_while_downloading") {
    const auto flag = parse_flag(text);
    if (!flag) {
      return "use true or false";
    }
    settings.serve_while_downloading = *flag;
  } else if (key == "after_download") {
    const auto policy = client::parse_after_download(text);
    if (!policy) {
      return "use ask, always_share or never_share";
    }
    settings.after_download = *policy;
  } else {
    if (text == "none" || text.empty()) {
      settings.download_folder.reset();
      return std::nullopt;
    }
    std::error_code error;
    const fs::path folder = fs::absolute(fs::path{text}, error);
    if (error) {
      return "cannot make the path absolute: " + error.message();
    }
    fs::path normal = folder.lexically_normal();
    if (!normal.has_filename() && normal != normal.root_path()) {
      normal = normal.parent_path(); // "dir/" is "dir"
    }
    settings.download_folder = normal;
  }
  return std::nullopt;
}

} // namespace

void SettingsCommand::add_to(CLI::App& app) {
  command = app.add_subcommand("settings", "Show the settings, or save one: settings KEY VALUE");
  command->add_option("key", key, "The setting to show or change (see Keys below)");
  command->add_option("value", value, "Its new value");
  command->footer(kKeysHelp);
}

int SettingsCommand::run(const GlobalOptions& global) const {
  const std::string name = normalized_key(key);
  if (!key.empty() && std::find(kKeys.begin(), kKeys.end(), name) == kKeys.end()) {
    std::cerr << "swarmshare-cli: unknown setting " << printable(key)
              << " (see swarmshare-cli settings --help for the keys)\n";
    return kExitUsage;
  }
  const bool setting = command->count("value") > 0;

  auto options = global.session_options();
  if (!options) {
    std::cerr << "swarmshare-cli: cannot find the data directory (set HOME or "
                 "SWARMSHARE_HOME, or pass --home)\n";
    return kExitFailure;
  }
  // Shows and saves the saved settings, not this command line's one-run overrides (which
  // would otherwise be saved along with the one key changed).
  options.value().upload_limit.reset();
  options.value().lan.reset(); // reads and saves settings only
  options.value().dht.reset();
  options.value().download_limit.reset();
  options.value().upload_limit_per_peer.reset();
  options.value().serve_library = false;
  options.value().tracker.reset();
  SessionRunner runner(global);
  runner.set_quiet(true);
  if (const auto failed = runner.open(std::move(options).value())) {
    return *failed;
  }
  auto current = runner.await(runner.session().settings());
  if (!current) {
    runner.shutdown();
    return kExitInterrupted;
  }
  client::Settings settings = *current;

  if (setting) {
    if (const auto problem = set_value(settings, name, value)) {
      std::cerr << "swarmshare-cli: " << name << ": " << printable(value) << ": " << *problem
                << '\n';
      runner.shutdown();
      return kExitUsage;
    }
    const auto applied = runner.await(runner.session().apply_settings(settings));
    if (!applied) {
      runner.shutdown();
      return kExitInterrupted;
    }
    if (!*applied) {
      std::cerr << "swarmshare-cli: cannot save " << name << ": " << applied->error().message()
                << '\n';
      runner.shutdown();
      return applied->error() == client::Errc::invalid_setting ? kExitUsage : kExitFailure;
    }
  }

  if (global.json) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto shown : kKeys) {
      if (key.empty() || shown == name) {
        object[std::string{shown}] = value_json(settings, shown);
      }
    }
    print_json(object);
  } else {
    for (const auto shown : kKeys) {
      if (key.empty() || shown == name) {
        print_line(std::string{shown} + " " + value_text(settings, shown));
      }
    }
  }
  runner.shutdown();
  return kExitOk;
}

} // namespace swarmshare::cli
