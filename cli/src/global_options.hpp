#pragma once
// Options that come before the command (`swarmshare-cli --tracker HOST:PORT search ...`) and
// apply to every command that needs them: where our files are, which tracker to use, how
// to print. Network options of later commands are accepted and stored already, so scripts
// written against the full option set do not break on this build.

#include "swarmshare/core/error.hpp"
#include "swarmshare/tracker/tracker_address.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace swarmshare::cli {

/// The --tracker value that means "no tracker".
inline constexpr std::string_view kNoTracker = "none";

struct GlobalOptions {
  /// Data directory: identity, databases. Default: $SWARMSHARE_HOME, else the platform's.
  std::optional<std::filesystem::path> home;
  /// HOST:PORT, PEERID@HOST:PORT or "none" (checked when parsed).
  std::optional<std::string> tracker;
  /// One JSON object per output line instead of text.
  bool json = false;

  // Stored for the commands that will use them (share, get, daemon).
  std::optional<std::uint16_t> listen_port;
  std::optional<std::string> up_limit;   ///< as given; parsed by the command that uses it
  std::optional<std::string> down_limit; ///< as given; parsed by the command that uses it
  bool no_dht = false;
  bool no_lan = false;
  std::optional<std::uint16_t> dht_port;
  std::vector<std::string> bootstrap; ///< HOST:PORT, repeatable

  void add_to(CLI::App& app);

  /// --home, else the default data directory. Errors: no home directory to derive it from.
  [[nodiscard]] core::Result<std::filesystem::path> data_dir() const;
  /// The tracker to use; empty for `--tracker none` or no --tracker at all (there is no
  /// configured default yet).
  [[nodiscard]] std::optional<tracker::TrackerAddress> tracker_address() const;
};

} // namespace swarmshare::cli
