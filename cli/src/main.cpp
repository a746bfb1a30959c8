// swarmshare-cli: the headless Swarmshare client.

#include "commands.hpp"
#include "exit_codes.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  using namespace swarmshare::cli;
  CLI::App app{"swarmshare-cli: share and download files peer to peer"};
  app.set_version_flag("--version", std::string{"swarmshare-cli "} + SWARMSHARE_VERSION);
  app.require_subcommand(1);
  app.footer("Exit codes: 0 success, 1 failure, 2 usage error, 3 not found (no such file, "
             "no search results, no peer has the file), 4 the download could not be verified, "
             "130 interrupted.");

  // Global options come before the command: `swarmshare-cli --tracker HOST:PORT search x`.
  GlobalOptions global;
  global.add_to(app);
  HashCommand hash;
  hash.add_to(app);
  IdCommand id;
  id.add_to(app);
  SearchCommand search;
  search.add_to(app);
  ShareCommand share;
  share.add_to(app);
  GetCommand get;
  get.add_to(app);
  ServeCommand serve;
  serve.add_to(app);
  LanCommand lan;
  lan.add_to(app);
  ListCommand list;
  list.add_to(app);
  HistoryCommand history;
  history.add_to(app);
  StatsCommand stats;
  stats.add_to(app);
  UnshareCommand unshare;
  unshare.add_to(app);
  SettingsCommand settings;
  settings.add_to(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    if (hash.command->parsed()) {
      return hash.run();
    }
    if (id.command->parsed()) {
      if (!id.data_dir && global.home) {
        id.data_dir = global.home; // --data-dir, the older spelling, wins when both are given
      }
      return id.run();
    }
    if (search.command->parsed()) {
      return search.run(global);
    }
    if (share.command->parsed()) {
      return share.run(global);
    }
    if (get.command->parsed()) {
      return get.run(global);
    }
    if (serve.command->parsed()) {
      return serve.run(global);
    }
    if (lan.command->parsed()) {
      return lan.run(global);
    }
    if (list.command->parsed()) {
      return list.run(global);
    }
    if (history.command->parsed()) {
      return history.run(global);
    }
    if (stats.command->parsed()) {
      return stats.run(global);
    }
    if (unshare.command->parsed()) {
      return unshare.run(global);
    }
    if (settings.command->parsed()) {
      return settings.run(global);
    }
  } catch (const std::exception& error) {
    std::cerr << "swarmshare-cli: " << error.what() << '\n';
    return kExitFailure;
  }
  return kExitUsage;
}
