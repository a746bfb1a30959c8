#pragma once
// The command line of swarmshare-tracker: serving (the default) and the operator commands
// that act on its database directly.

#include "swarmshare/tracker/server.hpp"
#include "swarmshare/tracker/store.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace swarmshare::tracker_server {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

inline constexpr std::string_view kDefaultListen = "0.0.0.0:7070";
inline constexpr std::string_view kDefaultDatabaseName = "tracker.db";

struct Options {
  std::string listen{kDefaultListen};
  std::optional<std::filesystem::path> database;
  std::string log_level = "info";
  std::vector<std::string> admins;
  tracker::ServerLimits limits;
  tracker::StoreOptions store;
  unsigned threads = 0;
  double handshake_timeout_seconds = 10;
  double idle_timeout_seconds = 300;
  std::int64_t ttl_seconds = tracker::kDefaultEntryTtl.count();

  std::string delete_file_id;
  std::string ban_peer_id;
  CLI::App* delete_file = nullptr;
  CLI::App* ban_peer = nullptr;

  /// Registers every option and subcommand on `app`.
  void add_to(CLI::App& app);
  /// The database path: --db, else tracker/tracker.db in the data directory.
  [[nodiscard]] core::Result<std::filesystem::path> database_path() const;
};

/// "ADDR:PORT" for listening: like core::Endpoint::parse, but port 0 (any free port) is
/// allowed.
[[nodiscard]] core::Result<core::Endpoint> parse_listen_address(std::string_view text);

} // namespace swarmshare::tracker_server
