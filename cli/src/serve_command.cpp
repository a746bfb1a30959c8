#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "commands.hpp"
#include "exit_codes.hpp"
#include "search_without_tracker.hpp"
#include "session_runner.hpp"

#include <iostream>

namespace swarmshare::cli {

void ServeCommand::add_to(CLI::App& app) {
  command =
      app.add_subcommand("serve", "Serve and announce the whole library until Ctrl-C (or SIGTERM)");
}

int ServeCommand::run(const GlobalOptions& global) const {
  auto options = global.session_options();
  if (!options) {
    std::cerr << "swarmshare-cli: cannot find the data directory (set HOME or "
                 "SWARMSHARE_HOME, or pass --home)\n";
    return kExitFailure;
  }
  options.value().serve_library = true; // an empty library still runs: others may share later
  SessionRunner runner(global);
  if (const auto failed = runner.open(std::move(options).value())) {
    return *failed;
  }
  runner.serve_until_signal();
  runner.shutdown();
  return kExitOk;
}

void LanCommand::add_to(CLI::App& app) {
  command = app.add_subcommand(
      "lan", "List the peers on the local network and the files each shares (no tracker needed)");
}

int LanCommand::run(const GlobalOptions& global) const { return list_lan(global); }

} // namespace swarmshare::cli
